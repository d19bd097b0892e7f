"""The action plan in chromium: plan an action from the report by its labels, find it, mark it done; screenshots."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from actions.models import Action
from assessments.models import Assessment
from organizations.models import Membership
from tests.browser.helpers import console_errors, log_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_plan_an_action_from_the_report(live_server, page, phone_page, screenshot_dir):
    """From the report's findings, plan an action by its labels; it is on the actions page; mark it done."""
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    demo = Assessment.objects.select_related("organization").get(title="Baseline 2026")
    org = demo.organization
    user = UserFactory(username="owner")
    MembershipFactory(user=user, organization=org, role=Membership.Role.OWNER)

    problems = console_errors(page)
    log_in(page, live_server.url, user.username)
    page.goto(f"{live_server.url}/o/{org.slug}/{demo.slug}/report/")
    page.locator("#findings > summary").click()  # the ranked findings are folded under the summary
    page.locator("#findings").get_by_role("link", name="Plan an action").first.click()
    page.wait_for_url(f"**/o/{org.slug}/actions/new/**")
    page.get_by_label("Benefits").evaluate("e => e.scrollIntoView()")
    page.screenshot(path=str(screenshot_dir / "action-form-desktop.png"), full_page=True)
    chosen = page.get_by_label("Benefits").evaluate("e => [...e.selectedOptions].map(o => o.textContent.trim())")
    assert len(chosen) == 1
    assert page.get_by_label("Description").input_value().startswith("- ")  # the practices, as a start
    page.get_by_label("Title").fill("Monthly feedback sessions")
    page.get_by_label("Owner", exact=True).select_option(label="owner")
    page.get_by_label("Due date").fill("2027-03-31")
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"**/o/{org.slug}/actions/")

    item = page.locator(".action-item", has_text="Monthly feedback sessions")
    assert item.is_visible()
    assert chosen[0] in item.inner_text()
    assert page.get_by_role("heading", name="In progress").is_visible()
    page.screenshot(path=str(screenshot_dir / "actions-desktop.png"), full_page=True)

    item.get_by_label("Status of Monthly feedback sessions").select_option(label="Done")
    item.get_by_role("button", name="Change status of Monthly feedback sessions").click()
    page.wait_for_url(f"**/o/{org.slug}/actions/")
    assert page.get_by_role("heading", name="Done").is_visible()
    action = Action.objects.get()
    assert action.status == "done" and action.done is not None

    page.get_by_role("link", name="Roadmap").click()
    assert page.get_by_role("heading", name="2027, quarter 1").is_visible()
    page.screenshot(path=str(screenshot_dir / "actions-roadmap-desktop.png"), full_page=True)

    # Back in the report, the benefit lists its action.
    page.goto(f"{live_server.url}/o/{org.slug}/{demo.slug}/report/")
    assert page.locator("#findings .report-actions", has_text="Monthly feedback sessions (done)").count() == 1
    page.locator("#findings .report-actions", has_text="Monthly feedback sessions").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "report-actions-desktop.png"))

    log_in(phone_page, live_server.url, user.username)
    for path, name in (
        ("actions/", "actions-phone.png"),
        ("actions/roadmap/", "actions-roadmap-phone.png"),
        (f"actions/new/?from={demo.slug}&benefit={action.benefits.first().path}", "action-form-phone.png"),
    ):
        phone_page.goto(f"{live_server.url}/o/{org.slug}/{path}")
        assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        phone_page.screenshot(path=str(screenshot_dir / name), full_page=True)
    assert problems == []
