"""What every e-mail the worker sends shares: the refusing backend, the send, the wait between attempts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from smtplib import SMTPException, SMTPRecipientsRefused, SMTPResponseException

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError

# Attempts of one e-mail, in all, before a temporary failure is taken for good; the wait doubles after each.
MAX_ATTEMPTS = 5


class UnconfiguredBackend(BaseEmailBackend):
    """A mail backend for a server with no ``EMAIL_URL``: it refuses, so nothing is silently lost."""

    def send_messages(self, email_messages):
        raise SMTPException("no mail server is configured: set EMAIL_URL")


def site_url(request) -> str:
    """The site a request came to, for the links of the e-mails it queues: the worker has no request to ask."""
    return request.build_absolute_uri("/").rstrip("/")


@dataclass(frozen=True)
class SendError:
    """Why a message did not go: ``permanent`` when trying again cannot help (a 5xx reply, a bad header)."""

    reason: str
    permanent: bool


def _permanent(exc: Exception) -> bool:
    if isinstance(exc, SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    if isinstance(exc, SMTPResponseException):
        return exc.smtp_code >= 500
    # Disconnections, timeouts, refused connections: the server may answer later.
    return not isinstance(exc, SMTPException | OSError)


def send_or_error(message: EmailMessage) -> SendError | None:
    """Send ``message``; None when it went, else why not, short enough to show an owner.

    Any error but the database's is caught: an e-mail ends sent, retried or
    failed with its reason, never stuck. (A database error belongs to the
    worker, which waits for the database to come back.)
    """
    try:
        message.send()
    except DatabaseError:
        raise
    except Exception as exc:  # a bad header is a ValueError: each ends as the reason shown
        return SendError(f"{type(exc).__name__}: {exc}"[:500], _permanent(exc))
    return None


def retry_delay(attempt: int) -> timedelta:
    """The wait before attempt ``attempt + 1``: doubling from ``EMAIL_RETRY_SECONDS`` (default 60)."""
    return timedelta(seconds=getattr(settings, "EMAIL_RETRY_SECONDS", 60) * 2 ** (attempt - 1))
