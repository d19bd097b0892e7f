"""The respondent form in chromium: keyboard only, and how it looks at desktop and phone widths."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from assessments.services import assessment_get_or_create
from organizations.services import organization_get_or_create
from responses.invitations.services import invitations_create
from responses.models import Answer, Response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE_IS_RADIO = "document.activeElement && document.activeElement.type === 'radio'"


def active_button_is(text: str) -> str:
    active = "document.activeElement"
    return f"{active} && {active}.tagName === 'BUTTON' && {active}.textContent.trim() === {text!r}"


def tab_until(page, condition: str, limit: int = 60) -> None:
    for _ in range(limit):
        if page.evaluate(condition):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached: {condition}")


@pytest.fixture
def invitation_url(live_server):
    call_command("load_taxonomy", verbosity=0)
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Baseline 2026")
    token = invitations_create(assessment=assessment, count=1)[0]
    return f"{live_server.url}/i/{token}/"


def test_a_respondent_completes_the_whole_assessment_with_the_keyboard_only(page, invitation_url, screenshot_dir):
    """Tab, Space, arrow keys and Enter only: intro, seven pages, review, submit. No mouse click anywhere."""
    page.goto(invitation_url)
    page.screenshot(path=str(screenshot_dir / "form-intro-desktop.png"), full_page=True)
    tab_until(page, active_button_is("Start"))
    page.keyboard.press("Enter")

    for number in range(1, 8):
        page.wait_for_url(f"**/section/{number}/")
        assert page.get_by_text(f"Section {number} of 7").is_visible()
        groups = page.locator("fieldset.hp-q")
        tab_until(page, ACTIVE_IS_RADIO)
        for i in range(groups.count()):
            if i % 7 == 6:
                page.keyboard.press("ArrowLeft")  # wraps from "1" to "Don't know"
            else:
                page.keyboard.press("Space")  # "1"
                for _ in range(i % 5):
                    page.keyboard.press("ArrowRight")
            page.keyboard.press("Tab")
            if i < groups.count() - 1:
                tab_until(page, ACTIVE_IS_RADIO)  # past the next benefit's "What does this look like?"
        # The optional comment box sits between the last question and the buttons.
        assert page.evaluate("document.activeElement.name") == "comment"
        page.keyboard.press("Tab")
        assert page.evaluate(active_button_is("Save and continue"))
        focus_ring = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert focus_ring != "none"
        page.keyboard.press("Enter")

    page.wait_for_url("**/review/")
    assert page.get_by_text("122 of 122 questions answered").is_visible()
    page.screenshot(path=str(screenshot_dir / "form-review-desktop.png"), full_page=True)
    tab_until(page, active_button_is("Submit my answers"), limit=120)
    page.keyboard.press("Enter")
    page.wait_for_url("**/done/")
    assert page.get_by_role("heading", level=1).inner_text().endswith("Thank you: your answers are submitted")
    page.screenshot(path=str(screenshot_dir / "form-thanks-desktop.png"), full_page=True)

    response = Response.objects.get()
    assert response.is_submitted
    answers = list(Answer.objects.filter(response=response))
    assert len(answers) == 61
    assert all(a.importance_answered and a.realization_answered for a in answers)
    values = {a.importance for a in answers} | {a.realization for a in answers}
    assert values == {None, 1, 2, 3, 4, 5}


def test_the_accessible_names_follow_the_contract(page, invitation_url):
    """Each question is a radio group named after its benefit; options read "4 - Very important" and "Don't know"."""
    page.goto(invitation_url)
    page.get_by_role("button", name="Start").press("Enter")
    page.wait_for_url("**/section/1/")
    group = page.get_by_role("group", name="Improved Feedback — Importance")
    assert group.count() == 1
    assert group.get_by_role("radio", name="4 - Very important").count() == 1
    assert group.get_by_role("radio", name="Don't know").count() == 1
    realization = page.get_by_role("group", name="Improved Feedback — Realization")
    assert realization.get_by_role("radio", name="5 - Fully").count() == 1


def test_section_page_screenshots_at_desktop_and_phone_width(page, phone_page, invitation_url, screenshot_dir):
    """The largest page (the last part of the longest section, with sub-benefits), part answered, at 1280 and 390."""
    for p in (page, phone_page):
        p.goto(invitation_url)
        if p.get_by_role("button", name="Start").count():
            p.get_by_role("button", name="Start").press("Enter")
        p.wait_for_url("**/section/1/")
        p.goto(p.url.replace("/section/1/", "/section/7/"))
    for label in ("4 - Very important", "2 - Slightly"):
        page.get_by_role("radio", name=label, exact=True).first.press("Space")
    page.get_by_role("group", name="Improved Relationships: Personal — Importance").get_by_role(
        "radio", name="5 - Critical"
    ).press("Space")
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "form-section-desktop.png"))
    page.locator("#b-" + page.locator(".hp-depth-1").first.get_attribute("id")[2:]).scroll_into_view_if_needed()
    page.screenshot(path=str(screenshot_dir / "form-section-desktop-nested.png"))

    phone_page.get_by_role("radio", name="3 - Moderately important").first.press("Space")
    phone_page.get_by_role("radio", name="Don't know").nth(1).press("Space")
    phone_page.evaluate("window.scrollTo(0, 0)")
    phone_page.screenshot(path=str(screenshot_dir / "form-section-phone.png"))
    # Stacked: the realization group sits below the importance group, and every option is a big tap target.
    fieldsets = phone_page.locator("fieldset.hp-q")
    phone_page.evaluate("window.scrollTo(0, 0)")
    first, second = fieldsets.nth(0).bounding_box(), fieldsets.nth(1).bounding_box()
    assert second["y"] >= first["y"] + first["height"] - 1, (first, second)
    sizes = phone_page.locator("label.hp-opt").evaluate_all("els => els.map(e => e.getBoundingClientRect())")
    assert min(s["height"] for s in sizes) >= 44 and min(s["width"] for s in sizes) >= 44
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_error_is_announced_focused_and_linked_to_its_question(page, phone_page, invitation_url, screenshot_dir):
    """A value off the scale (a tampered page) comes back with a focused alert linking to the question."""
    phone_page.goto(invitation_url)
    phone_page.screenshot(path=str(screenshot_dir / "form-intro-phone.png"), full_page=True)
    page.goto(invitation_url)
    page.get_by_role("button", name="Start").press("Enter")
    page.wait_for_url("**/section/1/")
    radio = page.get_by_role("group", name="Improved Feedback — Importance").get_by_role(
        "radio", name="3 - Moderately important"
    )
    radio.press("Space")
    radio.evaluate("el => { el.value = '9'; }")
    page.get_by_role("button", name="Save and continue").press("Enter")
    page.wait_for_load_state()
    alert = page.get_by_role("alert")
    assert "not on the scale" in alert.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert page.title().startswith("Error:")
    bad = page.get_by_role("group", name="Improved Feedback — Importance")
    assert bad.get_by_role("radio").first.get_attribute("aria-invalid") == "true"
    page.screenshot(path=str(screenshot_dir / "form-section-error-desktop.png"))
    alert.get_by_role("link").first.press("Enter")
    assert page.evaluate("document.activeElement.name").endswith("-importance")


def test_a_benefit_s_signs_open_with_the_keyboard_and_its_description_names_the_groups(
    page, phone_page, invitation_url, screenshot_dir
):
    """The description is part of each group's accessible description; Enter opens "What does this look like?"."""
    page.goto(invitation_url)
    page.get_by_role("button", name="Start").press("Enter")
    page.wait_for_url("**/section/1/")
    row = page.locator(".hp-row").first
    description = row.locator(".hp-desc").inner_text()
    assert row.locator(".hp-desc").is_visible()
    for fieldset in row.locator("fieldset.hp-q").all():
        ids = fieldset.get_attribute("aria-describedby").split()
        assert page.locator(f"#{ids[0]}").inner_text() == description
    summary = row.get_by_text("What does this look like?")
    assert not row.locator(".hp-signs-list").is_visible()
    summary.focus()
    page.keyboard.press("Enter")
    assert row.locator(".hp-signs-list").is_visible()
    page.evaluate("document.activeElement.blur(); window.scrollTo(0, 0)")
    page.screenshot(path=str(screenshot_dir / "form-section-signs-desktop.png"))

    phone_page.goto(page.url)  # the started response's first section: the link is the key
    phone_page.locator(".hp-row").first.get_by_text("What does this look like?").click()
    phone_page.screenshot(path=str(screenshot_dir / "form-section-signs-phone.png"))
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
