"""Writes of organizations and memberships."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from common.db import unique_slug
from common.usage import organization_erasers
from common.validators import plain_text_field
from organizations.mail import enqueue_on_commit
from organizations.models import MemberInvitation, Membership, Organization
from organizations.selectors import member_invitation_is_open

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


@transaction.atomic(durable=True)
def organization_create(*, name: str, owner: AbstractBaseUser) -> Organization:
    """A new organization whose first owner is ``owner``; ``ValidationError`` for a name refused or taken.

    The name is compared without regard to case, so "Acme" and "ACME" cannot
    both exist and confuse the people invited to one of them.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Give the organization a name."})
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": "An organization of this name exists already: choose another name."})
    organization = Organization(name=name, slug=unique_slug(Organization, name))
    organization.full_clean()
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as exc:  # created by someone else a moment ago
        raise ValidationError({"name": "An organization of this name exists already: choose another name."}) from exc
    membership = Membership(organization=organization, user=owner, role=Membership.Role.OWNER)
    membership.full_clean()
    membership.save()
    return organization


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
    invitations = MemberInvitation.objects.filter(organization=organization)
    counts["member invitations"] = invitations.count()
    memberships = Membership.objects.filter(organization=organization)
    counts["memberships"] = memberships.count()
    if not dry_run:
        invitations.delete()
        memberships.delete()
        Organization.objects.filter(pk=organization.pk).delete()
    counts["organizations"] = 1
    return counts


# --- Members invited by e-mail ---


@transaction.atomic(durable=True)
def member_invitation_create(
    *, organization: Organization, email: str, role: str, invited_by: AbstractBaseUser | None, base_url: str
) -> MemberInvitation:
    """Invite ``email`` to join with ``role``; the worker e-mails the link. ``ValidationError`` for bad input.

    Nothing here looks at accounts: the answer is the same whether or not
    the address already has one, so an owner cannot probe for accounts.
    """
    invitation = MemberInvitation(
        organization=organization, email=email.strip(), role=role, invited_by=invited_by, base_url=base_url
    )
    invitation.full_clean()
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as exc:  # the same address invited by someone else a moment ago
        raise ValidationError(
            {"email": "This address was just invited by someone else: it is in the list below."}
        ) from exc
    enqueue_on_commit([invitation.pk])
    return invitation


@transaction.atomic(durable=True)
def member_invitation_resend(*, invitation: MemberInvitation, base_url: str) -> bool:
    """E-mail a waiting invitation again, with a new link (the earlier one stops working); False if not waiting.

    An invitation already queued is left to the task that will send it.
    """
    updated = MemberInvitation.objects.filter(
        pk=invitation.pk, status__in=[MemberInvitation.Status.SENT, MemberInvitation.Status.FAILED]
    ).update(status=MemberInvitation.Status.QUEUED, token_hash=None, attempts=0, failed_reason="", base_url=base_url)
    if updated:
        enqueue_on_commit([invitation.pk])
    return bool(updated)


@transaction.atomic(durable=True)
def member_invitation_revoke(*, invitation: MemberInvitation) -> bool:
    """Withdraw a waiting invitation: its link stops working and a queued e-mail is not sent; False if not waiting."""
    return bool(
        MemberInvitation.objects.filter(pk=invitation.pk, status__in=MemberInvitation.PENDING).update(
            status=MemberInvitation.Status.REVOKED, token_hash=None
        )
    )


class InvitationClosedError(ValueError):
    """The invitation was accepted, revoked, replaced or expired while its page was open."""


@transaction.atomic
def _accept(*, invitation: MemberInvitation, user: AbstractBaseUser) -> tuple[Membership, bool]:
    locked = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.token_hash != invitation.token_hash or not member_invitation_is_open(locked):
        raise InvitationClosedError("this invitation link does not work any more")
    membership = Membership.objects.filter(organization_id=locked.organization_id, user=user).first()
    created = membership is None
    if created:
        # A member already keeps the role they have: an invitation never demotes anyone.
        membership = Membership.objects.create(organization_id=locked.organization_id, user=user, role=locked.role)
    locked.status, locked.accepted_at, locked.accepted_by, locked.token_hash = (
        MemberInvitation.Status.ACCEPTED,
        timezone.now(),
        user,
        None,
    )
    locked.save(update_fields=["status", "accepted_at", "accepted_by", "token_hash"])
    return membership, created


@transaction.atomic(durable=True)
def member_invitation_accept(*, invitation: MemberInvitation, user: AbstractBaseUser) -> tuple[Membership, bool]:
    """``user`` joins with the invitation's role (or keeps the membership they have); the link is used up.

    Returns the membership and whether it is new. ``InvitationClosedError``
    if the link stopped working meanwhile.
    """
    return _accept(invitation=invitation, user=user)


class AccountExistsError(ValueError):
    """The invited address is already an account's username: its holder logs in instead."""


@transaction.atomic(durable=True)
def member_invitation_accept_new_account(
    *, invitation: MemberInvitation, password: str
) -> tuple[AbstractBaseUser, Membership]:
    """Create an account for the invited address (its username), then join; the password is validated already.

    The username is the address, not one the person chooses, so creating an
    account never answers whether some other name is taken.
    """
    user_model = get_user_model()
    username = invitation.email
    if user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__iexact": username}).exists():
        raise AccountExistsError(username)
    user = user_model(**{user_model.USERNAME_FIELD: username}, email=invitation.email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership, _ = _accept(invitation=invitation, user=user)
    return user, membership
