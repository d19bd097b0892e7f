"""The owner's management pages in chromium: no CSP violation, usable on a phone; screenshots."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from assessments.services import assessment_create
from organizations.models import Membership
from responses.invitations.services import invitations_create
from responses.models import Invitation
from tests.browser.helpers import console_errors, log_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_overflow(page) -> bool:
    # Wide tables scroll inside their .table-responsive wrapper; the page itself must not.
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_manage_pages_in_chromium(live_server, page, phone_page, screenshot_dir):
    """Index → Manage → overview; create invitations through the form; revoke one; desktop and phone screenshots."""
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    # The open round: the answered one is closed, and a closed assessment takes no invitations.
    demo = Assessment.objects.select_related("organization").get(title="Pulse 2027")
    org = demo.organization
    owner = UserFactory(username="olivia")
    MembershipFactory(user=owner, organization=org, role=Membership.Role.OWNER)
    for name, role in [("anna", "analyst"), ("rafael", "respondent"), ("rita", "respondent")]:
        MembershipFactory(user=UserFactory(username=name), organization=org, role=role)
    assessment_create(organization=org, title="Pulse check Q3", status="draft", threshold=0.75)
    invitations_create(assessment=demo, count=3, label="Sales")
    base = live_server.url

    problems = console_errors(page)
    log_in(page, base, owner.username)
    page.get_by_role("link", name="Assessments").click()
    page.get_by_role("link", name=f"Manage {org.name}").click()
    page.wait_for_url(f"{base}/o/{org.slug}/manage/")
    assert page.get_by_role("heading", level=1, name=org.name).is_visible()
    assert page.get_by_role("row", name=demo.title).is_visible()
    page.screenshot(path=str(screenshot_dir / "manage-desktop.png"), full_page=True)

    page.get_by_role("link", name=f"Invitations of {demo.title}").click()
    page.get_by_label("Number of invitations").fill("5")
    page.get_by_label("Label").fill("Marketing")
    page.get_by_role("button", name="Create invitations").click()
    assert page.get_by_text("These 5 links are shown only now.").is_visible()
    links = page.locator("#links").input_value().split()
    assert len(links) == 5 and all(link.startswith(f"{base}/i/") for link in links)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.startswith("invitations-")
    page.get_by_role("link", name="Done: back to the invitations").click()
    page.get_by_role("link", name="Revoke invitation").first.click()
    page.get_by_role("button", name="Revoke the invitation").click()
    assert page.get_by_text("its link no longer opens").is_visible()
    assert Invitation.objects.filter(revoked_at__isnull=False).count() == 1
    page.screenshot(path=str(screenshot_dir / "manage-invitations-desktop.png"), full_page=True)
    assert problems == []

    phone_problems = console_errors(phone_page)
    log_in(phone_page, base, owner.username)
    phone_page.goto(f"{base}/o/{org.slug}/manage/")
    assert _no_horizontal_overflow(phone_page)
    phone_page.screenshot(path=str(screenshot_dir / "manage-phone.png"), full_page=True)
    phone_page.goto(f"{base}/o/{org.slug}/manage/assessments/{demo.slug}/invitations/")
    assert _no_horizontal_overflow(phone_page)
    phone_page.screenshot(path=str(screenshot_dir / "manage-invitations-phone.png"), full_page=True)
    phone_page.goto(f"{base}/o/{org.slug}/manage/members/")
    assert _no_horizontal_overflow(phone_page)
    phone_page.screenshot(path=str(screenshot_dir / "manage-members-phone.png"), full_page=True)
    assert phone_problems == []
