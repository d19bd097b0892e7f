"""Writes of organizations and memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from common.db import unique_slug
from common.usage import organization_erasers
from common.validators import plain_text_field
from organizations.models import Membership, Organization

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


@transaction.atomic
def organization_get_or_create(*, name: str) -> tuple[Organization, bool]:
    """The organization with this exact name, or a new one; ``ValidationError`` for a name the model refuses."""
    name = name.strip()
    if not name:
        raise ValueError("an organization needs a name")
    plain_text_field("name", name)
    existing = Organization.objects.filter(name=name).first()
    if existing:
        return existing, False
    organization = Organization(name=name, slug=unique_slug(Organization, name))
    organization.full_clean(validate_unique=False, validate_constraints=False)
    organization.save()
    return organization, True


class LastOwnerError(ValueError):
    """The change would leave the organization without an owner."""


def _role_errors(role: str) -> dict[str, str]:
    return {} if role in Membership.Role.values else {"role": "Choose owner, analyst or respondent."}


def _lock_owner_ids(organization_id: int) -> set[int]:
    """The organization's owner memberships, locked, so two owners cannot demote each other at once.

    Always taken before the membership being changed, in one order, so two such requests queue instead of deadlocking.
    """
    return set(
        Membership.objects.select_for_update()
        .filter(organization_id=organization_id, role=Membership.Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic(durable=True)
def membership_add(*, organization: Organization, user: AbstractBaseUser, role: str) -> Membership:
    """Make an existing user a member of ``organization`` with ``role``; ``ValidationError`` if already one."""
    errors = _role_errors(role)
    existing = Membership.objects.filter(organization=organization, user=user).first()
    if existing is not None:
        errors["username"] = (
            f"{user.get_username()} is already a member ({existing.get_role_display().lower()}): "
            "change their role in the list instead."
        )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Membership.objects.create(organization=organization, user=user, role=role)
    except IntegrityError as exc:
        raise ValidationError({"username": f"{user.get_username()} was just added by someone else."}) from exc


@transaction.atomic(durable=True)
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    """Give a member another role; ``LastOwnerError`` if they are the organization's only owner."""
    errors = _role_errors(role)
    if errors:
        raise ValidationError(errors)
    owners = _lock_owner_ids(membership.organization_id)
    if role != Membership.Role.OWNER and owners == {membership.pk}:
        raise LastOwnerError("an organization needs at least one owner: make someone else an owner first")
    Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    return membership


@transaction.atomic(durable=True)
def membership_remove(*, membership: Membership) -> None:
    """Remove a member from the organization; ``LastOwnerError`` if they are its only owner.

    Their responses stay (they are the assessment's data); only the access goes.
    """
    owners = _lock_owner_ids(membership.organization_id)
    if owners == {membership.pk}:
        raise LastOwnerError("an organization needs at least one owner: make someone else an owner first")
    Membership.objects.filter(pk=membership.pk).delete()


@transaction.atomic(durable=True)
def organization_erase(*, organization: Organization, dry_run: bool = False) -> dict[str, int]:
    """Delete the organization and everything that belongs to it; return what (and how many) went.

    Every app that keeps data about an organization registered an eraser
    (``common.usage``), so this needs to know none of them. ``dry_run`` counts
    the same rows and deletes nothing.
    """
    counts: dict[str, int] = {}
    for eraser in organization_erasers():
        counts.update(eraser(organization, dry_run))
    memberships = Membership.objects.filter(organization=organization)
    counts["memberships"] = memberships.count()
    if not dry_run:
        memberships.delete()
        Organization.objects.filter(pk=organization.pk).delete()
    counts["organizations"] = 1
    return counts
