"""The gap report of one segment's groups (contract section 7), and the release rules that protect them.

A group is a segment's option, or "Not stated". Its figures are those of
sections 4 and 5 over its own responses, from one aggregate pass over the
answers for every group at once (``GROUP BY option, benefit, importance,
realization``), so the cost does not grow with the number of groups.

Release rules
-------------
A group below the minimum group size k shows nothing, not even its count.
That alone is not enough: with every other group's count and the whole
assessment's, the hidden one follows by subtraction, and with it its
answers. So while the hidden groups hold between 1 and k - 1 respondents in
all, the smallest shown group is hidden too (on a tie, the later one),
until the hidden groups hold none or at least k together.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection

from assessments.models import Assessment, Segment
from assessments.selectors import assessment_maturity_targets, assessment_questionnaire
from reports.maturity import Maturity, figures_maturity
from reports.selectors import (
    Figures,
    Tally,
    figures_from_tallies,
    submitted_facts,
    suppression_reason,
    tally_add,
)
from responses.models import Answer, Invitation, InvitationSegmentValue, Response, ResponseSegmentValue

NOT_STATED = "Not stated"


def suppressed_groups(sizes: list[int], k: int) -> list[bool]:
    """Which groups (in report order) must be hidden, by rules 1 and 2 of section 7."""
    hidden = [n < k for n in sizes]
    while True:
        total = sum(n for n, h in zip(sizes, hidden, strict=True) if h)
        shown = [i for i, h in enumerate(hidden) if not h]
        if not 0 < total < k or not shown:
            return hidden
        # The fewest respondents; on a tie the later group, so the order of the options decides nothing else.
        hidden[min(shown, key=lambda i: (sizes[i], -i))] = True


@dataclass(frozen=True)
class Group:
    value: str | None  # the option's slug; None for "Not stated"
    label: str
    suppressed: bool
    respondents: int | None  # None when suppressed
    invited: int | None  # unrevoked invitations of the group (invitation segments, shown groups of k or more)
    invitations_submitted: int | None
    figures: Figures | None  # None when suppressed
    # Section 14 over the group's released benefits, with the assessment's targets; None when suppressed.
    maturity: Maturity | None = None

    @property
    def response_rate(self) -> float | None:
        if self.invited is None or self.invitations_submitted is None:
            return None
        return self.invitations_submitted / self.invited

    def to_dict(self) -> dict:
        f = self.figures
        return {
            "value": self.value,
            "label": self.label,
            "suppressed": self.suppressed,
            "respondents": self.respondents,
            "invited": self.invited,
            "response_rate": self.response_rate,
            "benefits": [b.to_dict() for b in f.benefits] if f else [],
            "cells": [c.to_dict() for c in f.cells] if f else [],
            "overall": None
            if f is None
            else {
                "importance": f.overall.importance,
                "realization": f.overall.realization,
                "gap": f.overall.gap,
                "under_realized": f.overall.under_realized,
                "benefits": f.overall.benefits,
            },
            "maturity": None if self.maturity is None else self.maturity.to_dict(),
        }


@dataclass(frozen=True)
class SegmentReport:
    organization: str
    assessment: str
    min_group_size: int
    key: str
    label: str
    source: str
    reason: str | None  # the whole assessment's suppression, which hides every group
    groups: tuple[Group, ...]

    @property
    def shown(self) -> list[Group]:
        return [g for g in self.groups if not g.suppressed]

    def to_json_dict(self) -> dict:
        return {
            "organization": self.organization,
            "assessment": self.assessment,
            "min_group_size": self.min_group_size,
            "suppressed": self.reason is not None,
            "reason": self.reason,
            "segment": {"key": self.key, "label": self.label},
            "groups": [g.to_dict() for g in self.groups],
        }


def _group_sizes(assessment: Assessment, segment: Segment) -> dict[int | None, int]:
    """Submitted respondents with at least one answer, per option id (None: not stated); one query."""
    response, answer, value = (m._meta.db_table for m in (Response, Answer, ResponseSegmentValue))
    sql = f"""
        SELECT v.option_id, COUNT(*)
        FROM {response} r
        LEFT JOIN {value} v ON v.response_id = r.id AND v.segment_id = %s
        WHERE r.assessment_id = %s AND r.submitted_on IS NOT NULL
          AND EXISTS (SELECT 1 FROM {answer} a WHERE a.response_id = r.id)
        GROUP BY v.option_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [segment.pk, assessment.pk])
        return dict(cursor.fetchall())


