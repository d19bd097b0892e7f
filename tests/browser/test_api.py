"""The API's pages in chromium: a token made on the account page, the documentation page, the PDF download."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from organizations.models import Membership
from tests.browser.helpers import console_errors, log_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_token_read_the_docs_and_download_the_pdf(live_server, page, phone_page, screenshot_dir):
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    demo = Assessment.objects.select_related("organization").get(title="Follow-up 2027")
    org = demo.organization
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, organization=org, role=Membership.Role.ANALYST)

    problems = console_errors(page)
    log_in(page, live_server.url, user.username)
    page.get_by_role("link", name="API tokens").click()
    page.wait_for_url("**/accounts/tokens/")
    page.get_by_label("Name").fill("Board dashboard")
    page.get_by_role("button", name="Create token").click()
    secret = page.locator(".token-secret").inner_text()
    assert secret.startswith("hp_")
    page.screenshot(path=str(screenshot_dir / "api-tokens-desktop.png"), full_page=True)

    # The token reads the API; the page's session does not.
    status = page.evaluate(
        "async ([url, token]) => (await fetch(url, {headers: {Authorization: 'Bearer ' + token}})).status",
        [f"{live_server.url}/api/v1/organizations/{org.slug}/assessments/{demo.slug}/report", secret],
    )
    assert status == 200

    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    page.locator(".opblock-summary-path", has_text="/report").first.wait_for()
    page.screenshot(path=str(screenshot_dir / "api-docs-desktop.png"), full_page=True)

    page.goto(f"{live_server.url}/o/{org.slug}/{demo.slug}/report/")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
    path = download.value.path()
    with open(path, "rb") as f:
        assert f.read(4) == b"%PDF"
    assert download.value.suggested_filename == f"{org.slug}-{demo.slug}-gap-report.pdf"
    assert problems == []

    log_in(phone_page, live_server.url, user.username)
    phone_page.goto(f"{live_server.url}/accounts/tokens/")
    assert phone_page.get_by_role("rowheader", name="Board dashboard").is_visible()
    phone_page.screenshot(path=str(screenshot_dir / "api-tokens-phone.png"), full_page=True)
