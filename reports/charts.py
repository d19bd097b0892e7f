"""Geometry for the report page's server-rendered SVG charts.

The templates only place what this module computes: coordinates in each
chart's viewBox, fills as hex colours (SVG presentation attributes, which a
strict Content-Security-Policy allows, unlike ``style=``), and the words
that go with every mark, so colour is never the only signal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from reports.figures import QUADRANTS, BenefitResult, CellResult
from reports.l10n import decimal
from reports.maturity_charts import MaturityPicture, MaturityRounds, maturity_picture, maturity_rounds
from reports.selectors import GapReport
from reports.statistics import MIN_EVIDENCE_N, SCALE_VALUES, t_quantile_975
from reports.trend_charts import TrendSection, trend_section
from taxonomy.scales import SCALE_MAX, SCALE_MIN

# --- Ranked gap bars ------------------------------------------------------------
# One small SVG per bar, stretched to the row's width (preserveAspectRatio
# "none", strokes non-scaling), with the benefit's name and numbers as HTML
# beside it: readable at phone width, and the same axis for every row.
GAP_AXIS = (-1.0, 4.0)  # a gap is at most 4; intervals reaching further are clipped (no end cap)
GAP_TICKS = tuple(range(-1, 5))  # report.css places their labels (.tick-m1 ... .tick-4)
BAR_WIDTH = 600.0
BAR_HEIGHT = 24.0


def _gap_x(value: float) -> float:
    lo, hi = GAP_AXIS
    return (min(max(value, lo), hi) - lo) / (hi - lo) * BAR_WIDTH


@dataclass(frozen=True)
class GapBar:
    benefit: BenefitResult
    label: str
    cell_title: str
    x: float  # bar from zero to the gap
    width: float
    zero_x: float
    threshold_x: float
    low_x: float | None  # the 95% interval of the paired difference, clipped to the axis
    high_x: float | None
    low_clipped: bool
    high_clipped: bool

    @property
    def description(self) -> str:
        b = self.benefit
        if b.paired.ci95:
            return gettext("Gap %(gap)s, 95%% interval %(low)s to %(high)s") % {
                "gap": decimal(b.gap),
                "low": decimal(b.paired.ci95[0]),
                "high": decimal(b.paired.ci95[1]),
            }
        return gettext("Gap %(gap)s") % {"gap": decimal(b.gap)}


def _gap_bar(benefit: BenefitResult, label: str, cell_title: str, threshold: float) -> GapBar:
    zero, end = _gap_x(0.0), _gap_x(benefit.gap)
    ci = benefit.paired.ci95
    lo, hi = GAP_AXIS
    return GapBar(
        benefit=benefit,
        label=label,
        cell_title=cell_title,
        x=min(zero, end),
        width=abs(end - zero),
        zero_x=zero,
        threshold_x=_gap_x(threshold),
        low_x=_gap_x(ci[0]) if ci else None,
        high_x=_gap_x(ci[1]) if ci else None,
        low_clipped=bool(ci and ci[0] < lo),
        high_clipped=bool(ci and ci[1] > hi),
    )


@dataclass(frozen=True)
class EvidenceGroup:
    key: str  # strong / weak / insufficient
    title: str
    explanation: str
    bars: tuple[GapBar, ...]


EVIDENCE_GROUPS = (
    (
        "strong",
        gettext_lazy("Strong evidence"),
        # xgettext:no-python-format
        gettext_lazy("The whole 95% interval of the respondents' own gaps is at or above the threshold."),
    ),
    (
        "weak",
        gettext_lazy("Weak evidence"),
        # xgettext:no-python-format
        gettext_lazy("The average gap reaches the threshold, but the 95% interval dips below it: respondents differ."),
    ),
    (
        "insufficient",
        gettext_lazy("Too few answers to tell"),
        gettext_lazy("Fewer than five respondents rated both importance and realization."),
    ),
)


# --- Heatmap (concept x scope) ----------------------------------------------------

HEAT_LEFT, HEAT_TOP, HEAT_CELL_W, HEAT_CELL_H = 170.0, 34.0, 250.0, 84.0
POSITIVE = (178, 24, 43)  # a gap: importance above realization
NEGATIVE = (33, 102, 172)  # realization above importance
NEUTRAL = (247, 247, 247)


def _mix(colour: tuple[int, int, int], share: float) -> str:
    rgb = (round(n + (c - n) * share) for n, c in zip(NEUTRAL, colour, strict=True))
    return "#" + "".join(f"{v:02x}" for v in rgb)


def gap_fill(gap: float | None) -> tuple[str, str]:
    """Fill and text colour for a gap: deeper red the larger (full at 2), blue below zero."""
    if gap is None:
        return "url(#hatch)", "#212529"
    share = min(abs(gap) / 2.0, 1.0)
    fill = _mix(POSITIVE if gap >= 0 else NEGATIVE, share)
    return fill, "#ffffff" if share > 0.55 else "#212529"


@dataclass(frozen=True)
class HeatCell:
    cell: CellResult
    x: float
    y: float
    fill: str
    text_fill: str

    @property
    def cx(self) -> float:
        return self.x + HEAT_CELL_W / 2

    @property
    def text_y(self) -> tuple[float, float, float]:
        """Baselines of the cell's three lines: gap, means, counts."""
        return self.y + 30, self.y + 52, self.y + 72


