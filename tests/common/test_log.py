"""Invitation tokens never reach a log line: the filter, and the project's logging configuration."""

from __future__ import annotations

import io
import logging
import sys

import pytest
from django.test import Client

from common.log import RedactTokens, redact_tokens
from responses.invitations.services import invitations_create

TOKEN = "aChUzWiq0_Z2-vG_nAGOSx9D4JNEf5Mlv0e0NbUO4TE"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"GET /i/{TOKEN}/ HTTP/1.1", "GET /i/[token]/ HTTP/1.1"),
        (f"Bad Request: /i/{TOKEN}/section/2/", "Bad Request: /i/[token]/section/2/"),
        (f'"https://hp.example/i/{TOKEN}/review/" "Mozilla"', '"https://hp.example/i/[token]/review/" "Mozilla"'),
        (f"/i/{TOKEN}?x=1 /i/{TOKEN}", "/i/[token]?x=1 /i/[token]"),
        (f"/i%2F{TOKEN}%2Fsection", "/i%2F[token]%2Fsection"),
        (f"POST /join/{TOKEN}/account/ HTTP/1.1", "POST /join/[token]/account/ HTTP/1.1"),
        # Percent-encoded forms: the token's own characters, a whole path in a query string, twice encoded.
        (f"GET /i/%{ord(TOKEN[0]):02X}{TOKEN[1:]}/ HTTP/1.1", "GET /i/[token]/ HTTP/1.1"),
        (f"GET /i/{TOKEN[:5]}%{ord(TOKEN[5]):02x}{TOKEN[6:]}/ HTTP/1.1", "GET /i/[token]/ HTTP/1.1"),
        (
            f"GET /accounts/login/?next=%2Fi%2F{TOKEN}%2F HTTP/1.1",
            "GET /accounts/login/?next=%2Fi%2F[token]%2F HTTP/1.1",
        ),
        (f"?next=%2fjoin%2f{TOKEN}%2faccount%2f&x=1", "?next=%2fjoin%2f[token]%2faccount%2f&x=1"),
        (f"?u=%252Fi%252F{TOKEN}%252F", "?u=%252Fi%252F[token]%252F"),
        (f"?next=/join/{TOKEN}&a=b", "?next=/join/[token]&a=b"),
        (
            "/o/acme/baseline/report/ /benefits/social-media/internal/",
            "/o/acme/baseline/report/ /benefits/social-media/internal/",
        ),
    ],
)
def test_redact_tokens_replaces_the_token_in_any_path(text, expected):
    """The token after /i/ or /join/ becomes [token], wherever the path is; other paths stay as they are."""
    assert redact_tokens(text) == expected


def _record(msg, args, exc_info=None) -> logging.LogRecord:
    return logging.LogRecord("django.request", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_filter_redacts_the_message_with_its_arguments_and_the_traceback():
    """A %-style message, its arguments and the exception text all lose the token; the record is still logged."""
    try:
        raise ValueError(f"no such page /i/{TOKEN}/")
    except ValueError:
        record = _record("%s: %s", ("Not Found", f"/i/{TOKEN}/done/"), exc_info=sys.exc_info())
    assert RedactTokens().filter(record) is True
    line = logging.Formatter().format(record)
    assert TOKEN not in line
    assert "Not Found: /i/[token]/done/" in line
    assert "no such page /i/[token]/" in line


@pytest.fixture
def captured(request):
    """What the project's configured handlers for the logger ``request.param`` write, as one string."""
    buffer = io.StringIO()
    logger = logging.getLogger(request.param)
    handlers = []
    while logger is not None:
        handlers += [h for h in logger.handlers if any(isinstance(f, RedactTokens) for f in h.filters)]
        logger = logger.parent if logger.propagate else None
    assert handlers, "the project's logging configuration has no redacting handler for this logger"
    # Swapped by hand: setStream would flush the old stream, which an earlier test's capture may have closed.
    streams = [h.stream for h in handlers]
    for handler in handlers:
        handler.stream = buffer
    yield buffer
    for handler, stream in zip(handlers, streams, strict=True):
        handler.stream = stream


@pytest.mark.django_db
@pytest.mark.parametrize("captured", ["django.request"], indirect=True)
def test_django_request_warnings_carry_no_token(captured, assessment):
    """Refused requests on a live invitation link (400, CSRF 403, 404) log their warnings with the token redacted."""
    token = invitations_create(assessment=assessment, count=1)[0]
    Client(enforce_csrf_checks=True).post(f"/i/{token}/")  # no CSRF cookie
    client = Client(enforce_csrf_checks=True)
    client.get(f"/i/{token}/")
    client.generic(
        "POST", f"/i/{token}/", data=b"a=1", content_type="application/x-www-form-urlencoded; charset=utf-16"
    )
    client.get(f"/i/{token}/section/x/")
    logged = captured.getvalue()
    assert "must be UTF-8 encoded.: /i/[token]/" in logged
    assert "Forbidden (CSRF cookie not set.): /i/[token]/" in logged
    assert "Not Found: /i/[token]/section/x/" in logged
    assert token not in logged


@pytest.mark.parametrize("captured", ["django.server"], indirect=True)
def test_runserver_request_lines_carry_no_token(captured):
    """runserver's request line (logged as runserver logs it) has the token redacted, in the usual format."""
    logging.getLogger("django.server").info('"%s" %s %s', f"GET /i/{TOKEN}/ HTTP/1.1", "200", "1234")
    logged = captured.getvalue()
    assert '"GET /i/[token]/ HTTP/1.1" 200 1234' in logged
    assert TOKEN not in logged
