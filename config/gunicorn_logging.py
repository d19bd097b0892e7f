"""gunicorn's logger, with invitation tokens redacted from the access and error logs.

Used with ``--logger-class config.gunicorn_logging.RedactingLogger`` (the
Procfile, ``bench/load_test.py``). The access line is built from the request
line, the path and the referrer, any of which may hold ``/i/<token>/``.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from common.log import RedactTokens


class RedactingLogger(Logger):
    """gunicorn's own logger, whose two loggers redact tokens from every record logged on them.

    On the loggers rather than their handlers, so that handlers from
    ``--log-config`` or syslog are covered too.
    """

    def setup(self, cfg) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactTokens) for f in log.filters):
                log.addFilter(RedactTokens())
