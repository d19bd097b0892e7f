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
per signature, how many respondents there are and, per benefit, how many
rated importance, realization and both: the atoms' counts the rule needs,
whatever figures are then shown. The figures themselves are sums of joint
distributions (``GROUP BY benefit, importance, realization``: at most 36
rows a benefit), of the whole assessment or, for a segment report, of each
of its groups in one pass (:func:`segment_joint`). An answer carries its
response's options in its own columns (``Answer.segment_1`` ...), so none
of these joins anything per answer.

A response's signature for the respondents count is read from
``ResponseSegmentValue`` as the set of its options (``group_concat`` /
``string_agg``), which names the signature since a response holds at most
one option per segment.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_date

from assessments.models import Assessment, Segment
from reports.release import SegmentLayout, Signature
from responses.models import (
    SEGMENT_COLUMNS,
    Answer,
    Invitation,
    InvitationSegmentValue,
    Response,
    ResponseSegmentValue,
)

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
    # The sum of the submitted responses' ids: with ``n``, it names the set of them (see atoms_for).
    id_sum: int = 0
    # Respondents per language they answered in, every offered language present (contract section 17).
    languages: dict[str, int] = field(default_factory=dict)


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
    codes = [code for code, _ in settings.LANGUAGES]
    languages = ", ".join("SUM(CASE WHEN r.answered AND r.language = %s THEN 1 ELSE 0 END)" for _ in codes)
    # Whether a response has an answer is looked up once per response, in the derived table, and
    # then counted for the respondents and for each language alike.
    sql = f"""
        SELECT COUNT(*), COALESCE(SUM(r.id), 0),
               SUM(CASE WHEN r.answered THEN 1 ELSE 0 END),
               MIN(r.submitted_on), MAX(r.submitted_on),
               {languages},
               (SELECT COUNT(*) FROM {INVITATION} WHERE assessment_id = %s AND revoked_at IS NULL),
               (SELECT COUNT(*) FROM {INVITATION} WHERE assessment_id = %s AND revoked_at IS NULL AND submitted = %s),
               {count},
               {middle.format(f"{count} / 2")},
               {middle.format(f"({count} - 1) / 2")}
        FROM (
            SELECT r.id, r.submitted_on, r.language, {answered} AS answered
            FROM {RESPONSE} r WHERE r.assessment_id = %s AND r.submitted_on IS NOT NULL
        ) r
    """
    pk = assessment.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, [*codes, pk, pk, True, pk, pk, pk, pk, pk, pk])
        (
            n,
            id_sum,
            respondents,
            first,
            last,
            *per_language,
            invitations,
            invitations_submitted,
            timed_n,
            upper,
            lower,
        ) = cursor.fetchone()
    return SubmittedFacts(
        n=n,
        id_sum=int(id_sum),
        languages={code: int(count or 0) for code, count in zip(codes, per_language, strict=True)},
        respondents=int(respondents or 0),
        first=_date(first),
        last=_date(last),
        invitations=invitations,
        invitations_submitted=invitations_submitted,
        timed=timed_n,
        median_minutes=None if upper is None else (upper + lower + 1) // 2,
    )


def respondents_annotation():
    """The number of respondents of each assessment of a queryset, as an annotation (the same definition)."""
    from django.db.models import Count, Exists, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    respondents = (
        Response.objects.filter(assessment=OuterRef("pk"), submitted_on__isnull=False)
        .filter(Exists(Answer.objects.filter(response=OuterRef("pk"))))
        .order_by()
        .values("assessment")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(respondents), 0)


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
# Per signature, one benefit's raters: of importance, of realization, of both.
RaterCounts = tuple[int, int, int]


@dataclass
class AtomTallies:
    """One assessment's respondents and raters per signature, and its whole joint distribution."""

    assessment_id: int
    segments: tuple[int, ...]  # segment ids, in segment order (creation)
    layout: tuple[SegmentLayout, ...]
    respondents: dict[Signature, int] = field(default_factory=dict)
    raters: dict[int, dict[Signature, RaterCounts]] = field(default_factory=lambda: defaultdict(dict))
    whole: list[JointRow] = field(default_factory=list)
    has_whole: bool = True  # False when read for a segment report, which needs its groups' instead
    # What is derived from these tallies alone (the release decisions per k, a segment's joint
    # distributions), kept with them so that tallies kept by atoms_for are not worked out again.
    memo: dict = field(default_factory=dict, repr=False, compare=False)


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


