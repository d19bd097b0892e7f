"""Owners' members pages: invite by e-mail, change a role, remove; the last owner stays.

Owners of the organization and staff may use every page and action; its
analysts and respondents, and members of other organizations, get a 404 for
pages and POSTs alike, and nothing changes.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizations.models import MemberInvitation, Membership, Organization
from tests.factories import AssessmentFactory, MembershipFactory, OrganizationFactory, UserFactory
from tests.manage_helpers import as_user

pytestmark = pytest.mark.django_db


def test_another_organizations_assessment_is_a_404_even_for_an_owner(client, owner, org):
    """The org slug decides: Acme's owner cannot reach Globex's assessment through Acme's URLs."""
    AssessmentFactory(title="Secret", slug="secret")  # another organization
    as_user(client, owner)
    assert client.get(reverse("assessments:manage:edit", args=["acme", "secret"])).status_code == 404
    assert client.get(reverse("responses:manage:invitations", args=["acme", "secret"])).status_code == 404


def test_inviting_by_e_mail_makes_a_waiting_invitation_and_sends_nothing_in_the_request(manager, org, mailoutbox):
    """The POST stores the invitation (queued) and queues its e-mail; the request itself sends nothing."""
    response = manager.post(
        reverse("organizations:manage:members", args=["acme"]), {"email": " bob@example.com ", "role": "analyst"}
    )
    assert response.status_code == 302
    invitation = MemberInvitation.objects.get(organization=org)
    assert (invitation.email, invitation.role, invitation.status) == ("bob@example.com", "analyst", "queued")
    assert mailoutbox == []
    assert not Membership.objects.filter(user__username="bob@example.com").exists()
    page = manager.get(reverse("organizations:manage:members", args=["acme"])).content.decode()
    assert "bob@example.com" in page and "Waiting to be sent" in page


