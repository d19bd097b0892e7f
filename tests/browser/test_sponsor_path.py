"""The sponsor's path in chromium, at 1280 and 390 px: sign up, confirm, create, invite, open, remind, answer,
close, read.

No admin and no terminal: every step is a page. The links are read from the
mail the site sent (Django's test outbox: the live server and the worker,
run between steps as ``db_worker --batch``, are in this process).
Screenshots of each step go to test-artifacts/.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from assessments.models import Assessment
from tests.browser.helpers import console_errors, horizontal_overflow, open_report_details
from tests.reports.helpers import AWARENESS, BRAND, COMPETITIVE, FEEDBACK, SATISFACTION, add_responses
from tests.responses.mail_helpers import LINK, run_worker

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


def _to(address: str) -> list:
    """The e-mails sent to ``address`` so far (the test outbox: the worker runs in this process)."""
    return [m for m in mail.outbox if address in m.to]


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
    colleague = f"colleague-{width}@example.org"

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

    # An assessment with a segment, left a draft for now.
    page.get_by_role("link", name="New assessment").click()
    page.get_by_label("Title").fill("Baseline")
    page.get_by_label("Minimum group size").fill("3")
    page.get_by_role("button", name="Create assessment").click()
    page.get_by_role("link", name="Segments of Baseline").click()
    page.get_by_label("Label").fill("Department")
    page.get_by_label("Key").fill("department")
    page.get_by_label("Options").fill("Sales\nSupport")
    page.get_by_role("button", name="Add segment").click()
    assessment = Assessment.objects.get(organization__name=f"Acme {width}")
    assert assessment.status == "draft"
    manage = page.url.split("/segments/")[0]

    # Invite by e-mail while it is a draft, the segment given by its label: the e-mail is held.
    page.goto(manage + "/invitations/")
    page.get_by_role("link", name="Invite by e-mail").click()
    assert page.get_by_text("This assessment is a draft: the e-mails are held").is_visible()
    page.get_by_label("Addresses").fill(f"email,department\n{colleague},Sales")
    _shot(page, screenshot_dir, width, "4-invite-by-email")
    page.get_by_role("button", name="Preview").click()
    assert page.get_by_text("1 e-mail will go").is_visible()
    assert page.get_by_text("This assessment is a draft: the e-mails are held").is_visible()
    page.get_by_role("button", name="Send 1 e-mail").click()
    assert page.get_by_text("1 invitation e-mail queued; it is held, and goes out when you open").is_visible()
    assert page.get_by_text("Department: Sales").is_visible()
    assert page.get_by_text("E-mail held until the assessment opens").is_visible()
    _shot(page, screenshot_dir, width, "5-invitations-held")
    run_worker()
    assert _to(colleague) == []

    # Opening it lets the e-mail leave: the worker sends it.
    page.goto(manage + "/edit/")
    page.get_by_label("Status").select_option("open")
    page.get_by_role("button", name="Save").click()
    _shot(page, screenshot_dir, width, "6-opened")
    run_worker()
    assert len(_to(colleague)) == 1
    page.goto(manage + "/invitations/")
    assert page.get_by_text("E-mail held").count() == 0
    assert page.get_by_role("button", name=f"Send again to {colleague}").count() == 1

    # A reminder the same day: 0 days since the last e-mail.
    page.get_by_role("link", name="Send reminders").click()
    assert page.get_by_text("0 reminders will go").is_visible()
    page.get_by_label("Days since the last e-mail, at least").fill("0")
    page.get_by_role("button", name="Count again").click()
    assert page.get_by_text("1 reminder will go").is_visible()
    _shot(page, screenshot_dir, width, "7-reminders")
    page.get_by_role("button", name="Send 1 reminder").click()
    assert page.get_by_text("1 reminder queued").is_visible()
    run_worker()
    sent = _to(colleague)
    assert len(sent) == 2
    # Each e-mail has its own link, and the earlier one keeps working: answer through the first.
    links = [LINK.search(m.body).group(0) for m in sent]
    assert links[0] != links[1]
    survey = links[0]

    # Two others have answered already; the e-mailed colleague's is the third response.
    # A benefit shows only when at least 3 rated it (the minimum group size): the two rate five, so that
    # with the colleague's answers the summary has its five largest gaps.
    ratings = {
        FEEDBACK: {"a": (5, 1), "b": (5, 2)},
        BRAND: {"a": (4, 2), "b": (5, 3)},
        AWARENESS: {"a": (5, 2), "b": (5, 3)},
        COMPETITIVE: {"a": (5, 3), "b": (4, 3)},
        SATISFACTION: {"a": (5, 4), "b": (5, 3)},
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
    respondent.screenshot(path=str(screenshot_dir / f"sponsor-8-fix-{width}.png"))
    with respondent.expect_navigation():
        respondent.get_by_role("button", name="Save and back to the review").click()
    respondent.screenshot(path=str(screenshot_dir / f"sponsor-8-review-{width}.png"))
    assert respondent.url.split("#")[0].endswith("/review/")
    respondent.get_by_role("button", name="Submit my answers").click()
    assert respondent.get_by_text("When results appear").is_visible()
    respondent.screenshot(path=str(screenshot_dir / f"sponsor-8-thanks-{width}.png"), full_page=True)
    respondent.context.close()

    page.goto(manage + "/invitations/")
    assert page.get_by_text("Submitted").count() >= 1
    _shot(page, screenshot_dir, width, "9-invitations-answered")

    # Close, after a page that says what closing means.
    page.goto(page.url.split("/o/")[0] + "/o/" + assessment.organization.slug + "/manage/")
    page.get_by_role("link", name="Close… Baseline").click()
    assert page.get_by_text("This is final").is_visible()
    _shot(page, screenshot_dir, width, "10-close")
    page.get_by_role("button", name="Close it for good").click()
    assert page.get_by_text("is closed: nobody can answer any more").is_visible()
    assessment.refresh_from_db()
    assert assessment.status == "closed" and assessment.closed_at is not None

    # The report: the summary first, in plain words.
    page.get_by_role("link", name="Report of Baseline").click()
    assert page.get_by_role("heading", name="In short").is_visible()
    assert page.locator("#summary .summary-gaps li").count() == 5
    assert "Improved Feedback" in page.locator("#summary").inner_text()
    _shot(page, screenshot_dir, width, "11-report")
    open_report_details(page)
    assert horizontal_overflow(page) <= 0
    assert problems == []
    context.close()
