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
turns what the rule lets through into figures (``reports.figures``, over the
pure functions of ``reports.statistics``).
The number of queries is fixed (see :func:`gap_report`).

No HTTP here: the command, the page and the downloads all render the
:class:`GapReport` this module returns (see ``reports/renderers.py``).
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.utils import translation
from django.utils.translation import gettext

from actions.selectors import ReportAction, report_actions
from assessments.models import Assessment
from assessments.selectors import assessment_maturity_targets, assessment_questionnaire
from reports.aggregates import SubmittedFacts, atom_tallies, atoms_for, submitted_facts
from reports.comments import ReportComments, report_comments
from reports.figures import BenefitResult, CellResult, Figures, Summary, figures_from_tallies
from reports.maturity import Maturity, figures_maturity, with_trend
from reports.release import W
from reports.statistics import Tally, tally_add

if TYPE_CHECKING:
    from reports.benchmark import ReportBenchmark
    from reports.trends import RoundComparison

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
    # Respondents per language they answered in, every offered language present (section 17).
    languages: dict[str, int] = dataclasses.field(default_factory=dict)
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
    # Names the figures: the same key, the same benefits, cells and charts (so their rendering may be
    # kept); None when it cannot be named cheaply (a report with a previous round, a withheld one).
    figures_key: str | None = None
    # Section 16: beside each released benefit and maturity cell (``reports.benchmark``); None unless the
    # organization takes part and the report shows figures.
    benchmark: ReportBenchmark | None = None

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

    @property
    def languages_sentence(self) -> str:
        """The respondents per language in one sentence: "Respondents by language: English 3, German 2."."""
        parts = ", ".join(
            f"{translation.get_language_info(code)['name_translated']} {count}"
            for code, count in self.languages.items()
        )
        return gettext("Respondents by language: %(languages)s.") % {"languages": parts}

    def to_json_dict(self) -> dict:
        o = self.overall
        return {
            "organization": self.organization,
            "assessment": self.assessment,
            "respondents": self.respondents,
            # Counts of people by the language they chose, like ``respondents``: no answer is in them.
            "languages": dict(self.languages),
            "threshold": self.threshold,
            "min_group_size": self.min_group_size,
            "suppressed": self.suppressed,
            "reason": self.reason,
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


def participation(assessment: Assessment, facts: SubmittedFacts) -> dict:
    """What every report says, shown or withheld: who asked, how many took part, and when."""
    return {
        "organization": assessment.organization.name,
        "assessment": assessment.title,
        "respondents": facts.respondents,
        "threshold": float(assessment.threshold),
        "min_group_size": assessment.min_group_size,
        "first_submitted": facts.first,
        "last_submitted": facts.last,
        "closes_at": assessment.closes_at,
        "invitations": facts.invitations,
        "invitations_submitted": facts.invitations_submitted,
        "languages": facts.languages,
    }


def withheld_report(assessment: Assessment, facts: SubmittedFacts, reason: str) -> GapReport:
    """The report with participation only: no figure computed from any answer."""
    return GapReport(
        **participation(assessment, facts),
        reason=reason,
        benefits=(),
        cells=(),
        overall=None,
        ranking=(),
        centre_importance=None,
        centre_realization=None,
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

        atoms = atoms_for(assessment=assessment, facts=facts)
        questionnaire = assessment_questionnaire(assessment=assessment)
        released = released_figures(
            atoms=atoms, k=assessment.min_group_size, questionnaire=questionnaire, threshold=float(assessment.threshold)
        )
        report = report_from_figures(assessment=assessment, facts=facts, figures=released.figures[W])
        # The tallies' key (aggregates.atoms_for) and what turns them into figures; the frozen wording is
        # fixed once there are answers.
        report = dataclasses.replace(
            report,
            figures_key=f"{assessment.pk}.{facts.n}.{facts.id_sum}.{assessment.min_group_size}.{report.threshold}",
        )
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
        **participation(assessment, facts),
        reason=None,
        benefits=figures.benefits,
        cells=figures.cells,
        overall=figures.overall,
        ranking=figures.ranking,
        centre_importance=figures.centre_importance,
        centre_realization=figures.centre_realization,
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
