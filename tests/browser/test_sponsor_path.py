"""The sponsor's path in chromium, at 1280 and 390 px: sign up, confirm, create, open, answer, close, read.

No admin and no terminal: every step is a page. The confirmation link is
read from the mail the site sent (Django's test outbox: the live server runs
in this process). Screenshots of each step go to test-artifacts/.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from assessments.models import Assessment
from tests.browser.helpers import console_errors, horizontal_overflow, open_report_details
from tests.reports.helpers import add_responses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long sponsor password 42"
WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture
def open_signup(settings):
    settings.SIGNUP = "open"


def _shot(page, screenshot_dir, width: str, step: str) -> None:
    page.screenshot(path=str(screenshot_dir / f"sponsor-{step}-{width}.png"), full_page=True)
    # Owner pages, like the report, fit the phone: nothing makes the page scroll sideways.
    assert horizontal_overflow(page) <= 0, step


def _answer_page(page, *, skip_last: bool = False) -> None:
    """Every question of the page rated 4 (the last one left out when asked), as a person clicking would."""
    page.evaluate(
        """skip => { const groups = [...document.querySelectorAll('fieldset.hp-q')];
        if (skip) groups.pop();
        groups.forEach(g => g.querySelector('input[value="4"]').click()); }""",
        skip_last,
    )


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_the_sponsors_whole_round_in_the_browser(live_server, browser, screenshot_dir, open_signup, width):
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    context = browser.new_context(viewport=WIDTHS[width], is_mobile=width == "phone")
    page = context.new_page()
    problems = console_errors(page)
    base = live_server.url
    email = f"sponsor-{width}@example.org"

    # Sign up; the account cannot log in before its address is confirmed.
    page.goto(base + "/accounts/login/")
    page.get_by_role("link", name="Create one").click()
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    _shot(page, screenshot_dir, width, "1-signup")
    page.get_by_role("button", name="Create the account").click()
    assert page.get_by_role("heading", name="Check your e-mail").is_visible()
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_text("Confirm your e-mail address first").is_visible()

    # Confirm: the e-mailed link opens a page whose button confirms.
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[-1].body).group(0)
    page.goto(link)
    _shot(page, screenshot_dir, width, "2-confirm")
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url(base + "/accounts/login/**")
    page.get_by_label("Username").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/assessments/")
    assert page.get_by_text(f"Logged in as {email}").count() == 1

    # A new organization, whose owner the sponsor becomes.
    page.get_by_role("link", name="New organization").first.click()
    page.get_by_label("Name of the organization").fill(f"Acme {width}")
    _shot(page, screenshot_dir, width, "3-new-organization")
    page.get_by_role("button", name="Create the organization").click()
    assert page.get_by_text("you are its owner").is_visible()

    # An assessment with a segment, opened.
    page.get_by_role("link", name="New assessment").click()
    page.get_by_label("Title").fill("Baseline")
    page.get_by_label("Minimum group size").fill("3")
    page.get_by_role("button", name="Create assessment").click()
    page.get_by_role("link", name="Segments of Baseline").click()
    page.get_by_label("Label").fill("Department")
    page.get_by_label("Key").fill("department")
    page.get_by_label("Options").fill("Sales\nSupport")
    page.get_by_role("button", name="Add segment").click()
    page.goto(page.url.replace("/segments/", "/edit/"))
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Save").click()
    _shot(page, screenshot_dir, width, "4-overview")

    # A link for Sales; the invitations list says which group it belongs to.
    page.get_by_role("link", name="Invitations of Baseline").click()
    page.get_by_label("Number of invitations").fill("1")
    page.get_by_label("Department").select_option(label="Sales")
    page.get_by_role("button", name="Create invitations").click()
    survey = page.locator("#links").input_value().strip()
    page.get_by_role("link", name="Done: back to the invitations").click()
    assert page.get_by_text("Department: Sales").is_visible()
    _shot(page, screenshot_dir, width, "5-invitations")

    # Two colleagues have answered already; the sponsor's link is the third response.
    assessment = Assessment.objects.get(organization__name=f"Acme {width}")
    ratings = {
        "social-media/internal/improved-feedback": {"a": (5, 1), "b": (5, 2)},
        "social-media/external/increased-brand-control": {"a": (4, 2), "b": (5, 3)},
    }
    add_responses(assessment, ratings)

    respondent = browser.new_context(viewport=WIDTHS[width], is_mobile=width == "phone").new_page()
    respondent.goto(survey)
    assert respondent.get_by_role("link", name="Log in").count() == 0  # no site navigation here
    respondent.get_by_role("button", name="Start").click()
    number = 1
    while "/section/" in respondent.url:
        _answer_page(respondent, skip_last=number == 2)
        with respondent.expect_navigation():
            respondent.get_by_role("button", name="Save and continue").click()
        number += 1
    assert number == 8  # seven pages: the longest section in two parts
    # The one answer left out: fixed from the review, and straight back to it.
    with respondent.expect_navigation():
        respondent.locator(".hp-missing a").first.click()
    assert "?from=review" in respondent.url
    respondent.evaluate(
        "() => [...document.querySelectorAll('fieldset.hp-q')].forEach(g => "
        "{ if (!g.querySelector('input:checked')) g.querySelector('input[value=\"4\"]').click(); })"
    )
    respondent.screenshot(path=str(screenshot_dir / f"sponsor-6-fix-{width}.png"))
    with respondent.expect_navigation():
        respondent.get_by_role("button", name="Save and back to the review").click()
    respondent.screenshot(path=str(screenshot_dir / f"sponsor-6-review-{width}.png"))
    assert respondent.url.split("#")[0].endswith("/review/")
    respondent.get_by_role("button", name="Submit my answers").click()
    assert respondent.get_by_text("When results appear").is_visible()
    respondent.screenshot(path=str(screenshot_dir / f"sponsor-6-thanks-{width}.png"), full_page=True)
    respondent.context.close()

    # Close, after a page that says what closing means.
    page.goto(page.url.split("/o/")[0] + "/o/" + assessment.organization.slug + "/manage/")
    page.get_by_role("link", name="Close… Baseline").click()
    assert page.get_by_text("This is final").is_visible()
    _shot(page, screenshot_dir, width, "7-close")
    page.get_by_role("button", name="Close it for good").click()
    assert page.get_by_text("is closed: nobody can answer any more").is_visible()
    assessment.refresh_from_db()
    assert assessment.status == "closed" and assessment.closed_at is not None

    # The report: the summary first, in plain words.
    page.get_by_role("link", name="Report of Baseline").click()
    assert page.get_by_role("heading", name="In short").is_visible()
    assert page.locator("#summary .summary-gaps li").count() == 5
    assert "Improved Feedback" in page.locator("#summary").inner_text()
    _shot(page, screenshot_dir, width, "8-report")
    open_report_details(page)
    assert horizontal_overflow(page) <= 0
    assert problems == []
    context.close()
