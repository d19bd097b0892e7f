"""The read-only JSON API, version 1 (contract section 18), built with django-ninja.

Every endpoint reads through the same selectors, access rules and renderers
as the pages: a token reads exactly what its user may read there, and the
report is the very JSON of the page's download (``render_json``), passed
through as bytes rather than rebuilt from a schema, so the two cannot drift.

Errors are JSON ``{"detail": "..."}``: 401 without a valid token, 404 for
what the user may not read (never a 403, which would confirm it exists), 429
past the rate limit with ``Retry-After``; ``urls.py`` adds 405 for any
method but GET, HEAD and OPTIONS.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from ninja import NinjaAPI, Schema, Swagger
from ninja.security import HttpBearer

from actions.selectors import action_fields, organization_actions
from api.models import ApiToken
from api.selectors import (
    api_token_for_secret,
    organization_assessments,
    readable_organization,
    readable_organizations,
)
from api.services import api_token_hit
from assessments.access import assessment_for
from organizations.selectors import REPORT_ACCESS
from reports.renderers import render_json, render_segment_json
from reports.segments import segment_for_key, segment_report
from reports.selectors import gap_report

JSON = "application/json; charset=utf-8"


class ApiError(Exception):
    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.headers = status, detail, headers or {}


def error_response(status: int, detail: str, headers: dict[str, str] | None = None) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class PersonalToken(HttpBearer):
    """``Authorization: Bearer <token>``: a personal token that is not revoked, within its rate limit."""

    def __call__(self, request: HttpRequest) -> ApiToken:
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise ApiError(401, "Send a personal API token: Authorization: Bearer <token>.", _CHALLENGE)
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = api_token_for_secret(secret=token)
        if found is None:
            raise ApiError(401, "This token is unknown or revoked.", _CHALLENGE)
        wait = api_token_hit(token=found, limit=settings.API_RATE_LIMIT)
        if wait is not None:
            raise ApiError(
                429,
                f"More than {settings.API_RATE_LIMIT} requests in a minute with this token; try again in {wait} s.",
                {"Retry-After": str(wait)},
            )
        # The access rules of the pages take a user, as for a logged-in request.
        request.user = found.user
        return found


_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}

api = NinjaAPI(
    title="Human Pipeline API",
    version="1",
    description=(
        "Read-only access to what your account may read on the pages: organizations, assessments, "
        "gap reports (the JSON of the report page's download) and action plans. Create a personal token "
        "on your account page (API tokens) and send it as `Authorization: Bearer <token>`."
    ),
    auth=PersonalToken(),
    urls_namespace="api:v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    # No link inside each operation's toggle button: a link in a button is unreachable to a screen reader.
    docs=Swagger(settings={"deepLinking": False}),
)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.detail, exc.headers)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(404, str(exc) or "Not found.")


class Error(Schema):
    detail: str


class OrganizationOut(Schema):
    slug: str
    name: str
    role: str | None


class AssessmentOut(Schema):
    slug: str
    title: str
    status: str
    respondents: int


class ActionOut(Schema):
    title: str
    benefits: list[str]
    owner: str
    due: date | None
    status: str
    assessment: str
    created: date
    done: date | None


ERRORS = {401: Error, 404: Error, 429: Error}


def _organization(request: HttpRequest, org: str):
    organization = readable_organization(user=request.user, slug=org)
    if organization is None:
        raise Http404("No such organization.")
    return organization


@api.get(
    "/organizations", response={200: list[OrganizationOut], **ERRORS}, url_name="organizations", tags=["Organizations"]
)
def organizations(request: HttpRequest):
    """The organizations whose reports you may read, with your role in each (null where a permission opens it)."""
    return readable_organizations(user=request.user)


@api.get(
    "/organizations/{org}/assessments",
    response={200: list[AssessmentOut], **ERRORS},
    url_name="assessments",
    tags=["Reports"],
)
def assessments(request: HttpRequest, org: str):
    """The organization's assessments (rounds), each with its number of respondents."""
    return organization_assessments(organization=_organization(request, org))


@api.get(
    "/organizations/{org}/assessments/{assessment}/report",
    response={200: dict, **ERRORS},
    url_name="report",
    tags=["Reports"],
    openapi_extra={
        "parameters": [
            {
                "in": "query",
                "name": "segment",
                "required": False,
                "schema": {"type": "string"},
                "description": "A segment's key: the report of each of its groups (the page's download by segment).",
            }
        ]
    },
)
def report(request: HttpRequest, org: str, assessment: str):
    """The gap report: the same JSON as the report page's download; with `segment`, the segment report's JSON.

    The release rule applies as on the page: a report with too few respondents, or withheld until the
    assessment closes, has `suppressed` true and no figures.
    """
    found = assessment_for(request.user, org, assessment, access=REPORT_ACCESS)
    key = request.GET.get("segment")
    if key:
        segment = segment_for_key(assessment=found, key=key)
        if segment is None:
            raise Http404("No such segment.")
        return HttpResponse(render_segment_json(segment_report(assessment=found, segment=segment)), content_type=JSON)
    # Data for programs: in the site's default language, whatever the request's (section 17).
    with translation.override(settings.LANGUAGE_CODE):
        body = render_json(gap_report(assessment=found))
    return HttpResponse(body, content_type=JSON)


@api.get(
    "/organizations/{org}/actions", response={200: list[ActionOut], **ERRORS}, url_name="actions", tags=["Actions"]
)
def actions(request: HttpRequest, org: str):
    """The organization's action plan: the fields of the actions CSV, soonest due first."""
    return [action_fields(a) for a in organization_actions(organization=_organization(request, org))]