def _where_assessments(ids: list[int]) -> str:
    return "a.assessment_id = %s" if len(ids) == 1 else f"a.assessment_id IN ({_placeholders(ids)})"


def _whole_sql(ids: list[int]) -> str:
    return (
        f"SELECT a.assessment_id, a.benefit_id, a.importance, a.realization, COUNT(*) FROM {ANSWER} a "
        f"WHERE {_where_assessments(ids)} AND a.submitted = %s "
        "GROUP BY a.assessment_id, a.benefit_id, a.importance, a.realization"
    )


def atom_tallies(*, segments: dict[int, list[tuple[int, list[int]]]], whole: bool = True) -> dict[int, AtomTallies]:
    """Per assessment (the keys of ``segments``), its :class:`AtomTallies`; 3 queries for them all.

    - respondents per signature, from each response's segment values;
    - raters per benefit and signature: ``GROUP BY benefit, segment_1 .. segment_5``
      over the answers, whose segment columns hold the response's options, read
      in order from ``answer_raters_idx`` (only for assessments with segments);
    - unless ``whole`` is false (a segment report needs its groups' instead), the
      whole assessment's joint distribution, ``GROUP BY benefit, importance,
      realization``, one range of ``answer_report_idx`` in group order.
    """
    ids = list(segments)
    option_place: dict[int, int] = {}  # option id -> its segment's number in its assessment
    result: dict[int, AtomTallies] = {}
    for assessment_id, its in segments.items():
        layout = []
        for s, (_, options) in enumerate(its):
            layout.append(SegmentLayout(values=(*options, None)))
            for o in options:
                option_place[o] = s
        result[assessment_id] = AtomTallies(
            assessment_id=assessment_id,
            segments=tuple(i for i, _ in its),
            layout=tuple(layout),
            has_whole=whole or not its,
        )
    segment_ids = [i for its in segments.values() for i, _ in its]
    decoded: dict[tuple[int, object], Signature] = {}

    def signature(assessment_id: int, key) -> Signature:
        found = decoded.get((assessment_id, key))
        if found is None:
            values: list = [None] * len(segments[assessment_id])
            for part in str(key).split(",") if key is not None else ():
                values[option_place[int(part)]] = int(part)
            found = decoded[(assessment_id, key)] = tuple(values)
        return found

    if segment_ids:
        sig, join = "s.sig", f"LEFT JOIN ({_signature_sql(segment_ids)}) s ON s.response_id = r.id"
    else:
        sig, join = "NULL", ""
    # PostgreSQL refuses a constant in GROUP BY: without segments, group by the assessment alone.
    group_by = f"r.assessment_id, {sig}" if segment_ids else "r.assessment_id"
    respondents_sql = (
        f"SELECT r.assessment_id, {sig}, COUNT(*) FROM {RESPONSE} r {join} "
        f"WHERE r.assessment_id IN ({_placeholders(ids)}) AND {RESPONDENT} GROUP BY {group_by}"
    )
    # ``submitted = %s``, not the ORM's bare ``AND "submitted"``: with both of the
    # index's first columns an equality, SQLite walks ``answer_report_idx`` in order.
    columns = ", ".join(f"a.{c}" for c in SEGMENT_COLUMNS)
    # Raters per signature from their own index, for the assessments with segments; for one
    # without, every respondent has the same signature and the whole distribution says it all.
    segmented = [i for i in ids if segments[i]]
    raters_sql = (
        f"SELECT a.assessment_id, a.benefit_id, {columns}, COUNT(a.importance), COUNT(a.realization), "
        f"COUNT(a.importance + a.realization) FROM {ANSWER} a WHERE {_where_assessments(segmented)} "
        f"AND a.submitted = %s GROUP BY a.assessment_id, a.benefit_id, {columns}"
    )
    plain = [i for i in ids if not segments[i] or whole]
    whole_sql = _whole_sql(plain)
    with connection.cursor() as cursor:
        cursor.execute(respondents_sql, [*(segment_ids if segment_ids else []), *ids])
        for assessment_id, key, n in cursor.fetchall():
            result[assessment_id].respondents[signature(assessment_id, key)] = n
        if segmented:
            cursor.execute(raters_sql, [*segmented, True])
            for assessment_id, benefit_id, *rest in cursor.fetchall():
                tallies = result[assessment_id]
                n_segments = len(tallies.layout)
                options, (importance, realization, both) = rest[:n_segments], rest[-3:]
                tallies.raters[benefit_id][tuple(options)] = (importance, realization, both)
        if plain:
            cursor.execute(whole_sql, [*plain, True])
            for assessment_id, benefit_id, importance, realization, n in cursor.fetchall():
                tallies = result[assessment_id]
                tallies.whole.append((benefit_id, importance, realization, n))
                if not segments[assessment_id]:
                    i, r, b = tallies.raters[benefit_id].get((), (0, 0, 0))
                    rated_i, rated_r = importance is not None, realization is not None
                    tallies.raters[benefit_id][()] = (i + rated_i * n, r + rated_r * n, b + (rated_i and rated_r) * n)
    return result


