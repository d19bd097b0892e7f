"""Writes of organizations and memberships."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common.db import unique_slug
from common.usage import organization_erasers
from common.validators import email_normalize, plain_text_field
from organizations.mail import enqueue_on_commit
from organizations.models import EmailQuotaUse, MemberInvitation, Membership, Organization
from organizations.selectors import member_invitation_is_for, member_invitation_is_open

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


# --- How many e-mails an organization may queue ---

QUOTA_WINDOW = timedelta(hours=24)


class EmailLimitError(ValueError):
    """Queueing these e-mails would pass a limit; nothing was queued. ``remaining`` may still go today."""

    def __init__(self, message: str, *, remaining: int) -> None:
        super().__init__(message)
        self.remaining = remaining


def email_quota_remaining(*, organization_id: int) -> int:
    """How many more e-mails the organization may queue now (its last 24 hours against ``EMAIL_MAX_PER_DAY``)."""
    used = EmailQuotaUse.objects.filter(
        organization_id=organization_id, created_at__gt=timezone.now() - QUOTA_WINDOW
    ).aggregate(n=Sum("count"))["n"]
    return max(0, settings.EMAIL_MAX_PER_DAY - (used or 0))


def _plural(n: int) -> str:
    return f"{n:,} e-mail{'s' if n != 1 else ''}"


@transaction.atomic
def email_quota_take(*, organization_id: int, count: int) -> None:
    """Count ``count`` e-mails against the organization's limits, in the caller's transaction; else refuse.

    Called before anything is queued, in the transaction that queues: a
    refusal (:class:`EmailLimitError`) rolls all of it back, and the
    organization's row, locked, makes two requests at once count one after
    the other. Reaching a limit exactly is allowed.
    """
    if count <= 0:
        return
    Organization.objects.select_for_update().filter(pk=organization_id).first()
    remaining = email_quota_remaining(organization_id=organization_id)
    per_request = settings.EMAIL_MAX_PER_REQUEST
    if count > per_request:
        raise EmailLimitError(
            f"That is {_plural(count)}, more than the {per_request:,} one request may queue: nothing was queued. "
            f"Send them in parts; {_plural(remaining)} may still go today.",
            remaining=remaining,
        )
    if count > remaining:
        raise EmailLimitError(
            f"That is {_plural(count)}, but only {_plural(remaining)} may still go today "
            f"(at most {settings.EMAIL_MAX_PER_DAY:,} in any 24 hours): nothing was queued.",
            remaining=remaining,
        )
    EmailQuotaUse.objects.create(organization_id=organization_id, count=count)


@transaction.atomic(durable=True)
def organization_create(*, name: str, owner: AbstractBaseUser) -> Organization:
    """A new organization whose first owner is ``owner``; ``ValidationError`` for a name refused or taken.

    The name is compared without regard to case, so "Acme" and "ACME" cannot
    both exist and confuse the people invited to one of them.
    """
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Give the organization a name.")})
    if Organization.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": _("An organization of this name exists already: choose another name.")})
    organization = Organization(name=name, slug=unique_slug(Organization, name))
    organization.full_clean()
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError as exc:  # created by someone else a moment ago
        raise ValidationError({"name": _("An organization of this name exists already: choose another name.")}) from exc
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
    try:
        email = email_normalize(email)
    except ValidationError as exc:
        raise ValidationError({"email": exc.messages}) from None
    invitation = MemberInvitation(
        organization=organization, email=email, role=role, invited_by=invited_by, base_url=base_url
    )
    invitation.full_clean()
    try:
        email_quota_take(organization_id=organization.pk, count=1)
    except EmailLimitError as exc:
        raise ValidationError(str(exc), code="email_limit") from None
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError as exc:  # the same address invited by someone else a moment ago
        raise ValidationError(
            {"email": _("This address was just invited by someone else: it is in the list below.")}
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
        # Refused, it rolls back the update too: the invitation stays as it was.
        email_quota_take(organization_id=invitation.organization_id, count=1)
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


class WrongAccountError(ValueError):
    """An owner's or analyst's link opened by an account that is not the invited address's: it changes nothing."""


# Higher roles see more: an invitation may raise a member's role, never lower it.
ROLE_RANK = {Membership.Role.RESPONDENT: 0, Membership.Role.ANALYST: 1, Membership.Role.OWNER: 2}