@dataclass(frozen=True)
class HeatLabel:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Heatmap:
    width: float
    height: float
    cells: tuple[HeatCell, ...]
    rows: tuple[HeatLabel, ...]
    columns: tuple[HeatLabel, ...]
    cell_width: float = HEAT_CELL_W
    cell_height: float = HEAT_CELL_H


def heatmap(report: GapReport) -> Heatmap:
    concepts = list(dict.fromkeys((c.concept, c.concept_name) for c in report.cells))
    scopes = list(dict.fromkeys((c.scope, c.scope_name) for c in report.cells))
    row = {slug: i for i, (slug, _) in enumerate(concepts)}
    col = {slug: i for i, (slug, _) in enumerate(scopes)}
    cells = []
    for c in report.cells:
        fill, text_fill = gap_fill(c.summary.gap)
        cells.append(
            HeatCell(
                c, HEAT_LEFT + col[c.scope] * HEAT_CELL_W, HEAT_TOP + row[c.concept] * HEAT_CELL_H, fill, text_fill
            )
        )
    return Heatmap(
        width=HEAT_LEFT + len(scopes) * HEAT_CELL_W,
        height=HEAT_TOP + len(concepts) * HEAT_CELL_H,
        cells=tuple(cells),
        rows=tuple(
            HeatLabel(name, HEAT_LEFT - 10, HEAT_TOP + i * HEAT_CELL_H + HEAT_CELL_H / 2 + 5)
            for i, (_, name) in enumerate(concepts)
        ),
        columns=tuple(
            HeatLabel(name, HEAT_LEFT + i * HEAT_CELL_W + HEAT_CELL_W / 2, HEAT_TOP - 12)
            for i, (_, name) in enumerate(scopes)
        ),
    )


# --- Importance-performance scatter -------------------------------------------------

PLOT = 440.0
PAD_LEFT, PAD_TOP, PAD_RIGHT, PAD_BOTTOM = 52.0, 16.0, 16.0, 48.0
INNER = PLOT - PAD_LEFT - PAD_RIGHT  # square plotting area


def _sx(value: float) -> float:
    return PAD_LEFT + (value - SCALE_MIN) / (SCALE_MAX - SCALE_MIN) * INNER


def _sy(value: float) -> float:
    return PAD_TOP + (SCALE_MAX - value) / (SCALE_MAX - SCALE_MIN) * INNER


