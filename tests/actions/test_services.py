from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from actions.models import Action
from actions.services import action_delete, action_set_status, action_update
from organizations.services import organization_erase
from tests.actions.helpers import BRAND, FEEDBACK, PERSONAL, benefits, plan
from tests.factories import AssessmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

COMPETITIVE = "social-media/external/improved-competitive-awareness"


def test_create_saves_every_field(taxonomy, assessment):
    """An action keeps its title, description, benefits, owner, due date, status, round and today's created date."""
    action = plan(assessment, description="Monthly", paths=(FEEDBACK, BRAND), due=date(2027, 3, 31))
    action.refresh_from_db()
    assert (action.title, action.description, action.owner_label, action.due) == (
        "Run feedback sessions",
        "Monthly",
        "Dana",
        date(2027, 3, 31),
    )
    assert sorted(b.path for b in action.benefits.all()) == sorted([FEEDBACK, BRAND])
    assert (action.status, action.assessment, action.created, action.done) == (
        "planned",
        assessment,
        timezone.localdate(),
        None,
    )


@pytest.mark.parametrize("paths", [(), (FEEDBACK, BRAND, PERSONAL, COMPETITIVE)])
def test_one_to_three_benefits(taxonomy, assessment, paths):
    """No benefit, or four, is refused with a message on the benefits; nothing is saved."""
    with pytest.raises(ValidationError) as exc:
        plan(assessment, paths=paths)
    assert exc.value.message_dict["benefits"] == ["Choose from 1 to 3 benefits for an action."]
    assert not Action.objects.exists()


def test_three_benefits_are_enough(taxonomy, assessment):
    """Three benefits is the most, and allowed."""
    assert plan(assessment, paths=(FEEDBACK, BRAND, PERSONAL)).benefits.count() == 3


def test_benefits_must_be_asked_by_the_assessment(taxonomy, assessment):
    """A benefit whose questions the assessment does not ask is refused, named in the message."""
    from taxonomy.models import Question

    Question.objects.filter(benefit__path=BRAND).update(is_active=False)
    with pytest.raises(ValidationError) as exc:
        plan(assessment, paths=(FEEDBACK, BRAND))
    assert "does not ask about Increased Brand Control" in exc.value.message_dict["benefits"][0]


def test_assessment_of_another_organization_is_refused(taxonomy, assessment):
    """An action is planned from an assessment of its own organization."""
    from actions.services import action_create

    other = AssessmentFactory()
    with pytest.raises(ValidationError) as exc:
        action_create(
            organization=assessment.organization,
            assessment=other,
            title="X",
            benefits=benefits(FEEDBACK),
            owner_name="D",
        )
    assert "assessment" in exc.value.message_dict


def test_owner_member_or_name(taxonomy, assessment, owner):
    """A member may own an action; a user who is not a member may not; without either, a clear message."""
    assert plan(assessment, owner_user=owner).owner_label == "olivia"
    with pytest.raises(ValidationError) as exc:
        plan(assessment, owner_user=UserFactory())
    assert "must be a member" in exc.value.message_dict["owner_user"][0]
    with pytest.raises(ValidationError) as exc:
        plan(assessment, owner_name="  ")
    assert exc.value.message_dict["owner_name"] == [
        "Give the action one owner: a member of the organization, or a name."
    ]


def test_one_owner_constraint_in_the_database(taxonomy, assessment, owner):
    """The database refuses an action with both a member and a name as owner."""
    action = plan(assessment)
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(owner_user=owner)


def test_status_done_sets_and_clears_the_done_date(taxonomy, assessment):
    """Becoming done sets today's done date, staying done keeps it, leaving done clears it."""
    action = plan(assessment)
    action_set_status(action=action, status="in-progress")
    assert action.done is None
    action_set_status(action=action, status="done")
    assert Action.objects.get().done == timezone.localdate()
    Action.objects.update(done=date(2027, 1, 1))
    action.refresh_from_db()
    action_set_status(action=action, status="done")
    assert Action.objects.get().done == date(2027, 1, 1)
    action_set_status(action=action, status="dropped")
    assert Action.objects.get().done is None


def test_unknown_status_is_refused(taxonomy, assessment):
    """A status outside the four is refused with its message."""
    action = plan(assessment)
    with pytest.raises(ValidationError) as exc:
        action_set_status(action=action, status="finished")
    assert "status" in exc.value.message_dict


def test_update_changes_fields_and_benefits(taxonomy, assessment, owner):
    """Updating replaces the fields and the benefits; done through the form sets the done date too."""
    action = plan(assessment)
    action_update(
        action=action,
        assessment=assessment,
        title="New",
        benefits=benefits(BRAND),
        owner_user=owner,
        status="done",
    )
    action.refresh_from_db()
    assert (action.title, action.owner_label, action.owner_name, action.done) == (
        "New",
        "olivia",
        "",
        timezone.localdate(),
    )
    assert [b.path for b in action.benefits.all()] == [BRAND]


def test_delete(taxonomy, assessment):
    """Deleting removes the action."""
    action_delete(action=plan(assessment))
    assert not Action.objects.exists()


def test_erase_organization_deletes_its_actions(taxonomy, assessment):
    """erase_organization counts the actions on a dry run and deletes them, before the assessments they protect."""
    plan(assessment)
    other = plan(AssessmentFactory())
    assert organization_erase(organization=assessment.organization, dry_run=True)["actions"] == 1
    assert organization_erase(organization=assessment.organization)["actions"] == 1
    assert list(Action.objects.all()) == [other]


def test_member_owner_of_the_right_organization_only(taxonomy, assessment):
    """A member of another organization is not a member here."""
    stranger = MembershipFactory().user
    with pytest.raises(ValidationError):
        plan(assessment, owner_user=stranger)
