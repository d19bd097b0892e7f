"""The gap report of one assessment (contract sections 4 and 5).

Cost
----
Every statistic comes from one aggregate query over the assessment's
submitted answers: ``GROUP BY benefit, importance, realization`` with a
``COUNT(*)``. Ratings are integers 1 to 5 or NULL, so that is at most 36 rows
per benefit node (6 x 6), whatever the number of respondents, and it holds the
whole joint distribution of the two ratings. From it Python derives, exactly
(in integers until the final division):

- per dimension: n, sum, sum of squares (so mean, sample sd, rwg) and the
  answer histogram shown for contested benefits;
- paired per-respondent differences (importance - realization where both are
  rated): n, sum and sum of squares of the differences (contract section 5),
  with no self-join, because an ``Answer`` row carries both ratings.

The report therefore costs one pass over the answers table, like the
cheapest possible per-question ``COUNT``/``AVG`` (see ``bench/report_bench.py``).
The number of queries is fixed: the questionnaire (4), the facts about the
submitted responses and invitations (1) and the aggregate (1).

No HTTP here: the command, the page and the downloads all render the
:class:`GapReport` this module returns (see ``reports/renderers.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.utils.dateparse import parse_date

from actions.selectors import ReportAction, report_actions
from assessments.models import Assessment
from assessments.selectors import assessment_questionnaire
from reports.comments import ReportComments, report_comments
from responses.models import Answer, Invitation, Response
from taxonomy.scales import SCALE_MAX, SCALE_MIN

if TYPE_CHECKING:
    from reports.trends import RoundComparison

# Variance of a uniform answer over a 5-point scale: (5^2 - 1) / 12.
UNIFORM_VARIANCE = 2.0


# Below this within-group agreement a benefit is "contested" (contract section 5).
CONTESTED_RWG = 0.3


# Under this many paired answers the evidence for a gap is "insufficient".
MIN_EVIDENCE_N = 5


QUADRANTS = {
    "concentrate-here": "Concentrate here",
    "keep-up-the-good-work": "Keep up the good work",
    "low-priority": "Low priority",
    "possible-overkill": "Possible overkill",
}


EVIDENCE = {"strong": "Strong", "weak": "Weak", "insufficient": "Insufficient"}


SCALE_VALUES = tuple(range(SCALE_MIN, SCALE_MAX + 1))


@functools.cache
def t_quantile_975(df: int) -> float:
    """The two-sided 95% Student-t critical value, t(0.975, df).

    ``scipy.special.stdtrit`` is the inverse Student-t CDF that
    ``scipy.stats.t.ppf`` itself calls; importing ``scipy.special`` alone
    takes a third of the time of ``scipy.stats``. Imported here, not at module
    level, so pages that never need a quantile don't pay for it; cached per df.
    """
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.975))


@dataclass(frozen=True)
class Stats:
    """One dimension of one benefit node: the non-empty ratings only."""

    mean: float | None
    n: int
    sd: float | None  # sample sd (n - 1); None when n < 2
    rwg: float | None  # max(0, 1 - sd^2 / 2.0); None when n < 2
    counts: tuple[int, ...]  # how many answered 1, 2, 3, 4, 5

    def to_dict(self) -> dict:
        return {"mean": self.mean, "n": self.n, "sd": self.sd, "rwg": self.rwg}


@dataclass(frozen=True)
class Paired:
    """Per-respondent importance - realization, over those who rated both."""

    n: int
    mean: float | None
    sd: float | None
    ci95: tuple[float, float] | None  # None when n < 2

    def to_dict(self) -> dict:
        return {"n": self.n, "mean": self.mean, "ci95": list(self.ci95) if self.ci95 else None}


@dataclass(frozen=True)
class BenefitResult:
    id: int
    path: str
    name: str
    concept: str  # slug
    scope: str  # slug
    parent: str | None  # parent path
    depth: int
    importance: Stats
    realization: Stats
    gap: float | None
    under_realized: bool
    quadrant: str | None
    paired: Paired
    evidence: str | None  # only for under-realized benefits
    contested: bool
    # Guidance for the page (what to track, what to try); not part of the downloads.
    indicators: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The path inside its concept and scope: matches a benefit across scopes."""
        return self.path.split("/", 2)[2]

    @property
    def quadrant_label(self) -> str:
        return QUADRANTS.get(self.quadrant or "", "")

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "name": self.name,
            "concept": self.concept,
            "scope": self.scope,
            "parent": self.parent,
            "importance": self.importance.to_dict(),
            "realization": self.realization.to_dict(),
            "gap": self.gap,
            "under_realized": self.under_realized,
            "quadrant": self.quadrant,
            "paired": self.paired.to_dict(),
            "evidence": self.evidence,
            "contested": self.contested,
        }