def _mean_interval(mean: float | None, sd: float | None, n: int) -> tuple[float, float] | None:
    """95% interval of a mean (for the scatter's optional whiskers), clipped to the scale."""
    if mean is None or sd is None:
        return None
    half = t_quantile_975(n - 1) * sd / math.sqrt(n)
    return max(mean - half, SCALE_MIN), min(mean + half, SCALE_MAX)


QUADRANT_MARKS = {
    # quadrant: (fill, shape) -- the shape carries the meaning for anyone who can't tell the colours apart
    "concentrate-here": ("#b2182b", "diamond"),
    "keep-up-the-good-work": ("#1a9850", "circle"),
    "low-priority": ("#6c757d", "square"),
    "possible-overkill": ("#2166ac", "triangle"),
}


@dataclass(frozen=True)
class Point:
    benefit: BenefitResult
    label: str
    cell_title: str
    x: float
    y: float
    fill: str
    shape: str
    x_interval: tuple[float, float] | None  # importance
    y_interval: tuple[float, float] | None  # realization

    @property
    def square_x(self) -> float:
        return self.x - 5

    @property
    def square_y(self) -> float:
        return self.y - 5

    @property
    def diamond(self) -> str:
        x, y, r = self.x, self.y, 6.0
        return f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"

    @property
    def triangle(self) -> str:
        x, y, r = self.x, self.y, 6.0
        return f"{x:.1f},{y - r:.1f} {x + r:.1f},{y + r * 0.8:.1f} {x - r:.1f},{y + r * 0.8:.1f}"


@dataclass(frozen=True)
class Tick:
    value: int
    x: float
    y: float

    @property
    def y_text(self) -> float:
        return self.y + 4


@dataclass(frozen=True)
class QuadrantLabel:
    key: str
    text: str
    x: float
    y: float
    anchor: str


@dataclass(frozen=True)
class Scatter:
    size: float
    left: float
    top: float
    right: float
    bottom: float
    centre_x: float | None
    centre_y: float | None
    points: tuple[Point, ...]
    ticks: tuple[Tick, ...]
    quadrants: tuple[QuadrantLabel, ...]
    x_label_y: float
    y_label_x: float
    centre_i: float | None
    centre_r: float | None
    inner: float = INNER
    x_ticks_y: float = PAD_TOP + INNER + 18
    y_ticks_x: float = PAD_LEFT - 8
    axis_x: float = PAD_LEFT + INNER / 2
    axis_y: float = PAD_TOP + INNER / 2


def scatter(report: GapReport, cell_titles: dict[str, str], labels: dict[str, str]) -> Scatter:
    points = []
    for b in report.benefits:
        if b.gap is None:
            continue
        fill, shape = QUADRANT_MARKS[b.quadrant]
        x_int = _mean_interval(b.importance.mean, b.importance.sd, b.importance.n)
        y_int = _mean_interval(b.realization.mean, b.realization.sd, b.realization.n)
        points.append(
            Point(
                benefit=b,
                label=labels[b.path],
                cell_title=cell_titles[b.path],
                x=_sx(b.importance.mean),
                y=_sy(b.realization.mean),
                fill=fill,
                shape=shape,
                x_interval=(_sx(x_int[0]), _sx(x_int[1])) if x_int else None,
                y_interval=(_sy(y_int[1]), _sy(y_int[0])) if y_int else None,
            )
        )
    left, top, right, bottom = PAD_LEFT, PAD_TOP, PAD_LEFT + INNER, PAD_TOP + INNER
    quadrants = (
        QuadrantLabel("possible-overkill", str(QUADRANTS["possible-overkill"]), left + 8, top + 18, "start"),
        QuadrantLabel("keep-up-the-good-work", str(QUADRANTS["keep-up-the-good-work"]), right - 8, top + 18, "end"),
        QuadrantLabel("low-priority", str(QUADRANTS["low-priority"]), left + 8, bottom - 10, "start"),
        QuadrantLabel("concentrate-here", str(QUADRANTS["concentrate-here"]), right - 8, bottom - 10, "end"),
    )
    ci, cr = report.centre_importance, report.centre_realization
    return Scatter(
        size=PLOT,
        left=left,
        top=top,
        right=right,
        bottom=bottom,
        centre_x=_sx(ci) if ci is not None else None,
        centre_y=_sy(cr) if cr is not None else None,
        points=tuple(points),
        ticks=tuple(Tick(v, _sx(v), _sy(v)) for v in SCALE_VALUES),
        quadrants=quadrants,
        x_label_y=PLOT - 8,
        y_label_x=14,
        centre_i=ci,
        centre_r=cr,
    )


