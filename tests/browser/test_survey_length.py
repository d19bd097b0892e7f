"""A shortened survey in chromium: the assessment form's live estimate and the form's shorter pages; screenshots."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from assessments.selectors import assessment_questionnaire
from assessments.services import assessment_create
from common.tokens import hash_token
from organizations.models import Membership
from responses.invitations.services import invitations_create
from responses.models import Response
from responses.respond.assignment import response_questionnaire
from tests.browser.helpers import console_errors, log_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.fixture
def shortened(db):
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    org = OrganizationFactory(name="Acme", slug="acme")
    owner = UserFactory(username="olivia")
    MembershipFactory(user=owner, organization=org, role=Membership.Role.OWNER)
    assessment = assessment_create(organization=org, title="Pulse 2027", status="open", benefits_per_respondent=8)
    return owner, assessment


def test_the_estimate_follows_the_number(live_server, page, phone_page, screenshot_dir, shortened):
    """Typing a number rewrites the estimate with the same sentence the server writes for it; no CSP error."""
    owner, assessment = shortened
    invitations_create(assessment=assessment, count=60)
    invitations_create(assessment=assessment, count=20, audience="external")
    edit = f"{live_server.url}/o/acme/manage/assessments/{assessment.slug}/edit/"
    for p, name in ((page, "desktop"), (phone_page, "phone")):
        problems = console_errors(p)
        log_in(p, live_server.url, owner.username)
        p.goto(edit)
        estimate = p.locator("#length-estimate .length-estimate-text")
        saved = estimate.inner_text()
        assert saved.startswith("About 24 questions per respondent (about 3 min) instead of 122")
        field = p.get_by_label("Benefits per respondent")
        field.fill("20")
        assert estimate.inner_text().startswith("About 60 questions per respondent (about 6 min)")
        field.fill("0")
        assert "whole number of 1 or more" in estimate.inner_text()
        field.fill("")
        assert estimate.inner_text().startswith("Every respondent answers all 122 questions")
        field.fill("8")
        assert estimate.inner_text() == saved
        field.scroll_into_view_if_needed()
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"assessment-length-{name}.png"), full_page=True)
        assert problems == []


def test_a_shortened_form_in_chromium(live_server, page, phone_page, screenshot_dir, shortened):
    """The intro says about how long; the section pages hold only the assigned benefits; screenshots."""
    _, assessment = shortened
    for p, name in ((page, "desktop"), (phone_page, "phone")):
        token = invitations_create(assessment=assessment, count=1)[0]
        problems = console_errors(p)
        p.goto(f"{live_server.url}/i/{token}/")
        assert p.get_by_text("about 24 in all").is_visible()
        p.screenshot(path=str(screenshot_dir / f"form-short-intro-{name}.png"), full_page=True)
        p.get_by_role("button", name="Start").click()
        p.wait_for_url(f"**/i/{token}/section/1/")
        text = p.locator("#progress-text").inner_text()
        response = Response.objects.get(invitation__token_hash=hash_token(token))
        asked = response_questionnaire(
            response=response, questionnaire=assessment_questionnaire(assessment=assessment)
        ).paged()
        assert f"Section 1 of {len(asked.sections)}" in text
        assert p.locator("fieldset.hp-q").count() == 2 * len(asked.sections[0].benefits)
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"form-short-section-{name}.png"), full_page=True)
        assert problems == []
    assert Assessment.objects.get(pk=assessment.pk).benefits_per_respondent == 8


def test_audience_choice_and_admin_estimate_in_chromium(live_server, page, screenshot_dir, shortened):
    """The owners' invitations form offers the audiences; the admin's change page shows and follows the estimate."""
    owner, assessment = shortened
    problems = console_errors(page)
    log_in(page, live_server.url, owner.username)
    page.goto(f"{live_server.url}/o/acme/manage/assessments/{assessment.slug}/invitations/")
    page.get_by_label("External only").check()
    page.get_by_label("Number of invitations").fill("4")
    page.get_by_role("button", name="Create invitations").click()
    # Four external-only invitations, fewer than k: the form says so first, and creates them once confirmed.
    assert page.get_by_text("external sections only").is_visible()
    page.screenshot(path=str(screenshot_dir / "invitations-below-k-desktop.png"), full_page=True)
    page.get_by_label("Save anyway").check()
    # The form answered 400 (nothing was created): the browser logs that status, which is no script error.
    problems[:] = [p for p in problems if "status of 400" not in p]
    page.get_by_role("button", name="Create invitations").click()
    assert page.get_by_text("These 4 links are shown only now.").is_visible()
    page.goto(f"{live_server.url}/o/acme/manage/assessments/{assessment.slug}/invitations/")
    page.screenshot(path=str(screenshot_dir / "invitations-audience-desktop.png"), full_page=True)
    assert problems == []

    UserFactory(username="root", is_staff=True, is_superuser=True)
    page.context.clear_cookies()
    log_in(page, live_server.url, "root")
    page.goto(f"{live_server.url}/admin/assessments/assessment/{assessment.pk}/change/")
    estimate = page.locator("#length-estimate .length-estimate-text")
    assert "each internal benefit would be rated by about 0 people and each external one by about 1," in (
        estimate.inner_text()
    )
    page.get_by_label("Benefits per respondent").fill("41")
    assert estimate.inner_text().startswith("Every respondent answers all 122 questions")
    page.screenshot(path=str(screenshot_dir / "admin-assessment-length.png"), full_page=True)
