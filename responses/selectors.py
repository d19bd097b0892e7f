"""Reads of invitations, responses and answers."""

from __future__ import annotations

import hmac
from typing import TypeVar

from django.db.models import Case, CharField, Count, Model, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.utils.translation import gettext

from assessments.models import Assessment
from common.db import count_of
from common.tokens import hash_token
from organizations.models import Organization
from responses.models import (
    Answer,
    Comment,
    Invitation,
    InvitationEmail,
    InvitationOptOutToken,
    InvitationSegmentValue,
    InvitationToken,
    Participation,
    Response,
)
from taxonomy.models import Benefit, Concept, Question, Scope
from taxonomy.scales import Dimension
from taxonomy.selectors import is_under, subtree_filter


def response_answers(*, response) -> dict[int, Answer]:
    """A response's stored answers by benefit id, in one query (the respondent form's reads)."""
    return {a.benefit_id: a for a in Answer.objects.filter(response=response)}


def member_has_submitted(*, assessment: Assessment, user) -> bool:
    """Whether the member submitted a response to the assessment (which one is not known); one query."""
    return Participation.objects.filter(assessment=assessment, user=user).exists()


INVITATION_STATUSES = ("unused", "started", "submitted", "revoked", "opted_out", "failed")


# An invitation's status is its own: ``submitted`` is stored on it (its
# response keeps no link back), ``started`` is a draft that still points to it.
_STARTED = Q(submitted=False, response__isnull=False, revoked_at__isnull=True)
_SUBMITTED = Q(submitted=True)


def invitation_status() -> Case:
    """An invitation's status as an annotation: the one definition the owner's pages and the admin share."""
    return Case(
        When(_SUBMITTED, then=Value("submitted")),
        When(revoked_at__isnull=False, then=Value("revoked")),
        # E-mailed invitations: the person asked for no more e-mail, or the last one could not be delivered.
        When(opted_out_at__isnull=False, then=Value("opted_out")),
        When(~Q(failed_reason=""), then=Value("failed")),
        When(response__isnull=False, then=Value("started")),
        default=Value("unused"),
        output_field=CharField(),
    )


def organization_assessments(*, organization: Organization) -> QuerySet[Assessment]:
    """The organization's assessments, newest first, with counts; one query whatever their number.

    ``invitations_sent`` counts every invitation created (revoked ones too);
    ``invitations_started`` those in progress; ``responses_submitted`` the
    submitted responses from every way in (links, members, imports).
    """
    invitations = Invitation.objects.all()
    return (
        Assessment.objects.filter(organization=organization)
        .select_related("organization", "previous")
        .annotate(
            invitations_sent=count_of(invitations, "assessment"),
            invitations_started=count_of(invitations.filter(_STARTED), "assessment"),
            responses_submitted=count_of(Response.objects.filter(submitted_on__isnull=False), "assessment"),
        )
        .order_by("-created_at", "pk")
    )


def assessment_invitations(*, assessment: Assessment) -> QuerySet[Invitation]:
    """The assessment's invitations, newest first, each with ``status`` (:data:`INVITATION_STATUSES`).

    Each carries its segment values (``segment_values``, with segment and option, in the segments' order),
    fetched in one more query for the page of invitations evaluated.
    """
    last_email = InvitationEmail.objects.filter(invitation=OuterRef("pk")).order_by("-number")
    values = InvitationSegmentValue.objects.select_related("segment", "option").order_by("segment__order", "segment_id")
    return (
        Invitation.objects.filter(assessment=assessment)
        .annotate(
            status=invitation_status(),
            # The last e-mail's state and why it ended so: what the owner reads of a held or dropped e-mail.
            email_status=Subquery(last_email.values("status")[:1]),
            email_reason=Subquery(last_email.values("reason")[:1]),
            email_count=count_of(InvitationEmail.objects.all(), "invitation"),
        )
        .prefetch_related(Prefetch("segment_values", queryset=values))
        .order_by("-pk")
    )