@dataclass(frozen=True)
class Summary:
    """Means of the benefits' defined means, for a cell or overall."""

    importance: float | None
    realization: float | None
    gap: float | None
    under_realized: int
    benefits: int


@dataclass(frozen=True)
class CellResult:
    concept: str
    scope: str
    concept_name: str
    scope_name: str
    summary: Summary
    benefits: tuple[BenefitResult, ...]

    @property
    def title(self) -> str:
        return f"{self.scope_name} {self.concept_name.lower()}"

    def to_dict(self) -> dict:
        s = self.summary
        return {
            "concept": self.concept,
            "scope": self.scope,
            "importance": s.importance,
            "realization": s.realization,
            "gap": s.gap,
            "under_realized": s.under_realized,
            "benefits": s.benefits,
        }


# Why a report shows no figures (contract section 6).
REASON_BELOW_MINIMUM = "below-minimum"
REASON_NOT_CLOSED = "not-closed"


@dataclass(frozen=True)
class GapReport:
    organization: str
    assessment: str
    respondents: int  # submitted responses with at least one answer (a "Don't know" counts)
    threshold: float
    min_group_size: int
    reason: str | None  # why it is suppressed, or None
    benefits: tuple[BenefitResult, ...]  # taxonomy order; empty when suppressed
    cells: tuple[CellResult, ...]  # six, concept then scope order; empty when suppressed
    overall: Summary | None  # None when suppressed
    ranking: tuple[str, ...]  # paths with a gap: gap desc, importance desc, path asc
    centre_importance: float | None  # I: the quadrant crosshair
    centre_realization: float | None  # R
    first_submitted: date | None
    last_submitted: date | None
    closes_at: datetime | None
    invitations: int  # unrevoked invitations
    invitations_submitted: int
    # Whole minutes that submitted web respondents took, the median; None when
    # suppressed or when fewer than ``min_group_size`` of them have a duration.
    median_minutes: int | None = None
    # The comparison with the previous round (``reports.trends.RoundComparison``); None without one.
    rounds: RoundComparison | None = None
    # The owners' plans, not respondents' data: listed whether or not the figures are shown.
    actions: tuple[ReportAction, ...] = ()
    # Section 15: the comments released with the report (``reports.comments``); None when none may be.
    comments: ReportComments | None = None

    @property
    def suppressed(self) -> bool:
        return self.reason is not None

    @property
    def needed(self) -> int:
        """How many more respondents the report needs before it can show figures."""
        return max(0, self.min_group_size - self.respondents)

    @property
    def response_rate(self) -> float | None:
        """Share of the (unrevoked) invitations that led to a submitted response; None without invitations."""
        return self.invitations_submitted / self.invitations if self.invitations else None

    @functools.cached_property
    def by_path(self) -> dict[str, BenefitResult]:
        return {b.path: b for b in self.benefits}

    @property
    def ranked(self) -> list[BenefitResult]:
        return [self.by_path[p] for p in self.ranking]

    @property
    def under_realized(self) -> list[BenefitResult]:
        return [b for b in self.ranked if b.under_realized]

    def to_json_dict(self) -> dict:
        o = self.overall
        return {
            "organization": self.organization,
            "assessment": self.assessment,
            "respondents": self.respondents,
            "threshold": self.threshold,
            "min_group_size": self.min_group_size,
            "suppressed": self.suppressed,
            "reason": self.reason,
            "benefits": [
                b.to_dict() if self.rounds is None else {**b.to_dict(), "trend": self.rounds.trend_dict(b.path)}
                for b in self.benefits
            ],
            "cells": [c.to_dict() for c in self.cells],
            "overall": None
            if o is None
            else {
                "importance": o.importance,
                "realization": o.realization,
                "gap": o.gap,
                "under_realized": o.under_realized,
                "benefits": o.benefits,
            },
            "ranking": list(self.ranking),
            "median_minutes": self.median_minutes,
            "centre": None
            if self.suppressed
            else {"importance": self.centre_importance, "realization": self.centre_realization},
            **self._rounds_json(),
            "actions": [a.to_dict() for a in self.actions],
            "comments": self.comments.to_json() if self.comments is not None else None,
        }

    def _rounds_json(self) -> dict:
        """``previous`` always; a ``trend`` in each benefit only when there is a previous round (section 8)."""
        if self.rounds is None:
            return {"previous": None}
        return {"previous": self.rounds.previous_dict()}


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def _moments(n: int, total: int, squares: int) -> tuple[float | None, float | None]:
    """Mean and sample variance from integer sums, exactly until the last division.

    ``n * sum(x^2) - sum(x)^2`` is an integer, so the variance carries no
    cancellation error; the clamp only guards against a future float input.
    """
    if n == 0:
        return None, None
    mean = total / n
    if n < 2:
        return mean, None
    return mean, max(0.0, (n * squares - total * total) / (n * (n - 1)))


