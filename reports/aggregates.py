"""Every query of the reports that reads answers or counts respondents: one definition of "respondent".

A *respondent* of an assessment is a submitted response with at least one
answer (a "Don't know" counts). Nothing else in ``reports`` reads the
answers table: the release rule (``reports.release``) has to see every
figure before it is published, and that is easiest to keep true when the
figures come from one place.

Tallies per signature
---------------------
The release rule works on *signatures*: a respondent's option (or "Not
stated") in each of the assessment's segments. :func:`atom_tallies` reads,
per signature, how many respondents there are and the joint distribution
of each benefit's two ratings (``GROUP BY signature, benefit, importance,
realization``: at most 36 rows per benefit and signature, whatever the
number of respondents). Every group's figures, the whole assessment's
included, are sums of these, so the whole report and each segment report
come from the same two queries.

A response's signature is read from ``ResponseSegmentValue`` as the set of
its options (``group_concat`` / ``string_agg``), which names the signature
since a response holds at most one option per segment.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.utils.dateparse import parse_date

from assessments.models import Assessment, Segment
from reports.release import SegmentLayout, Signature
from responses.models import Answer, Invitation, InvitationSegmentValue, Response, ResponseSegmentValue

RESPONSE, ANSWER, INVITATION = Response._meta.db_table, Answer._meta.db_table, Invitation._meta.db_table
SEGMENT_VALUE, INVITATION_VALUE = ResponseSegmentValue._meta.db_table, InvitationSegmentValue._meta.db_table

# The one definition of a respondent, for a response aliased ``r``.
RESPONDENT = f"r.submitted_on IS NOT NULL AND EXISTS (SELECT 1 FROM {ANSWER} a0 WHERE a0.response_id = r.id)"


def _placeholders(values: list) -> str:
    return ", ".join(["%s"] * len(values))


def _date(value) -> date | None:
    """SQLite hands back a stored date as text."""
    if value is None or isinstance(value, date):
        return value
    return parse_date(value)


@dataclass(frozen=True)
class SubmittedFacts:
    """What the report needs to know about an assessment's submitted responses and its invitations."""

    n: int  # how many
    respondents: int  # of those, with at least one answer
    first: date | None
    last: date | None
    invitations: int  # unrevoked invitations of the assessment
    invitations_submitted: int  # of those, how many were used to submit
    timed: int = 0  # submitted responses with a duration (web responses; imports have none)
    median_minutes: int | None = None  # the median of those durations, halves rounded up


def submitted_facts(*, assessment: Assessment) -> SubmittedFacts:
    """One query: :class:`SubmittedFacts` of ``assessment``."""
    answered = f"EXISTS (SELECT 1 FROM {ANSWER} a WHERE a.response_id = r.id)"
    # The median duration in the same query: the two middle values of the sorted
    # durations (one and the same when their number is odd), by LIMIT/OFFSET,
    # which SQLite and PostgreSQL both accept as a subquery.
    timed = f"FROM {RESPONSE} WHERE assessment_id = %s AND submitted_on IS NOT NULL AND duration_minutes IS NOT NULL"
    count = f"(SELECT COUNT(*) {timed})"
    # Offsets c / 2 and (c - 1) / 2: never negative (PostgreSQL refuses that), as both truncate -1 / 2 to 0.
    middle = f"(SELECT duration_minutes {timed} ORDER BY duration_minutes LIMIT 1 OFFSET {{}})"
    sql = f"""
        SELECT COUNT(*),
               SUM(CASE WHEN {answered} THEN 1 ELSE 0 END),
               MIN(r.submitted_on), MAX(r.submitted_on),
               (SELECT COUNT(*) FROM {INVITATION} WHERE assessment_id = %s AND revoked_at IS NULL),
               (SELECT COUNT(*) FROM {INVITATION} WHERE assessment_id = %s AND revoked_at IS NULL AND submitted = %s),
               {count},
               {middle.format(f"{count} / 2")},
               {middle.format(f"({count} - 1) / 2")}
        FROM {RESPONSE} r
        WHERE r.assessment_id = %s AND r.submitted_on IS NOT NULL
    """
    pk = assessment.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, pk, True, pk, pk, pk, pk, pk, pk])
        n, respondents, first, last, invitations, invitations_submitted, timed_n, upper, lower = cursor.fetchone()
    return SubmittedFacts(
        n=n,
        respondents=int(respondents or 0),
        first=_date(first),
        last=_date(last),
        invitations=invitations,
        invitations_submitted=invitations_submitted,
        timed=timed_n,
        median_minutes=None if upper is None else (upper + lower + 1) // 2,
    )


