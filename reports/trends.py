"""Rounds: what changed since the previous round (contract section 8).

An assessment may name its previous round, which may name its own, and so
on: a *chain* of rounds, oldest first, ending with this one. The report of
a round with a previous one carries, per benefit, the change of the paired
mean (importance - realization per respondent) since the previous round,
with a Welch 95% interval: the two rounds are independent samples, since
responses are anonymous and nothing pairs a person across rounds. The page
also shows each concept x scope cell's gap over every round of the chain.

Confidentiality
---------------
Each round keeps its own release rule (section 6): a round that is below its
minimum group size, or whose results are withheld until it closes, shows
nothing, here either. When this round or the previous one is suppressed,
every trend is null (a change and one round's figures would give away the
other's); a suppressed round of the chain has no point in the cell history,
and its answers are never read.

Cost
----
A fixed number of queries whatever the chain's length: the organization's
assessments (1, walked in Python), the respondents of every round of the
chain (1), and, when this round shows figures, one aggregate over the
answers of every shown round of the chain (this one included) in place of
the report's own, the frozen wording of the two rounds compared (1) and the
concept and scope of every benefit (1). The aggregate is the report's
``GROUP BY`` with ``assessment_id`` first, so it walks one range of
``answer_report_idx`` per round: the cost of the report of each round, no more.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

from django.utils.translation import gettext, gettext_lazy

from assessments.models import Assessment, AssessmentQuestion
from assessments.selectors import assessment_questionnaire, round_chain
from reports.aggregates import SubmittedFacts, atom_tallies, respondents_of, segments_of
from reports.gate import Released, released_figures
from reports.l10n import signed
from reports.maturity import Maturity, cell_names, maturity
from reports.release import W
from reports.selectors import GapReport, report_from_figures, suppression_reason, withheld_report
from reports.statistics import Stats, Tally, moments, tally_stats
from taxonomy.models import Benefit
from taxonomy.scales import Dimension
from taxonomy.selectors import live_questions

# Under this many paired answers in either round the verdict is "insufficient".
MIN_TREND_N = 5

# A change smaller than this is "unchanged", however sure: a fifth of a scale point.
MIN_CHANGE = Fraction(1, 5)

# The verdicts for people (page, PDF); the JSON and CSV keep the keys.
VERDICTS = {
    "narrowed": gettext_lazy("Narrowed"),
    "widened": gettext_lazy("Widened"),
    "unchanged": gettext_lazy("Unchanged"),
    "insufficient": gettext_lazy("Too few answers"),
}


def welch_t_975(df: float) -> float:
    """t(0.975, df) for a Welch (non-integer) df; ``scipy.special.stdtrit`` as in ``reports.selectors``.

    Not cached: a Welch df is a real number, nearly every one new.
    """
    from scipy.special import stdtrit

    return float(stdtrit(df, 0.975))


@dataclass(frozen=True)
class Trend:
    """One benefit's change since the previous round (contract section 8)."""

    comparable: bool
    gap_before: float | None = None
    change: float | None = None
    ci95: tuple[float, float] | None = None
    df: float | None = None
    verdict: str | None = None
    importance_change: float | None = None
    realization_change: float | None = None

    @property
    def verdict_label(self) -> str:
        return str(VERDICTS.get(self.verdict or "", gettext_lazy("Not comparable")))

    @property
    def change_text(self) -> str:
        """The change, signed (a typographic minus), for people; "–" when there is none."""
        return _signed(self.change)

    @property
    def ci95_text(self) -> str:
        if not self.ci95:
            return "–"
        return gettext("%(low)s to %(high)s") % {"low": _signed(self.ci95[0]), "high": _signed(self.ci95[1])}

    def to_dict(self) -> dict:
        return {
            "comparable": self.comparable,
            "gap_before": self.gap_before,
            "change": self.change,
            "ci95": list(self.ci95) if self.ci95 else None,
            "df": self.df,
            "verdict": self.verdict,
            "importance_change": self.importance_change,
            "realization_change": self.realization_change,
        }


NOT_COMPARABLE = Trend(comparable=False)


def _signed(value: float | None) -> str:
    return "–" if value is None else signed(value).replace("-", "−")