def _stats(counts: list[int]) -> Stats:
    """``counts[v]`` is how many answered ``v``."""
    n = total = squares = 0
    for v in SCALE_VALUES:
        c = counts[v]
        n, total, squares = n + c, total + v * c, squares + v * v * c
    mean, variance = _moments(n, total, squares)
    return Stats(
        mean=mean,
        n=n,
        sd=math.sqrt(variance) if variance is not None else None,
        rwg=max(0.0, 1.0 - variance / UNIFORM_VARIANCE) if variance is not None else None,
        counts=tuple(counts[SCALE_MIN:]),
    )


def _paired(n: int, total: int, squares: int) -> Paired:
    mean, variance = _moments(n, total, squares)
    if variance is None:
        return Paired(n=n, mean=mean, sd=None, ci95=None)
    sd = math.sqrt(variance)
    half = t_quantile_975(n - 1) * sd / math.sqrt(n)
    return Paired(n=n, mean=mean, sd=sd, ci95=(mean - half, mean + half))


def _quadrant(imp: float, real: float, centre_i: float, centre_r: float) -> str:
    if imp >= centre_i:
        return "keep-up-the-good-work" if real >= centre_r else "concentrate-here"
    return "possible-overkill" if real >= centre_r else "low-priority"


def _evidence(under_realized: bool, paired: Paired, threshold: float) -> str | None:
    if not under_realized:
        return None
    if paired.n < MIN_EVIDENCE_N or paired.ci95 is None:
        return "insufficient"
    return "strong" if paired.ci95[0] >= threshold else "weak"


def _summary(benefits: Iterable[BenefitResult]) -> Summary:
    benefits = list(benefits)
    imp = _mean(b.importance.mean for b in benefits)
    real = _mean(b.realization.mean for b in benefits)
    return Summary(
        importance=imp,
        realization=real,
        gap=imp - real if imp is not None and real is not None else None,
        under_realized=sum(b.under_realized for b in benefits),
        benefits=len(benefits),
    )


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


def _date(value) -> date | None:
    """SQLite hands back a stored date as text."""
    if value is None or isinstance(value, date):
        return value
    return parse_date(value)


