"""Writes of assessments and their frozen questions."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import MIN_GROUP_SIZE_DEFAULT, Assessment, AssessmentQuestion
from common.db import unique_slug
from organizations.models import Organization
from taxonomy.selectors import live_questions


@transaction.atomic
def assessment_get_or_create(
    *, organization: Organization, title: str, status: str = Assessment.Status.OPEN
) -> tuple[Assessment, bool]:
    """The organization's assessment with this exact title; a new one is open."""
    title = title.strip()
    if not title:
        raise ValueError("an assessment needs a title")
    existing = Assessment.objects.filter(organization=organization, title=title).first()
    if existing:
        return existing, False
    opens_at = timezone.now() if status == Assessment.Status.OPEN else None
    return assessment_create(organization=organization, title=title, status=status, opens_at=opens_at), True


@transaction.atomic
def assessment_freeze_questions(*, assessment: Assessment) -> bool:
    """Snapshot the live active questions into the assessment, once.

    Called before the first answer is written. The row lock makes two
    first answers arriving together freeze once. Returns True if it froze now.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.questions_frozen_at is not None:
        assessment.questions_frozen_at = locked.questions_frozen_at
        return False
    questions = live_questions()
    AssessmentQuestion.objects.bulk_create(
        AssessmentQuestion(
            assessment=locked,
            question_id=q.pk,
            benefit_id=q.benefit_id,
            dimension=q.dimension,
            text=q.text,
            help_text=q.help_text,
            order=q.order,
        )
        for q in questions
    )
    now = timezone.now()
    Assessment.objects.filter(pk=locked.pk).update(questions_frozen_at=now)
    assessment.questions_frozen_at = now
    return True


def _duplicate_title() -> ValidationError:
    # Reached only when another request took the title between the check and the write.
    return ValidationError({"title": "An assessment with this title was just created: choose another title."})


@transaction.atomic
def assessment_create(
    *,
    organization: Organization,
    title: str,
    status: str = Assessment.Status.DRAFT,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    threshold: float = 1.0,
    min_group_size: int = MIN_GROUP_SIZE_DEFAULT,
    results: str = Assessment.Results.AFTER_CLOSE,
) -> Assessment:
    """A new assessment of ``organization``; its slug comes from the title and never changes afterwards.

    Raises ``ValidationError`` (by field) for an empty or duplicate title, an
    unknown status, a threshold outside 0..4, a closing date before the
    opening date, a minimum group size outside 3..100 or an unknown results setting.
    """
    title = title.strip()
    assessment = Assessment(
        organization=organization,
        title=title,
        slug=unique_slug(Assessment, title, organization=organization),
        status=status,
        opens_at=opens_at,
        closes_at=closes_at,
        threshold=threshold,
        min_group_size=min_group_size,
        results=results,
    )
    assessment.full_clean()
    try:
        with transaction.atomic():
            assessment.save()
            return assessment
    except IntegrityError as exc:
        raise _duplicate_title() from exc


@transaction.atomic(durable=True)
def assessment_update(
    *,
    assessment: Assessment,
    title: str,
    status: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    threshold: float,
    min_group_size: int | None = None,
    results: str | None = None,
) -> Assessment:
    """Change an assessment's title, status (opening or closing it), dates and settings.

    The slug stays as it was, so report URLs keep working. Same errors as
    :func:`assessment_create`, and a closed assessment that shows its results
    after close cannot be reopened. ``None`` keeps a setting as it is. On
    error nothing changes, ``assessment`` included.
    """
    values = {
        "title": title.strip(),
        "status": status,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "threshold": threshold,
        "min_group_size": assessment.min_group_size if min_group_size is None else min_group_size,
        "results": assessment.results if results is None else results,
    }
    # Validate a copy, so that on error the caller's object keeps its values.
    changed = Assessment.objects.get(pk=assessment.pk)
    for field, value in values.items():
        setattr(changed, field, value)
    changed.full_clean()
    try:
        with transaction.atomic():
            changed.save(update_fields=list(values))
    except IntegrityError as exc:
        raise _duplicate_title() from exc
    for field, value in values.items():
        setattr(assessment, field, value)
    return assessment


def assessments_erase(organization: Organization, dry_run: bool) -> dict[str, int]:
    """The organization's assessments and their frozen questions (an eraser for ``organization_erase``)."""
    assessments = Assessment.objects.filter(organization=organization)
    frozen = AssessmentQuestion.objects.filter(assessment__organization=organization)
    counts = {"assessments": assessments.count(), "frozen questions": frozen.count()}
    if not dry_run:
        frozen.delete()
        assessments.delete()
    return counts
