"""Reads of the API: tokens, and the lists its endpoints answer with, each in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import OuterRef, QuerySet, Subquery

from api.models import ApiToken
from assessments.models import Assessment
from common.tokens import hash_token
from organizations.models import Membership, Organization
from organizations.selectors import REPORT_ACCESS, organizations_for_user
from reports.aggregates import respondents_annotation


def api_token_for_secret(*, secret: str) -> ApiToken | None:
    """The unrevoked token with this secret, with its user; None for any other secret. One query."""
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=hash_token(secret), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_tokens_of(*, user) -> QuerySet[ApiToken]:
    """The user's tokens, newest first, revoked ones included (so the page can say when)."""
    return ApiToken.objects.filter(user=user)


@dataclass(frozen=True)
class OrganizationRow:
    slug: str
    name: str
    role: str | None  # the user's membership role; None where only a permission opens it


def readable_organizations(*, user) -> list[OrganizationRow]:
    """The organizations whose reports ``user`` may read (the assessments index's), by name; one query."""
    role = Membership.objects.filter(organization=OuterRef("pk"), user=user).values("role")[:1]
    organizations = (
        organizations_for_user(user=user, access=REPORT_ACCESS).annotate(role=Subquery(role)).order_by("name", "pk")
    )
    return [OrganizationRow(o.slug, o.name, o.role) for o in organizations]


def readable_organization(*, user, slug: str) -> Organization | None:
    """The organization with this slug if ``user`` may read its reports, else None; one query."""
    return organizations_for_user(user=user, access=REPORT_ACCESS).filter(slug=slug).first()


@dataclass(frozen=True)
class AssessmentRow:
    slug: str
    title: str
    status: str
    respondents: int  # as the report counts them: submitted responses with at least one answer


def organization_assessments(*, organization: Organization) -> list[AssessmentRow]:
    """The organization's assessments by title, each with its number of respondents; one query."""
    assessments = (
        Assessment.objects.filter(organization=organization)
        .annotate(respondents=respondents_annotation())
        .order_by("title", "pk")
    )
    return [AssessmentRow(a.slug, a.title, a.status, a.respondents) for a in assessments]
