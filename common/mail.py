"""A mail backend for a server with no ``EMAIL_URL``: it refuses, so nothing is silently lost."""

from __future__ import annotations

from smtplib import SMTPException

from django.core.mail.backends.base import BaseEmailBackend


class UnconfiguredBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise SMTPException("no mail server is configured: set EMAIL_URL")