def submitted_facts(*, assessment: Assessment) -> SubmittedFacts:
    """One query: :class:`SubmittedFacts` of ``assessment``."""
    response, answer, invitation = (m._meta.db_table for m in (Response, Answer, Invitation))
    answered = f"EXISTS (SELECT 1 FROM {answer} a WHERE a.response_id = r.id)"
    # The median duration in the same query: the two middle values of the sorted
    # durations (one and the same when their number is odd), by LIMIT/OFFSET,
    # which SQLite and PostgreSQL both accept as a subquery.
    timed = f"FROM {response} WHERE assessment_id = %s AND submitted_on IS NOT NULL AND duration_minutes IS NOT NULL"
    count = f"(SELECT COUNT(*) {timed})"
    # Offsets c / 2 and (c - 1) / 2: never negative (PostgreSQL refuses that), as both truncate -1 / 2 to 0.
    middle = f"(SELECT duration_minutes {timed} ORDER BY duration_minutes LIMIT 1 OFFSET {{}})"
    sql = f"""
        SELECT COUNT(*),
               SUM(CASE WHEN {answered} THEN 1 ELSE 0 END),
               MIN(r.submitted_on), MAX(r.submitted_on),
               (SELECT COUNT(*) FROM {invitation} WHERE assessment_id = %s AND revoked_at IS NULL),
               (SELECT COUNT(*) FROM {invitation} WHERE assessment_id = %s AND revoked_at IS NULL AND submitted = %s),
               {count},
               {middle.format(f"{count} / 2")},
               {middle.format(f"({count} - 1) / 2")}
        FROM {response} r
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


def suppression_reason(*, assessment: Assessment, respondents: int) -> str | None:
    """Why the report of ``assessment`` must show no figures, or None (contract section 6).

    While results are withheld until close, that is the reason, whatever the
    count: closing is what the sponsor has to do next, and the page says how
    many more responses are needed besides.
    """
    if assessment.results_withheld:
        return REASON_NOT_CLOSED
    if respondents < assessment.min_group_size:
        return REASON_BELOW_MINIMUM
    return None


@dataclass
class Tally:
    """One benefit's answers, summed from its joint distribution.

    ``importance[v]`` and ``realization[v]`` count the answers ``v`` (index 0
    unused); the paired sums are over respondents who rated both.
    """

    importance: list[int] = field(default_factory=lambda: [0] * (SCALE_MAX + 1))
    realization: list[int] = field(default_factory=lambda: [0] * (SCALE_MAX + 1))
    paired_n: int = 0
    paired_sum: int = 0
    paired_squares: int = 0


def rating_tallies(*, assessment: Assessment) -> dict[int, Tally]:
    """Per benefit, the tally of its submitted answers, from their joint distribution; 1 query.

    One ``GROUP BY benefit, importance, realization`` gives at most 36 rows a
    benefit; they are folded into a :class:`Tally` as they are fetched. The
    assessment's submitted answers are one range of ``answer_report_idx``,
    already in group order, so the database walks that range and nothing else.
    """
    # Plain SQL because the ORM writes ``AND "submitted"`` for ``submitted=True``,
    # and SQLite then uses only the index's first column and sorts the rows;
    # ``submitted = %s`` makes both columns an equality, so the walk is in group order.
    sql = (
        f"SELECT benefit_id, importance, realization, COUNT(*) FROM {Answer._meta.db_table} "
        "WHERE assessment_id = %s AND submitted = %s GROUP BY benefit_id, importance, realization"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [assessment.pk, True])
        rows = cursor.fetchall()
    tallies: dict[int, Tally] = {}
    for benefit_id, importance, realization, count in rows:
        tally_add(tallies, benefit_id, importance, realization, count)
    return tallies


def tally_add(tallies: dict[int, Tally], benefit_id: int, importance, realization, count: int) -> None:
    """Fold one row of the joint distribution (``count`` answers of that pair) into ``tallies``."""
    tally = tallies.get(benefit_id)
    if tally is None:
        tally = tallies[benefit_id] = Tally()
    if importance is not None:
        tally.importance[importance] += count
        if realization is not None:
            d = importance - realization
            tally.paired_n += count
            tally.paired_sum += d * count
            tally.paired_squares += d * d * count
    if realization is not None:
        tally.realization[realization] += count


@dataclass(frozen=True)
class Figures:
    """Every benefit's, cell's and the overall figures of one group of responses."""

    benefits: tuple[BenefitResult, ...]
    cells: tuple[CellResult, ...]
    overall: Summary
    ranking: tuple[str, ...]
    centre_importance: float | None
    centre_realization: float | None


def figures_from_tallies(questionnaire, tallies: dict[int, Tally], threshold: float) -> Figures:
    """Sections 4 and 5 from one group's tallies: the whole assessment, or one segment group."""

    # Pass 1: per-benefit statistics.
    partial = []
    empty = Tally()
    for node in questionnaire.benefits:
        tally = tallies.get(node.id, empty)
        importance, realization = _stats(tally.importance), _stats(tally.realization)
        gap = (
            importance.mean - realization.mean if importance.mean is not None and realization.mean is not None else None
        )
        paired = _paired(tally.paired_n, tally.paired_sum, tally.paired_squares)
        partial.append((node, importance, realization, gap, paired))

    # Pass 2: the quadrant crosshair needs every benefit's means first.
    rated = [(imp.mean, real.mean) for _, imp, real, gap, _ in partial if gap is not None]
    centre_i = _mean(i for i, _ in rated)
    centre_r = _mean(r for _, r in rated)
    benefits = []
    for node, importance, realization, gap, paired in partial:
        under = gap is not None and gap >= threshold
        benefits.append(
            BenefitResult(
                id=node.id,
                path=node.path,
                name=node.name,
                concept=node.concept,
                scope=node.scope,
                parent=node.parent_path,
                depth=node.depth,
                importance=importance,
                realization=realization,
                gap=gap,
                under_realized=under,
                quadrant=_quadrant(importance.mean, realization.mean, centre_i, centre_r) if gap is not None else None,
                paired=paired,
                evidence=_evidence(under, paired, threshold),
                contested=any(s.rwg is not None and s.rwg < CONTESTED_RWG for s in (importance, realization)),
                indicators=node.indicators,
                practices=node.practices,
            )
        )

    by_id = {b.id: b for b in benefits}
    cells = tuple(
        CellResult(
            concept=section.concept.slug,
            scope=section.scope.slug,
            concept_name=section.concept.name,
            scope_name=section.scope.name,
            summary=_summary(by_id[n.id] for n in section.benefits),
            benefits=tuple(by_id[n.id] for n in section.benefits),
        )
        for section in questionnaire.sections
    )
    with_gap = [b for b in benefits if b.gap is not None]
    ranking = tuple(b.path for b in sorted(with_gap, key=lambda b: (-b.gap, -b.importance.mean, b.path)))
    return Figures(
        benefits=tuple(benefits),
        cells=cells,
        overall=_summary(benefits),
        ranking=ranking,
        centre_importance=centre_i,
        centre_realization=centre_r,
    )


