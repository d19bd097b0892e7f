"""Login, lockout and error pages, and the admin, in chromium under the Content-Security-Policy."""

from __future__ import annotations

import pytest
from axes.utils import reset
from django.core.management import call_command

from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


def _watch_csp(page) -> list[str]:
    """Collect CSP violations and script errors the page reports."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def _log_in(page, base: str, username: str, password: str, path: str = "/accounts/login/") -> None:
    page.goto(base + path)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_login_logout_and_error_pages(live_server, page, phone_page, screenshot_dir):
    """Log in through our page, see the navbar change, log out by POST; 404 page; screenshots at two widths."""
    call_command("load_taxonomy", verbosity=0)
    user = UserFactory(username="sponsor")
    problems = _watch_csp(page)
    for p, size in ((page, "desktop"), (phone_page, "phone")):
        p.goto(live_server.url + "/accounts/login/")
        p.screenshot(path=str(screenshot_dir / f"login-{size}.png"), full_page=True)
        p.goto(live_server.url + "/no-such-page/")
        assert p.get_by_role("heading", name="This page does not exist").is_visible()
        p.screenshot(path=str(screenshot_dir / f"error-404-{size}.png"), full_page=True)

    _log_in(page, live_server.url, user.username, PASSWORD)
    page.wait_for_url(live_server.url + "/**")
    assert page.get_by_role("button", name="Log out").is_visible()
    page.screenshot(path=str(screenshot_dir / "signed-in-desktop.png"))
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    assert page.get_by_role("link", name="Log in").is_visible()
    assert problems == []


def test_lockout_page(live_server, page, phone_page, screenshot_dir):
    """Five wrong passwords, then the friendly lockout page even with the right one."""
    user = UserFactory(username="forgetful")
    for p, size in ((page, "desktop"), (phone_page, "phone")):
        for _ in range(5):
            _log_in(p, live_server.url, user.username, "wrong")
        _log_in(p, live_server.url, user.username, PASSWORD)
        assert p.get_by_role("heading", name="Too many failed log-in attempts").is_visible()
        p.screenshot(path=str(screenshot_dir / f"lockout-{size}.png"), full_page=True)
        reset()  # the phone run starts unlocked


def test_admin_works_under_the_csp(live_server, page):
    """Admin login, changelist, change form and its add-another popup link: no CSP violation, no script error."""
    call_command("load_taxonomy", verbosity=0)
    UserFactory(username="root", is_staff=True, is_superuser=True)
    problems = _watch_csp(page)
    _log_in(page, live_server.url, "root", PASSWORD, path="/admin/login/")
    page.wait_for_url("**/admin/")
    page.goto(live_server.url + "/admin/auth/user/")
    page.get_by_role("link", name="root").first.click()
    page.wait_for_url("**/change/")
    # The change form's JavaScript (collapsible fieldsets, selectors) ran.
    assert page.locator("#user_form").is_visible()
    page.goto(live_server.url + "/admin/auth/user/add/")
    assert page.locator("#user_form").is_visible()
    # Actions in the changelist use JS too: the select-all checkbox toggles rows.
    page.goto(live_server.url + "/admin/auth/user/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select").first.is_checked()
    assert problems == [], problems


def test_every_admin_changelist_and_form_of_the_project_runs_under_the_csp(live_server, page):
    """Each registered model's changelist, add form and first change form, and the question preview."""
    from django.contrib import admin
    from django.urls import reverse

    call_command("load_taxonomy", verbosity=0)
    call_command("seed_demo", verbosity=0)
    UserFactory(username="root", is_staff=True, is_superuser=True)
    problems = _watch_csp(page)
    _log_in(page, live_server.url, "root", PASSWORD, path="/admin/login/")
    page.wait_for_url("**/admin/")
    urls = [reverse("admin:taxonomy_question_preview")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        urls.append(reverse("admin:{}_{}_add".format(*info)))  # 403 where the admin allows no adding
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status in (200, 403), (url, response.status)
    assert problems == [], problems
