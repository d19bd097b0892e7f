"""The benchmark across organizations in chromium: the range marks beside the maturity cells and the benefits."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Assessment
from organizations.models import Membership, Organization
from responses.imports.services import responses_import
from responses.respond.services import Rating
from taxonomy.models import Benefit
from tests.browser.helpers import console_errors, horizontal_overflow, log_in
from tests.factories import AssessmentFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def other_organizations(count: int) -> None:
    """``count`` organizations taking part, each with a closed assessment of 5 respondents rating every node."""
    benefits = list(Benefit.objects.filter(is_active=True).values_list("pk", flat=True))
    rng = random.Random(30)
    for _ in range(count):
        assessment = AssessmentFactory(organization=OrganizationFactory(benchmark=True))
        ratings = {
            f"r{r}": [Rating(pk, dim, rng.randint(1, 5)) for pk in benefits for dim in ("importance", "realization")]
            for r in range(5)
        }
        responses_import(assessment=assessment, ratings_by_respondent=ratings)
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED, closed_at=timezone.now())


def test_the_report_shows_where_the_organization_stands(live_server, page, phone_page, screenshot_dir, settings):
    settings.BENCHMARK_MIN_ORGANIZATIONS = 5
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    demo = Assessment.objects.select_related("organization").get(title="Baseline 2026")
    Organization.objects.filter(pk=demo.organization_id).update(benchmark=True)
    other_organizations(5)
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, organization=demo.organization, role=Membership.Role.ANALYST)
    report_url = f"{live_server.url}/o/{demo.organization.slug}/{demo.slug}/report/"

    for p, name in ((page, "desktop"), (phone_page, "phone")):
        problems = console_errors(p)
        log_in(p, live_server.url, user.username)
        p.goto(report_url)
        section = p.locator("#benchmark")
        assert section.is_visible()
        assert section.locator(".bench-mark").count() >= 6
        assert "of 6 organizations" in section.inner_text()
        section.locator("details").evaluate("d => { d.open = true; }")
        assert horizontal_overflow(p) <= 0
        assert problems == []
        section.screenshot(path=str(screenshot_dir / f"benchmark-{name}.png"))


def test_the_settings_page_says_what_is_shared(live_server, page, phone_page, screenshot_dir):
    organization = OrganizationFactory(name="Acme", slug="acme")
    user = UserFactory(username="owner")
    MembershipFactory(user=user, organization=organization, role=Membership.Role.OWNER)
    for p, name in ((page, "desktop"), (phone_page, "phone")):
        problems = console_errors(p)
        log_in(p, live_server.url, user.username)
        p.goto(f"{live_server.url}/o/acme/manage/settings/")
        assert p.get_by_role("link", name="Settings").is_visible()
        assert horizontal_overflow(p) <= 0
        p.screenshot(path=str(screenshot_dir / f"benchmark-settings-{name}.png"), full_page=True)
        assert problems == []
    page.get_by_label("Take part in the benchmark across organizations").check()
    page.get_by_role("button", name="Save").click()
    assert page.get_by_text("Acme takes part in the benchmark.").first.is_visible()
    assert Organization.objects.get(pk=organization.pk).benchmark