@dataclass(frozen=True)
class PairedSums:
    """Integer sums of one round's paired differences: n, sum and sum of squares."""

    n: int
    total: int
    squares: int

    @classmethod
    def of(cls, tally: Tally) -> PairedSums:
        return cls(tally.paired_n, tally.paired_sum, tally.paired_squares)


def _difference(a: float | None, b: float | None) -> float | None:
    return a - b if a is not None and b is not None else None


def _mean_of(counts: list[int]) -> float | None:
    n = sum(counts)
    return sum(v * c for v, c in enumerate(counts)) / n if n else None


def paired_change(now: PairedSums, before: PairedSums) -> tuple[float | None, tuple[float, float] | None, float | None]:
    """``change``, ``ci95`` and ``df`` of section 8: Welch's interval for the difference of two paired means."""
    mean_now, var_now = moments(now.n, now.total, now.squares)
    mean_before, var_before = moments(before.n, before.total, before.squares)
    if mean_now is None or mean_before is None:
        return None, None, None
    change = mean_now - mean_before
    if var_now is None or var_before is None:  # a paired n below 2
        return change, None, None
    v_now, v_before = var_now / now.n, var_before / before.n
    if v_now + v_before == 0:
        return change, (change, change), float(now.n + before.n - 2)
    se = math.sqrt(v_now + v_before)
    df = (v_now + v_before) ** 2 / (v_now**2 / (now.n - 1) + v_before**2 / (before.n - 1))
    half = welch_t_975(df) * se
    return change, (change - half, change + half), df


def verdict(now: PairedSums, before: PairedSums, ci95: tuple[float, float] | None) -> str:
    """``insufficient``, ``narrowed``, ``widened`` or ``unchanged`` (section 8).

    The size test compares the exact difference of the two means (ratios of
    integers), so a change of exactly 0.2 is 0.2, not 0.19999999999999996.
    """
    if now.n < MIN_TREND_N or before.n < MIN_TREND_N or ci95 is None:
        return "insufficient"
    change = Fraction(now.total, now.n) - Fraction(before.total, before.n)
    if ci95[1] < 0 and change <= -MIN_CHANGE:
        return "narrowed"
    if ci95[0] > 0 and change >= MIN_CHANGE:
        return "widened"
    return "unchanged"


def benefit_trend(now: Tally, before: Tally) -> Trend:
    """The trend of a comparable benefit, from its tallies in this round and the previous one."""
    paired_now, paired_before = PairedSums.of(now), PairedSums.of(before)
    change, ci95, df = paired_change(paired_now, paired_before)
    imp_now, real_now = _mean_of(now.importance), _mean_of(now.realization)
    imp_before, real_before = _mean_of(before.importance), _mean_of(before.realization)
    return Trend(
        comparable=True,
        gap_before=_difference(imp_before, real_before),
        change=change,
        ci95=ci95,
        df=df,
        verdict=verdict(paired_now, paired_before, ci95),
        importance_change=_difference(imp_now, imp_before),
        realization_change=_difference(real_now, real_before),
    )


# --- The chain of rounds ----------------------------------------------------------------


@dataclass(frozen=True)
class Round:
    """One round of the chain, as far as anyone may see it."""

    id: int
    title: str
    respondents: int
    reason: str | None  # why it shows no figures (section 6), or None

    @property
    def suppressed(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True)
class CellHistory:
    """One concept x scope cell's gap in each round of the chain (None where that round shows none)."""

    concept: str
    scope: str
    title: str
    gaps: tuple[float | None, ...]  # aligned with RoundComparison.chain


@dataclass(frozen=True)
class RoundComparison:
    """What the report of a round with a previous one adds (section 8)."""

    previous: Round
    chain: tuple[Round, ...]  # oldest first; this round last
    # By path (a None trend: withheld in either round); None when either round is suppressed.
    trends: dict[str, Trend | None] | None
    history: tuple[CellHistory, ...]  # six, in the report's cell order; empty when this round is suppressed
    # Section 14: each earlier round's maturity (aligned with ``chain[:-1]``), None where it shows no figures.
    maturity_history: tuple[Maturity | None, ...] = ()

    @property
    def previous_maturity(self) -> Maturity | None:
        """The previous round's maturity, the base of each entry's trend; None when it shows no figures."""
        return self.maturity_history[-1] if self.maturity_history else None

    def previous_dict(self) -> dict:
        p = self.previous
        return {"assessment": p.title, "respondents": p.respondents, "suppressed": p.suppressed}

    def trend_of(self, path: str) -> Trend | None:
        return None if self.trends is None else self.trends.get(path, NOT_COMPARABLE)

    def trend_dict(self, path: str) -> dict | None:
        trend = self.trend_of(path)
        return None if trend is None else trend.to_dict()


