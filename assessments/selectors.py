"""Reads shared by the form, the commands and the report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from operator import itemgetter

from django.db.models import Case, CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from assessments.models import Answer, Assessment, AssessmentQuestion, Invitation, Membership, Organization
from taxonomy.models import Benefit, Concept, Question, Scope
from taxonomy.selectors import tree_order


@dataclass(frozen=True)
class QuestionView:
    """One question as an assessment presents it (live or frozen wording)."""

    benefit_id: int
    path: str
    dimension: str
    text: str
    help_text: str


@dataclass(frozen=True)
class BenefitView:
    """One benefit node of an assessment with its questions, in taxonomy order."""

    id: int
    path: str
    name: str
    depth: int
    parent_path: str | None
    concept: str  # slug
    scope: str  # slug
    questions: tuple[QuestionView, ...]  # importance first, then realization

    def question(self, dimension: str) -> QuestionView | None:
        return next((q for q in self.questions if q.dimension == dimension), None)


@dataclass(frozen=True)
class Section:
    """One concept x scope cell of the questionnaire."""

    index: int
    concept: Concept
    scope: Scope
    benefits: tuple[BenefitView, ...]

    @property
    def title(self) -> str:
        return f"{self.scope.name} {self.concept.name.lower()}"

    @property
    def question_count(self) -> int:
        return sum(len(b.questions) for b in self.benefits)


@dataclass(frozen=True)
class Questionnaire:
    sections: tuple[Section, ...]

    @property
    def benefits(self) -> tuple[BenefitView, ...]:
        return tuple(b for s in self.sections for b in s.benefits)

    @property
    def question_count(self) -> int:
        return sum(s.question_count for s in self.sections)

    def by_path(self) -> dict[str, BenefitView]:
        return {b.path: b for b in self.benefits}


def live_questions() -> QuerySet[Question]:
    """The questions a new assessment asks: active questions of active benefits."""
    return Question.objects.filter(is_active=True, benefit__is_active=True)


def assessment_questions(*, assessment: Assessment) -> QuerySet:
    """The questions ``assessment`` asks: its frozen snapshot once it has answers, else the live ones.

    Either queryset has ``benefit_id``, ``dimension``, ``text`` and ``help_text``.
    """
    if assessment.questions_frozen_at is not None:
        return AssessmentQuestion.objects.filter(assessment=assessment)
    return live_questions()


def assessment_questionnaire(*, assessment: Assessment) -> Questionnaire:
    """The assessment's questions grouped as respondents see them; 4 queries.

    A frozen assessment (one with answers) reads its snapshot; any other
    reads the live, active questions. Sections are the six concept x scope
    cells in contract order, empty cells included.
    """
    rows = assessment_questions(assessment=assessment).values_list("benefit_id", "dimension", "text", "help_text")
    by_benefit: dict[int, dict[str, tuple[str, str]]] = {}
    for benefit_id, dimension, text, help_text in rows:
        by_benefit.setdefault(benefit_id, {})[dimension] = (text, help_text)

    # Plain rows, not model instances: this runs on every form page and report.
    concepts = {c.pk: c for c in Concept.objects.all()}
    scopes = {s.pk: s for s in Scope.objects.all()}
    rows = Benefit.objects.values_list("pk", "parent_id", "concept_id", "scope_id", "order", "name", "path", "depth")
    tree = tree_order(
        rows,
        pk=itemgetter(0),
        parent=itemgetter(1),
        sort_key=lambda r: (concepts[r[2]].order, scopes[r[3]].order, r[4], r[0]),
    )
    paths = {row[0]: row[6] for row in tree}
    views: dict[tuple[int, int], list[BenefitView]] = {}
    for pk, parent_id, concept_id, scope_id, _order, name, path, depth in tree:
        if pk not in by_benefit:
            continue
        questions = tuple(
            QuestionView(pk, path, dim, *by_benefit[pk][dim])
            for dim in ("importance", "realization")
            if dim in by_benefit[pk]
        )
        views.setdefault((concept_id, scope_id), []).append(
            BenefitView(
                id=pk,
                path=path,
                name=name,
                depth=depth,
                parent_path=paths.get(parent_id) if parent_id else None,
                concept=concepts[concept_id].slug,
                scope=scopes[scope_id].slug,
                questions=questions,
            )
        )
    cells = [(concept, scope) for concept in concepts.values() for scope in scopes.values()]
    sections = tuple(
        Section(index, concept, scope, tuple(views.get((concept.pk, scope.pk), ())))
        for index, (concept, scope) in enumerate(cells)
    )
    return Questionnaire(sections=sections)


def live_questionnaire() -> Questionnaire:
    """The live, active questions as the next new assessment will show them (the admin preview)."""
    # An unsaved assessment has no frozen snapshot, so it reads the live questions.
    return assessment_questionnaire(assessment=Assessment())


def assessment_by_name(*, organization: str, title: str) -> Assessment | None:
    """The assessment the commands name by exact organization name and title, or None."""
    return (
        Assessment.objects.select_related("organization").filter(organization__name=organization, title=title).first()
    )


def benefit_paths() -> dict[str, int]:
    """Every benefit path (active or not) to its id, in one query."""
    return dict(Benefit.objects.values_list("path", "pk"))


REPORT_ROLES = (Membership.Role.OWNER, Membership.Role.ANALYST)
ALL_ROLES = tuple(Membership.Role.values)


def assessments_for_user(*, user, roles: Iterable[str] = ALL_ROLES) -> QuerySet[Assessment]:
    """Assessments ``user`` may see with one of ``roles`` in their organization.

    Staff see every assessment. Everything else is scoped by membership, so
    an assessment of another organization is simply not found (a 404,
    which does not confirm it exists).
    """
    organizations = organizations_for_user(user=user, roles=roles)
    return Assessment.objects.select_related("organization").filter(organization__in=organizations)


def assessment_for_user(*, user, org_slug: str, assessment_slug: str, roles: Iterable[str] = ALL_ROLES):
    """The assessment a URL names by slugs, if ``user`` may see it with one of ``roles``; else None."""
    visible = assessments_for_user(user=user, roles=roles)
    return visible.filter(organization__slug=org_slug, slug=assessment_slug).first()


def response_answers(*, response) -> dict[int, Answer]:
    """A response's stored answers by benefit id, in one query (the respondent form's reads)."""
    return {a.benefit_id: a for a in Answer.objects.filter(response=response)}


# --- Owner management (issue 6) ---------------------------------------------

MANAGE_ROLES = (Membership.Role.OWNER,)
INVITATION_STATUSES = ("unused", "started", "submitted", "revoked")


def organizations_for_user(*, user, roles: Iterable[str] = ALL_ROLES) -> QuerySet[Organization]:
    """Organizations where ``user`` has one of ``roles``; staff see all. The one scoping rule of every view."""
    qs = Organization.objects.all()
    if not user.is_authenticated:
        return qs.none()
    if user.is_staff:
        return qs
    # One membership per user and organization (a unique constraint), so no duplicates to remove.
    return qs.filter(memberships__user=user, memberships__role__in=list(roles))


def count_of(queryset: QuerySet, field: str) -> Coalesce:
    """``COUNT(*)`` of ``queryset`` rows whose ``field`` is the outer row: a subquery, so counts never multiply."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