def invitation_status_counts(*, assessment: Assessment) -> dict[str, int]:
    """How many invitations of the assessment are in each status (every status present, 0 if none); one query."""
    rows = (
        Invitation.objects.filter(assessment=assessment)
        .annotate(status=invitation_status())
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {**dict.fromkeys(INVITATION_STATUSES, 0), **dict(rows)}


def invitations_by_audience(assessment: Assessment) -> dict[str, int]:
    """Unrevoked invitations of ``assessment`` by audience; one query (the survey-length estimate's)."""
    rows = (
        Invitation.objects.filter(assessment=assessment, revoked_at__isnull=True)
        .order_by()
        .values("audience")
        .annotate(n=Count("pk"))
        .values_list("audience", "n")
    )
    return dict(rows)


_T = TypeVar("_T", bound=Model)


def _unique(queryset: QuerySet[_T], digest: str) -> _T | None:
    """The row whose unique ``token_hash`` is ``digest``, or None; every token lookup here is one.

    ``get()`` rather than ``first()``: a unique lookup needs no ORDER BY, and
    compiling the model's ordering cost a fifth of the lookup on every page of the form.
    """
    try:
        return queryset.get(token_hash=digest)
    except queryset.model.DoesNotExist:
        return None


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a token opens, or None. Revoked invitations open nothing.

    The lookup is by the token's SHA-256, so timing reveals nothing about
    stored tokens; the final comparison is constant-time all the same.
    """
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    # With its draft, if any (a one-to-one, so the same single query): every page of the form needs both.
    invitation = _unique(Invitation.objects.select_related("assessment__organization", "response"), digest)
    if invitation is None:
        # An e-mailed invitation's links are its tokens, one per e-mail, all valid.
        link = _unique(
            InvitationToken.objects.select_related("invitation__assessment__organization", "invitation__response"),
            digest,
        )
        if link is None or not hmac.compare_digest(link.token_hash, digest):
            return None
        invitation = link.invitation
    elif not hmac.compare_digest(invitation.token_hash, digest):
        return None
    if invitation.revoked_at is not None:
        return None
    return invitation


def invitation_for_opt_out_token(token: str) -> Invitation | None:
    """The invitation an opt-out link's token belongs to, or None: these tokens open the opt-out and nothing else."""
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    link = _unique(InvitationOptOutToken.objects.select_related("invitation__assessment__organization"), digest)
    if link is None or not hmac.compare_digest(link.token_hash, digest):
        return None
    return link.invitation


# --- What lower apps may not delete (registered in ResponsesConfig.ready) ---


def benefits_with_answers(benefits: list[Benefit]) -> dict[Benefit, str]:
    """Benefits that have answers, themselves or in a sub-benefit; one query."""
    answered = set(
        Answer.objects.filter(subtree_filter([b.path for b in benefits], prefix="benefit__"))
        .values_list("benefit__path", flat=True)
        .distinct()
    )
    reason = gettext("it (or one of its sub-benefits) has answers; deactivate it instead")
    return {b: reason for b in benefits if is_under(b.path, answered)}


def questions_with_answers(questions: list[Question]) -> dict[Question, str]:
    """Questions that someone answered (their benefit has an answer in their dimension); one query."""
    rows = Answer.objects.filter(benefit__in={q.benefit_id for q in questions}).values_list(
        "benefit_id", "importance_answered", "realization_answered"
    )
    answered = set()
    for benefit_id, importance, realization in rows.distinct():
        if importance:
            answered.add((benefit_id, Dimension.IMPORTANCE.value))
        if realization:
            answered.add((benefit_id, Dimension.REALIZATION.value))
    reason = gettext("it has answers; deactivate it instead")
    return {q: reason for q in questions if (q.benefit_id, q.dimension) in answered}


def organizations_with_answers(organizations: list[Organization]) -> dict[Organization, str]:
    answered = set(
        Answer.objects.filter(response__assessment__organization__in=organizations)
        .values_list("response__assessment__organization", flat=True)
        .distinct()
    )
    reason = gettext("its assessments have answers; close its assessments instead")
    return {o: reason for o in organizations if o.pk in answered}


def assessments_with_responses(assessments: list[Assessment]) -> dict[Assessment, str]:
    answered = set(
        Answer.objects.filter(response__assessment__in=assessments).values_list("response__assessment", flat=True)
    )
    responded = set(Response.objects.filter(assessment__in=assessments).values_list("assessment", flat=True))
    has_answers = gettext("it has answers; close it instead")
    started = gettext("respondents have started it; close it instead")
    blockers = {}
    for a in assessments:
        if a.pk in answered:
            blockers[a] = has_answers
        elif a.pk in responded:
            blockers[a] = started
    return blockers


def invited_per_segment_value(*, assessment: Assessment, segment_values: dict[str, str]) -> dict[tuple[str, str], int]:
    """Unrevoked invitations of ``assessment`` per (segment key, option value) among those given; 1 query."""
    rows = (
        InvitationSegmentValue.objects.filter(
            invitation__assessment=assessment,
            invitation__revoked_at__isnull=True,
            segment__key__in=list(segment_values),
            option__value__in=list(segment_values.values()),
        )
        .values_list("segment__key", "option__value")
        .annotate(n=Count("pk"))
    )
    return {(key, value): n for key, value, n in rows}


def comment_section_key(concept_slug: str, scope_slug: str) -> str:
    """The ``section`` of a comment written after a concept x scope's questions."""
    return f"{concept_slug}/{scope_slug}"


def comment_sections() -> list[str]:
    """Every concept x scope a comment may be about, in the report's cell order; 2 queries."""
    scopes = list(Scope.objects.values_list("slug", flat=True))
    return [comment_section_key(c, s) for c in Concept.objects.values_list("slug", flat=True) for s in scopes]


def response_comments(*, response: Response) -> dict[str, str]:
    """{section: stored (redacted) text} of a response's comments; one query."""
    return dict(Comment.objects.filter(response=response).values_list("section", "text"))
