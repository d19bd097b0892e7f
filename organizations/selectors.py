"""Reads of organizations and memberships: who may do what where."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from common.tokens import hash_token
from organizations.mail import LINK_VALID
from organizations.models import MemberInvitation, Membership, Organization


@dataclass(frozen=True)
class Access:
    """Who may do one kind of thing in an organization, outside the admin.

    Members with one of ``roles`` may, in their organization. A staff user
    holding the Django ``permission`` may in every organization (superusers
    hold every permission). Staff status alone grants nothing here: in the
    admin, staff have their model permissions; on these pages, their
    memberships and this permission.
    """

    roles: tuple[str, ...]
    permission: str | None = None


# Read reports and export them.
REPORT_ACCESS = Access(roles=(Membership.Role.OWNER, Membership.Role.ANALYST), permission="assessments.view_report")

# Manage assessments, invitations and members.
MANAGE_ACCESS = Access(roles=(Membership.Role.OWNER,), permission="organizations.manage_organization")

# Answer an assessment: members only. No permission makes someone a respondent of an organization they are not in.
MEMBER_ACCESS = Access(roles=tuple(Membership.Role.values))


def granted_everywhere(user, access: Access) -> bool:
    """Whether ``user`` has ``access`` in every organization, whatever their memberships."""
    # Only staff accounts carry permissions that count here, as in the admin;
    # checking is_staff first also spares ordinary members the permission queries.
    return access.permission is not None and (user.is_staff or user.is_superuser) and user.has_perm(access.permission)


def organizations_for_user(*, user, access: Access = MEMBER_ACCESS) -> QuerySet[Organization]:
    """Organizations where ``user`` has ``access``. The one scoping rule of every view."""
    qs = Organization.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if granted_everywhere(user, access):
        return qs
    # One membership per user and organization (a unique constraint), so no duplicates to remove.
    return qs.filter(memberships__user=user, memberships__role__in=list(access.roles))


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    """The organization's memberships with their users, by username."""
    return Membership.objects.filter(organization=organization).select_related("user").order_by("user__username")


def member_invitation_is_open(invitation: MemberInvitation) -> bool:
    """Whether the invitation's link lets its holder join now: e-mailed, waiting, and younger than ``LINK_VALID``."""
    return (
        invitation.status in (MemberInvitation.Status.SENDING, MemberInvitation.Status.SENT)
        and invitation.token_hash is not None
        and invitation.claimed_at is not None
        and invitation.claimed_at > timezone.now() - LINK_VALID
    )


def member_invitation_for_token(*, token: str) -> MemberInvitation | None:
    """The open invitation this link's token belongs to, with its organization; None for any other link."""
    invitation = (
        MemberInvitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=hash_token(token))
        .first()
    )
    return invitation if invitation is not None and member_invitation_is_open(invitation) else None


def member_invitations_waiting(*, organization: Organization) -> QuerySet[MemberInvitation]:
    """The organization's invitations not yet accepted or revoked, newest first."""
    return MemberInvitation.objects.filter(organization=organization, status__in=MemberInvitation.PENDING).order_by(
        "-created_at", "-pk"
    )


# Roles whose links work only for the account of the invited address: forwarded, they would hand out the role.
BOUND_ROLES = (Membership.Role.OWNER, Membership.Role.ANALYST)


def member_invitation_is_for(invitation: MemberInvitation, user) -> bool:
    """Whether ``user`` may use this invitation's link: anyone for a respondent's, only the invited address otherwise.

    The invited address is the account's e-mail address, or its username
    when that is the address (accounts made from a link before either).
    """
    if invitation.role not in BOUND_ROLES:
        return True
    invited = invitation.email.casefold()
    return invited in {(user.email or "").casefold(), user.get_username().casefold()}