# A submitted invitation counts as submitted even if revoked afterwards.
_STARTED = Q(response__isnull=False, response__submitted_at__isnull=True, revoked_at__isnull=True)
_SUBMITTED = Q(response__submitted_at__isnull=False)


def organization_assessments(*, organization: Organization) -> QuerySet[Assessment]:
    """The organization's assessments, newest first, with invitation counts; one query whatever their number.

    ``invitations_sent`` counts every invitation created (revoked ones too);
    ``invitations_started`` those in progress; ``invitations_submitted`` those submitted.
    """
    invitations = Invitation.objects.all()
    return (
        Assessment.objects.filter(organization=organization)
        .select_related("organization")
        .annotate(
            invitations_sent=count_of(invitations, "assessment"),
            invitations_started=count_of(invitations.filter(_STARTED), "assessment"),
            invitations_submitted=count_of(invitations.filter(_SUBMITTED), "assessment"),
        )
        .order_by("-created_at", "pk")
    )


def invitation_status() -> Case:
    """An invitation's status as an annotation: the one definition the owner's pages and the admin share."""
    return Case(
        When(_SUBMITTED, then=Value("submitted")),
        When(revoked_at__isnull=False, then=Value("revoked")),
        When(response__isnull=False, then=Value("started")),
        default=Value("unused"),
        output_field=CharField(),
    )


def assessment_invitations(*, assessment: Assessment) -> QuerySet[Invitation]:
    """The assessment's invitations, newest first, each with ``status`` (unused, started, submitted, revoked)."""
    return Invitation.objects.filter(assessment=assessment).annotate(status=invitation_status()).order_by("-pk")


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


def organization_members(*, organization: Organization) -> QuerySet[Membership]:
    """The organization's memberships with their users, by username."""
    return Membership.objects.filter(organization=organization).select_related("user").order_by("user__username")