Wording = dict[tuple[int, str], str]  # (benefit id, dimension) -> the question's text


def wordings_of(rounds: Iterable[Assessment]) -> dict[int, Wording]:
    """Per assessment, the wording its respondents saw: its frozen snapshot; 1 query.

    A round without a snapshot has no answers, so it never shows figures;
    it would read the live questions (one more query) if it ever did.
    """
    rounds = list(rounds)
    frozen = [a.pk for a in rounds if a.questions_frozen_at is not None]
    wordings: dict[int, Wording] = {a.pk: {} for a in rounds}
    rows = AssessmentQuestion.objects.filter(assessment_id__in=frozen).values_list(
        "assessment_id", "benefit_id", "dimension", "text"
    )
    for assessment_id, benefit_id, dimension, text in rows:
        wordings[assessment_id][(benefit_id, dimension)] = text
    if len(frozen) < len(rounds):
        live = {(q.benefit_id, q.dimension): q.text for q in live_questions()}
        for a in rounds:
            if a.questions_frozen_at is None:
                wordings[a.pk] = live
    return wordings


DIMENSIONS = (Dimension.IMPORTANCE.value, Dimension.REALIZATION.value)


def is_comparable(benefit_id: int, now: Wording, before: Wording) -> bool:
    """Asked in both rounds, both questions in the same words."""
    keys = [(benefit_id, d) for d in DIMENSIONS]
    return all(k in now and k in before and now[k] == before[k] for k in keys)


def _cell_gap(tallies: dict[int, Tally], benefit_ids: list[int]) -> float | None:
    """A cell's gap in one round, as section 4 defines it: the mean of its benefits' defined means."""
    imp = [m for m in (_mean_of(tallies[b].importance) for b in benefit_ids if b in tallies) if m is not None]
    real = [m for m in (_mean_of(tallies[b].realization) for b in benefit_ids if b in tallies) if m is not None]
    if not imp or not real:
        return None
    return sum(imp) / len(imp) - sum(real) / len(real)


def benefit_cells() -> dict[int, tuple[str, str]]:
    """Every benefit's (concept slug, scope slug), by id; 1 query."""
    rows = Benefit.objects.values_list("id", "concept__slug", "scope__slug")
    return {benefit_id: (concept, scope) for benefit_id, concept, scope in rows}


def cell_history(
    report: GapReport,
    chain: list[Round],
    tallies: dict[int, dict[int, Tally]],
    cells: dict[int, tuple[str, str]] | None = None,
) -> tuple[CellHistory, ...]:
    """Each of the report's cells, with its gap in every round of the chain that shows figures; 1 query.

    A benefit counts in the cell of its concept and scope, in each round that rated it.
    ``cells`` is :func:`benefit_cells`, when already read (then no query).
    """
    cell_of: dict[tuple[str, str], list[int]] = {}
    for benefit_id, (concept, scope) in (benefit_cells() if cells is None else cells).items():
        cell_of.setdefault((concept, scope), []).append(benefit_id)
    history = []
    for cell in report.cells:
        ids = cell_of.get((cell.concept, cell.scope), [])
        gaps = tuple(None if r.suppressed else _cell_gap(tallies[r.id], ids) for r in chain)
        history.append(CellHistory(cell.concept, cell.scope, cell.title, gaps))
    return tuple(history)


@dataclass(frozen=True)
class RoundBenefit:
    """What maturity needs of one benefit in an earlier round: where it sits, its realization, whether shown."""

    concept: str
    scope: str
    realization: Stats
    withheld: bool


