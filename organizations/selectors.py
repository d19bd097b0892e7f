"""Reads of organizations and memberships: who may do what where."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from organizations.models import Membership, Organization

REPORT_ROLES = (Membership.Role.OWNER, Membership.Role.ANALYST)


ALL_ROLES = tuple(Membership.Role.values)


MANAGE_ROLES = (Membership.Role.OWNER,)


def organizations_for_user(*, user, roles: Iterable[str] = ALL_ROLES) -> QuerySet[Organization]:
    """Organizations where ``user`` has one of ``roles``; staff see all. The one scoping rule of every view."""
    qs = Organization.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_staff:
        return qs
    # One membership per user and organization (a unique constraint), so no duplicates to remove.
    return qs.filter(memberships__user=user, memberships__role__in=list(roles))


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    """The organization's memberships with their users, by username."""
    return Membership.objects.filter(organization=organization).select_related("user").order_by("user__username")
