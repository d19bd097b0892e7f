"""Log lines without invitation tokens.

An invitation link's token is its holder's only credential, and logs are
read by more people, kept longer and copied further than the database. So
every line the app and its server write has ``/i/<token>`` replaced by
``/i/[token]``, and a member invitation's ``/join/<token>`` by
``/join/[token]``: the request line, the referrer, a warning's message, a
traceback's text.
"""

from __future__ import annotations

import logging
import re

# A slash, plain, percent-encoded (a path in a query string: ?next=%2Fi%2F...) or encoded twice.
_SLASH = r"(?:/|%2F|%252F)"
# A token is whatever follows /i/ or /join/ up to the next separator, its characters plain or
# percent-encoded (/i/%46...: a browser or a client may encode any of them); matched anywhere.
TOKEN_IN_PATH = re.compile(
    rf"({_SLASH}(?:i|join){_SLASH})(?:%(?!2F|252F)[0-9A-F]{{2}}|[^/?#&\s\"'<>%])+",
    re.IGNORECASE,
)
REDACTED = r"\1[token]"


def redact_tokens(text: str) -> str:
    """``text`` with every invitation token in a path replaced by ``[token]``."""
    return TOKEN_IN_PATH.sub(REDACTED, text)


class RedactTokens(logging.Filter):
    """Rewrite a record's message (and its traceback text) with the tokens redacted.

    Attach it to handlers, not loggers: a logger's filters do not see the
    records that its children propagate to it.
    """

    _formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_tokens(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_tokens(record.stack_info)
        return True
