"""Owner management services (issue 6): assessment create/update, invitation revoke, memberships.

Each write validates what the forms validate (so a caller that skips the
form still cannot store bad data) and the database constraints back it up.
"""

from __future__ import annotations

import math
import threading
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment
from assessments.services import assessment_create, assessment_update
from organizations.models import Membership
from organizations.services import LastOwnerError, membership_add, membership_change_role, membership_remove
from responses.models import Invitation
from responses.selectors import invitation_for_token
from responses.services import invitation_revoke, invitations_create, response_start, response_submit
from tests.factories import AssessmentFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory(name="Acme", slug="acme")


def errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


# --- assessment_create / assessment_update ------------------------------------------


def test_assessment_create_makes_a_slug_and_keeps_the_values(org):
    now = timezone.now()
    a = assessment_create(
        organization=org,
        title="  Pulse 2026 ",
        status="open",
        opens_at=now,
        closes_at=now + timedelta(days=7),
        threshold=0.5,
    )
    a.refresh_from_db()
    assert (a.title, a.slug, a.status, a.threshold) == ("Pulse 2026", "pulse-2026", "open", 0.5)
    assert a.closes_at - a.opens_at == timedelta(days=7)


def test_assessment_create_gives_a_free_slug_when_the_title_slugifies_alike(org):
    assessment_create(organization=org, title="Pulse 2026")
    assert assessment_create(organization=org, title="Pulse, 2026").slug == "pulse-2026-2"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "Baseline"}, "title"),
        ({"title": ""}, "title"),
        ({"threshold": 4.01}, "threshold"),
        ({"threshold": -0.01}, "threshold"),
        ({"threshold": math.nan}, "threshold"),
        ({"status": "archived"}, "status"),
        ({"opens_at": timezone.now(), "closes_at": timezone.now() - timedelta(minutes=1)}, "closes_at"),
    ],
)
def test_assessment_create_refuses_invalid_values_by_field(org, kwargs, field):
    AssessmentFactory(organization=org, title="Baseline")
    with pytest.raises(ValidationError) as exc:
        assessment_create(organization=org, **{"title": "New", **kwargs})
    assert field in errors(exc)
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("threshold", [0.0, 4.0])
def test_threshold_bounds_are_inclusive(org, threshold):
    assert assessment_create(organization=org, title="Edge", threshold=threshold).threshold == threshold


def test_assessment_update_changes_everything_but_the_slug(org):
    a = AssessmentFactory(organization=org, title="Baseline", slug="baseline", status="draft")
    assessment_update(assessment=a, title="Renamed", status="open", opens_at=None, closes_at=None, threshold=2.0)
    a.refresh_from_db()
    assert (a.title, a.slug, a.status, a.threshold) == ("Renamed", "baseline", "open", 2.0)


def test_assessment_update_refuses_and_leaves_the_object_alone(org):
    AssessmentFactory(organization=org, title="Taken")
    a = AssessmentFactory(organization=org, title="Baseline", threshold=1.0)
    with pytest.raises(ValidationError) as exc:
        assessment_update(assessment=a, title="Taken", status="open", opens_at=None, closes_at=None, threshold=9)
    assert set(errors(exc)) == {"title", "threshold"}
    assert (a.title, a.threshold) == ("Baseline", 1.0)
    a.refresh_from_db()
    assert (a.title, a.threshold) == ("Baseline", 1.0)


def test_the_database_backs_the_threshold_and_date_checks(org):
    """Writes that bypass the services still hit the check constraints."""
    a = AssessmentFactory(organization=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=a.pk).update(threshold=5)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=a.pk).update(opens_at=now, closes_at=now - timedelta(hours=1))


def test_a_title_taken_between_check_and_write_is_a_validation_error(org, monkeypatch):
    """The unique constraint decides a race; the caller sees a title error, not a 500."""
    AssessmentFactory(organization=org, title="Baseline")
    monkeypatch.setattr("assessments.services._assessment_errors", lambda **kwargs: {})
    with pytest.raises(ValidationError) as exc:
        assessment_create(organization=org, title="Baseline")
    assert "title" in errors(exc)


# --- invitation_revoke -----------------------------------------------------------------


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


# --- memberships ------------------------------------------------------------------------


def test_membership_add_and_refuse_a_second_one(org):
    user = UserFactory()
    m = membership_add(organization=org, user=user, role="analyst")
    assert (m.organization, m.user, m.role) == (org, user, "analyst")
    with pytest.raises(ValidationError) as exc:
        membership_add(organization=org, user=user, role="owner")
    assert "username" in errors(exc)
    assert Membership.objects.get(user=user).role == "analyst"


def test_membership_add_refuses_an_unknown_role(org):
    with pytest.raises(ValidationError) as exc:
        membership_add(organization=org, user=UserFactory(), role="boss")
    assert "role" in errors(exc)
    assert not Membership.objects.exists()


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