@transaction.atomic
def _accept(*, invitation: MemberInvitation, user: AbstractBaseUser) -> tuple[Membership, str]:
    locked = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.token_hash != invitation.token_hash or not member_invitation_is_open(locked):
        raise InvitationClosedError("this invitation link does not work any more")
    if not member_invitation_is_for(locked, user):
        raise WrongAccountError("this invitation is for another address")
    membership = Membership.objects.filter(organization_id=locked.organization_id, user=user).first()
    if membership is None:
        membership = Membership.objects.create(organization_id=locked.organization_id, user=user, role=locked.role)
        outcome = "joined"
    elif ROLE_RANK[locked.role] > ROLE_RANK[membership.role]:
        Membership.objects.filter(pk=membership.pk).update(role=locked.role)
        membership.role, outcome = locked.role, "promoted"
    else:
        # Nothing changes, so the link is not used up: its addressee may still use it.
        return membership, "unchanged"
    locked.status, locked.accepted_at, locked.accepted_by, locked.token_hash = (
        MemberInvitation.Status.ACCEPTED,
        timezone.now(),
        user,
        None,
    )
    locked.save(update_fields=["status", "accepted_at", "accepted_by", "token_hash"])
    return membership, outcome


@transaction.atomic(durable=True)
def member_invitation_accept(*, invitation: MemberInvitation, user: AbstractBaseUser) -> tuple[Membership, str]:
    """``user`` joins with the invitation's role, or rises to it; the link is used up only if something changed.

    Returns the membership and what happened: ``joined``, ``promoted`` or
    ``unchanged`` (a member already, at that role or higher: the link stays
    unused). ``InvitationClosedError`` if the link stopped working meanwhile,
    ``WrongAccountError`` for an owner's or analyst's link and another account.
    """
    return _accept(invitation=invitation, user=user)


class AccountExistsError(ValueError):
    """The invited address is already an account's username or address: its holder logs in instead."""


def account_username(email: str) -> str:
    """The username an account made for ``email`` gets, by the address's form alone (never by who exists).

    The address itself when the username rule allows it, else the address
    without the characters the rule refuses (an apostrophe...): every
    address that can be invited can so become an account.
    """
    user_model = get_user_model()
    field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    try:
        field.run_validators(email)
    except ValidationError:
        pass
    else:
        if len(email) <= field.max_length:
            return email
    base = "".join(c for c in email if c.isalnum() or c in "@.+-_").lstrip("+-=@.") or "member"
    return base[: field.max_length - 6]


def _free_username(name: str) -> str:
    user_model = get_user_model()
    taken = user_model._default_manager.filter(**{f"{user_model.USERNAME_FIELD}__istartswith": name}).values_list(
        user_model.USERNAME_FIELD, flat=True
    )
    taken = {t.casefold() for t in taken}
    candidate, n = name, 2
    while candidate.casefold() in taken:
        candidate, n = f"{name}-{n}", n + 1
    return candidate


@transaction.atomic(durable=True)
def member_invitation_accept_new_account(
    *, invitation: MemberInvitation, password: str
) -> tuple[AbstractBaseUser, Membership]:
    """Create an account for the invited address, then join; the password is validated already.

    Its username is the address when it can be (:func:`account_username`),
    never one the person chooses, so creating an account never answers
    whether some other name is taken.
    """
    user_model = get_user_model()
    email = invitation.email
    accounts = user_model._default_manager
    if (
        accounts.filter(**{f"{user_model.USERNAME_FIELD}__iexact": email}).exists()
        or accounts.filter(email__iexact=email).exists()
    ):
        raise AccountExistsError(email)
    user = user_model(**{user_model.USERNAME_FIELD: _free_username(account_username(email))}, email=email)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    membership, _created = _accept(invitation=invitation, user=user)
    return user, membership


@transaction.atomic(durable=True)
def organization_set_benchmark(*, organization: Organization, taking_part: bool) -> Organization:
    """Join or leave the benchmark across organizations; leaving takes effect at once.

    The benchmark's pool is cached by ``reports``, which drops it when this
    row is saved, so the next report or ``benchmark_report`` already counts
    the organization in or out.
    """
    organization.benchmark = taking_part
    organization.full_clean(validate_unique=False, validate_constraints=False)
    organization.save(update_fields=["benchmark"])
    return organization
