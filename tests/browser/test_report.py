"""The gap report page in chromium: charts drawn, tables sortable, no CSP violation; screenshots."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from demo.services import demo_seed
from organizations.models import Membership
from responses.invitations.exports import invitation_path
from tests.browser.helpers import console_errors, log_in, open_report_details
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_page_in_chromium(live_server, page, phone_page, screenshot_dir):
    """Demo data: headline, bars, heatmap, scatter with hover names, sorting by gap; desktop and phone screenshots."""
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    demo = Assessment.objects.select_related("organization").get(title="Baseline 2026")
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, organization=demo.organization, role=Membership.Role.ANALYST)
    url = f"{live_server.url}/o/{demo.organization.slug}/{demo.slug}/report/"

    problems = console_errors(page)
    log_in(page, live_server.url, user.username)
    page.get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name=f"Gap report of {demo.title}").click()
    page.wait_for_url(url)
    assert page.get_by_role("heading", level=1, name=demo.title).is_visible()
    # The summary first, in plain words; the rest folded until opened.
    assert page.get_by_role("heading", level=2, name="In short").is_visible()
    assert page.locator("#summary .summary-gaps li").count() == 5
    assert not page.locator("svg.heatmap").is_visible()
    page.screenshot(path=str(screenshot_dir / "report-summary-desktop.png"))
    open_report_details(page)
    assert page.locator("svg.heatmap").is_visible()
    assert page.locator("svg.scatter .point").count() > 40
    assert page.locator("svg.gap-bar").count() >= 1
    # The report's own stylesheet applied (no inline styles): the interval whiskers start hidden.
    assert page.locator("svg.scatter .interval").first.evaluate("e => getComputedStyle(e).display") == "none"
    page.get_by_label("Show the 95% interval of each mean").check()
    assert page.locator("svg.scatter .interval").first.evaluate("e => getComputedStyle(e).display") != "none"
    page.get_by_label("Show the 95% interval of each mean").uncheck()

    # Sort the first full table by gap, descending (two clicks).
    table = page.locator("#tables table").first
    gap_heading = table.get_by_role("button", name="Gap")
    gap_heading.click()
    gap_heading.click()
    assert table.locator("th[aria-sort='descending']").count() == 1
    values = table.locator("tbody tr td:nth-child(8)").evaluate_all("cells => cells.map(c => c.dataset.sort)")
    numbers = [float(v) for v in values if v]
    assert numbers == sorted(numbers, reverse=True)
    assert all(v for v in values[: len(numbers)])  # blanks (no gap) last
    gap_heading.click()  # back to ascending for nothing in particular: the screenshot shows taxonomy order
    page.reload()

    page.screenshot(path=str(screenshot_dir / "report-desktop.png"), full_page=True)
    open_report_details(page)
    # What to track and what to try start folded; printing opens them all (print CSS cannot open <details>).
    guidance = page.locator(".gap-guidance details")
    assert guidance.count() >= 2
    assert guidance.evaluate_all("els => els.every(e => !e.open)")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    assert guidance.evaluate_all("els => els.every(e => e.open)")
    page.emulate_media(media="print")
    page.locator(".evidence-group").first.screenshot(path=str(screenshot_dir / "report-print-findings.png"))
    page.emulate_media(media="screen")
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert guidance.evaluate_all("els => els.every(e => !e.open)")
    guidance.first.locator("summary").click()
    guidance.first.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "report-guidance-desktop.png"))

    log_in(phone_page, live_server.url, user.username)
    phone_page.goto(url)
    # Nothing wider than the phone's screen except inside the scrolling table wrappers.
    phone_page.screenshot(path=str(screenshot_dir / "report-phone.png"), full_page=True)
    open_report_details(phone_page)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    wide = phone_page.evaluate(
        """() => [...document.querySelectorAll('main *')]
            .filter(e => !e.closest('.table-responsive') && e.getBoundingClientRect().right > innerWidth + 1)
            .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))
            .slice(0, 8)"""
    )
    assert wide == []

    # By department: the picker, the groups heatmap, a hidden group said in words.
    page.goto(url)
    page.locator("#groups > summary").click()
    page.get_by_label("Split the respondents by").select_option("department")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url(url + "?segment=department#groups")
    groups = page.locator("#groups")
    assert groups.locator("svg.segment-heatmap").is_visible()
    assert groups.get_by_text("Support: fewer than 5 respondents").count() == 1
    assert "fewer than 5 respondents" in groups.inner_text()
    groups.screenshot(path=str(screenshot_dir / "report-groups-desktop.png"))
    phone_page.goto(url + "?segment=department#groups")
    phone_page.locator("#groups-h").scroll_into_view_if_needed()
    phone_page.screenshot(path=str(screenshot_dir / "report-groups-phone.png"))
    assert problems == []


def test_withheld_report_and_withdraw_in_chromium(live_server, page, phone_page, screenshot_dir):
    """An open round shows participation only; a respondent withdraws a draft after confirming; screenshots."""
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    result = demo_seed()
    open_round = Assessment.objects.select_related("organization").get(title="Pulse 2027")
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, organization=open_round.organization, role=Membership.Role.ANALYST)
    url = f"{live_server.url}/o/{open_round.organization.slug}/{open_round.slug}/report/"

    problems = console_errors(page)
    log_in(page, live_server.url, user.username)
    page.goto(url)
    assert page.get_by_role("heading", name="Results are shown once the assessment closes").is_visible()
    assert page.locator("svg.heatmap").count() == 0
    page.screenshot(path=str(screenshot_dir / "report-withheld-desktop.png"), full_page=True)
    phone_page.goto(live_server.url + invitation_path(result.tokens[0]))
    phone_page.get_by_role("button", name="Start").click()
    phone_page.goto(live_server.url + invitation_path(result.tokens[0]) + "?about=1")
    phone_page.get_by_role("link", name="Withdraw: delete my draft and its answers").click()
    assert phone_page.get_by_role("heading", name="Withdraw your draft?").is_visible()
    phone_page.screenshot(path=str(screenshot_dir / "withdraw-phone.png"), full_page=True)
    phone_page.get_by_role("button", name="Withdraw and delete my answers").click()
    assert phone_page.get_by_text("Your draft was withdrawn").is_visible()
    assert problems == []


def test_since_the_previous_round_in_chromium(live_server, page, phone_page, screenshot_dir):
    """The follow-up's "Since Baseline 2026" part: dumbbells, line charts, no CSP violation; screenshots."""
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    follow_up = Assessment.objects.select_related("organization").get(title="Follow-up 2027")
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, organization=follow_up.organization, role=Membership.Role.ANALYST)
    url = f"{live_server.url}/o/{follow_up.organization.slug}/{follow_up.slug}/report/"

    problems = console_errors(page)
    log_in(page, live_server.url, user.username)
    page.goto(url)
    open_report_details(page)
    section = page.locator("#trend")
    assert section.get_by_role("heading", level=2, name="Since Baseline 2026").is_visible()
    assert section.locator(".trend-narrowed svg.dumbbell").count() >= 4
    assert section.locator(".trend-widened svg.dumbbell").count() >= 2
    assert section.locator("svg.line-chart").count() == 6
    # The stylesheet coloured the marks (no inline styles): a narrowed dot is green.
    colour = section.locator(".trend-narrowed .now-mark").first.evaluate("e => getComputedStyle(e).stroke")
    assert colour == "rgb(26, 127, 67)"
    section.screenshot(path=str(screenshot_dir / "report-trend-desktop.png"))

    log_in(phone_page, live_server.url, user.username)
    phone_page.goto(url)
    open_report_details(phone_page)
    # The phone's view of the dumbbells and of the first line charts, as a person scrolls to them.
    for name, selector in (("dumbbells", ".trend-narrowed"), ("lines", ".trend-lines")):
        phone_page.locator(f"#trend {selector}").scroll_into_view_if_needed()
        phone_page.screenshot(path=str(screenshot_dir / f"report-trend-phone-{name}.png"))
    wide = phone_page.evaluate(
        """() => [...document.querySelectorAll('#trend *')]
            .filter(e => !e.closest('.table-responsive') && e.getBoundingClientRect().right > innerWidth + 1)
            .map(e => e.tagName + ' ' + Math.round(e.getBoundingClientRect().right))
            .slice(0, 8)"""
    )
    assert wide == []
    assert problems == []


