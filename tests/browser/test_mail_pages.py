"""The e-mail pages in chromium: invite by e-mail, its preview, reminders, the opt-out page; screenshots."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from assessments.models import Assessment
from common.tokens import hash_token
from organizations.models import Membership
from responses.mail.services import reminders_due
from responses.models import Invitation, InvitationEmail, InvitationOptOutToken
from tests.browser.helpers import console_errors, log_in
from tests.factories import MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_email_pages_in_chromium(live_server, page, phone_page, screenshot_dir):
    """Paste addresses, preview, send; the list shows them; reminders and opt-out pages; desktop and phone."""
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    demo = Assessment.objects.select_related("organization").get(title="Pulse 2027")
    org = demo.organization
    owner = UserFactory(username="olivia")
    MembershipFactory(user=owner, organization=org, role=Membership.Role.OWNER)
    base = live_server.url
    invitations = f"{base}/o/{org.slug}/manage/assessments/{demo.slug}/invitations/"

    for p, width in ((page, "desktop"), (phone_page, "phone")):
        problems = console_errors(p)
        log_in(p, base, owner.username)
        p.goto(invitations)
        p.get_by_role("link", name="Invite by e-mail").click()
        p.get_by_label("Addresses").fill(f"ann.{width}@example.org\nbob.{width}@example.org")
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"email-invite-{width}.png"), full_page=True)
        p.get_by_role("button", name="Preview").click()
        assert p.get_by_text("2 e-mails will go").is_visible()
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"email-preview-{width}.png"), full_page=True)
        p.get_by_role("button", name="Send 2 e-mails").click()
        assert p.get_by_text("2 invitation e-mails queued").is_visible()
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"email-invitations-{width}.png"), full_page=True)
        p.get_by_role("link", name="Send reminders").click()
        assert p.get_by_text("0 reminders will go").is_visible()
        # The e-mails are not sent yet (no worker here): once they are, "0 days" reminds them today.
        Invitation.objects.filter(email__endswith=f".{width}@example.org").update(
            emails_sent=1, last_sent_at=timezone.now()
        )
        InvitationEmail.objects.filter(invitation__email__endswith=f".{width}@example.org").update(status="sent")
        p.get_by_label("Days since the last e-mail, at least").fill("0")
        p.get_by_role("button", name="Count again").click()
        due = reminders_due(assessment=demo, min_days=0).count()
        assert due >= 2 and p.get_by_text(f"{due} reminders will go").is_visible()
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"email-reminders-{width}.png"), full_page=True)
        p.goto(invitations)
        assert p.get_by_role("button", name=f"Send again to ann.{width}@example.org").is_visible()
        p.get_by_role("button", name=f"Send again to ann.{width}@example.org").click()
        assert p.get_by_text("counts as a reminder").is_visible()
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"email-send-again-{width}.png"), full_page=True)
        InvitationOptOutToken.objects.create(invitation=Invitation.objects.filter(email__startswith="ann.").first(),
                                             token_hash=hash_token(f"t-{width}"))  # fmt: skip
        p.goto(f"{base}/i/t-{width}/opt-out/")
        assert _no_horizontal_overflow(p)
        p.screenshot(path=str(screenshot_dir / f"email-opt-out-{width}.png"), full_page=True)
        p.get_by_role("button", name="Stop e-mails about this survey").click()
        assert p.get_by_text("You will receive no more e-mails").is_visible()
        assert problems == []
    assert Invitation.objects.filter(opted_out_at__isnull=False).count() == 2
