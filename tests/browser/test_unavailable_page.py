"""The 503 page while the database does not answer, in chromium under the Content-Security-Policy."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import OperationalError, connections

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_503_page_while_the_database_is_down_and_the_page_once_it_is_back(
    live_server, page, phone_page, screenshot_dir, monkeypatch
):
    """Styled, says to try again and that nothing is lost, no CSP error; reloading after the outage shows the page."""
    call_command("load_taxonomy", verbosity=0)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    def refuse(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    # On the class: the live server answers from its own thread, with its own connection.
    monkeypatch.setattr(type(connections["default"]), "ensure_connection", refuse)
    for p, size in ((page, "desktop"), (phone_page, "phone")):
        response = p.goto(live_server.url + "/")
        assert response.status == 503
        assert p.get_by_role("heading", name="Human Pipeline is unavailable for a moment").is_visible()
        assert p.get_by_text("Nothing you saved is lost").is_visible()
        p.screenshot(path=str(screenshot_dir / f"error-503-{size}.png"), full_page=True)
    # The console reports the 503 itself; anything else (a blocked style, a CSP violation) is a problem.
    assert [m for m in problems if "503" not in m] == []

    monkeypatch.undo()
    assert page.reload().status == 200
