"""A benefit page in chromium, reached from the landing page; desktop and phone screenshots."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.helpers import console_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PATH = "social-networking/internal/improved-relationships"


def test_a_benefit_page_from_the_landing_page(live_server, page, phone_page, screenshot_dir):
    """The matrix links to the page; it shows meaning, what to track, what to try, sub-benefits and the twin."""
    call_command("load_taxonomy", verbosity=0)
    problems = console_errors(page)
    page.goto(live_server.url + "/")
    page.get_by_role("list", name="Internal social networking").get_by_role(
        "link", name="Improved Relationships", exact=True
    ).click()
    page.wait_for_url(f"**/benefits/{PATH}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Improved Relationships"
    for heading in ("What to track", "What to try", "Sub-benefits", "The same benefit in the other scope"):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert page.locator(".benefit-guidance li").count() >= 4
    page.screenshot(path=str(screenshot_dir / "benefit-desktop.png"), full_page=True)
    page.get_by_role("link", name="Personal").click()
    page.wait_for_url(f"**/benefits/{PATH}/personal/")
    assert "Improved Relationships" in page.get_by_role("heading", level=1).inner_text()
    assert problems == []

    phone_page.goto(f"{live_server.url}/benefits/{PATH}/personal/")
    phone_page.screenshot(path=str(screenshot_dir / "benefit-phone.png"), full_page=True)
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
