"""The read-only API (contract section 18): the same JSON as the page downloads, under the same access rules."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openapi_spec_validator import validate

from api.models import ApiToken
from organizations.models import Membership
from reports.selectors import gap_report
from tests.actions.helpers import BRAND, plan
from tests.api.helpers import bearer, member_with_token
from tests.factories import AssessmentFactory, UserFactory
from tests.reports.helpers import EXT_FEEDBACK, FEEDBACK, assessment_with, columns
from tests.reports.test_segments import department_assessment

pytestmark = pytest.mark.django_db


def api(name: str, **kwargs) -> str:
    return reverse(f"api:v1:{name}", kwargs=kwargs)


@pytest.fixture
def assessment(taxonomy):
    return assessment_with(
        {
            FEEDBACK: columns([5, 5, 5, 5, 5], [1, 2, 1, 2, 1]),
            EXT_FEEDBACK: columns([1, 5, 1, 5, 3], [5, 1, 5, 1, 3]),
        },
        status="closed",
    )


def endpoints(assessment) -> list[str]:
    org = assessment.organization.slug
    return [
        api("assessments", org=org),
        api("report", org=org, assessment=assessment.slug),
        api("actions", org=org),
    ]


# --- The same data as the pages ------------------------------------------------------------


def test_the_report_is_the_page_downloads_json(client, assessment):
    user, auth = member_with_token(assessment.organization)
    client.force_login(user)
    page = client.get(reverse("reports:json", args=[assessment.organization.slug, assessment.slug]))
    response = client.get(api("report", org=assessment.organization.slug, assessment=assessment.slug), **auth)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.content == page.content
    assert json.loads(response.content)["ranking"][0] == FEEDBACK


def test_the_segment_report_is_the_page_downloads_json(client, taxonomy):
    assessment = department_assessment({"sales": [(5, 1)] * 5, "engineering": [(4, 2)] * 5, "support": [(3, 3)] * 2})
    user, auth = member_with_token(assessment.organization)
    client.force_login(user)
    page = client.get(
        reverse("reports:json", args=[assessment.organization.slug, assessment.slug]), {"segment": "department"}
    )
    url = api("report", org=assessment.organization.slug, assessment=assessment.slug)
    response = client.get(url, {"segment": "department"}, **auth)
    assert response.status_code == 200
    assert json.loads(response.content) == json.loads(page.content)
    assert json.loads(response.content)["segment"]["key"] == "department"
    unknown = client.get(url, {"segment": "nope"}, **auth)
    assert unknown.status_code == 404 and unknown.json() == {"detail": "No such segment."}


def test_a_withheld_report_is_withheld_in_the_api_too(client, taxonomy):
    assessment = assessment_with({FEEDBACK: columns([5, 5, 5], [1, 1, 1])}, status="closed")
    _, auth = member_with_token(assessment.organization)
    data = client.get(api("report", org=assessment.organization.slug, assessment=assessment.slug), **auth).json()
    assert data["suppressed"] is True and data["benefits"] == [] and data["respondents"] == 3


def test_actions_have_the_fields_of_the_actions_csv(client, assessment):
    plan(assessment, title="Run feedback sessions", due=timezone.localdate())
    plan(assessment, title="Brand guide", paths=(FEEDBACK, BRAND), status="done")
    user, auth = member_with_token(assessment.organization)
    client.force_login(user)
    page = client.get(reverse("actions:csv", args=[assessment.organization.slug])).content.decode()
    objects = client.get(api("actions", org=assessment.organization.slug), **auth).json()
    assert [o["title"] for o in objects] == ["Run feedback sessions", "Brand guide"]
    # The CSV's cells: benefits joined by ";", an empty cell for a missing date.
    as_csv = [{k: ";".join(v) if k == "benefits" else (v or "") for k, v in o.items()} for o in objects]
    assert as_csv == list(csv.DictReader(io.StringIO(page)))


def test_assessments_and_organizations(client, assessment):
    AssessmentFactory(organization=assessment.organization, title="Alpha round", slug="alpha")
    _, auth = member_with_token(assessment.organization)
    rows = client.get(api("assessments", org=assessment.organization.slug), **auth).json()
    assert rows == [
        {"slug": "alpha", "title": "Alpha round", "status": "open", "respondents": 0},
        {"slug": assessment.slug, "title": "Baseline 2026", "status": "closed", "respondents": 5},
    ]
    assert rows[1]["respondents"] == gap_report(assessment=assessment).respondents
    organization = assessment.organization
    orgs = client.get(api("organizations"), **auth).json()
    assert orgs == [{"slug": organization.slug, "name": organization.name, "role": "analyst"}]


def test_staff_with_the_report_permission_read_every_organization_without_a_role(client, assessment):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get_by_natural_key("view_report", "assessments", "assessment"))
    auth = bearer(staff)
    other = AssessmentFactory()
    orgs = client.get(api("organizations"), **auth).json()
    assert {(o["slug"], o["role"]) for o in orgs} == {
        (assessment.organization.slug, None),
        (other.organization.slug, None),
    }
    assert client.get(endpoints(assessment)[1], **auth).status_code == 200


# --- Tokens, access and methods ------------------------------------------------------------------------


def test_no_wrong_or_revoked_token_is_a_401_in_json(client, assessment):
    user, auth = member_with_token(assessment.organization)
    for url in [api("organizations"), *endpoints(assessment)]:
        for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer hp_wrong"}, {"HTTP_AUTHORIZATION": "Basic dXNlcjpwdw=="}):
            response = client.get(url, **headers)
            assert response.status_code == 401, (url, headers)
            assert response["Content-Type"] == "application/json"
            assert response["WWW-Authenticate"].startswith("Bearer")
            assert "detail" in response.json()
    # A logged-in session is no credential for the API.
    client.force_login(user)
    assert client.get(api("organizations")).status_code == 401
    ApiToken.objects.update(revoked_at=timezone.now())
    response = client.get(api("organizations"), **auth)
    assert response.status_code == 401 and response.json() == {"detail": "This token is unknown or revoked."}


def test_a_deactivated_users_token_opens_nothing(client, assessment):
    user, auth = member_with_token(assessment.organization)
    user.is_active = False
    user.save()
    assert client.get(api("organizations"), **auth).status_code == 401


def test_other_organizations_and_respondents_get_404(client, assessment):
    _, other = member_with_token(AssessmentFactory().organization, Membership.Role.OWNER)
    _, respondent = member_with_token(assessment.organization, Membership.Role.RESPONDENT)
    for auth in (other, respondent):
        for url in endpoints(assessment):
            response = client.get(url, **auth)
            assert response.status_code == 404, url
            assert response.json()["detail"].startswith("No such")
    assert client.get(api("organizations"), **respondent).json() == []


def test_the_same_assessment_slug_in_another_organization_is_not_found(client, assessment):
    _, auth = member_with_token(assessment.organization)
    elsewhere = AssessmentFactory(slug="elsewhere")
    url = api("report", org=assessment.organization.slug, assessment=elsewhere.slug)
    assert client.get(url, **auth).status_code == 404


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get_head_and_options(client, assessment, method):
    _, auth = member_with_token(assessment.organization)
    for url in [api("organizations"), *endpoints(assessment), api("openapi-json")]:
        response = getattr(client, method)(url, **auth)
        assert response.status_code == 405, url
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response.json()["detail"].startswith("The API is read-only")
    head = client.head(api("organizations"), **auth)
    assert head.status_code == 200 and head.content == b""
    assert client.options(api("organizations")).status_code == 200


def test_responses_are_never_cached(client, assessment):
    _, auth = member_with_token(assessment.organization)
    response = client.get(endpoints(assessment)[1], **auth)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_an_unknown_endpoint_is_a_json_404(client):
    response = client.get("/api/v1/nothing/here")
    assert response.status_code == 404 and "detail" in response.json()


# --- Rate limit ------------------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT=3)
def test_beyond_the_rate_limit_a_429_with_retry_after(client, assessment):
    user, auth = member_with_token(assessment.organization)
    for _ in range(3):
        assert client.get(api("organizations"), **auth).status_code == 200
    response = client.get(api("organizations"), **auth)
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    assert "More than 3 requests in a minute" in response.json()["detail"]
    # Per token: another token of the same user has its own count.
    assert client.get(api("organizations"), **bearer(user)).status_code == 200


# --- The description and the documentation -------------------------------------------------------------


def test_the_openapi_description_is_public_and_valid(client):
    response = client.get(api("openapi-json"))
    assert response.status_code == 200
    spec = response.json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in (
        "/api/v1/organizations",
        "/api/v1/organizations/{org}/assessments",
        "/api/v1/organizations/{org}/assessments/{assessment}/report",
        "/api/v1/organizations/{org}/actions",
    ):
        assert set(paths[path]) == {"get"}, path
        assert {"200", "401", "404", "429"} <= set(paths[path]["get"]["responses"])
    assert spec["components"]["securitySchemes"]["PersonalToken"] == {"type": "http", "scheme": "bearer"}
    report = paths["/api/v1/organizations/{org}/assessments/{assessment}/report"]["get"]
    assert "segment" in {p["name"] for p in report["parameters"]}


def test_the_documentation_page_runs_no_inline_script(client):
    response = client.get(api("openapi-view"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html and api("openapi-json") in html
    assert 'style="' not in html
    for tag in html.split("<script")[1:]:
        assert " src=" in tag.split(">")[0] or 'type="application/json"' in tag.split(">")[0]


def test_the_index_says_where_the_description_is(client):
    assert client.get(api("api-root")).json() == {"openapi": api("openapi-json"), "docs": api("openapi-view")}


# --- Query counts ----------------------------------------------------------------------------------------


def test_query_counts_are_fixed(client, assessment, django_assert_num_queries):
    plan(assessment)
    plan(assessment, title="Second", paths=(BRAND,))
    _, auth = member_with_token(assessment.organization)
    org = assessment.organization.slug
    # Every request: the token (1) and its rate-limit count (1); then what the endpoint reads.
    for url, queries in [
        (api("organizations"), 3),
        (api("assessments", org=org), 4),
        (api("actions", org=org), 5),
        # The assessment (1), then the report's own 12, as on the page's download.
        (api("report", org=org, assessment=assessment.slug), 15),
    ]:
        with django_assert_num_queries(queries):
            assert client.get(url, **auth).status_code == 200
    # The same report again: its counts per signature and distribution are kept, 2 queries fewer.
    with CaptureQueriesContext(connection) as ctx:
        gap_report(assessment=assessment)
    assert len(ctx.captured_queries) == 10
