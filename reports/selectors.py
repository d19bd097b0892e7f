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

The figures pass the release rule first (``reports.gate``, contract
section 6): the joint distributions and the counts it needs are read by
``reports.aggregates``, the only module that reads answers, and this module
turns what the rule lets through into figures (``figures_from_tallies``).
The number of queries is fixed (see :func:`gap_report`).

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

from django.utils import translation
from django.utils.translation import gettext, gettext_lazy, pgettext

from actions.selectors import ReportAction, report_actions
from assessments.models import Assessment
from assessments.selectors import assessment_maturity_targets, assessment_questionnaire
from reports.aggregates import SubmittedFacts, atom_tallies, segments_of, submitted_facts
from reports.comments import ReportComments, report_comments
from reports.maturity import Maturity, figures_maturity, with_trend
from reports.release import W
from taxonomy.scales import SCALE_MAX, SCALE_MIN

if TYPE_CHECKING:
    from reports.benchmark import ReportBenchmark
    from reports.trends import RoundComparison

# Variance of a uniform answer over a 5-point scale: (5^2 - 1) / 12.
UNIFORM_VARIANCE = 2.0


# Below this within-group agreement a benefit is "contested" (contract section 5).
CONTESTED_RWG = 0.3


# Under this many paired answers the evidence for a gap is "insufficient".
MIN_EVIDENCE_N = 5


# The quadrants' names for people (page, text, PDF); the JSON and CSV keep the keys.
QUADRANTS = {
    "concentrate-here": gettext_lazy("Concentrate here"),
    "keep-up-the-good-work": gettext_lazy("Keep up the good work"),
    "low-priority": gettext_lazy("Low priority"),
    "possible-overkill": gettext_lazy("Possible overkill"),
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
    # The release rule (section 6): a withheld benefit carries no figure at all;
    # a paired-only one has every figure over the respondents who rated both.
    withheld: bool = False
    paired_only: bool = False

    @property
    def key(self) -> str:
        """The path inside its concept and scope: matches a benefit across scopes."""
        return self.path.split("/", 2)[2]

    @property
    def quadrant_label(self) -> str:
        return str(QUADRANTS.get(self.quadrant or "", ""))

    def to_dict(self) -> dict:
        if self.withheld:
            return {
                "path": self.path,
                "name": self.name,
                "concept": self.concept,
                "scope": self.scope,
                "parent": self.parent,
                "withheld": True,
                **WITHHELD_FIGURES,
            }
        return {
            "path": self.path,
            "name": self.name,
            "concept": self.concept,
            "scope": self.scope,
            "parent": self.parent,
            "withheld": False,
            "paired_only": self.paired_only,
            "importance": self.importance.to_dict(),
            "realization": self.realization.to_dict(),
            "gap": self.gap,
            "under_realized": self.under_realized,
            "quadrant": self.quadrant,
            "paired": self.paired.to_dict(),
            "evidence": self.evidence,
            "contested": self.contested,
        }


# Every figure key of a benefit, null: what a withheld benefit shows (section 6).
WITHHELD_FIGURES = {
    "paired_only": None,
    "importance": {"mean": None, "n": None, "sd": None, "rwg": None},
    "realization": {"mean": None, "n": None, "sd": None, "rwg": None},
    "gap": None,
    "under_realized": None,
    "quadrant": None,
    "paired": {"n": None, "mean": None, "ci95": None},
    "evidence": None,
    "contested": None,
}


@dataclass(frozen=True)
class Summary:
    """Means of the released benefits' defined means, for a cell or overall."""

    importance: float | None
    realization: float | None
    gap: float | None
    under_realized: int
    benefits: int  # every node, withheld ones included
    withheld: int = 0


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
        # English makes the scope an adjective ("Internal social media"); German names the concept,
        # then the scope ("Social Media, intern"): the word order and case are each language's own,
        # chosen by its catalog, so a third language needs no code.
        if pgettext("word order of a cell title: scope-first or concept-first", "scope-first") == "concept-first":
            return f"{self.concept_name}, {self.scope_name.lower()}"
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
            "withheld": s.withheld,
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
    # Section 14, from the released benefits (``reports.maturity``); None when suppressed.
    maturity: Maturity | None = None
    # Section 15: the comments released with the report (``reports.comments``); None when none may be.
    comments: ReportComments | None = None
    # Section 16: beside each released benefit and maturity cell (``reports.benchmark``); None unless the
    # organization takes part and the report shows figures.
    benchmark: ReportBenchmark | None = None
    # Section 17: respondents per language, every language of settings.LANGUAGES. Published like
    # ``respondents``, even below k and in a suppressed report: they are counts of people, not ratings, and
    # no figure computed from answers is ever split by language, so no one's answers can be recovered from
    # them (section 6's rule is about figures computed from answers and the groups they are published for).
    languages: dict[str, int] = field(default_factory=dict)

    @property
    def languages_sentence(self) -> str:
        """The respondents per language in one sentence for people: "Respondents by language: English 3, German 2."."""
        parts = ", ".join(
            f"{translation.get_language_info(code)['name_translated']} {count}"
            for code, count in self.languages.items()
        )
        return gettext("Respondents by language: %(languages)s.") % {"languages": parts}

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
            "languages": dict(self.languages),
            "benefits": [
                {**b.to_dict(), "benchmark": self._benefit_benchmark(b)}
                if self.rounds is None
                else {**b.to_dict(), "trend": self.rounds.trend_dict(b.path), "benchmark": self._benefit_benchmark(b)}
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
                "withheld": o.withheld,
            },
            "ranking": list(self.ranking),
            "median_minutes": self.median_minutes,
            "centre": None
            if self.suppressed
            else {"importance": self.centre_importance, "realization": self.centre_realization},
            **self._rounds_json(),
            "actions": [a.to_dict() for a in self.actions],
            "maturity": self._maturity_json(),
            "comments": self.comments.to_json() if self.comments is not None else None,
            "benchmark": None if self.benchmark is None else self.benchmark.to_dict(),
        }

    def _benefit_benchmark(self, b: BenefitResult) -> dict | None:
        """Section 16: null for a withheld benefit, where not published, and when the organization takes no part."""
        return None if self.benchmark is None or b.withheld else self.benchmark.benefit_dict(b.path)

    def _maturity_json(self) -> dict | None:
        if self.maturity is None:
            return None
        result = self.maturity.to_dict()
        for cell in result["cells"]:
            cell["benchmark"] = (
                None if self.benchmark is None else self.benchmark.cell_dict((cell["concept"], cell["scope"]))
            )
        return result

    def _rounds_json(self) -> dict:
        """``previous`` always; a ``trend`` in each benefit only when there is a previous round (section 8)."""
        if self.rounds is None:
            return {"previous": None}
        return {"previous": self.rounds.previous_dict()}


