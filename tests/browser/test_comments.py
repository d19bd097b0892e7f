"""Comments in chromium: the form's boxes and notice, and the report's comments with their search box."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from assessments.services import assessment_get_or_create
from organizations.models import Membership
from organizations.services import organization_get_or_create
from responses.invitations.services import invitations_create
from responses.models import Comment
from tests.browser.helpers import console_errors, log_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, selector: str, path, height: int = 1400) -> None:
    """The top of an element, cut from a full-page shot (an element shot lands elsewhere on a long mobile page)."""
    top = page.locator(selector).evaluate("e => e.getBoundingClientRect().top + window.scrollY")
    width = page.evaluate("document.documentElement.clientWidth")
    page.screenshot(path=str(path), full_page=True, clip={"x": 0, "y": top, "width": width, "height": height})


def label(width: int) -> str:
    return "desktop" if width > 400 else "phone"


def quiet(*args):
    call_command(*args, stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.parametrize("width", [1280, 390])
def test_the_form_offers_a_box_after_each_section_and_at_the_end(browser, live_server, screenshot_dir, width):
    quiet("load_taxonomy")
    org, _ = organization_get_or_create(name="Acme")
    MembershipFactory(organization=org, user=UserFactory(username="kim", first_name="Kim", last_name="Lee"))
    assessment, _ = assessment_get_or_create(organization=org, title="Baseline 2026")
    token = invitations_create(assessment=assessment, count=1)[0]
    context = browser.new_context(viewport={"width": width, "height": 900 if width > 400 else 844})
    page = context.new_page()
    problems = console_errors(page)
    page.goto(f"{live_server.url}/i/{token}/")
    page.get_by_role("button", name="Start").click()
    page.wait_for_url("**/section/1/")

    box = page.get_by_label("What would help most here?")
    assert box.is_visible()
    notice = page.locator("#id_comment-notice")
    assert "at least 10 people" in notice.inner_text() and "never by group" in notice.inner_text()
    assert box.get_attribute("aria-describedby").startswith("id_comment-notice")
    box.fill("Ask Kim Lee, kim@acme.example or 06 12 34 56 78.")
    box.scroll_into_view_if_needed()
    page.locator(".hp-comment-box").screenshot(path=str(screenshot_dir / f"comments-form-box-{label(width)}.png"))
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url("**/section/2/")
    assert Comment.objects.get().text == "Ask [name], [e-mail] or [phone]."
    # Back to section 1: the saved (redacted) text is in the box again.
    page.get_by_role("button", name="Back").click()
    page.wait_for_url("**/section/1/")
    assert page.get_by_label("What would help most here?").input_value() == "Ask [name], [e-mail] or [phone]."
    # A box never scrolls the page sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.goto(f"{live_server.url}/i/{token}/review/")
    last = page.get_by_label("Anything else?")
    assert last.is_visible()
    last.fill("Thanks for asking.")
    page.get_by_role("button", name="Save my comment").click()
    page.wait_for_url("**/review/")
    assert page.get_by_label("Anything else?").input_value() == "Thanks for asking."
    page.screenshot(path=str(screenshot_dir / f"comments-form-review-{label(width)}.png"), full_page=True)
    assert problems == []
    context.close()


def test_the_reports_comments_and_their_search(live_server, page, phone_page, screenshot_dir):
    quiet("load_taxonomy")
    quiet("seed_demo")
    demo = Assessment.objects.select_related("organization").get(title="Baseline 2026")
    user = UserFactory(username="analyst")
    MembershipFactory(user=user, organization=demo.organization, role=Membership.Role.ANALYST)
    # One comment that tries to be HTML: it must show as text.
    Comment.objects.filter(response__assessment=demo, text="Good initiative.").update(
        text='<b>bold</b> <a href="http://x.example">x</a>'
    )
    url = f"{live_server.url}/o/{demo.organization.slug}/{demo.slug}/report/#comments"
    for p, width in ((page, 1280), (phone_page, 390)):
        problems = console_errors(p)
        log_in(p, live_server.url, user.username)
        p.goto(url)
        section = p.locator("#comments")
        assert section.get_by_role("heading", name="Comments", exact=True).is_visible()
        shown = section.locator("li.comment")
        assert shown.count() == 12 + 10 + 11
        assert section.get_by_text("Fewer than 10 people commented here").count() == 4
        assert section.locator("a[href='http://x.example']").count() == 0
        assert section.get_by_text('<b>bold</b> <a href="http://x.example">x</a>').is_visible()

        search = p.get_by_label("Search the comments")
        search.fill("wiki")
        visible = section.locator("li.comment:visible")
        assert visible.count() == 1 and "wiki" in visible.first.inner_text()
        assert "1 of 33 comments match" in p.locator("#comment-search-status").inner_text()
        assert section.get_by_text("No comment here matches the search.").first.is_visible()
        shot(p, "#comments", screenshot_dir / f"comments-report-search-{label(width)}.png")
        search.fill("")
        assert section.locator("li.comment:visible").count() == 33
        assert p.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot(p, "#comments", screenshot_dir / f"comments-report-{label(width)}.png")
        assert problems == []


def test_an_owner_hides_a_comment(live_server, page, screenshot_dir):
    quiet("load_taxonomy")
    quiet("seed_demo")
    demo = Assessment.objects.select_related("organization").get(title="Baseline 2026")
    owner = UserFactory(username="owner")
    MembershipFactory(user=owner, organization=demo.organization, role=Membership.Role.OWNER)
    problems = console_errors(page)
    log_in(page, live_server.url, owner.username)
    page.goto(f"{live_server.url}/o/{demo.organization.slug}/{demo.slug}/report/#comments")
    page.get_by_role("link", name="Hide a comment").click()
    page.wait_for_url("**/report/comments/")
    item = page.locator("li", has_text="The wiki is out of date")
    item.get_by_label("Reason for hiding it").fill("Points at one team")
    page.screenshot(path=str(screenshot_dir / "comments-manage-desktop.png"), full_page=False)
    item.get_by_role("button", name="Hide this comment").click()
    page.wait_for_url("**/report/comments/")
    assert page.get_by_text("The comment is hidden").is_visible()
    assert page.get_by_text("Points at one team").is_visible()
    assert page.get_by_text("The wiki is out of date").count() == 0
    page.goto(f"{live_server.url}/o/{demo.organization.slug}/{demo.slug}/report/")
    assert page.get_by_text("1 comment hidden by the organization's owners").is_visible()
    # Nine left in that section: below the threshold, so none of it is shown any more.
    assert page.locator("#comments-social-collaboration-internal li.comment").count() == 0
    assert problems == []