def round_benefits(tallies: dict[int, Tally], cells: dict[int, tuple[str, str]], k: int) -> list[RoundBenefit]:
    """One earlier round's benefits as its own report releases them, for its maturity.

    ``tallies`` are the round's released ones (``reports.gate``): a withheld
    benefit is not there at all, and a paired-only one holds only the answers
    of those who rated both. The n check below restates step 2's first test,
    so that a tally from anywhere else could not slip a small group through.
    """
    result = []
    for benefit_id, tally in tallies.items():
        if benefit_id not in cells:
            continue
        importance, realization = tally_stats(tally.importance), tally_stats(tally.realization)
        withheld = any(0 < s.n < k for s in (importance, realization))
        result.append(RoundBenefit(*cells[benefit_id], realization=realization, withheld=withheld))
    return result


def maturity_history(
    report: GapReport,
    earlier: list[Assessment],
    rounds: list[Round],
    tallies: dict[int, dict[int, Tally]],
    cells: dict[int, tuple[str, str]],
) -> tuple[Maturity | None, ...]:
    """Each earlier round's maturity over the report's cells (None where it shows no figures); no query.

    ``cells`` is :func:`benefit_cells`.
    """
    order = [(c.concept, c.scope) for c in report.cells]
    names = cell_names(report.cells)
    return tuple(
        None
        if r.suppressed
        else maturity(round_benefits(tallies[r.id], cells, a.min_group_size), cells=order, names=names)
        for a, r in zip(earlier, rounds, strict=True)
    )


def gap_report_with_previous(*, assessment: Assessment, facts: SubmittedFacts, reason: str | None) -> GapReport:
    """``reports.selectors.gap_report`` of a round that has a previous one: the report, with its trend.

    ``facts`` and ``reason`` are this round's, already read. A fixed number
    of queries whatever the length of the chain (see the module docstring).
    Each round's figures pass its own release rule: a benefit withheld in
    either round has no trend, and a cell's gap in a round is over the
    benefits that round released.
    """
    earlier = round_chain(assessment=assessment)
    counts = respondents_of([a.pk for a in earlier]) if earlier else {}
    rounds = [
        Round(
            a.pk,
            a.title,
            counts.get(a.pk, 0),
            suppression_reason(assessment=a, respondents=counts.get(a.pk, 0)),
        )
        for a in earlier
    ]
    this_round = Round(assessment.pk, assessment.title, facts.respondents, reason)
    chain = [*rounds, this_round]
    # ``earlier`` is empty only when the previous round was deleted since ``assessment`` was read.
    previous = rounds[-1] if rounds else Round(assessment.previous_id, "", 0, "below-minimum")
    if reason is not None:
        report = withheld_report(assessment, facts, reason)
        return dataclasses.replace(report, rounds=RoundComparison(previous, tuple(chain), None, ()))

    by_id = {a.pk: a for a in [*earlier, assessment]}
    shown = [r.id for r in chain if not r.suppressed]
    atoms = atom_tallies(segments=segments_of(shown))
    released: dict[int, Released] = {}
    for round_id in shown:
        # Only this round's figures are computed; of the others, the rule's decisions and tallies.
        this = round_id == assessment.pk
        released[round_id] = released_figures(
            atoms=atoms[round_id],
            k=by_id[round_id].min_group_size,
            questionnaire=assessment_questionnaire(assessment=assessment) if this else None,
            threshold=float(assessment.threshold) if this else 0.0,
        )
    now_released = released[assessment.pk]
    report = report_from_figures(assessment=assessment, facts=facts, figures=now_released.figures[W])
    tallies = {round_id: r.tallies[W] for round_id, r in released.items()}
    trends = None
    if not previous.suppressed:
        previous_round = earlier[-1]
        wordings = wordings_of([assessment, previous_round])
        now, before = wordings[assessment.pk], wordings[previous_round.pk]
        before_released = released[previous.id]
        empty = Tally()
        trends = {}
        for b in report.benefits:
            if b.withheld or not before_released.shown(W, b.id):
                trends[b.path] = None
            elif is_comparable(b.id, now, before):
                trends[b.path] = benefit_trend(
                    tallies[assessment.pk].get(b.id, empty), tallies[previous.id].get(b.id, empty)
                )
            else:
                trends[b.path] = NOT_COMPARABLE
    cells = benefit_cells()
    history = cell_history(report, chain, tallies, cells)
    maturities = maturity_history(report, earlier, rounds, tallies, cells)
    return dataclasses.replace(
        report, rounds=RoundComparison(previous, tuple(chain), trends, history, maturity_history=maturities)
    )