def _withheld(assessment: Assessment, facts: SubmittedFacts, reason: str) -> GapReport:
    """The report with participation only: no figure computed from any answer."""
    return GapReport(
        organization=assessment.organization.name,
        assessment=assessment.title,
        respondents=facts.respondents,
        threshold=float(assessment.threshold),
        min_group_size=assessment.min_group_size,
        reason=reason,
        benefits=(),
        cells=(),
        overall=None,
        ranking=(),
        centre_importance=None,
        centre_realization=None,
        first_submitted=facts.first,
        last_submitted=facts.last,
        closes_at=assessment.closes_at,
        invitations=facts.invitations,
        invitations_submitted=facts.invitations_submitted,
    )


def gap_report(*, assessment: Assessment) -> GapReport:
    """The gap report of ``assessment`` as anyone may see it; 6 queries whatever its size.

    With a previous round, it also carries the trend (``reports.trends``):
    10 queries, whatever the length of the chain of rounds. Its actions take
    1 query more, and 1 for their benefits when there are any.

    Every output (page, downloads, command) comes from here, so the release
    rules of section 6 hold everywhere: a suppressed report costs one query
    and reads no answer (its actions 1 or 2 more).
    """
    facts = submitted_facts(assessment=assessment)
    reason = suppression_reason(assessment=assessment, respondents=facts.respondents)
    if assessment.previous_id is not None:
        # The trend module builds on this one, so it is imported here, not at the top.
        from reports.trends import gap_report_with_previous

        report = gap_report_with_previous(assessment=assessment, facts=facts, reason=reason)
    elif reason is not None:
        report = _withheld(assessment, facts, reason)
    else:
        report = gap_figures(assessment=assessment, facts=facts)
    # Section 10: the actions planned from this round or an earlier one.
    chain = [r.id for r in report.rounds.chain] if report.rounds is not None else None
    report = dataclasses.replace(report, actions=report_actions(assessment=assessment, chain_ids=chain))
    # Section 15: 1 query more, none when the assessment asks for no comments or the report is suppressed.
    comments = report_comments(assessment=assessment, cells=report.cells, suppressed=report.suppressed)
    return dataclasses.replace(report, comments=comments)


def gap_figures(
    *, assessment: Assessment, facts: SubmittedFacts | None = None, tallies: dict[int, Tally] | None = None
) -> GapReport:
    """Every figure of sections 4 and 5 over the submitted responses, whatever their number.

    Not for display: only :func:`gap_report` decides whether figures may be shown.
    ``tallies`` are the assessment's :func:`rating_tallies`, when already fetched.
    """
    if facts is None:
        facts = submitted_facts(assessment=assessment)
    questionnaire = assessment_questionnaire(assessment=assessment)
    if tallies is None:
        tallies = rating_tallies(assessment=assessment)
    figures = figures_from_tallies(questionnaire, tallies, float(assessment.threshold))
    return GapReport(
        organization=assessment.organization.name,
        assessment=assessment.title,
        respondents=facts.respondents,
        threshold=float(assessment.threshold),
        min_group_size=assessment.min_group_size,
        reason=None,
        benefits=figures.benefits,
        cells=figures.cells,
        overall=figures.overall,
        ranking=figures.ranking,
        centre_importance=figures.centre_importance,
        centre_realization=figures.centre_realization,
        first_submitted=facts.first,
        last_submitted=facts.last,
        closes_at=assessment.closes_at,
        invitations=facts.invitations,
        invitations_submitted=facts.invitations_submitted,
        # Like any figure, only from at least k respondents (here: those with a duration).
        median_minutes=facts.median_minutes if facts.timed >= assessment.min_group_size else None,
    )