# --- Answer distributions of contested benefits ----------------------------------

HIST_W, HIST_H, HIST_BAR, HIST_STEP, HIST_BASE = 170.0, 86.0, 24.0, 32.0, 64.0


@dataclass(frozen=True)
class HistBar:
    value: int
    count: int
    x: float
    y: float
    height: float

    @property
    def cx(self) -> float:
        return self.x + HIST_BAR / 2

    @property
    def count_y(self) -> float:
        return self.y - 3


@dataclass(frozen=True)
class Histogram:
    dimension: str
    title: str
    n: int
    bars: tuple[HistBar, ...]
    width: float = HIST_W
    height: float = HIST_H
    base: float = HIST_BASE
    value_y: float = HIST_BASE + 15

    @property
    def description(self) -> str:
        return ", ".join(f"{b.value}: {b.count}" for b in self.bars)


DIMENSION_TITLES = {
    "importance": pgettext_lazy("dimension", "Importance"),
    "realization": pgettext_lazy("dimension", "Realization"),
}


def histograms(benefit: BenefitResult) -> tuple[Histogram, Histogram]:
    """Both scales' answer counts on one vertical scale, so the two can be compared at a glance."""
    peak = max((*benefit.importance.counts, *benefit.realization.counts, 1))
    result = []
    for dimension in ("importance", "realization"):
        stats = getattr(benefit, dimension)
        bars = []
        for i, (value, count) in enumerate(zip(SCALE_VALUES, stats.counts, strict=True)):
            height = (HIST_BASE - 14) * count / peak
            bars.append(HistBar(value, count, 5 + i * HIST_STEP, HIST_BASE - height, height))
        result.append(Histogram(dimension, str(DIMENSION_TITLES[dimension]), stats.n, tuple(bars)))
    return result[0], result[1]


@dataclass(frozen=True)
class Contested:
    benefit: BenefitResult
    label: str
    cell_title: str
    importance: Histogram
    realization: Histogram


# --- Internal against external ------------------------------------------------------


@dataclass(frozen=True)
class ScopePair:
    """One benefit that both scopes of a concept list (matched by its path below the scope)."""

    concept_name: str
    internal: BenefitResult
    external: BenefitResult

    @property
    def gap_difference(self) -> float | None:
        a, b = self.internal.gap, self.external.gap
        return a - b if a is not None and b is not None else None


def scope_pairs(report: GapReport) -> tuple[ScopePair, ...]:
    by_concept: dict[str, dict[str, dict[str, BenefitResult]]] = {}
    names = {c.concept: c.concept_name for c in report.cells}
    for b in report.benefits:
        by_concept.setdefault(b.concept, {}).setdefault(b.scope, {})[b.key] = b
    pairs = []
    for concept, scopes in by_concept.items():
        internal, external = scopes.get("internal", {}), scopes.get("external", {})
        pairs.extend(ScopePair(names[concept], b, external[key]) for key, b in internal.items() if key in external)
    return tuple(pairs)


# --- The page ---------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    benefit: BenefitResult
    label: str
    cell_title: str


@dataclass(frozen=True)
class SummaryGap:
    """One of the largest gaps for the report's summary, with how sure it is in plain words."""

    benefit: BenefitResult
    label: str
    cell_title: str
    sureness: str  # "clear", "likely", "unsure", "maybe", "below": the summary's key for its sentence


