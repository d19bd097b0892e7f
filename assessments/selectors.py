"""Reads shared by the form, the commands and the report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from assessments.models import Answer, Assessment, AssessmentQuestion, Membership
from taxonomy.models import Benefit, Concept, Question, Scope
from taxonomy.selectors import benefits_in_tree_order


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


def assessment_questionnaire(*, assessment: Assessment) -> Questionnaire:
    """The assessment's questions grouped as respondents see them; 4 queries.

    A frozen assessment (one with answers) reads its snapshot; any other
    reads the live, active questions. Sections are the six concept x scope
    cells in contract order, empty cells included.
    """
    if assessment.questions_frozen_at is not None:
        rows = AssessmentQuestion.objects.filter(assessment=assessment).values_list(
            "benefit_id", "dimension", "text", "help_text"
        )
    else:
        rows = Question.objects.filter(is_active=True, benefit__is_active=True).values_list(
            "benefit_id", "dimension", "text", "help_text"
        )
    by_benefit: dict[int, dict[str, tuple[str, str]]] = {}
    for benefit_id, dimension, text, help_text in rows:
        by_benefit.setdefault(benefit_id, {})[dimension] = (text, help_text)

    tree = benefits_in_tree_order(include_inactive=True)
    paths = {b.pk: b.path for b in tree}
    nodes = [b for b in tree if b.pk in by_benefit]
    views: dict[tuple[int, int], list[BenefitView]] = {}
    for b in nodes:
        questions = tuple(
            QuestionView(b.pk, b.path, dim, *by_benefit[b.pk][dim])
            for dim in ("importance", "realization")
            if dim in by_benefit[b.pk]
        )
        views.setdefault((b.concept_id, b.scope_id), []).append(
            BenefitView(
                id=b.pk,
                path=b.path,
                name=b.name,
                depth=b.depth,
                parent_path=paths.get(b.parent_id) if b.parent_id else None,
                concept=b.concept.slug,
                scope=b.scope.slug,
                questions=questions,
            )
        )
    scopes = list(Scope.objects.all())
    cells = [(concept, scope) for concept in Concept.objects.all() for scope in scopes]
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
    qs = Assessment.objects.select_related("organization")
    if not user.is_authenticated:
        return qs.none()
    if user.is_staff:
        return qs
    return qs.filter(organization__memberships__user=user, organization__memberships__role__in=list(roles)).distinct()


def response_answers(*, response) -> dict[int, Answer]:
    """A response's stored answers by benefit id, in one query (the respondent form's reads)."""
    return {a.benefit_id: a for a in Answer.objects.filter(response=response)}
