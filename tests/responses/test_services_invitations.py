"""The responses services."""

from __future__ import annotations

import pytest

from responses.invitations.services import invitation_revoke, invitations_create
from responses.models import Invitation
from responses.respond.services import response_start, response_submit
from responses.selectors import invitation_for_token
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


def test_a_closed_assessment_takes_no_invitations_a_validation_error_with_advice(org, taxonomy):
    """The rule's one home: links and e-mails both refuse, with a message that says what to do instead."""
    from django.core.exceptions import ValidationError

    from responses.mail.recipients import Recipient
    from responses.mail.services import invitations_email

    assessment = AssessmentFactory(organization=org, status="closed", results="live")
    with pytest.raises(ValidationError, match=r"is closed: .*reopen it"):
        invitations_create(assessment=assessment, count=1)
    with pytest.raises(ValidationError, match="is closed"):
        invitations_email(
            assessment=assessment, recipients=[Recipient(email="ann@example.org")], subject="Hi", message="Hello",
            base_url="https://hp.example.org",
        )  # fmt: skip
    assert not Invitation.objects.exists()
