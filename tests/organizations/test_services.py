"""The organizations services."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError

from organizations.models import MemberInvitation, Membership, Organization
from organizations.services import (
    LastOwnerError,
    member_invitation_create,
    member_invitation_revoke,
    membership_change_role,
    membership_remove,
    organization_create,
    organization_get_or_create,
)
from responses.respond.services import response_start
from tests.factories import AssessmentFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory(name="Acme", slug="acme")


def errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_member_invitation_create_refuses_a_second_waiting_invitation_to_the_same_address(org):
    """One waiting invitation per address (in any case): the constraint's message, and nothing more is stored."""
    member_invitation_create(organization=org, email="bob@example.com", role="analyst", invited_by=None, base_url="")
    with pytest.raises(ValidationError) as exc:
        member_invitation_create(organization=org, email="BOB@example.com", role="owner", invited_by=None, base_url="")
    assert errors(exc) == {
        "__all__": ["This address already has an invitation waiting: send it again or revoke it in the list."]
    }
    assert MemberInvitation.objects.count() == 1


def test_member_invitation_create_invites_again_once_the_last_one_is_revoked(org):
    first = member_invitation_create(
        organization=org, email="bob@example.com", role="analyst", invited_by=None, base_url=""
    )
    member_invitation_revoke(invitation=first)
    member_invitation_create(organization=org, email="bob@example.com", role="owner", invited_by=None, base_url="")
    assert sorted(MemberInvitation.objects.values_list("status", flat=True)) == ["queued", "revoked"]


@pytest.mark.parametrize(
    ("email", "role", "field"),
    [("not an address", "analyst", "email"), ("bob@example.com", "boss", "role"), ("", "analyst", "email")],
)
def test_member_invitation_create_refuses_bad_input(org, email, role, field):
    with pytest.raises(ValidationError) as exc:
        member_invitation_create(organization=org, email=email, role=role, invited_by=None, base_url="")
    assert field in errors(exc)
    assert not MemberInvitation.objects.exists()


def test_change_role_of_a_member(org):
    MembershipFactory(organization=org, role="owner")
    m = MembershipFactory(organization=org, role="respondent")
    membership_change_role(membership=m, role="owner")
    assert Membership.objects.get(pk=m.pk).role == "owner"


def test_the_last_owner_cannot_be_demoted_or_removed(org):
    owner = MembershipFactory(organization=org, role="owner")
    MembershipFactory(organization=org, role="analyst")
    for role in ("analyst", "respondent"):
        with pytest.raises(LastOwnerError):
            membership_change_role(membership=owner, role=role)
    with pytest.raises(LastOwnerError):
        membership_remove(membership=owner)
    assert Membership.objects.get(pk=owner.pk).role == "owner"


def test_an_owner_may_step_down_when_another_owner_remains(org):
    first = MembershipFactory(organization=org, role="owner")
    second = MembershipFactory(organization=org, role="owner")
    membership_change_role(membership=first, role="analyst")
    with pytest.raises(LastOwnerError):
        membership_remove(membership=second)
    membership_change_role(membership=first, role="owner")
    membership_remove(membership=second)
    assert list(Membership.objects.values_list("pk", "role")) == [(first.pk, "owner")]


def test_a_stale_membership_object_cannot_bypass_the_last_owner_rule(org):
    """The check reads the owners from the database, not from the object in hand."""
    a = MembershipFactory(organization=org, role="owner")
    b = MembershipFactory(organization=org, role="owner")
    stale_b = Membership.objects.get(pk=b.pk)
    membership_change_role(membership=a, role="analyst")
    with pytest.raises(LastOwnerError):
        membership_remove(membership=stale_b)


def test_owner_of_one_organization_does_not_count_for_another(org):
    """Owners of other organizations do not keep this one owned."""
    MembershipFactory(role="owner")  # another organization
    owner = MembershipFactory(organization=org, role="owner")
    with pytest.raises(LastOwnerError):
        membership_remove(membership=owner)


def test_removing_a_member_keeps_their_responses(org, taxonomy):
    a = AssessmentFactory(organization=org)
    MembershipFactory(organization=org, role="owner")
    m = MembershipFactory(organization=org, role="respondent")
    response, _ = response_start(assessment=a, user=m.user)
    membership_remove(membership=m)
    assert not Membership.objects.filter(pk=m.pk).exists()
    assert a.responses.filter(pk=response.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_two_owners_stepping_down_at_once_leave_one_owner():
    """Each demotes themselves at the same instant: one succeeds, the other gets LastOwnerError (row locks)."""
    from tests.test_concurrency import at_once

    org = OrganizationFactory()
    pks = iter([MembershipFactory(organization=org, role="owner").pk for _ in range(2)])
    lock = threading.Lock()

    def step_down():
        with lock:
            pk = next(pks)
        return membership_change_role(membership=Membership.objects.get(pk=pk), role="analyst")

    results = at_once(step_down, n=2)
    assert sorted(type(r).__name__ for r in results) == ["LastOwnerError", "Membership"]
    assert Membership.objects.filter(organization=org, role="owner").count() == 1


# --- A new organization, from the site ---


def test_organization_create_makes_the_user_its_owner():
    user = UserFactory()
    organization = organization_create(name="  Acme   Corp ", owner=user)
    assert organization.name == "Acme Corp"
    assert organization.slug == "acme-corp"
    assert Membership.objects.get(organization=organization).user == user
    assert Membership.objects.get(organization=organization).role == Membership.Role.OWNER


@pytest.mark.parametrize("name", ["", "   ", "ACME", "acme"])
def test_organization_create_refuses_an_empty_or_taken_name_and_changes_nothing(name):
    organization_get_or_create(name="Acme")
    with pytest.raises(ValidationError) as excinfo:
        organization_create(name=name, owner=UserFactory())
    assert "name" in excinfo.value.message_dict
    assert Organization.objects.count() == 1
    assert not Membership.objects.exists()
