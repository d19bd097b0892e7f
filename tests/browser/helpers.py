"""What several browser tests do: log in through the page, collect console errors."""

from __future__ import annotations

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def log_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Log in through the login page, as a person would."""
    page.goto(base + "/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(base + "/**")


def console_errors(page) -> list[str]:
    """A list that fills with the page's console errors and uncaught exceptions (CSP violations included)."""
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return problems


def open_report_details(page) -> None:
    """Unfold every part of the report under the summary, as a reader who opens them all."""
    page.evaluate("document.querySelectorAll('details.report-fold').forEach(d => { d.open = true; })")


def horizontal_overflow(page) -> int:
    """How far the page is wider than its window (0 when nothing sticks out: no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