# Kept tallies: a few assessments' worth (each a few MB at 10,000 respondents), per process.
ATOMS_KEPT = 16
_atoms: OrderedDict[tuple, AtomTallies] = OrderedDict()
_atoms_lock = threading.Lock()


def atoms_for(*, assessment: Assessment, facts: SubmittedFacts, whole: bool = True) -> AtomTallies:
    """``assessment``'s :class:`AtomTallies` (as :func:`atom_tallies` reads them), kept while they cannot change.

    A submitted response never changes: its answers and its options are
    fixed when it is submitted, and it can only be deleted (erasure). So the
    set of submitted responses, named by their number and the sum of their
    ids (ids are never reused), and the segments with their options
    determine the tallies exactly; while those are the same, the tallies
    read before are the ones the queries would return, and they are used
    again. Any submission, import or deletion changes the key.

    1 query (the segments) when kept; 1 more when the whole distribution is
    asked of tallies a segment report read without it; else those of
    :func:`atom_tallies`.
    """
    segments = segments_of([assessment.pk])
    its = segments[assessment.pk]
    key = (assessment.pk, facts.n, facts.id_sum, tuple((s, tuple(options)) for s, options in its))
    with _atoms_lock:
        kept = _atoms.get(key)
        if kept is not None:
            _atoms.move_to_end(key)
    if kept is not None:
        if whole and not kept.has_whole:
            with connection.cursor() as cursor:
                cursor.execute(_whole_sql([assessment.pk]), [assessment.pk, True])
                kept.whole = [tuple(row[1:]) for row in cursor.fetchall()]
            kept.has_whole = True
        return kept
    tallies = atom_tallies(segments=segments, whole=whole)[assessment.pk]
    with _atoms_lock:
        _atoms[key] = tallies
        while len(_atoms) > ATOMS_KEPT:
            _atoms.popitem(last=False)
    return tallies


def atoms_forget() -> None:
    """Drop every kept tally (tests, whose rolled-back databases reuse ids)."""
    with _atoms_lock:
        _atoms.clear()


def segment_joint(*, atoms: AtomTallies, segment: int, options: list[int]) -> dict[int | None, list[JointRow]]:
    """Per option of segment number ``segment`` (None: "Not stated"), its joint distribution; 1 query.

    One pass for every group together: a ``COUNT(*) FILTER`` column per option
    on the answer's segment column, over the same range of ``answer_report_idx``
    as the whole report, which holds the column too. "Not stated" is what the
    options leave of the total.
    """
    memo_key = ("segment", segment, tuple(options))
    if memo_key in atoms.memo:
        return atoms.memo[memo_key]
    column = SEGMENT_COLUMNS[segment]
    counts = "".join(f", COUNT(*) FILTER (WHERE a.{column} = %s)" for _ in options)
    sql = (
        f"SELECT a.benefit_id, a.importance, a.realization, COUNT(*){counts} FROM {ANSWER} a "
        "WHERE a.assessment_id = %s AND a.submitted = %s GROUP BY a.benefit_id, a.importance, a.realization"
    )
    rows: dict[int | None, list[JointRow]] = {o: [] for o in [*options, None]}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*options, atoms.assessment_id, True])
        for benefit_id, importance, realization, total, *each in cursor.fetchall():
            each = [int(c or 0) for c in each]
            for option, n in zip([*options, None], [*each, total - sum(each)], strict=True):
                if n:
                    rows[option].append((benefit_id, importance, realization, n))
    atoms.memo[memo_key] = rows
    return rows


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
