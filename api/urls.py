"""The API under /api/v1/ and the account page of personal tokens under /accounts/tokens/."""

from __future__ import annotations

import functools

from django.http import JsonResponse
from django.urls import URLPattern, include, path, reverse
from django.utils.cache import add_never_cache_headers

from api import views
from api.v1 import api, error_response

app_name = "api"

READ_METHODS = ("GET", "HEAD", "OPTIONS")
ALLOW = ", ".join(READ_METHODS)


def read_only(view):
    """GET as the API answers it; HEAD the same without a body; OPTIONS the methods; anything else a JSON 405.

    Around every URL of the API, its description and docs included, so no
    write reaches a view, and the answer is never kept by a shared cache.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = error_response(200, f"Allowed: {ALLOW}.")
        elif request.method not in READ_METHODS:
            response = error_response(405, f"The API is read-only: {request.method} is not allowed; use GET.")
        else:
            # HEAD: the answer to GET, headers only.
            head = request.method == "HEAD"
            request.method = "GET"
            response = view(request, *args, **kwargs)
            if head:
                request.method = "HEAD"
                response.content = b""
        response["Allow"] = ALLOW
        add_never_cache_headers(response)
        return response

    wrapper.csrf_exempt = True
    return wrapper


def index(request):
    """Where the description and the documentation are: public, like them."""
    return JsonResponse({"openapi": reverse("api:v1:openapi-json"), "docs": reverse("api:v1:openapi-view")})


def not_found(request, rest: str):
    return error_response(404, f"No such API endpoint; see {reverse('api:v1:openapi-view')}.")


patterns, _, _ = api.urls
# The package's own root page is replaced by the index above, under its name, which the package reverses.
v1 = [URLPattern(p.pattern, read_only(p.callback), p.default_args, p.name) for p in patterns if p.name != "api-root"]
v1 += [path("", read_only(index), name="api-root"), path("<path:rest>", read_only(not_found), name="not_found")]

urlpatterns = [
    path("api/v1/", include((v1, "v1"))),
    path("accounts/tokens/", views.token_list, name="tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
