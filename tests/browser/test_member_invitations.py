"""Members invited by e-mail, in chromium: the owner's page, the e-mailed link, a new account; screenshots."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from organizations.mail import member_invitation_send
from organizations.models import MemberInvitation, Membership
from tests.browser.helpers import console_errors, log_in
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long and unusual passphrase"


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_invite_a_member_and_join_in_chromium(live_server, page, phone_page, screenshot_dir):
    """The owner invites; the worker's e-mail link opens the join page; a new account joins; desktop and phone."""
    org = OrganizationFactory(name="Acme Corporation", slug="acme")
    owner = UserFactory(username="olivia", first_name="Olivia", last_name="Owens")
    MembershipFactory(user=owner, organization=org, role=Membership.Role.OWNER)
    base = live_server.url

    for p, width in ((page, "desktop"), (phone_page, "phone")):
        problems = console_errors(p)
        log_in(p, base, owner.username)
        p.goto(f"{base}/o/acme/manage/members/")
        address = f"dana.{width}@example.org"
        p.get_by_label("E-mail address").fill(address)
        p.locator("#id_role").select_option("analyst")
        p.get_by_role("button", name="Send the invitation").click()
        assert p.get_by_text(f"e-mailed to {address}").is_visible()
        invitation = MemberInvitation.objects.get(email=address)
        assert member_invitation_send(invitation_id=invitation.pk) == "sent"
        p.reload()
        assert p.get_by_text("not accepted yet").is_visible()
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"member-invitations-{width}.png"), full_page=True)

        link = re.search(r"http\S+/join/\S+/", mail.outbox[-1].body).group(0)
        p.context.clear_cookies()
        p.goto(link)
        assert p.get_by_role("heading", name="Join Acme Corporation").is_visible()
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"member-join-{width}.png"), full_page=True)
        p.locator("#id_password1").fill(PASSWORD)
        p.locator("#id_password2").fill(PASSWORD)
        p.get_by_role("button", name="Create the account and join").click()
        assert p.get_by_text("You are now a member of Acme Corporation (Analyst).").is_visible()
        assert Membership.objects.get(organization=org, user__username=address).role == "analyst"
        assert problems == []
        p.goto(link)  # used up: a 404 page, which the console reports as such
        assert p.get_by_role("heading", name="This link does not work any more").is_visible()
        assert _no_horizontal_overflow(p)
        p.context.clear_cookies()


def test_an_owners_link_opened_by_someone_else_in_chromium(live_server, page, phone_page, screenshot_dir):
    """Another logged-in account gets the 'for someone else' page (403), within the phone's width; nothing changes."""
    org = OrganizationFactory(name="Acme Corporation", slug="acme")
    owner = UserFactory(username="olivia")
    MembershipFactory(user=owner, organization=org, role=Membership.Role.OWNER)
    UserFactory(username="mallory", email="mallory@example.org")
    base = live_server.url
    for p, width in ((page, "desktop"), (phone_page, "phone")):
        from organizations.services import member_invitation_create

        invitation = member_invitation_create(
            organization=org, email=f"o'brien.{width}@example.org", role="owner", invited_by=owner, base_url=base
        )
        member_invitation_send(invitation_id=invitation.pk)
        token = re.search(r"/join/([A-Za-z0-9_-]{43})/", mail.outbox[-1].body).group(1)
        log_in(p, base, "mallory")
        response = p.goto(f"{base}/join/{token}/")
        assert response.status == 403 and p.get_by_text("This invitation is for someone else").is_visible()
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"join-someone-else-{width}.png"), full_page=True)
        p.context.clear_cookies()
        p.goto(f"{base}/join/{token}/")
        assert p.get_by_text(f"obrien.{width}@example.org", exact=False).first.is_visible()
        p.screenshot(path=str(screenshot_dir / f"join-apostrophe-{width}.png"), full_page=True)
    assert not Membership.objects.filter(user__username="mallory").exists()
