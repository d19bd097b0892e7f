"""What every e-mail the worker sends shares: the refusing backend, the send, the wait between attempts."""

from __future__ import annotations

from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

# Attempts of one e-mail before it is marked failed; the wait doubles after each.
MAX_ATTEMPTS = 4


class UnconfiguredBackend(BaseEmailBackend):
    """A mail backend for a server with no ``EMAIL_URL``: it refuses, so nothing is silently lost."""

    def send_messages(self, email_messages):
        raise SMTPException("no mail server is configured: set EMAIL_URL")


def site_url(request) -> str:
    """The site a request came to, for the links of the e-mails it queues: the worker has no request to ask."""
    return request.build_absolute_uri("/").rstrip("/")


def send_or_error(message: EmailMessage) -> str | None:
    """Send ``message``; None when it went, else the reason it did not, short enough to show an owner."""
    try:
        message.send()
    except (SMTPException, OSError) as exc:
        return f"{type(exc).__name__}: {exc}"[:500]
    return None


def retry_delay(attempt: int) -> timedelta:
    """The wait before attempt ``attempt + 1``: doubling from ``EMAIL_RETRY_SECONDS`` (default 60)."""
    return timedelta(seconds=getattr(settings, "EMAIL_RETRY_SECONDS", 60) * 2 ** (attempt - 1))
