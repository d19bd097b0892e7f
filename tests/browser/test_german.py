"""The pages in German in chromium: the report, the owner's invitations and a survey section; screenshots.

The browser asks for German (its locale), as a German reader's would; each page must come in German,
fit a phone's width, and run without a console error.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from organizations.models import Membership
from responses.invitations.services import invitations_create
from tests.browser.helpers import PASSWORD, console_errors, horizontal_overflow, open_report_details
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def german(browser):
    pages = []

    def open_page(width: int, height: int, **options):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE", **options)
        pages.append(context)
        return context.new_page()

    yield open_page
    for context in pages:
        context.close()


def log_in_german(page, base: str, username: str) -> None:
    page.goto(base + "/accounts/login/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url(base + "/**")


@pytest.fixture
def demo(live_server):
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    return Assessment.objects.select_related("organization").get(title="Baseline 2026")


def test_the_report_and_the_invitations_in_german(live_server, german, demo, screenshot_dir):
    owner = UserFactory(username="inhaberin")
    MembershipFactory(user=owner, organization=demo.organization, role=Membership.Role.OWNER)
    org = demo.organization.slug
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page = german(width, height)
        problems = console_errors(page)
        log_in_german(page, live_server.url, owner.username)

        page.goto(f"{live_server.url}/o/{org}/{demo.slug}/report/")
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.get_by_role("heading", level=2, name="Kurz gesagt").is_visible()
        page.screenshot(path=str(screenshot_dir / f"german-report-summary-{name}.png"))
        open_report_details(page)
        page.locator("#findings").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshot_dir / f"german-report-findings-{name}.png"))
        assert horizontal_overflow(page) <= 0

        page.goto(f"{live_server.url}/o/{org}/manage/")
        assert page.locator("html").get_attribute("lang") == "de"
        page.screenshot(path=str(screenshot_dir / f"german-manage-{name}.png"))
        assert horizontal_overflow(page) <= 0
        assert problems == []


def test_a_survey_section_in_german(live_server, german, demo, screenshot_dir):
    open_round = Assessment.objects.filter(organization=demo.organization, status=Assessment.Status.OPEN).first()
    token = invitations_create(assessment=open_round, count=1)[0]
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page = german(width, height)
        problems = console_errors(page)
        page.goto(f"{live_server.url}/i/{token}/")
        if page.get_by_role("button", name="Starten").count():
            page.get_by_role("button", name="Starten").click()
        page.wait_for_url("**/section/1/")
        assert page.locator("html").get_attribute("lang") == "de"
        page.get_by_role("radio", name="Weiß nicht").first.press("Space")
        page.screenshot(path=str(screenshot_dir / f"german-form-section-{name}.png"))
        assert horizontal_overflow(page) <= 0
        assert problems == []


def test_the_admin_preview_and_invitations_action_in_german(live_server, german, demo, screenshot_dir):
    UserFactory(username="verwaltung", is_staff=True, is_superuser=True)
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page = german(width, height)
        problems = console_errors(page)
        log_in_german(page, live_server.url, "verwaltung")

        page.goto(f"{live_server.url}/admin/taxonomy/question/preview/")
        assert page.locator("html").get_attribute("lang") == "de"
        assert page.get_by_role("heading", name="Abschnitt 1 von 6:").first.is_visible()
        page.screenshot(path=str(screenshot_dir / f"german-admin-preview-{name}.png"))

        page.goto(f"{live_server.url}/admin/assessments/assessment/")
        page.locator("input[name=_selected_action]").first.check()
        page.locator("select[name=action]").select_option("create_invitations")
        page.get_by_role("button", name="Ausführen").click()
        assert page.get_by_text("Einmal verwendbare Einladungslinks erstellen für:").is_visible()
        page.screenshot(path=str(screenshot_dir / f"german-admin-invitations-{name}.png"))
        assert problems == []