def test_the_owner_cannot_tell_whether_an_address_has_an_account(manager, org):
    """Inviting an address that is someone's username, or someone's e-mail, or nobody's: the same answer."""
    UserFactory(username="known@example.com")
    UserFactory(username="kim", email="kim@example.com")
    answers = []
    for address in ("known@example.com", "kim@example.com", "nobody@example.com"):
        response = manager.post(
            reverse("organizations:manage:members", args=["acme"]), {"email": address, "role": "analyst"}, follow=True
        )
        page = response.content.decode().replace(address, "ADDRESS")
        answers.append((response.status_code, [str(m) for m in response.context["messages"]], page.count("ADDRESS")))
        assert [str(m).replace(address, "ADDRESS") for m in response.context["messages"]] == [
            "Invitation to join as analyst e-mailed to ADDRESS. They become a member when they accept it."
        ]
    assert len({(status, count) for status, _, count in answers}) == 1
    assert MemberInvitation.objects.filter(organization=org).count() == 3


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-address", "role": "analyst"}, "is not a valid e-mail address"),
        ({"email": "", "role": "analyst"}, "This field is required."),
        ({"email": "bob@example.com", "role": "boss"}, "Select a valid choice"),
        ({"email": "BOB@example.com", "role": "owner"}, "already has an invitation waiting"),
    ],
)
def test_inviting_refuses_bad_input_and_keeps_it(manager, org, data, message):
    MemberInvitation.objects.create(organization=org, email="bob@example.com")
    response = manager.post(reverse("organizations:manage:members", args=["acme"]), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{data["email"]}"' in html or not data["email"]
    assert MemberInvitation.objects.filter(organization=org).count() == 1


def test_a_waiting_invitation_can_be_sent_again_or_revoked(manager, org):
    """Send again queues a new e-mail with no link yet (the old one stops working); revoke ends it."""
    invitation = MemberInvitation.objects.create(
        organization=org, email="bob@example.com", status="failed", failed_reason="SMTPException: down", token_hash="x"
    )
    page = manager.get(reverse("organizations:manage:members", args=["acme"])).content.decode()
    assert "Could not be sent: SMTPException: down" in page
    resend = reverse("organizations:manage:member_invitation_resend", args=["acme", invitation.pk])
    revoke = reverse("organizations:manage:member_invitation_revoke", args=["acme", invitation.pk])
    assert manager.post(resend).status_code == 302
    invitation.refresh_from_db()
    assert (invitation.status, invitation.token_hash, invitation.failed_reason) == ("queued", None, "")
    assert manager.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    page = manager.get(reverse("organizations:manage:members", args=["acme"])).content.decode()
    assert "member-invitations" not in page and "None: every invitation has been accepted or revoked." in page


MEMBERS_PAGE_QUERIES = 5  # session, user, organization, members, invitations


@pytest.mark.parametrize("rows", [2, 20])
def test_the_members_page_takes_a_fixed_number_of_queries(client, owner, org, rows, django_assert_num_queries):
    """Members and waiting invitations: the same queries for 2 rows of each as for 20."""
    for i in range(rows):
        MembershipFactory(organization=org, role=Membership.Role.RESPONDENT)
        MemberInvitation.objects.create(organization=org, email=f"p{i}@example.com", status="sent")
    as_user(client, owner)
    with django_assert_num_queries(MEMBERS_PAGE_QUERIES):
        assert client.get(reverse("organizations:manage:members", args=["acme"])).status_code == 200


def test_change_role_and_remove_member(manager, org):
    membership = MembershipFactory(organization=org, role=Membership.Role.RESPONDENT)
    role_url = reverse("organizations:manage:member_role", args=["acme", membership.pk])
    assert manager.post(role_url, {"role": "analyst"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "analyst"

    remove_url = reverse("organizations:manage:member_remove", args=["acme", membership.pk])
    assert manager.get(remove_url).status_code == 200
    assert Membership.objects.filter(pk=membership.pk).exists()  # the GET only asks
    assert manager.post(remove_url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_last_owner_cannot_be_demoted_or_removed(client, owner, org):
    """Refused with a message; the organization keeps its owner."""
    membership = Membership.objects.get(user=owner)
    as_user(client, owner)
    response = client.post(
        reverse("organizations:manage:member_role", args=["acme", membership.pk]), {"role": "analyst"}, follow=True
    )
    assert "needs at least one owner" in response.content.decode()
    response = client.post(reverse("organizations:manage:member_remove", args=["acme", membership.pk]), follow=True)
    assert "needs at least one owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_role_change_get_is_not_allowed(manager, org):
    membership = Membership.objects.get(organization=org)
    assert manager.get(reverse("organizations:manage:member_role", args=["acme", membership.pk])).status_code == 405


def test_members_pages_for_outsiders_are_404_and_change_nothing(outsider, org, owner):
    membership = Membership.objects.get(user=owner)
    invitation = MemberInvitation.objects.create(organization=org, email="x@example.com", status="sent")
    assert outsider.get(reverse("organizations:manage:members", args=["acme"])).status_code == 404
    assert (
        outsider.post(
            reverse("organizations:manage:members", args=["acme"]), {"email": "m@example.com", "role": "owner"}
        ).status_code
        == 404
    )
    for name in ("member_invitation_resend", "member_invitation_revoke"):
        assert outsider.post(reverse(f"organizations:manage:{name}", args=["acme", invitation.pk])).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "sent"
    assert not MemberInvitation.objects.filter(email="m@example.com").exists()
    assert (
        outsider.post(
            reverse("organizations:manage:member_role", args=["acme", membership.pk]), {"role": "respondent"}
        ).status_code
        == 404
    )
    assert outsider.post(reverse("organizations:manage:member_remove", args=["acme", membership.pk])).status_code == 404
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_an_owner_cannot_touch_another_organizations_membership(client, owner, org):
    """Acme's owner, through Acme's URLs, cannot change or remove a Globex membership (404)."""
    foreign = MembershipFactory(role=Membership.Role.RESPONDENT)
    as_user(client, owner)
    assert (
        client.post(
            reverse("organizations:manage:member_role", args=["acme", foreign.pk]), {"role": "owner"}
        ).status_code
        == 404
    )
    assert client.post(reverse("organizations:manage:member_remove", args=["acme", foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == "respondent"


def test_writes_need_a_csrf_token(owner, org):
    """Every management write is a POST protected by CSRF."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    response = client.post(
        reverse("organizations:manage:members", args=["acme"]), {"email": "bob@example.com", "role": "owner"}
    )
    assert response.status_code == 403
    assert not MemberInvitation.objects.exists()


# --- New organization ---


def test_a_logged_in_user_creates_an_organization_and_manages_it(client):
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("organizations:new"))
    assert page.status_code == 200
    assert "Create the organization" in page.content.decode()
    response = client.post(reverse("organizations:new"), {"name": "Acme"})
    organization = Organization.objects.get()
    assert response["Location"] == reverse("responses:overview", args=[organization.slug])
    assert Membership.objects.get(organization=organization, user=user).role == Membership.Role.OWNER
    assert client.get(response["Location"]).status_code == 200


def test_a_taken_name_is_refused_with_a_message_and_creates_nothing(client):
    OrganizationFactory(name="Acme")
    client.force_login(UserFactory())
    response = client.post(reverse("organizations:new"), {"name": "acme"})
    assert response.status_code == 400
    assert "exists already" in response.content.decode()
    assert Organization.objects.count() == 1


def test_the_index_offers_a_new_organization(client):
    client.force_login(UserFactory())
    assert reverse("organizations:new") in client.get(reverse("assessments:index")).content.decode()


# --- Settings: the benchmark across organizations (contract section 16) ---


def test_the_settings_page_says_what_the_benchmark_shares(manager, org):
    html = manager.get(reverse("organizations:manage:settings", args=["acme"])).content.decode()
    assert "does not take part in the benchmark" in html
    for words in ("latest closed assessment", "Never shared:", "answers, segments, comments", "takes effect at once"):
        assert words in html
    assert not Organization.objects.get(pk=org.pk).benchmark


def test_an_owner_joins_and_leaves_the_benchmark(manager, org):
    address = reverse("organizations:manage:settings", args=["acme"])
    response = manager.post(address, {"benchmark": "on"})
    assert response.status_code == 302 and Organization.objects.get(pk=org.pk).benchmark
    assert "Acme takes part in the benchmark." in manager.get(address).content.decode()
    manager.post(address, {})
    assert not Organization.objects.get(pk=org.pk).benchmark


def test_only_owners_reach_the_settings(outsider, org):
    address = reverse("organizations:manage:settings", args=["acme"])
    assert outsider.get(address).status_code == 404
    assert outsider.post(address, {"benchmark": "on"}).status_code == 404
    assert not Organization.objects.get(pk=org.pk).benchmark


def test_the_admin_sets_the_benchmark(admin_client, org):
    change = reverse("admin:organizations_organization_change", args=[org.pk])
    assert "Take part in the benchmark" in admin_client.get(change).content.decode()
    listing = admin_client.get(reverse("admin:organizations_organization_changelist") + "?benchmark__exact=1")
    assert listing.status_code == 200 and "Acme" not in listing.content.decode()


def test_the_members_page_says_how_long_a_join_link_lasts_from_the_rule_itself(manager, monkeypatch):
    from datetime import timedelta

    monkeypatch.setattr("organizations.views.LINK_VALID", timedelta(days=7))

    page = manager.get(reverse("organizations:manage:members", args=["acme"]))

    assert "valid for 7 days" in page.content.decode()
