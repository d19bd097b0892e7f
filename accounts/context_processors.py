"""What every page's header and the login page need to know about accounts."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.adapter import signup_is_open


def signup(request: HttpRequest) -> dict[str, bool]:
    return {"signup_open": signup_is_open()}
