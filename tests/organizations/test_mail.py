"""Member invitations through a real SMTP server on 127.0.0.1 and the worker (``db_worker --batch``)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from organizations.models import MemberInvitation, Membership
from tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from tests.responses.mail_helpers import html_part, run_worker, text_part

pytestmark = pytest.mark.django_db(transaction=True)

JOIN_LINK = re.compile(r"http://testserver/join/([A-Za-z0-9_-]{43})/")
PASSWORD = "a long and unusual passphrase"


def test_an_owner_invites_the_worker_sends_and_the_new_member_joins(smtp):
    """The page queues, the worker sends one e-mail, its link makes an account and a member of the right role."""
    org = OrganizationFactory(name="Acme", slug="acme")
    owner = MembershipFactory(organization=org, user=UserFactory(username="olivia")).user
    client = Client()
    client.force_login(owner)
    members = reverse("organizations:manage:members", args=["acme"])
    assert client.post(members, {"email": "dana@example.org", "role": "analyst"}).status_code == 302
    assert smtp.messages == []  # nothing is sent in the request

    run_worker()
    run_worker()  # a second run finds nothing more to send
    [message] = smtp.messages
    assert message["To"] == "dana@example.org" and message["Auto-Submitted"] == "auto-generated"
    token = JOIN_LINK.search(text_part(message)).group(1)
    assert f"/join/{token}/" in html_part(message)
    assert MemberInvitation.objects.get().status == "sent"

    newcomer = Client()
    assert newcomer.get(f"/join/{token}/").status_code == 200
    response = newcomer.post(f"/join/{token}/account/", {"password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302
    dana = get_user_model().objects.get(username="dana@example.org")
    assert Membership.objects.get(organization=org, user=dana).role == "analyst"


def test_a_mail_server_down_then_up_sends_each_invitation_exactly_once(smtp):
    org = OrganizationFactory(name="Acme", slug="acme")
    owner = MembershipFactory(organization=org).user
    client = Client()
    client.force_login(owner)
    members = reverse("organizations:manage:members", args=["acme"])
    for address in ("a@example.org", "b@example.org"):
        client.post(members, {"email": address, "role": "respondent"})
    smtp.refuse = 2
    for _ in range(3):
        run_worker()
    assert sorted(m["To"] for m in smtp.messages) == ["a@example.org", "b@example.org"]
    assert set(MemberInvitation.objects.values_list("status", flat=True)) == {"sent"}


@pytest.mark.parametrize("claimed", [False, True], ids=["before-claim", "after-claim"])
def test_a_worker_killed_mid_send_leaves_the_invitation_and_the_next_worker_sends_it_once(smtp, claimed):
    """A task left "running" by a killed worker (before or after it claimed its invitation): sent once by the next."""
    from django_tasks_db.models import DBTaskResult

    org = OrganizationFactory(name="Acme", slug="acme")
    client = Client()
    client.force_login(MembershipFactory(organization=org).user)
    client.post(reverse("organizations:manage:members", args=["acme"]), {"email": "a@example.org", "role": "analyst"})
    DBTaskResult.objects.update(status="RUNNING", started_at=timezone.now() - timedelta(hours=1))
    if claimed:
        MemberInvitation.objects.update(status="sending", claimed_at=timezone.now() - timedelta(hours=1))
    assert "Queued 1 e-mail again" in run_worker()
    assert len(smtp.messages) == 1
    run_worker()
    assert len(smtp.messages) == 1 and MemberInvitation.objects.get().status == "sent"


def test_an_owner_inviting_from_a_german_page_sends_the_invitation_in_german(smtp):
    """The worker has no request: the task carries the language the owner's page was in."""
    org = OrganizationFactory(name="Acme", slug="acme")
    owner = MembershipFactory(organization=org, user=UserFactory(username="olivia")).user
    client = Client()
    client.force_login(owner)
    members = reverse("organizations:manage:members", args=["acme"])
    client.post(members, {"email": "dana@example.org", "role": "analyst"}, headers={"accept-language": "de"})

    run_worker()

    [message] = smtp.messages
    assert '<html lang="de">' in html_part(message)
    assert "Analyst(in)" in text_part(message)
