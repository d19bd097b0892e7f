"""Views that belong to no step of the flow: the health check, and error pages where Django's own would fail."""

from __future__ import annotations

import logging
import sys

from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.defaults import server_error as django_server_error

logger = logging.getLogger(__name__)

# The errors of a database that does not answer (down, restarting, unreachable, a connection cut), as opposed to
# a query that is wrong: those stay 500s, since retrying them would not help.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)

# What a client, a proxy or a person is told to wait before trying again.
RETRY_AFTER_SECONDS = 30


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """``200 ok`` when the database answers a ``SELECT 1``, ``503`` otherwise; no session, no redirect, plain text.

    A load balancer polls it to take an app server out of rotation while its
    database does not answer, and to put it back once it does.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        logger.warning("Health check: the database does not answer: %s", exc)
        return HttpResponse("unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


def database_unavailable(request: HttpRequest | None = None) -> HttpResponse:
    """The 503 page: try again in a minute, nothing saved is lost.

    Rendered without a request context, like the 500 page, since the
    context processors would need the database (the session, the user).
    """
    response = HttpResponse(loader.get_template("503.html").render(), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: a database that stopped answering is a 503, anything else the usual 500 page.

    It catches what :class:`common.middleware.DatabaseUnavailableMiddleware`
    cannot see: a database error outside the view, e.g. in the session
    middleware saving the session, or while rendering an error page.
    """
    if isinstance(sys.exc_info()[1], UNAVAILABLE_ERRORS):
        return database_unavailable(request)
    return django_server_error(request)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBadRequest:
    """``handler400``: the 400 page, for a request Django refuses (e.g. a form body in a charset other than UTF-8).

    Django's own handler runs the CSRF check again, which reads the body
    again, which raises again: a bare 500. This one only renders the page.
    """
    return HttpResponseBadRequest(loader.render_to_string("400.html", request=request))
