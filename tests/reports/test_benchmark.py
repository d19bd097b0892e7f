"""The benchmark across organizations (contract section 16)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from organizations.models import Membership, Organization
from organizations.services import organization_set_benchmark
from reports.benchmark import benchmark_pool, figure, percentile
from reports.renderers import render_json
from reports.selectors import gap_report
from tests.factories import AssessmentFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.reports.helpers import BRAND, FEEDBACK, add_responses, columns

pytestmark = pytest.mark.django_db

CELL = ("social-media", "internal")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def closed(assessment: Assessment, *, at=None) -> Assessment:
    at = at or timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED, closed_at=at)
    assessment.refresh_from_db()
    return assessment


def member_org(realization: int, *, importance: int = 5, name: str | None = None, taking_part: bool = True, n=5):
    """An organization whose one closed assessment has ``n`` respondents all rating FEEDBACK alike."""
    organization = OrganizationFactory(**({"name": name} if name else {}), benchmark=taking_part)
    assessment = AssessmentFactory(organization=organization)
    add_responses(assessment, {FEEDBACK: columns([importance] * n, [realization] * n)})
    return closed(assessment)


def report_benefit(report_json: dict, path: str) -> dict:
    return next(b for b in report_json["benefits"] if b["path"] == path)


def report_cell(report_json: dict, cell=CELL) -> dict:
    return next(c for c in report_json["maturity"]["cells"] if (c["concept"], c["scope"]) == cell)


# --- Quartiles and percentiles, by hand ---


def test_quartiles_interpolate_between_order_statistics():
    # Sorted 1 2 2 3 4 4 4 5 5 5; positions 9/4, 9/2, 27/4: 2 + .25 * (3 - 2), 4, 4 + .75 * (5 - 4).
    f = figure([5, 4, 2, 3, 4, 1, 5, 2, 4, 5], 10)
    assert (f.organizations, f.p25, f.p50, f.p75) == (10, 2.25, 4, 4.75)
    assert figure([1, 2, 3, 4, 5], 5).to_dict() == {"organizations": 5, "p25": 2, "p50": 3, "p75": 4}


def test_fewer_values_than_the_minimum_publish_nothing():
    assert figure([1, 2, 3, 4], 5) is None
    assert figure(list(range(9)), 10) is None
    assert figure(list(range(10)), 10) is not None


def test_percentile_counts_those_below_and_half_of_those_equal():
    assert percentile([1, 2, 2, 3], 2) == 50.0  # (1 + 2 / 2) / 4
    assert percentile([2, 2, 2], 2) == 50.0
    assert percentile([1, 1, 1, 4], 3) == 75.0
    assert percentile([3, 4, 5], 1) == 0.0
    assert percentile([1, 2, 3, 4], 4.5) == 100.0
    assert percentile([1, 2], None) is None


# --- The pool and the report ---


@pytest.fixture
def ten(taxonomy, settings):
    """Ten organizations taking part; FEEDBACK realization 1, 2, 2, 3, 3, 3, 4, 4, 5, 5 (ties included)."""
    settings.BENCHMARK_MIN_ORGANIZATIONS = 10
    return [member_org(r) for r in (1, 2, 2, 3, 3, 3, 4, 4, 5, 5)]


def test_the_report_of_a_taking_part_organization_has_the_benchmark(ten):
    report = json.loads(render_json(gap_report(assessment=ten[4])))  # realization 3
    bench = report_benefit(report, FEEDBACK)["benchmark"]
    # Sorted 1 2 2 3 3 3 4 4 5 5, positions 9/4, 9/2, 27/4: 2 + .25 * (3 - 2), 3, 4.
    # The gap, 5 - realization: 0 0 1 1 2 2 2 3 3 4: 1, 2, 2 + .75 * (3 - 2).
    assert bench["realization"] == {"organizations": 10, "p25": 2.25, "p50": 3.0, "p75": 4.0}
    assert bench["gap"] == {"organizations": 10, "p25": 1.0, "p50": 2.0, "p75": 2.75}
    # Among the other nine (1 2 2 3 3 4 4 5 5): 3 below, 2 equal: (3 + 1) / 9.
    assert bench["percentile"] == pytest.approx(400 / 9)
    # FEEDBACK is the cell's only rated benefit, so the cell's score is its realization.
    assert report_cell(report)["benchmark"] == {
        "score": {"organizations": 10, "p25": 2.25, "p50": 3.0, "p75": 4.0},
        "percentile": pytest.approx(400 / 9),
    }
    assert report["benchmark"] == {"organizations": 10, "minimum_organizations": 10}
    # A benefit nobody rated has nothing to compare: null, not an empty figure.
    assert report_benefit(report, BRAND)["benchmark"] is None


def test_nine_organizations_publish_nothing_and_ten_do(ten):
    organization_set_benchmark(organization=ten[0].organization, taking_part=False)
    report = json.loads(render_json(gap_report(assessment=ten[4])))
    assert report_benefit(report, FEEDBACK)["benchmark"] is None
    assert report_cell(report)["benchmark"] is None
    assert report["benchmark"] == {"organizations": 9, "minimum_organizations": 10}
    organization_set_benchmark(organization=ten[0].organization, taking_part=True)
    report = json.loads(render_json(gap_report(assessment=ten[4])))
    assert report_benefit(report, FEEDBACK)["benchmark"]["realization"]["organizations"] == 10


def test_an_organization_leaving_leaves_at_once_even_with_the_pool_cached(ten, settings):
    settings.BENCHMARK_MIN_ORGANIZATIONS = 5
    assert benchmark_pool() == benchmark_pool()  # cached
    assert len(benchmark_pool().contributions) == 10
    call_command("benchmark_optin", organization=ten[9].organization.name, off=True, stderr=io.StringIO())
    assert not Organization.objects.get(pk=ten[9].organization_id).benchmark
    report = json.loads(render_json(gap_report(assessment=ten[0])))
    assert report_benefit(report, FEEDBACK)["benchmark"]["realization"]["organizations"] == 9
    # Its own report no longer has the benchmark.
    left = json.loads(render_json(gap_report(assessment=Assessment.objects.get(pk=ten[9].pk))))
    assert left["benchmark"] is None and report_benefit(left, FEEDBACK)["benchmark"] is None
    assert report_cell(left)["benchmark"] is None


def test_an_organization_not_taking_part_sees_no_benchmark(ten):
    outsider = member_org(3, taking_part=False)
    report = json.loads(render_json(gap_report(assessment=outsider)))
    assert report["benchmark"] is None
    assert all(b["benchmark"] is None for b in report["benefits"])
    assert all(c["benchmark"] is None for c in report["maturity"]["cells"])


def test_a_suppressed_assessment_does_not_contribute(ten, settings):
    settings.BENCHMARK_MIN_ORGANIZATIONS = 5
    organization = ten[0].organization
    # A later assessment closed with 3 respondents, below its k of 5: the earlier one still counts.
    small = AssessmentFactory(organization=organization)
    add_responses(small, {FEEDBACK: columns([5] * 3, [4] * 3)})
    closed(small, at=timezone.now() + timedelta(days=1))
    assert gap_report(assessment=small).suppressed
    pool = benchmark_pool()
    mine = next(c for c in pool.contributions if c.organization_id == organization.pk)
    assert list(mine.realization.values()) == [1.0]
    # An organization whose only closed assessment is suppressed contributes nothing.
    lonely = OrganizationFactory(benchmark=True)
    only = AssessmentFactory(organization=lonely)
    add_responses(only, {FEEDBACK: columns([5] * 4, [5] * 4)})
    closed(only)
    assert len(benchmark_pool().contributions) == 10


def test_the_latest_closed_assessment_counts_ties_going_to_the_one_created_later(ten, settings):
    settings.BENCHMARK_MIN_ORGANIZATIONS = 5
    organization = ten[0].organization
    at = timezone.now() + timedelta(days=2)
    older = AssessmentFactory(organization=organization, created_at=timezone.now() - timedelta(days=9))
    add_responses(older, {FEEDBACK: columns([5] * 5, [4] * 5)})
    newer = AssessmentFactory(organization=organization, created_at=timezone.now() - timedelta(days=8))
    add_responses(newer, {FEEDBACK: columns([5] * 5, [5] * 5)})
    closed(older, at=at)
    closed(newer, at=at)
    mine = next(c for c in benchmark_pool().contributions if c.organization_id == organization.pk)
    assert list(mine.realization.values()) == [5.0]


def test_an_open_assessment_contributes_nothing(ten, settings):
    settings.BENCHMARK_MIN_ORGANIZATIONS = 5
    Assessment.objects.filter(pk=ten[0].pk).update(status=Assessment.Status.OPEN)
    assert len(benchmark_pool().contributions) == 9


def test_a_withheld_benefit_contributes_nothing(ten, settings):
    settings.BENCHMARK_MIN_ORGANIZATIONS = 5
    # Five respondents, of whom only two rated BRAND: withheld (1 to k-1 raters), so no BRAND figure from it.
    organization = OrganizationFactory(benchmark=True)
    assessment = AssessmentFactory(organization=organization)
    ratings = {FEEDBACK: columns([5] * 5, [3] * 5), BRAND: columns([5, 5], [1, 1])}
    add_responses(assessment, ratings)
    closed(assessment)
    report = gap_report(assessment=assessment)
    assert report.by_path[BRAND].withheld
    brand_id = report.by_path[BRAND].id
    mine = next(c for c in benchmark_pool().contributions if c.organization_id == organization.pk)
    assert brand_id not in mine.realization and brand_id not in mine.gap
    assert report_benefit(json.loads(render_json(report)), BRAND)["benchmark"] is None


def test_the_contribution_is_what_the_organizations_own_report_publishes(ten, settings):
    settings.BENCHMARK_MIN_ORGANIZATIONS = 5
    organization = OrganizationFactory(benchmark=True)
    assessment = AssessmentFactory(organization=organization)
    add_responses(
        assessment,
        {
            FEEDBACK: columns([5, 4, 3, 5, 3, 2], [2, 2, 3, 2, 2, None]),
            BRAND: columns([5, 5, 5, 5, 5, 1], [4, 4, 4, 5, 5, 3]),
        },
    )
    closed(assessment)
    report = gap_report(assessment=assessment)
    mine = next(c for c in benchmark_pool().contributions if c.organization_id == organization.pk)
    for path in (FEEDBACK, BRAND):
        b = report.by_path[path]
        assert mine.realization[b.id] == b.realization.mean and mine.gap[b.id] == b.gap
    for entry in report.maturity.cells:
        assert mine.score.get((entry.concept, entry.scope)) == entry.score


# --- benchmark_report and names ---


def test_benchmark_report_json_and_csv(ten):
    out = io.StringIO()
    call_command("benchmark_report", format="json", stdout=out)
    data = json.loads(out.getvalue())
    assert set(data) == {"benefits", "cells"}
    feedback = next(b for b in data["benefits"] if b["path"] == FEEDBACK)
    assert feedback == {
        "path": FEEDBACK,
        "realization": {"organizations": 10, "p25": 2.25, "p50": 3.0, "p75": 4.0},
        "gap": {"organizations": 10, "p25": 1.0, "p50": 2.0, "p75": 2.75},
    }
    assert next(b for b in data["benefits"] if b["path"] == BRAND) == {"path": BRAND, "realization": None, "gap": None}
    assert [(c["concept"], c["scope"]) for c in data["cells"]][:2] == [CELL, ("social-media", "external")]
    assert len(data["cells"]) == 6 and data["cells"][0]["score"]["organizations"] == 10
    assert data["benefits"][0]["path"] == FEEDBACK  # taxonomy order: the first node first

    out = io.StringIO()
    call_command("benchmark_report", format="csv", stdout=out)
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == ["kind", "path", "concept", "scope", "figure", "organizations", "p25", "p50", "p75"]
    assert rows[1:] == [
        ["benefit", FEEDBACK, "social-media", "internal", "realization", "10", "2.25", "3.0", "4.0"],
        ["benefit", FEEDBACK, "social-media", "internal", "gap", "10", "1.0", "2.0", "2.75"],
        ["cell", "", "social-media", "internal", "score", "10", "2.25", "3.0", "4.0"],
    ]


def test_no_benchmark_output_names_an_organization(ten, client):
    names = [a.organization.name for a in ten] + [a.organization.slug for a in ten]
    outputs = []
    for format in ("json", "csv"):
        out = io.StringIO()
        call_command("benchmark_report", format=format, stdout=out)
        outputs.append(out.getvalue())
    report = json.loads(render_json(gap_report(assessment=ten[0])))
    outputs.append(json.dumps([report["benchmark"], [b["benchmark"] for b in report["benefits"]]]))
    outputs.append(json.dumps([c["benchmark"] for c in report["maturity"]["cells"]]))
    client.force_login(member(ten[0]))
    html = client.get(page_url(ten[0])).content.decode()
    start = html.index('id="benchmark"')
    outputs.append(html[start : html.index("</section>", start)])
    for text in outputs:
        assert not any(name in text for name in names)


def test_the_pool_is_a_fixed_number_of_queries(ten, django_assert_num_queries, settings):
    with django_assert_num_queries(6):  # candidates, respondents; segments, tallies (2), taxonomy
        benchmark_pool()
    with django_assert_num_queries(2):  # cached: candidates and respondents make the key
        benchmark_pool()
    cache.clear()
    for r in (1, 2, 3, 4, 5):
        member_org(r)
    with django_assert_num_queries(6):
        assert len(benchmark_pool().contributions) == 15


def test_a_taking_part_report_costs_two_queries_more(ten, django_assert_num_queries):
    outsider = member_org(3, taking_part=False)
    benchmark_pool()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as plain:
        gap_report(assessment=Assessment.objects.get(pk=outsider.pk))
    with django_assert_num_queries(len(plain.captured_queries) + 2):
        gap_report(assessment=Assessment.objects.get(pk=ten[0].pk))


# --- The page and who sees it ---


def page_url(assessment: Assessment) -> str:
    return reverse("reports:report", args=[assessment.organization.slug, assessment.slug])


def member(assessment: Assessment, role: str = Membership.Role.ANALYST):
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=role)
    return user


def test_members_of_a_taking_part_organization_see_its_benchmark(ten, client):
    client.force_login(member(ten[4]))
    html = client.get(page_url(ten[4])).content.decode()
    assert 'id="benchmark"' in html
    assert "better than 44% of 10 organizations" in html
    assert 'class="bench-mark"' in html
    assert "at least 10 organizations taking part contribute one" in html


def test_members_of_an_organization_not_taking_part_see_none(ten, client):
    outsider = member_org(3, taking_part=False)
    client.force_login(member(outsider, Membership.Role.OWNER))
    html = client.get(page_url(outsider)).content.decode()
    assert "does not take part in the benchmark" in html
    assert reverse("organizations:manage:settings", args=[outsider.organization.slug]) in html
    assert "better than" not in html and 'class="bench-mark"' not in html


def test_no_one_outside_the_organization_sees_its_report(ten, client):
    client.force_login(member(ten[1]))
    assert client.get(page_url(ten[4])).status_code == 404


def test_a_page_with_nothing_published_says_why(ten, client, settings):
    settings.BENCHMARK_MIN_ORGANIZATIONS = 11
    client.force_login(member(ten[4]))
    html = client.get(page_url(ten[4])).content.decode()
    assert "at least 11 organizations taking part contribute one" in html
    assert "10 organizations contribute now" in html
    assert 'class="bench-mark"' not in html