def respondents_of(ids: list[int]) -> dict[int, int]:
    """Per assessment, its respondents; 1 query."""
    sql = (
        f"SELECT r.assessment_id, COUNT(*) FROM {RESPONSE} r WHERE r.assessment_id IN ({_placeholders(ids)}) "
        f"AND {RESPONDENT} GROUP BY r.assessment_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        return dict(cursor.fetchall())


# One row of a joint distribution: benefit, importance, realization (None: "Don't know"), how many.
JointRow = tuple[int, int | None, int | None, int]


@dataclass
class AtomTallies:
    """One assessment's respondents and answers per signature (see the module docstring)."""

    segments: tuple[int, ...]  # segment ids, in segment order (creation)
    layout: tuple[SegmentLayout, ...]
    respondents: dict[Signature, int] = field(default_factory=dict)
    answers: dict[Signature, list[JointRow]] = field(default_factory=lambda: defaultdict(list))


def segments_of(ids: list[int]) -> dict[int, list[tuple[int, list[int]]]]:
    """Per assessment, its segments in the rule's order (creation): (segment id, its option ids in order); 1 query."""
    segments: dict[int, list[tuple[int, list[int]]]] = {i: [] for i in ids}
    rows = (
        Segment.objects.filter(assessment_id__in=ids)
        .order_by("pk", "options__order", "options__pk")
        .values_list("assessment_id", "pk", "options__pk")
    )
    for assessment_id, segment_id, option_id in rows:
        its = segments[assessment_id]
        if not its or its[-1][0] != segment_id:
            its.append((segment_id, []))
        if option_id is not None:
            its[-1][1].append(option_id)
    return segments


def _signature_sql(segment_ids: list[int]) -> str:
    """Each response's options, as one text key per response (a set of option ids, in any order)."""
    key = "group_concat(v.option_id)" if connection.vendor == "sqlite" else "string_agg(v.option_id::text, ',')"
    return (
        f"SELECT v.response_id AS response_id, {key} AS sig FROM {SEGMENT_VALUE} v "
        f"WHERE v.segment_id IN ({_placeholders(segment_ids)}) GROUP BY v.response_id"
    )


def atom_tallies(*, segments: dict[int, list[tuple[int, list[int]]]]) -> dict[int, AtomTallies]:
    """Per assessment (the keys of ``segments``), its :class:`AtomTallies`; 2 queries for them all."""
    ids = list(segments)
    option_place: dict[int, tuple[int, int]] = {}  # option id -> (assessment, segment number)
    result: dict[int, AtomTallies] = {}
    for assessment_id, its in segments.items():
        layout = []
        for s, (_, options) in enumerate(its):
            layout.append(SegmentLayout(values=(*options, None)))
            for o in options:
                option_place[o] = (assessment_id, s)
        result[assessment_id] = AtomTallies(segments=tuple(i for i, _ in its), layout=tuple(layout))
    segment_ids = [i for its in segments.values() for i, _ in its]
    decoded: dict[tuple[int, object], Signature] = {}

    def signature(assessment_id: int, key) -> Signature:
        found = decoded.get((assessment_id, key))
        if found is None:
            values: list = [None] * len(segments[assessment_id])
            for part in str(key).split(",") if key is not None else ():
                _, s = option_place[int(part)]
                values[s] = int(part)
            found = decoded[(assessment_id, key)] = tuple(values)
        return found

    if segment_ids:
        join = f"LEFT JOIN ({_signature_sql(segment_ids)}) s ON s.response_id = {{}}"
        sig, params = "s.sig", segment_ids
    else:
        join, sig, params = "{}", "NULL", []
    respondents_sql = (
        f"SELECT r.assessment_id, {sig}, COUNT(*) FROM {RESPONSE} r {join.format('r.id') if segment_ids else ''} "
        f"WHERE r.assessment_id IN ({_placeholders(ids)}) AND {RESPONDENT} GROUP BY r.assessment_id, {sig}"
    )
    # ``submitted = %s``, not the ORM's bare ``AND "submitted"``: with both of the
    # index's first columns an equality, SQLite walks ``answer_report_idx`` in order.
    where = "a.assessment_id = %s" if len(ids) == 1 else f"a.assessment_id IN ({_placeholders(ids)})"
    answers_sql = (
        f"SELECT a.assessment_id, a.benefit_id, a.importance, a.realization, {sig}, COUNT(*) FROM {ANSWER} a "
        f"{join.format('a.response_id') if segment_ids else ''} WHERE {where} AND a.submitted = %s "
        f"GROUP BY a.assessment_id, a.benefit_id, a.importance, a.realization, {sig}"
    )
    with connection.cursor() as cursor:
        cursor.execute(respondents_sql, [*params, *ids])
        for assessment_id, key, n in cursor.fetchall():
            result[assessment_id].respondents[signature(assessment_id, key)] = n
        cursor.execute(answers_sql, [*params, *ids, True])
        for assessment_id, benefit_id, importance, realization, key, n in cursor.fetchall():
            rows = result[assessment_id].answers[signature(assessment_id, key)]
            rows.append((benefit_id, importance, realization, n))
    return result


def invited_per_option(*, assessment: Assessment, segment: Segment) -> dict[int | None, tuple[int, int]]:
    """Unrevoked invitations and, of those, the submitted ones, per option id of ``segment``; one query."""
    sql = f"""
        SELECT v.option_id, COUNT(*), SUM(CASE WHEN i.submitted THEN 1 ELSE 0 END)
        FROM {INVITATION} i
        LEFT JOIN {INVITATION_VALUE} v ON v.invitation_id = i.id AND v.segment_id = %s
        WHERE i.assessment_id = %s AND i.revoked_at IS NULL
        GROUP BY v.option_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [segment.pk, assessment.pk])
        return {option: (int(n), int(done or 0)) for option, n, done in cursor.fetchall()}