SUMMARY_GAPS = 5


def sureness(benefit: BenefitResult, threshold: float) -> str:
    """How sure the report is that the benefit falls short, from the 95% interval of respondents' own gaps.

    ``clear``: even the low end reaches the threshold; ``likely``: the average
    does, the low end does not; ``maybe``: the average is below it, the high
    end reaches it; ``below``: the whole interval is below; ``unsure``: too
    few people rated both scales to say.
    """
    paired = benefit.paired
    if paired.n < MIN_EVIDENCE_N or paired.ci95 is None or benefit.gap is None:
        return "unsure"
    low, high = paired.ci95
    if low >= threshold:
        return "clear"
    if benefit.gap >= threshold:
        return "likely"
    return "maybe" if high >= threshold else "below"


def summary_gaps(report: GapReport, labels: dict[str, str], titles: dict[str, str]) -> tuple[SummaryGap, ...]:
    """The ranking's first five: the largest gaps, whether or not they reach the threshold."""
    return tuple(
        SummaryGap(b, labels[b.path], titles[b.path], sureness(b, report.threshold))
        for b in report.ranked[:SUMMARY_GAPS]
        if b.gap is not None
    )


@dataclass(frozen=True)
class ReportPage:
    report: GapReport
    headline: tuple[Finding, ...]  # the (up to) five most under-realized
    evidence_groups: tuple[EvidenceGroup, ...]
    heatmap: Heatmap
    scatter: Scatter
    contested: tuple[Contested, ...]
    pairs: tuple[ScopePair, ...]
    cell_titles: dict[str, str]
    trend: TrendSection | None = None  # "Since <previous round>"; None without a previous round
    maturity: MaturityPicture | None = None  # section 14: the picture that opens the page
    maturity_rounds: MaturityRounds | None = None  # each cell's level in every round of the chain
    summary_gaps: tuple[SummaryGap, ...] = ()  # the summary's five largest gaps
    gap_ticks: tuple[int, ...] = GAP_TICKS
    bar_width: float = BAR_WIDTH
    bar_height: float = BAR_HEIGHT


def benefit_labels(report: GapReport) -> dict[str, str]:
    """A sub-benefit's name alone ("Personal") says little out of its table: prefix its parents."""
    labels: dict[str, str] = {}
    for b in report.benefits:  # parents come before their children
        labels[b.path] = f"{labels[b.parent]} › {b.name}" if b.parent in labels else b.name
    return labels


def report_page(report: GapReport) -> ReportPage:
    titles = {b.path: c.title for c in report.cells for b in c.benefits}
    labels = benefit_labels(report)
    under = report.under_realized
    groups = tuple(
        EvidenceGroup(
            key,
            str(title),
            str(explanation),
            tuple(_gap_bar(b, labels[b.path], titles[b.path], report.threshold) for b in under if b.evidence == key),
        )
        for key, title, explanation in EVIDENCE_GROUPS
    )
    # The ranking's top five (each shown with its evidence), or the largest gaps when none reaches the threshold.
    headline = tuple(Finding(b, labels[b.path], titles[b.path]) for b in (under[:5] if under else report.ranked[:3]))
    contested = tuple(
        Contested(b, labels[b.path], titles[b.path], *histograms(b)) for b in report.benefits if b.contested
    )
    return ReportPage(
        report=report,
        headline=headline,
        evidence_groups=groups,
        heatmap=heatmap(report),
        scatter=scatter(report, titles, labels),
        contested=contested,
        pairs=scope_pairs(report),
        cell_titles=titles,
        trend=trend_section(report, labels, titles),
        maturity=maturity_picture(report.maturity, report.benefits) if report.maturity is not None else None,
        maturity_rounds=maturity_rounds(report),
        summary_gaps=summary_gaps(report, labels, titles),
    )
