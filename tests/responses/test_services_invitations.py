"""The responses services."""

from __future__ import annotations

import pytest

from responses.models import Invitation
from responses.selectors import invitation_for_token
from responses.services import invitation_revoke, invitations_create, response_start, response_submit
from tests.factories import AssessmentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory(name="Acme", slug="acme")


def test_revoked_invitation_stops_working(org):
    a = AssessmentFactory(organization=org)
    token = invitations_create(assessment=a, count=1)[0]
    invitation = invitation_for_token(token)
    assert invitation_revoke(invitation=invitation) is True
    assert invitation.revoked_at is not None
    assert invitation_for_token(token) is None


def test_revoking_twice_keeps_the_first_date(org):
    a = AssessmentFactory(organization=org)
    invitation = invitation_for_token(invitations_create(assessment=a, count=1)[0])
    invitation_revoke(invitation=invitation)
    first = Invitation.objects.get().revoked_at
    assert invitation_revoke(invitation=invitation) is False
    assert Invitation.objects.get().revoked_at == first


def test_a_submitted_invitation_is_not_revoked(org, taxonomy):
    a = AssessmentFactory(organization=org)
    invitation = invitation_for_token(invitations_create(assessment=a, count=1)[0])
    response, _ = response_start(assessment=a, invitation=invitation)
    response_submit(response=response)
    assert invitation_revoke(invitation=invitation) is False
    assert Invitation.objects.get().revoked_at is None
