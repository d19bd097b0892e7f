"""Login throttling that applies to logins over HTTP, and only to them."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class ThrottledLoginBackend(AxesStandaloneBackend):
    """django-axes' lockout check, skipped when there is no request to throttle.

    Every login over HTTP (our login page, the admin's) passes the request,
    so it is counted and, after too many failures, refused. ``authenticate()``
    without a request (a management command, ``Client.login`` in tests) has
    no client address to count; stock axes raises there, which would only
    break those callers without protecting anything reachable from outside.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