def test_a_withheld_benefit_and_a_hidden_group_explain_themselves(live_server, page, phone_page, screenshot_dir):
    """Few raters of one benefit: its row says withheld and why, naming no count below k; desktop and phone."""
    from assessments.services import segment_create
    from responses.imports.services import responses_import
    from responses.respond.services import Rating
    from taxonomy.selectors import benefit_paths
    from tests.factories import AssessmentFactory

    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    assessment = AssessmentFactory(organization__name="Acme", organization__slug="acme", title="Pulse", slug="pulse")
    segment_create(assessment=assessment, key="team", label="Team", source="invitation", options=["Sales", "Ops"])
    sales, ops = assessment.segments.get().options.all()
    paths = benefit_paths()
    feedback, brand = (
        paths["social-media/internal/improved-feedback"],
        paths["social-media/external/increased-brand-control"],
    )
    ratings, groups = {}, {}
    for i in range(9):
        rows = [Rating(brand, "importance", 4), Rating(brand, "realization", 2)]
        if i < 3:  # three raters of Feedback: fewer than k
            rows += [Rating(feedback, "importance", 5), Rating(feedback, "realization", 1)]
        ratings[f"r{i}"] = rows
        groups[f"r{i}"] = [sales.pk if i < 6 else ops.pk]
    responses_import(assessment=assessment, ratings_by_respondent=ratings, segment_options=groups)
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, organization=assessment.organization, role=Membership.Role.ANALYST)
    for p, width in ((page, "desktop"), (phone_page, "phone")):
        problems = console_errors(p)
        log_in(p, live_server.url, user.username)
        p.goto(f"{live_server.url}/o/acme/pulse/report/?segment=team#groups")
        open_report_details(p)
        row = p.locator("#tables tr", has_text="Improved Feedback").first
        assert "Withheld" in row.inner_text() and "fewer than 5 people" in row.inner_text()
        assert "1 withheld" in p.locator("#tables caption").first.inner_text()
        # Ops has 3 respondents: hidden, with the one-sentence reason, and never its count.
        groups_text = p.locator("#groups").inner_text()
        assert "Ops: fewer than 5 respondents" in groups_text and "subtract their way" in groups_text
        row.scroll_into_view_if_needed()
        p.screenshot(path=str(screenshot_dir / f"report-withheld-benefit-{width}.png"))
        assert p.evaluate("document.documentElement.scrollWidth") <= p.viewport_size["width"]
        assert problems == []
