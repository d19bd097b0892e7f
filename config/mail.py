"""Mail settings from the environment: the server, the sender, the site the links point to."""

from __future__ import annotations

from collections.abc import Mapping

import dj_email_url
from django.core.exceptions import ImproperlyConfigured


def email_settings(environ: Mapping[str, str], *, debug: bool) -> dict[str, object]:
    """``EMAIL_*`` settings from ``EMAIL_URL``; the console with debug on and no URL.

    With debug off and no ``EMAIL_URL``, mail is refused at send time (the
    dummy backend would lose it silently): the worker marks the invitation
    failed with a reason the owner sees.
    """
    url = environ.get("EMAIL_URL", "").strip()
    settings: dict[str, object] = {
        "DEFAULT_FROM_EMAIL": environ.get("DEFAULT_FROM_EMAIL", "Human Pipeline <noreply@localhost>"),
        "SITE_URL": environ.get("DJANGO_SITE_URL", "http://127.0.0.1:8000" if debug else "").rstrip("/"),
    }
    if url:
        scheme = url.partition("://")[0]
        if scheme not in dj_email_url.SCHEMES:
            raise ImproperlyConfigured(
                f"EMAIL_URL is not a mail URL like smtp://user:password@host:587?tls=True "
                f"(the scheme is one of {', '.join(dj_email_url.SCHEMES)})"
            )
        parsed = dj_email_url.parse(url)
        settings.update({key: value for key, value in parsed.items() if value is not None})
        # A worker stuck on a silent server would hold up every e-mail behind it.
        settings.setdefault("EMAIL_TIMEOUT", 20)
    elif debug:
        settings["EMAIL_BACKEND"] = "django.core.mail.backends.console.EmailBackend"
    else:
        settings["EMAIL_BACKEND"] = "common.mail.UnconfiguredBackend"
    return settings
