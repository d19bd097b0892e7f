"""Mail settings from the environment (config/mail.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.mail import email_settings


def test_email_url_gives_the_smtp_server():
    """EMAIL_URL's host, port, user, password and TLS become Django's EMAIL_* settings, with a timeout."""
    s = email_settings({"EMAIL_URL": "smtp://hp:secret@smtp.example.org:587?tls=True"}, debug=False)
    assert s["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (s["EMAIL_HOST"], s["EMAIL_PORT"], s["EMAIL_HOST_USER"], s["EMAIL_HOST_PASSWORD"]) == (
        "smtp.example.org",
        587,
        "hp",
        "secret",
    )
    assert s["EMAIL_USE_TLS"] is True and s["EMAIL_TIMEOUT"] == 20


def test_debug_without_email_url_prints_to_the_console_and_production_refuses_to_send():
    """With debug and no EMAIL_URL: the console; without debug: a backend that fails every send (nothing lost)."""
    assert email_settings({}, debug=True)["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert email_settings({}, debug=False)["EMAIL_BACKEND"] == "common.mail.UnconfiguredBackend"
    assert email_settings({"DEFAULT_FROM_EMAIL": "S <s@example.org>"}, debug=True)["DEFAULT_FROM_EMAIL"] == (
        "S <s@example.org>"
    )


def test_a_bad_email_url_is_a_clear_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL is not a mail URL"):
        email_settings({"EMAIL_URL": "gopher://x"}, debug=False)
