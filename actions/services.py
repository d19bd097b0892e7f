"""Writes of actions: planned from an assessment, on one to three of the benefits it asks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import MAX_BENEFITS, MIN_BENEFITS, Action, ActionStatus
from assessments.models import Assessment
from assessments.selectors import assessment_questions
from organizations.models import Membership, Organization
from taxonomy.models import Benefit

BENEFIT_COUNT_MESSAGE = f"Choose from {MIN_BENEFITS} to {MAX_BENEFITS} benefits for an action."


def _validated_benefits(assessment: Assessment, benefits: Iterable[Benefit]) -> list[Benefit]:
    benefits = list({b.pk: b for b in benefits}.values())
    if not MIN_BENEFITS <= len(benefits) <= MAX_BENEFITS:
        raise ValidationError({"benefits": ValidationError(BENEFIT_COUNT_MESSAGE, code="benefit_count")})
    asked = set(assessment_questions(assessment=assessment).values_list("benefit_id", flat=True))
    unasked = [b.name for b in benefits if b.pk not in asked]
    if unasked:
        raise ValidationError(
            {
                "benefits": ValidationError(
                    _("“%(title)s” does not ask about %(benefits)s: choose benefits it asks about.")
                    % {"title": assessment.title, "benefits": ", ".join(unasked)},
                    code="benefit_not_asked",
                )
            }
        )
    return benefits


def _validate(action: Action) -> None:
    errors = {}
    if action.assessment_id and action.assessment.organization_id != action.organization_id:
        errors["assessment"] = "Choose an assessment of this organization."
    if (
        action.owner_user_id
        and not Membership.objects.filter(organization_id=action.organization_id, user_id=action.owner_user_id).exists()
    ):
        errors["owner_user"] = "The owner must be a member of the organization; otherwise give a name."
    if errors:
        raise ValidationError(errors)


def _apply(action: Action, *, title, description, owner_user, owner_name, due, status, assessment) -> None:
    action.title = title.strip()
    action.description = description.strip()
    action.owner_user = owner_user
    action.owner_name = "" if owner_user is not None else (owner_name or "").strip()
    action.due = due
    action.assessment = assessment
    _set_status(action, status)


def _set_status(action: Action, status: str) -> None:
    # The done date is the day it became done: kept while it stays done, cleared when it leaves.
    if status == ActionStatus.DONE and action.status != ActionStatus.DONE:
        action.done = timezone.localdate()
    elif status != ActionStatus.DONE:
        action.done = None
    action.status = status


def _save(action: Action, benefits: list[Benefit] | None) -> Action:
    _validate(action)
    action.full_clean()
    action.save()
    if benefits is not None:
        action.benefits.set(benefits)
    return action


def _write(action: Action, assessment: Assessment, benefits: Iterable[Benefit], **fields) -> Action:
    """Create and update share one path: set the fields, check the benefits, validate, save."""
    _apply(action, assessment=assessment, **fields)
    return _save(action, _validated_benefits(assessment, benefits))


@transaction.atomic(durable=True)
def action_create(
    *,
    organization: Organization,
    assessment: Assessment,
    title: str,
    benefits: Iterable[Benefit],
    description: str = "",
    owner_user=None,
    owner_name: str = "",
    due: date | None = None,
    status: str = ActionStatus.PLANNED,
) -> Action:
    """A new action of ``organization`` planned from ``assessment``, on one to three of the benefits it asks."""
    fields = {"title": title, "description": description, "owner_user": owner_user, "owner_name": owner_name}
    return _write(Action(organization=organization), assessment, benefits, due=due, status=status, **fields)


@transaction.atomic(durable=True)
def action_update(
    *,
    action: Action,
    assessment: Assessment,
    title: str,
    benefits: Iterable[Benefit],
    description: str = "",
    owner_user=None,
    owner_name: str = "",
    due: date | None = None,
    status: str = ActionStatus.PLANNED,
) -> Action:
    """Every field of ``action`` at once, as the form gives them."""
    fields = {"title": title, "description": description, "owner_user": owner_user, "owner_name": owner_name}
    return _write(action, assessment, benefits, due=due, status=status, **fields)


@transaction.atomic(durable=True)
def action_set_status(*, action: Action, status: str) -> Action:
    """Move ``action`` to ``status``; becoming done sets the done date, leaving done clears it."""
    _set_status(action, status)
    action.full_clean()
    action.save(update_fields=["status", "done"])
    return action


@transaction.atomic(durable=True)
def action_delete(*, action: Action) -> None:
    action.delete()


def actions_erase(organization, dry_run: bool) -> dict[str, int]:
    """The organization's actions (an eraser for ``organization_erase``)."""
    actions = Action.objects.filter(organization=organization)
    counts = {"actions": actions.count()}
    if not dry_run:
        actions.delete()
    return counts
