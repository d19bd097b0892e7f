"""Answers imported from a CSV (``import_responses``, contract section 3).

The whole file is checked before this runs; here it is written in bulk, in
one transaction, so an import saves everything it was given or nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from assessments.models import Assessment, Segment, SegmentOption
from assessments.selectors import assessment_segments, segment_option_ids
from assessments.services import (
    assessment_freeze_questions,
    assessment_get_or_create,
    assessment_set_previous_by_title,
    label_from_slug,
    segment_create,
)
from organizations.services import organization_get_or_create
from responses.models import (
    SEGMENT_COLUMNS,
    Answer,
    Comment,
    Response,
    ResponseSegmentValue,
)
from responses.respond.redaction import organization_member_names, redact
from responses.respond.services import Rating, comment_length_check, segment_columns
from taxonomy.scales import Dimension

# Imported answers are inserted this many at a time (one executemany each).
IMPORT_CHUNK = 20_000


def _insert_many(model, columns: list[str], rows: list) -> None:
    """One ``executemany`` INSERT of ``rows`` (tuples in ``columns`` order).

    Imports run to hundreds of thousands of answers: building a model
    instance per row, and Django splitting a bulk INSERT into batches of
    ~160 rows on SQLite, would cost more than the writes themselves. One
    ``executemany`` is also one query, whatever the number of rows.
    """
    if not rows:
        return
    opts = model._meta
    qn = connection.ops.quote_name
    names = ", ".join(qn(opts.get_field(c).column) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {qn(opts.db_table)} ({names}) VALUES ({placeholders})", rows)


@transaction.atomic
def responses_import(
    *,
    assessment: Assessment,
    ratings_by_respondent: Mapping[str, Iterable[Rating]],
    submitted: bool = True,
    segment_options: Mapping[str, Iterable[int]] | None = None,
    comments: Mapping[str, Mapping[str, str]] | None = None,
) -> int:
    """Create one response per respondent with its ratings, in bulk; all or nothing.

    Imported responses count as submitted. One INSERT for the responses and
    one per ``IMPORT_CHUNK`` answers, so an import of millions of rows never
    holds them all at once. Returns the number of ratings saved. The caller
    has already checked that no respondent is in the assessment; the unique
    constraint backs that up. ``comments`` ({respondent: {section: text}}) are
    redacted here, with the organization's members' names; an empty text is
    no comment. A closed assessment takes no import: its report may already
    have been read, and new answers would change it.
    """
    if assessment.status == Assessment.Status.CLOSED or assessment.final:
        raise ValidationError(
            f"{assessment} is closed, so it takes no more answers: import into a new assessment instead."
        )
    if assessment.questions_frozen_at is None:
        assessment_freeze_questions(assessment=assessment)
    if not ratings_by_respondent:
        return 0
    # An imported response is submitted on the day of the import and has no times of its own;
    # ``submitted=False`` (demo data, tests) makes drafts that no invitation or member leads to.
    now = timezone.now()
    today = connection.ops.adapt_datefield_value(timezone.localdate(now)) if submitted else None
    started = None if submitted else connection.ops.adapt_datetimefield_value(now)
    # A file says nothing of the language its respondents answered in: they count as the site's default.
    language = settings.LANGUAGE_CODE
    _insert_many(
        Response,
        ["assessment", "respondent", "submitted_on", "started_at", "updated_at", "current_section", "language"],
        [(assessment.pk, respondent, today, started, started, 0, language) for respondent in ratings_by_respondent],
    )
    ids = dict(Response.objects.filter(assessment=assessment).values_list("respondent", "pk"))
    if segment_options:
        # {respondent: option ids}: each option's segment comes from the option.
        segment_of = dict(SegmentOption.objects.filter(segment__assessment=assessment).values_list("pk", "segment_id"))
        _insert_many(
            ResponseSegmentValue,
            ["response", "segment", "option"],
            [
                (ids[respondent], segment_of[option_id], option_id)
                for respondent, option_ids in segment_options.items()
                for option_id in option_ids
            ],
        )
    if comments:
        names = organization_member_names(organization_id=assessment.organization_id)
        rows = []
        for respondent, boxes in comments.items():
            for section, text in boxes.items():
                comment_length_check(text)
                redacted = redact(text, names).strip()
                if redacted:
                    rows.append((ids[respondent], section, redacted, ""))
        _insert_many(Comment, ["response", "section", "text", "hidden_reason"], rows)
    answers: list[list] = []
    count = 0
    columns = [
        "response",
        "benefit",
        "importance",
        "realization",
        "importance_answered",
        "realization_answered",
        "assessment",
        "submitted",
        *SEGMENT_COLUMNS,
    ]
    # Each respondent's segment options, in the answer columns' order (see Answer).
    options_of: dict[str, list] = {}
    if segment_options and submitted:
        column = segment_columns(assessment_id=assessment.pk)
        for respondent, option_ids in segment_options.items():
            values = [None] * len(SEGMENT_COLUMNS)
            for option_id in option_ids:
                values[column[segment_of[option_id]]] = option_id
            options_of[respondent] = values
    no_options = [None] * len(SEGMENT_COLUMNS)
    importance = Dimension.IMPORTANCE.value
    for respondent, ratings in ratings_by_respondent.items():
        response_id = ids[respondent]
        options = options_of.get(respondent, no_options)
        # benefit id -> [response, benefit, importance, realization, importance_answered, realization_answered,
        #                assessment, submitted]
        rows: dict[int, list] = {}
        for rating in ratings:
            row = rows.get(rating.benefit_id)
            if row is None:
                row = rows[rating.benefit_id] = [
                    response_id,
                    rating.benefit_id,
                    None,
                    None,
                    False,
                    False,
                    assessment.pk,
                    submitted,
                    *options,
                ]
            if rating.dimension == importance:
                row[2], row[4] = rating.value, True
            else:
                row[3], row[5] = rating.value, True
            count += 1
        answers.extend(rows.values())
        if len(answers) >= IMPORT_CHUNK:
            _insert_many(Answer, columns, answers)
            answers = []
    _insert_many(Answer, columns, answers)
    return count


@transaction.atomic(durable=True)
def responses_import_by_name(
    *,
    organization: str,
    assessment: str,
    ratings_by_respondent: Mapping[str, Iterable[Rating]],
    keep_open: bool = False,
    segment_values: Mapping[str, Mapping[str, str]] | None = None,
    new_segments: Mapping[str, list[str]] | None = None,
    previous: str | None = None,
    comments: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[Assessment, int]:
    """``import_responses``: create the organization and assessment when missing, then import; all or nothing.

    An assessment created here is closed, since its answers were collected
    elsewhere, unless ``keep_open``. ``new_segments`` ({key: option values})
    become ``invitation`` segments labelled from their slugs;
    ``segment_values`` ({respondent: {key: value}}) put each respondent in its groups.
    ``previous`` names its previous round (``ValidationError`` on ``previous``
    unless an earlier assessment of the organization).
    """
    org, _ = organization_get_or_create(name=organization)
    target, created = assessment_get_or_create(organization=org, title=assessment)
    if previous is not None:
        assessment_set_previous_by_title(assessment=target, title=previous)
    for key, values in (new_segments or {}).items():
        segment_create(
            assessment=target,
            key=key,
            label=label_from_slug(key),
            source=Segment.Source.INVITATION,
            options=[(value, label_from_slug(value)) for value in values],
        )
    options: dict[str, list[int]] = {}
    if segment_values:
        segments = assessment_segments(assessment=target)
        for respondent, chosen in segment_values.items():
            options[respondent] = list(segment_option_ids(segments, dict(chosen)).values())
    count = responses_import(
        assessment=target, ratings_by_respondent=ratings_by_respondent, segment_options=options, comments=comments
    )
    if created and not keep_open:
        Assessment.objects.filter(pk=target.pk).update(status=Assessment.Status.CLOSED)
        target.status = Assessment.Status.CLOSED
    return target, count
