"""A database that does not answer is a 503 with the project's page, never a 500 or a traceback."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from common.views import UNAVAILABLE_ERRORS, database_unavailable

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """Turn a view's database connection error into the 503 page.

    The database is down, restarting or unreachable: a person can only wait
    and reload, and nothing they saved is lost, since every write is one
    transaction that either committed or left nothing behind. The request
    after the database is back reconnects by itself (``CONN_HEALTH_CHECKS``
    drops a stale connection first), so there is nothing to restart.

    Errors outside the view (the session saved by its middleware, an error
    page that needed the user) reach ``handler500``, which gives the same
    page (:func:`common.views.server_error`).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, UNAVAILABLE_ERRORS):
            return None
        # One line, not a traceback per request while the database is down. The URL name, not the path:
        # a path may hold an invitation token, which is a credential.
        match = request.resolver_match
        logger.warning("Database unavailable: %s %s: %s", request.method, match.view_name if match else "-", exception)
        return database_unavailable(request)
