"""gunicorn's access and error logs, through the project's logger class, carry no invitation token."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from gunicorn.config import Config

from config.gunicorn_logging import RedactingLogger

TOKEN = "aChUzWiq0_Z2-vG_nAGOSx9D4JNEf5Mlv0e0NbUO4TE"


def _logger(tmp_path) -> tuple[RedactingLogger, object, object]:
    cfg = Config()
    access, error = tmp_path / "access.log", tmp_path / "error.log"
    cfg.set("accesslog", str(access))
    cfg.set("errorlog", str(error))
    return RedactingLogger(cfg), access, error


def test_access_line_has_the_token_redacted_in_path_request_line_and_referrer(tmp_path):
    """The default access format (request line, referrer) on a request for an invitation link: no token."""
    logger, access, _ = _logger(tmp_path)
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": f"/i/{TOKEN}/section/2/",
        "PATH_INFO": f"/i/{TOKEN}/section/2/",
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://hp.example/i/{TOKEN}/section/1/",
        "HTTP_USER_AGENT": "test",
    }
    response = SimpleNamespace(status="302 Found", sent=0, headers=[("Location", f"/i/{TOKEN}/section/3/")])
    logger.access(response, SimpleNamespace(headers=[]), environ, datetime.timedelta(milliseconds=12))
    line = access.read_text()
    assert '"POST /i/[token]/section/2/ HTTP/1.1" 302' in line
    assert '"https://hp.example/i/[token]/section/1/"' in line
    assert TOKEN not in line


def test_error_log_has_the_token_redacted(tmp_path):
    """A worker's error message that names an invitation path is written redacted."""
    logger, _, error = _logger(tmp_path)
    logger.error("Error handling request /i/%s/review/", TOKEN)
    text = error.read_text()
    assert "Error handling request /i/[token]/review/" in text
    assert TOKEN not in text
