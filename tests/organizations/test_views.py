"""Owners' members pages: add, change a role, remove; the last owner stays.

Owners of the organization and staff may use every page and action; its
analysts and respondents, and members of other organizations, get a 404 for
pages and POSTs alike, and nothing changes.
"""

from __future__ import annotations

import pytest

from organizations.models import Membership
from tests.factories import AssessmentFactory, MembershipFactory, UserFactory
from tests.manage_helpers import as_user, url

pytestmark = pytest.mark.django_db


def test_another_organizations_assessment_is_a_404_even_for_an_owner(client, owner, org):
    """The org slug decides: Acme's owner cannot reach Globex's assessment through Acme's URLs."""
    AssessmentFactory(title="Secret", slug="secret")  # another organization
    as_user(client, owner)
    assert client.get(url("manage_assessment_edit", "acme", "secret")).status_code == 404
    assert client.get(url("manage_invitations", "acme", "secret")).status_code == 404


def test_add_member_by_username(manager, org):
    UserFactory(username="bob")
    response = manager.post(url("manage_members", "acme"), {"username": "bob", "role": "analyst"})
    assert response.status_code == 302
    assert Membership.objects.get(organization=org, user__username="bob").role == "analyst"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "nobody", "role": "analyst"}, "cannot be added: check the username"),
        ({"username": "olivia", "role": "analyst"}, "already a member (owner)"),
        ({"username": "bob", "role": "boss"}, "Select a valid choice"),
    ],
)
def test_add_member_refuses_bad_input_and_keeps_it(manager, org, data, message):
    UserFactory(username="bob")
    response = manager.post(url("manage_members", "acme"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{data["username"]}"' in html
    assert Membership.objects.filter(organization=org).count() == 1


def test_unknown_and_deactivated_usernames_get_one_and_the_same_answer(manager, org):
    """An owner cannot tell from the form whether a username exists: the same status and the same message."""
    UserFactory(username="dora", is_active=False)
    answers = []
    for username in ("dora", "nobody"):
        response = manager.post(url("manage_members", "acme"), {"username": username, "role": "analyst"})
        answers.append(
            (response.status_code, [e.replace(username, "NAME") for e in response.context["form"].errors["username"]])
        )
    assert (
        answers[0]
        == answers[1]
        == (
            400,
            ["“NAME” cannot be added: check the username, or ask an administrator for an account for this person."],
        )
    )
    assert Membership.objects.filter(organization=org).count() == 1


def test_change_role_and_remove_member(manager, org):
    membership = MembershipFactory(organization=org, role=Membership.Role.RESPONDENT)
    role_url = url("manage_member_role", "acme", membership.pk)
    assert manager.post(role_url, {"role": "analyst"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "analyst"

    remove_url = url("manage_member_remove", "acme", membership.pk)
    assert manager.get(remove_url).status_code == 200
    assert Membership.objects.filter(pk=membership.pk).exists()  # the GET only asks
    assert manager.post(remove_url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_last_owner_cannot_be_demoted_or_removed(client, owner, org):
    """Refused with a message; the organization keeps its owner."""
    membership = Membership.objects.get(user=owner)
    as_user(client, owner)
    response = client.post(url("manage_member_role", "acme", membership.pk), {"role": "analyst"}, follow=True)
    assert "needs at least one owner" in response.content.decode()
    response = client.post(url("manage_member_remove", "acme", membership.pk), follow=True)
    assert "needs at least one owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_role_change_get_is_not_allowed(manager, org):
    membership = Membership.objects.get(organization=org)
    assert manager.get(url("manage_member_role", "acme", membership.pk)).status_code == 405


def test_members_pages_for_outsiders_are_404_and_change_nothing(outsider, org, owner):
    UserFactory(username="mallory")
    membership = Membership.objects.get(user=owner)
    assert outsider.get(url("manage_members", "acme")).status_code == 404
    assert outsider.post(url("manage_members", "acme"), {"username": "mallory", "role": "owner"}).status_code == 404
    assert outsider.post(url("manage_member_role", "acme", membership.pk), {"role": "respondent"}).status_code == 404
    assert outsider.post(url("manage_member_remove", "acme", membership.pk)).status_code == 404
    membership.refresh_from_db()
    assert membership.role == "owner"
    assert not Membership.objects.filter(user__username="mallory").exists()


def test_an_owner_cannot_touch_another_organizations_membership(client, owner, org):
    """Acme's owner, through Acme's URLs, cannot change or remove a Globex membership (404)."""
    foreign = MembershipFactory(role=Membership.Role.RESPONDENT)
    as_user(client, owner)
    assert client.post(url("manage_member_role", "acme", foreign.pk), {"role": "owner"}).status_code == 404
    assert client.post(url("manage_member_remove", "acme", foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == "respondent"


def test_writes_need_a_csrf_token(owner, org):
    """Every management write is a POST protected by CSRF."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    UserFactory(username="bob")
    response = client.post(url("manage_members", "acme"), {"username": "bob", "role": "owner"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="bob").exists()