def _mean(values: Iterable[float | None]) -> float | None:
    defined = [v for v in values if v is not None]
    return sum(defined) / len(defined) if defined else None


def moments(n: int, total: int, squares: int) -> tuple[float | None, float | None]:
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


def tally_stats(counts: list[int]) -> Stats:
    """``counts[v]`` is how many answered ``v``."""
    n = total = squares = 0
    for v in SCALE_VALUES:
        c = counts[v]
        n, total, squares = n + c, total + v * c, squares + v * v * c
    mean, variance = moments(n, total, squares)
    return Stats(
        mean=mean,
        n=n,
        sd=math.sqrt(variance) if variance is not None else None,
        rwg=max(0.0, 1.0 - variance / UNIFORM_VARIANCE) if variance is not None else None,
        counts=tuple(counts[SCALE_MIN:]),
    )


def _paired(n: int, total: int, squares: int) -> Paired:
    mean, variance = moments(n, total, squares)
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
    """From the released benefits only; ``benefits`` still counts every node (section 6)."""
    benefits = list(benefits)
    released = [b for b in benefits if not b.withheld]
    imp = _mean(b.importance.mean for b in released)
    real = _mean(b.realization.mean for b in released)
    return Summary(
        importance=imp,
        realization=real,
        gap=imp - real if imp is not None and real is not None else None,
        under_realized=sum(b.under_realized for b in released),
        benefits=len(benefits),
        withheld=len(benefits) - len(released),
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


WITHHELD_STATS = Stats(mean=None, n=None, sd=None, rwg=None, counts=())
WITHHELD_PAIRED = Paired(n=None, mean=None, sd=None, ci95=None)


def figures_from_tallies(
    questionnaire,
    tallies: dict[int, Tally],
    threshold: float,
    withheld: frozenset[int] | set[int] = frozenset(),
    paired_only: frozenset[int] | set[int] = frozenset(),
) -> Figures:
    """Sections 4 and 5 from one group's tallies: the whole assessment, or one segment group.

    ``withheld`` and ``paired_only`` are benefit ids, as the release rule
    (``reports.gate``) decided for this group; a withheld benefit gets no
    figure, and the cells, the crosshair and the ranking are computed from
    the released benefits alone. ``tallies`` already hold, for a paired-only
    benefit, its answers of respondents who rated both.
    """

    # Pass 1: per-benefit statistics.
    partial = []
    empty = Tally()
    for node in questionnaire.benefits:
        if node.id in withheld:
            partial.append((node, None, None, None, None))
            continue
        tally = tallies.get(node.id, empty)
        importance, realization = tally_stats(tally.importance), tally_stats(tally.realization)
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
        if importance is None:
            benefits.append(
                BenefitResult(
                    id=node.id,
                    path=node.path,
                    name=node.name,
                    concept=node.concept,
                    scope=node.scope,
                    parent=node.parent_path,
                    depth=node.depth,
                    importance=WITHHELD_STATS,
                    realization=WITHHELD_STATS,
                    gap=None,
                    under_realized=False,
                    quadrant=None,
                    paired=WITHHELD_PAIRED,
                    evidence=None,
                    contested=False,
                    indicators=node.indicators,
                    practices=node.practices,
                    withheld=True,
                )
            )
            continue
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
                paired_only=node.id in paired_only,
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


def withheld_report(assessment: Assessment, facts: SubmittedFacts, reason: str) -> GapReport:
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
        languages=facts.languages,
    )


