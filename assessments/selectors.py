"""Reads of assessments: which ones a user may see, and the questions each asks."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.utils.translation import get_language, gettext_lazy

from assessments.models import Assessment, AssessmentQuestion, MaturityTarget, Segment, SegmentOption
from common.commands import InputError
from organizations.models import Organization
from organizations.selectors import MEMBER_ACCESS, Access, organizations_for_user
from taxonomy.models import Benefit, Question
from taxonomy.selectors import QUESTION_ROW, Questionnaire, is_under, live_questions, questionnaire_from, subtree_filter

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def assessment_questions(*, assessment: Assessment) -> QuerySet:
    """The questions ``assessment`` asks: its frozen snapshot once it has answers, else the live ones.

    Either queryset has ``benefit_id``, ``dimension``, ``text`` and ``help_text``.
    """
    if assessment.questions_frozen_at is not None:
        return AssessmentQuestion.objects.filter(assessment=assessment)
    return live_questions()


# A frozen assessment's questionnaire, kept a short while per process and language: every form page
# and report reads it, and its wording cannot change; its names and guidance follow the taxonomy, so an
# admin's edit shows within a minute.
QUESTIONNAIRE_KEPT_SECONDS = 60
_questionnaires: dict[tuple, tuple[float, Questionnaire]] = {}


def assessment_questionnaire(*, assessment: Assessment) -> Questionnaire:
    """The assessment's questions grouped as respondents see them, in the active language; 4 queries, or none.

    A frozen assessment (one with answers) reads its snapshot, kept for
    ``QUESTIONNAIRE_KEPT_SECONDS``; any other reads the live, active questions.
    """
    if assessment.questions_frozen_at is None:
        return questionnaire_from(assessment_questions(assessment=assessment).values_list(*QUESTION_ROW))
    key = (assessment.pk, assessment.questions_frozen_at, get_language())
    now = time.monotonic()
    kept = _questionnaires.get(key)
    if kept is not None and now - kept[0] < QUESTIONNAIRE_KEPT_SECONDS:
        return kept[1]
    questionnaire = questionnaire_from(assessment_questions(assessment=assessment).values_list(*QUESTION_ROW))
    if len(_questionnaires) > 64:
        _questionnaires.clear()
    _questionnaires[key] = (now, questionnaire)
    return questionnaire


def questionnaires_forget() -> None:
    """Drop every kept questionnaire (tests, whose rolled-back databases reuse ids)."""
    _questionnaires.clear()


def assessment_by_name(*, organization: str, title: str) -> Assessment | None:
    """The assessment the commands name by exact organization name and title, or None."""
    return (
        Assessment.objects.select_related("organization").filter(organization__name=organization, title=title).first()
    )


def assessment_named(*, organization: str, title: str) -> Assessment:
    """The assessment a command names by exact organization name and title.

    ``InputError`` says which of the two names is unknown.
    """
    target = assessment_by_name(organization=organization, title=title)
    if target is None:
        if not Organization.objects.filter(name=organization).exists():
            raise InputError(f"unknown organization {organization!r}")
        raise InputError(f"organization {organization!r} has no assessment {title!r}")
    return target


def assessments_for_user(
    *, user: AbstractBaseUser | AnonymousUser, access: Access = MEMBER_ACCESS
) -> QuerySet[Assessment]:
    """Assessments of the organizations where ``user`` has ``access``.

    Scoped by membership (and, for staff, the access's permission), so an
    assessment of another organization is simply not found (a 404, which
    does not confirm it exists).
    """
    organizations = organizations_for_user(user=user, access=access)
    return Assessment.objects.select_related("organization").filter(organization__in=organizations)


def assessment_for_user(
    *, user: AbstractBaseUser | AnonymousUser, org_slug: str, assessment_slug: str, access: Access = MEMBER_ACCESS
) -> Assessment | None:
    """The assessment a URL names by slugs, if ``user`` has ``access`` to it; else None."""
    visible = assessments_for_user(user=user, access=access)
    return visible.filter(organization__slug=org_slug, slug=assessment_slug).first()


# What a round's report reads of its earlier rounds (reports.trends), and no more.
ROUND_FIELDS = ("id", "title", "previous_id", "status", "results", "min_group_size", "questions_frozen_at")


def round_chain(*, assessment: Assessment) -> list[Assessment]:
    """The rounds before ``assessment`` (its previous one, that one's previous, ...), oldest first.

    No query without a previous round, else 1 whatever their number: the
    organization's assessments (``ROUND_FIELDS`` only) are read in one go and
    the links walked here. A chain is short and an organization has few
    assessments; walking the links in SQL would be a query per round, or a
    recursive query that each database plans its own way.
    """
    if getattr(assessment, "previous_id", None) is None:
        return []
    rows = Assessment.objects.filter(organization_id=assessment.organization_id).only(*ROUND_FIELDS)
    by_id = {a.pk: a for a in rows}
    chain: list[Assessment] = []
    seen = {assessment.pk}
    current = by_id.get(assessment.previous_id)
    # "Earlier" (the model's rule) makes a loop impossible; ``seen`` keeps a damaged database from hanging a page.
    while current is not None and current.pk not in seen:
        chain.append(current)
        seen.add(current.pk)
        current = by_id.get(current.previous_id)
    return chain[::-1]


# --- What the taxonomy may not delete (registered in AssessmentsConfig.ready) ---

FROZEN_REASON = gettext_lazy("an assessment's frozen questionnaire includes it; deactivate it instead")


def benefits_in_frozen_questionnaires(benefits: list[Benefit]) -> dict[Benefit, str]:
    """Benefits whose subtree is in some assessment's frozen questionnaire (which references it); one query."""
    frozen = set(
        AssessmentQuestion.objects.filter(subtree_filter([b.path for b in benefits], prefix="benefit__"))
        .values_list("benefit__path", flat=True)
        .distinct()
    )
    return {b: FROZEN_REASON for b in benefits if is_under(b.path, frozen)}


def questions_in_frozen_questionnaires(questions: list[Question]) -> dict[Question, str]:
    """Questions whose wording some assessment froze; one query."""
    frozen = set(AssessmentQuestion.objects.filter(question__in=questions).values_list("question_id", flat=True))
    return {q: FROZEN_REASON for q in questions if q.pk in frozen}


def assessment_segments(*, assessment: Assessment, source: str | None = None) -> list[Segment]:
    """The assessment's segments in order, each with ``options`` prefetched in order; 2 queries."""
    segments = Segment.objects.filter(assessment=assessment).prefetch_related("options")
    if source is not None:
        segments = segments.filter(source=source)
    return list(segments)


def segment_option_for(segment: Segment, text: str) -> SegmentOption | None:
    """The option of ``segment`` that ``text`` names, by its value or its label, in any case; no query.

    A value wins over another option's label, so an option whose label is
    another's value still means what the file's author most likely meant.
    """
    wanted = text.strip().casefold()
    options = list(segment.options.all())
    return next((o for o in options if o.value.casefold() == wanted), None) or next(
        (o for o in options if o.label.strip().casefold() == wanted), None
    )


def segment_option_ids(segments: Iterable[Segment], values: dict[str, str | None]) -> dict[int, int]:
    """{segment id: option id} for ``values`` ({key: option value or label, or None/"" for not stated}).

    ``ValueError`` names an unknown key or an option the segment lacks, with the options it has.
    """
    by_key = {s.key: s for s in segments}
    chosen: dict[int, int] = {}
    for key, value in values.items():
        segment = by_key.get(key)
        if segment is None:
            raise ValueError(f"unknown segment {key!r}; expected one of {', '.join(sorted(by_key)) or 'none'}")
        if not value or not value.strip():
            continue
        option = segment_option_for(segment, value)
        if option is None:
            known = ", ".join(f"{o.label} ({o.value})" for o in segment.options.all())
            raise ValueError(f"segment {key!r} has no option {value.strip()!r}; expected one of {known}")
        chosen[segment.pk] = option.pk
    return chosen


def assessment_maturity_targets(*, assessment: Assessment) -> dict[tuple[str, str], int]:
    """The assessment's target level per (concept slug, scope slug) cell; a cell without one is absent; 1 query."""
    rows = MaturityTarget.objects.filter(assessment=assessment).values_list("concept__slug", "scope__slug", "level")
    return {(concept, scope): level for concept, scope, level in rows}