def _invited(assessment: Assessment, segment: Segment) -> dict[int | None, tuple[int, int]]:
    """Unrevoked invitations and, of those, the submitted ones, per option id; one query."""
    invitation, value = Invitation._meta.db_table, InvitationSegmentValue._meta.db_table
    sql = f"""
        SELECT v.option_id, COUNT(*), SUM(CASE WHEN i.submitted THEN 1 ELSE 0 END)
        FROM {invitation} i
        LEFT JOIN {value} v ON v.invitation_id = i.id AND v.segment_id = %s
        WHERE i.assessment_id = %s AND i.revoked_at IS NULL
        GROUP BY v.option_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [segment.pk, assessment.pk])
        return {option: (int(n), int(done or 0)) for option, n, done in cursor.fetchall()}


def _group_tallies(
    assessment: Assessment, segment: Segment, options: list[int | None], wanted: set[int | None]
) -> dict[int | None, dict]:
    """Per option id, the tallies of its submitted answers: one aggregate pass for every group together.

    The counts of each group are columns (one ``COUNT`` per option), so the
    query groups by ``benefit, importance, realization`` only: the order in
    which ``answer_report_idx`` already holds the rows, with the response at
    its end for the join, which ``responsesegment_response_idx`` answers from
    the index alone. No sort, whatever the number of groups; "Not stated" is
    what the options leave of the total. ``COUNT(*) FILTER`` (SQL:2003, in
    SQLite and PostgreSQL) rather than ``SUM(CASE ...)``: every answer row
    passes through every column, and on SQLite the filters cost less than half
    of what the ``CASE`` expressions do.
    """
    answer, value = Answer._meta.db_table, ResponseSegmentValue._meta.db_table
    stated = [o for o in options if o is not None]
    columns = "".join(", COUNT(*) FILTER (WHERE v.option_id = %s)" for _ in stated)
    sql = f"""
        SELECT a.benefit_id, a.importance, a.realization, COUNT(*){columns}
        FROM {answer} a
        LEFT JOIN {value} v ON v.response_id = a.response_id AND v.segment_id = %s
        WHERE a.assessment_id = %s AND a.submitted = %s
        GROUP BY a.benefit_id, a.importance, a.realization
    """
    tallies: dict[int | None, dict[int, Tally]] = {option: {} for option in wanted}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*stated, segment.pk, assessment.pk, True])
        for benefit_id, importance, realization, total, *counts in cursor.fetchall():
            counts = [int(c or 0) for c in counts]
            for option, count in zip([*stated, None], [*counts, total - sum(counts)], strict=True):
                if count and option in tallies:
                    tally_add(tallies[option], benefit_id, importance, realization, count)
    return tallies


def segment_for_key(*, assessment: Assessment, key: str) -> Segment | None:
    """The assessment's segment with this key, its options prefetched in order; 2 queries."""
    return Segment.objects.filter(assessment=assessment, key=key).prefetch_related("options").first()


def segment_report(*, assessment: Assessment, segment: Segment) -> SegmentReport:
    """The report of ``segment``'s groups, with section 7's release rules; a fixed number of queries."""
    k = assessment.min_group_size
    facts = submitted_facts(assessment=assessment)
    reason = suppression_reason(assessment=assessment, respondents=facts.respondents)
    options = [(o.pk, o.value, o.label) for o in segment.options.all()] + [(None, None, NOT_STATED)]
    sizes = _group_sizes(assessment, segment) if reason is None else {}
    counts = [sizes.get(pk, 0) for pk, _, _ in options]
    hidden = [True] * len(options) if reason is not None else suppressed_groups(counts, k)
    shown = {pk for (pk, _, _), h in zip(options, hidden, strict=True) if not h}
    invited = _invited(assessment, segment) if shown and segment.source == Segment.Source.INVITATION else {}
    figures: dict[int | None, Figures] = {}
    targets: dict[tuple[str, str], int] = {}
    if shown:
        targets = assessment_maturity_targets(assessment=assessment)
        questionnaire = assessment_questionnaire(assessment=assessment)
        threshold = float(assessment.threshold)
        for pk, tallies in _group_tallies(assessment, segment, [pk for pk, _, _ in options], shown).items():
            figures[pk] = figures_from_tallies(questionnaire, tallies, threshold)
    groups = []
    for (pk, value, label), n, h in zip(options, counts, hidden, strict=True):
        sent, done = invited.get(pk, (0, 0))
        rate_shown = not h and segment.source == Segment.Source.INVITATION and sent >= k
        groups.append(
            Group(
                value=value,
                label=label,
                suppressed=h,
                respondents=None if h else n,
                invited=sent if rate_shown else None,
                invitations_submitted=done if rate_shown else None,
                figures=None if h else figures[pk],
                maturity=None if h else figures_maturity(figures[pk], targets=targets),
            )
        )
    return SegmentReport(
        organization=assessment.organization.name,
        assessment=assessment.title,
        min_group_size=k,
        key=segment.key,
        label=segment.label,
        source=segment.source,
        reason=reason,
        groups=tuple(groups),
    )
