"""Writes of assessments and their frozen questions."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from assessments.models import (
    MAX_SEGMENTS,
    MIN_GROUP_SIZE_DEFAULT,
    Assessment,
    AssessmentQuestion,
    MaturityTarget,
    Segment,
    SegmentOption,
)
from common.db import unique_slug
from common.validators import plain_text_field
from organizations.models import Organization
from taxonomy.models import Concept, Scope
from taxonomy.selectors import live_questions


@transaction.atomic
def assessment_get_or_create(
    *, organization: Organization, title: str, status: str = Assessment.Status.OPEN
) -> tuple[Assessment, bool]:
    """The organization's assessment with this exact title; a new one is open."""
    title = title.strip()
    if not title:
        raise ValueError("an assessment needs a title")
    plain_text_field("title", title)
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
            # Every language's wording is frozen with the English (section 17).
            translations=q.translations,
            order=q.order,
        )
        for q in questions
    )
    now = timezone.now()
    Assessment.objects.filter(pk=locked.pk).update(questions_frozen_at=now)
    assessment.questions_frozen_at = now
    return True


# ``assessment_update(previous=UNCHANGED)`` keeps the previous round; ``None`` removes it.
UNCHANGED = object()


def _duplicate_title() -> ValidationError:
    # Reached only when another request took the title between the check and the write.
    return ValidationError({"title": _("An assessment with this title was just created: choose another title.")})


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
    benefits_per_respondent: int | None = None,
    comments: bool = True,
    previous: Assessment | None = None,
) -> Assessment:
    """A new assessment of ``organization``; its slug comes from the title and never changes afterwards.

    Raises ``ValidationError`` (by field) for an empty or duplicate title, an
    unknown status, a threshold outside 0..4, a closing date before the
    opening date, a minimum group size outside 3..100, an unknown results
    setting, fewer than 1 benefit per respondent (None: every benefit) or a
    previous round that is not an earlier assessment of ``organization``.
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
        benefits_per_respondent=benefits_per_respondent,
        comments=comments,
        previous=previous,
        closed_at=timezone.now() if status == Assessment.Status.CLOSED else None,
    )
    assessment.full_clean()
    try:
        with transaction.atomic():
            assessment.save()
            return assessment
    except IntegrityError as exc:
        raise _duplicate_title() from exc


# ``assessment_update``'s "leave it as it is", for a setting whose None means something.
KEEP = object()


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
    benefits_per_respondent: int | None | object = KEEP,
    comments: bool | None = None,
    previous: Assessment | None | object = UNCHANGED,
) -> Assessment:
    """Change an assessment's title, status (opening or closing it), dates, settings and previous round.

    The slug stays as it was, so report URLs keep working. Same errors as
    :func:`assessment_create`, and a closed assessment that shows its results
    after close cannot be reopened. ``None`` keeps a setting as it is
    (``KEEP`` for ``benefits_per_respondent``, where None means every
    benefit). A new ``benefits_per_respondent`` applies to responses that
    start from then on. On error nothing changes, ``assessment`` included.
    """
    values = {
        "title": title.strip(),
        "status": status,
        "opens_at": opens_at,
        "closes_at": closes_at,
        "threshold": threshold,
        "min_group_size": assessment.min_group_size if min_group_size is None else min_group_size,
        "results": assessment.results if results is None else results,
        "benefits_per_respondent": (
            assessment.benefits_per_respondent if benefits_per_respondent is KEEP else benefits_per_respondent
        ),
        "comments": assessment.comments if comments is None else comments,
        "previous": assessment.previous if previous is UNCHANGED else previous,
    }
    # Validate a copy, so that on error the caller's object keeps its values.
    changed = Assessment.objects.get(pk=assessment.pk)
    # The day it really closed is what pages and e-mails show, never the planned closing date.
    if status == Assessment.Status.CLOSED:
        values["closed_at"] = changed.closed_at if changed.status == Assessment.Status.CLOSED else timezone.now()
    else:
        values["closed_at"] = None
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


@transaction.atomic(durable=True)
def assessment_close(*, assessment: Assessment) -> bool:
    """Close an assessment now: it takes no more answers, and its closing day is today; False if it was closed.

    For results shown after close this is final: the report opens and the
    assessment cannot be reopened (the model's rule).
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.status == Assessment.Status.CLOSED:
        return False
    locked.status, locked.closed_at = Assessment.Status.CLOSED, timezone.now()
    locked.full_clean()
    locked.save(update_fields=["status", "closed_at"])
    assessment.status, assessment.closed_at = locked.status, locked.closed_at
    return True


@transaction.atomic
def assessment_set_previous(*, assessment: Assessment, previous: Assessment | None) -> Assessment:
    """Make ``previous`` the previous round of ``assessment`` (None: no previous round).

    ``ValidationError`` on ``previous`` unless it is an earlier assessment of
    the same organization; on error nothing changes, ``assessment`` included.
    """
    changed = Assessment.objects.get(pk=assessment.pk)
    changed.previous = previous
    changed.full_clean()
    changed.save(update_fields=["previous"])
    assessment.previous = previous
    return assessment


@transaction.atomic
def assessment_set_previous_by_title(*, assessment: Assessment, title: str) -> Assessment:
    """The commands' ``--previous TITLE``: the assessment of the same organization with this exact title.

    ``ValidationError`` on ``previous`` when there is none, or when it is not an earlier one.
    """
    previous = Assessment.objects.filter(organization_id=assessment.organization_id, title=title).first()
    if previous is None:
        raise ValidationError(
            {"previous": f"{assessment.organization} has no assessment “{title}” to be the previous round."}
        )
    return assessment_set_previous(assessment=assessment, previous=previous)


NEXT_ROUND_SUFFIX = " (next round)"


def next_round_title(*, assessment: Assessment) -> str:
    """The title proposed for the round after ``assessment``: “<title> (next round)”, numbered if taken; 1 query."""
    base = f"{assessment.title[: 200 - len(NEXT_ROUND_SUFFIX) - 3]}{NEXT_ROUND_SUFFIX}"
    taken = set(
        Assessment.objects.filter(organization_id=assessment.organization_id, title__startswith=base[:-1]).values_list(
            "title", flat=True
        )
    )
    if base not in taken:
        return base
    n = 2
    while f"{base[:-1]} {n})" in taken:
        n += 1
    return f"{base[:-1]} {n})"


@transaction.atomic
def assessment_start_next_round(*, assessment: Assessment, title: str | None = None) -> Assessment:
    """A new draft assessment whose previous round is ``assessment``, measured alike.

    It copies :attr:`Assessment.round_settings` and the segments; ``title`` defaults to
    :func:`next_round_title`. Same errors as :func:`assessment_create`.
    """
    settings = {name: getattr(assessment, name) for name in Assessment.round_settings}
    created = assessment_create(
        organization=assessment.organization,
        title=next_round_title(assessment=assessment) if title is None else title,
        status=Assessment.Status.DRAFT,
        previous=assessment,
        **settings,
    )
    # Settings kept in tables of their own are copied here: the segments, with their options in order.
    for segment in Segment.objects.filter(assessment=assessment).prefetch_related("options"):
        segment_create(
            assessment=created,
            key=segment.key,
            label=segment.label,
            source=segment.source,
            options=[(o.value, o.label) for o in segment.options.all()],
        )
    # The owners' aims too: the next round is measured against the same targets until they change them.
    MaturityTarget.objects.bulk_create(
        MaturityTarget(assessment=created, concept_id=t.concept_id, scope_id=t.scope_id, level=t.level)
        for t in MaturityTarget.objects.filter(assessment=assessment)
    )
    return created


def assessments_erase(organization: Organization, dry_run: bool) -> dict[str, int]:
    """The organization's assessments and their frozen questions (an eraser for ``organization_erase``)."""
    assessments = Assessment.objects.filter(organization=organization)
    frozen = AssessmentQuestion.objects.filter(assessment__organization=organization)
    counts = {"assessments": assessments.count(), "frozen questions": frozen.count()}
    if not dry_run:
        frozen.delete()
        assessments.delete()
    return counts


def label_from_slug(slug: str) -> str:
    """ "human-resources" -> "Human resources": the label of a segment or option that an import creates."""
    return slug.replace("-", " ").replace("_", " ").capitalize()


def _segment_options(lines: Iterable[str]) -> list[tuple[str, str]]:
    """(value, label) pairs from option labels, one per line; the value is the label's slug."""
    options: list[tuple[str, str]] = []
    seen: set[str] = set()
    for line in lines:
        label = line.strip()
        if not label:
            continue
        value = slugify(label)[:50]
        if not value:
            raise ValidationError({"options": f"“{label}” needs at least one letter or digit."})
        if value in seen:
            raise ValidationError({"options": f"“{label}” is listed twice."})
        seen.add(value)
        options.append((value, label))
    if len(options) < 2:
        raise ValidationError({"options": _("A segment needs at least two options, one per line.")})
    return options


def _refuse_if_frozen(assessment: Assessment) -> None:
    if assessment.questions_frozen_at is not None:
        raise ValidationError(
            _(
                "This assessment has answers, so its segments are fixed: the groups of its report must mean "
                "what they meant when people answered."
            )
        )


@transaction.atomic
def segment_create(
    *, assessment: Assessment, key: str, label: str, source: str, options: Iterable[str | tuple[str, str]]
) -> Segment:
    """A new segment of ``assessment`` with its options in order (labels, or (value, label) pairs).

    Refused once the assessment has answers, beyond five segments, or for a
    duplicate key, an unknown source or fewer than two options.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    _refuse_if_frozen(locked)
    if Segment.objects.filter(assessment=locked).count() >= MAX_SEGMENTS:
        raise ValidationError(_("An assessment has at most %(max)s segments.") % {"max": MAX_SEGMENTS})
    pairs = [o for o in options if isinstance(o, tuple)]
    labels = [o for o in options if not isinstance(o, tuple)]
    option_pairs = pairs if pairs and not labels else _segment_options(labels)
    segment = Segment(
        assessment=locked,
        key=key.strip(),
        label=label.strip(),
        source=source,
        order=Segment.objects.filter(assessment=locked).count(),
    )
    segment.full_clean()
    segment.save()
    for order, (value, option_label) in enumerate(option_pairs):
        option = SegmentOption(segment=segment, value=value, label=option_label, order=order)
        option.full_clean(exclude=["segment"])
        option.save()
    return segment


@transaction.atomic(durable=True)
def segment_delete(*, segment: Segment) -> None:
    """Remove a segment and its options; refused once the assessment has answers."""
    _refuse_if_frozen(Assessment.objects.select_for_update().get(pk=segment.assessment_id))
    segment.delete()


Cell = tuple[str, str]  # (concept slug, scope slug)


# Not durable: the demo seeds targets inside its own transaction.
@transaction.atomic
def maturity_targets_set(*, assessment: Assessment, levels: dict[Cell, int | None]) -> dict[Cell, int]:
    """Set the target level of each named cell (None: no target); cells not named keep theirs.

    All or nothing: an unknown cell or a level outside 1-5 raises
    ``ValidationError`` (its messages name the cell) and changes nothing.
    Returns every target of the assessment afterwards.
    """
    concepts = dict(Concept.objects.values_list("slug", "pk"))
    scopes = dict(Scope.objects.values_list("slug", "pk"))
    errors: list[ValidationError] = []
    rows: list[tuple[Cell, MaturityTarget | None]] = []
    for (concept, scope), level in levels.items():
        if concept not in concepts or scope not in scopes:
            errors.append(
                ValidationError(
                    _("%(concept)s/%(scope)s: no such cell (concepts: %(concepts)s; scopes: %(scopes)s).")
                    % {"concept": concept, "scope": scope, "concepts": ", ".join(concepts), "scopes": ", ".join(scopes)}
                )
            )
            continue
        if level is None:
            rows.append(((concept, scope), None))
            continue
        target = MaturityTarget(
            assessment=assessment, concept_id=concepts[concept], scope_id=scopes[scope], level=level
        )
        try:
            # The unique constraint is the update below, not an error here.
            target.full_clean(validate_unique=False, validate_constraints=False)
            target.validate_constraints(exclude={"assessment", "concept", "scope"})
        except ValidationError as exc:
            errors.extend(ValidationError(f"{concept}/{scope}: {m}") for m in exc.messages)
            continue
        rows.append(((concept, scope), target))
    if errors:
        raise ValidationError(errors)
    for (concept, scope), target in rows:
        cell = MaturityTarget.objects.filter(
            assessment=assessment, concept_id=concepts[concept], scope_id=scopes[scope]
        )
        if target is None:
            cell.delete()
        elif not cell.update(level=target.level):
            target.save()
    saved = MaturityTarget.objects.filter(assessment=assessment).values_list("concept__slug", "scope__slug", "level")
    return {(c, s): level for c, s, level in saved}