def gap_report(*, assessment: Assessment) -> GapReport:
    """The gap report of ``assessment`` as anyone may see it: every figure through the release rule.

    A fixed number of queries whatever its size: the facts (1), and when it
    shows figures the questionnaire (4), the segments with their options (1),
    the counts per signature and the joint distribution (2, or 3 with
    segments), the maturity targets (1) and the comments (1). With a
    previous round it also carries the trend (``reports.trends``), still a
    fixed number whatever the length of the chain. Its actions take 1 query
    more, and 1 for their benefits when there are any.

    Every output (page, downloads, command) comes from here, so section 6
    holds everywhere: a suppressed report reads no answer.
    """
    facts = submitted_facts(assessment=assessment)
    reason = suppression_reason(assessment=assessment, respondents=facts.respondents)
    if assessment.previous_id is not None:
        # The trend module builds on this one, so it is imported here, not at the top.
        from reports.trends import gap_report_with_previous

        report = gap_report_with_previous(assessment=assessment, facts=facts, reason=reason)
    elif reason is not None:
        report = withheld_report(assessment, facts, reason)
    else:
        from reports.gate import released_figures

        atoms = atom_tallies(segments=segments_of([assessment.pk]))[assessment.pk]
        questionnaire = assessment_questionnaire(assessment=assessment)
        released = released_figures(
            atoms=atoms, k=assessment.min_group_size, questionnaire=questionnaire, threshold=float(assessment.threshold)
        )
        report = report_from_figures(assessment=assessment, facts=facts, figures=released.figures[W])
    # Section 10: the actions planned from this round or an earlier one.
    chain = [r.id for r in report.rounds.chain] if report.rounds is not None else None
    report = dataclasses.replace(report, actions=report_actions(assessment=assessment, chain_ids=chain))
    # Section 14: the maturity levels, from the released figures alone; 1 query (the targets).
    if not report.suppressed:
        report = dataclasses.replace(report, maturity=report_maturity(report, assessment=assessment))
    # Section 15: 1 query more, none when the assessment asks for no comments or the report is suppressed.
    comments = report_comments(assessment=assessment, cells=report.cells, suppressed=report.suppressed)
    report = dataclasses.replace(report, comments=comments)
    # Section 16: only for an organization that takes part; 2 queries when the pool is cached (reports.benchmark).
    if assessment.organization.benchmark and not report.suppressed:
        from reports.benchmark import benchmark_pool, report_benchmark

        pool = benchmark_pool()
        report = dataclasses.replace(
            report, benchmark=report_benchmark(report, organization_id=assessment.organization_id, pool=pool)
        )
    return report


def report_maturity(report: GapReport, *, assessment: Assessment) -> Maturity:
    """The report's maturity with the assessment's targets and, with a previous round, the trend; 1 query."""
    result = figures_maturity(report, targets=assessment_maturity_targets(assessment=assessment))
    if report.rounds is not None:
        result = with_trend(result, report.rounds.previous_maturity)
    return result


def report_from_figures(*, assessment: Assessment, facts: SubmittedFacts, figures: Figures) -> GapReport:
    """The report of ``assessment`` showing ``figures``, which the release rule has already let through."""
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
        languages=facts.languages,
        # Like any figure, only from at least k respondents (here: those with a duration).
        median_minutes=facts.median_minutes if facts.timed >= assessment.min_group_size else None,
    )


def whole_tallies(rows) -> dict[int, Tally]:
    """Every respondent's answers folded together, with no release rule: for :func:`gap_figures` only."""
    tallies: dict[int, Tally] = {}
    for benefit_id, importance, realization, count in rows:
        tally_add(tallies, benefit_id, importance, realization, count)
    return tallies


def gap_figures(*, assessment: Assessment) -> GapReport:
    """Every figure of sections 4 and 5 over all submitted responses, with no release rule at all.

    Never for display: it is the arithmetic the statistics tests check on
    groups smaller than any k. Every output goes through :func:`gap_report`.
    """
    facts = submitted_facts(assessment=assessment)
    atoms = atom_tallies(segments={assessment.pk: []})[assessment.pk]
    questionnaire = assessment_questionnaire(assessment=assessment)
    figures = figures_from_tallies(questionnaire, whole_tallies(atoms.whole), float(assessment.threshold))
    return report_from_figures(assessment=assessment, facts=facts, figures=figures)
