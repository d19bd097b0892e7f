"""Maturity in chromium: the owners' target form, then the report's maturity picture at desktop and phone width."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from assessments.selectors import assessment_maturity_targets
from organizations.models import Membership
from tests.browser.helpers import console_errors, log_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_targets_form_and_maturity_picture(live_server, page, phone_page, screenshot_dir):
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    demo = Assessment.objects.select_related("organization").get(title="Baseline 2026")
    user = UserFactory(username="owner")
    MembershipFactory(user=user, organization=demo.organization, role=Membership.Role.OWNER)
    report_url = f"{live_server.url}/o/{demo.organization.slug}/{demo.slug}/report/"

    problems = console_errors(page)
    log_in(page, live_server.url, user.username)
    page.goto(report_url)
    # The demo comes with targets (demo.services.DEMO_TARGETS); the owner changes them.
    page.get_by_role("link", name="Change the targets").click()
    assert page.get_by_role("heading", level=1, name="Maturity targets").is_visible()
    # Each select is named by its cell and described by the level now.
    select = page.get_by_label("Social networking, external")
    described = select.evaluate("e => document.getElementById(e.getAttribute('aria-describedby')).textContent")
    assert "defined" in described  # the demo's level there now
    select.select_option("4")
    page.get_by_label("Social media, internal").select_option("3")
    page.get_by_label("Social collaboration, external").select_option("2")
    page.get_by_label("Social collaboration, internal").select_option("")
    page.get_by_label("Social media, external").select_option("")
    page.screenshot(path=str(screenshot_dir / "maturity-targets-desktop.png"), full_page=True)
    page.get_by_role("button", name="Save targets").click()
    page.wait_for_url(report_url + "#maturity")
    assert assessment_maturity_targets(assessment=demo) == {
        ("social-networking", "external"): 4,
        ("social-media", "internal"): 3,
        ("social-collaboration", "external"): 2,
    }

    picture = page.locator("svg.maturity")
    assert picture.is_visible()
    assert picture.locator(".mt-flag").count() == 3
    assert picture.locator(".mt-score").count() == 7  # six cells and the overall
    assert page.get_by_role("img", name="Maturity level of each concept and scope, against its target").is_visible()
    words = page.locator(".maturity-words li")
    assert words.count() == 6
    assert "Social networking, external: level" in words.nth(5).inner_text()
    assert "target 4 managed" in words.nth(5).inner_text()
    page.locator("#maturity").screenshot(path=str(screenshot_dir / "maturity-desktop.png"))
    page.goto(f"{live_server.url}/o/{demo.organization.slug}/actions/roadmap/")
    # The latest round with results by default; the targets were set on the baseline.
    assert page.get_by_role("heading", name="Maturity by concept and scope: Follow-up 2027").is_visible()
    page.get_by_label("Levels of the round").select_option(label="Baseline 2026")
    page.get_by_role("button", name="Show").click()
    assert page.get_by_role("heading", name="Maturity by concept and scope: Baseline 2026").is_visible()
    assert page.get_by_text("No action planned yet").count() >= 1
    page.screenshot(path=str(screenshot_dir / "maturity-roadmap-desktop.png"), full_page=True)
    # The next round's report: each cell's level in both rounds, with the last change's verdict.
    follow_up = Assessment.objects.get(organization=demo.organization, title="Follow-up 2027")
    page.goto(f"{live_server.url}/o/{demo.organization.slug}/{follow_up.slug}/report/")
    rounds = page.locator("#maturity-rounds")
    assert rounds.locator("tbody tr").count() == 7
    rounds.screenshot(path=str(screenshot_dir / "maturity-rounds-desktop.png"))
    assert problems == []

    log_in(phone_page, live_server.url, user.username)
    phone_page.goto(report_url)
    # The section's box out of a full-page shot: an element shot of a mobile page clips the wrong region.
    box = phone_page.evaluate(
        "() => { const r = document.getElementById('maturity').getBoundingClientRect();"
        " return {x: r.x + scrollX, y: r.y + scrollY, width: r.width, height: r.height}; }"
    )
    phone_page.screenshot(path=str(screenshot_dir / "maturity-phone.png"), full_page=True, clip=box)
    wide = phone_page.evaluate(
        """() => [...document.querySelectorAll('#maturity *')]
            .filter(e => !e.closest('.table-responsive') && e.getBoundingClientRect().right > innerWidth + 1)
            .map(e => e.tagName)"""
    )
    assert wide == []
    phone_page.goto(report_url + "targets/")
    phone_page.screenshot(path=str(screenshot_dir / "maturity-targets-phone.png"), full_page=True)
