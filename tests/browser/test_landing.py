"""The landing page in a real browser."""

from __future__ import annotations

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_landing_page_renders_in_chromium(live_server, page, phone_page, screenshot_dir):
    """Chromium shows the matrix with its nested sub-benefits; screenshots at desktop and phone width."""
    call_command("load_taxonomy", verbosity=0)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.get_by_role("heading", name="Social Networking").is_visible()
    assert page.locator(".benefit-list li").count() == 61
    assert page.evaluate("getComputedStyle(document.body).fontFamily")  # Bootstrap CSS was served
    assert page.locator("link[href*='bootstrap.min.css']").count() == 1
    page.screenshot(path=str(screenshot_dir / "landing-desktop.png"), full_page=True)
    phone_page.goto(live_server.url + "/")
    phone_page.screenshot(path=str(screenshot_dir / "landing-phone.png"), full_page=True)
