"""Geometry for the report page's "Since <previous round>" part (contract section 8).

Like ``reports/charts.py``: the template only places what this module
computes, every mark has its words beside it, and nothing needs an inline
style or script.

- A *dumbbell* per benefit that narrowed or widened: a tick at the gap
  before, a dot at the gap now, the line between them, and a band for the
  95% interval of the change measured from the gap before (when the band
  leaves the tick behind, the change is clear). One small SVG per row,
  stretched to the row's width like the ranked gap bars; the dot is a
  zero-length line with a round cap and a non-scaling stroke, so it stays
  round whatever the stretch.
- A small line chart per concept x scope cell: its gap in every round of the
  chain, on one vertical scale for the six, so they compare at a glance.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy

from reports.figures import BenefitResult
from reports.l10n import decimal, signed
from reports.selectors import GapReport
from reports.trends import Round, Trend

DUMBBELL_AXIS = (-1.0, 4.0)  # the ranked bars' gap axis, so their tick labels (report.css) serve here too
DUMBBELL_WIDTH = 600.0
DUMBBELL_HEIGHT = 24.0


def _dx(value: float) -> float:
    lo, hi = DUMBBELL_AXIS
    return (min(max(value, lo), hi) - lo) / (hi - lo) * DUMBBELL_WIDTH


@dataclass(frozen=True)
class Dumbbell:
    benefit: BenefitResult
    trend: Trend
    label: str
    cell_title: str
    before_x: float
    now_x: float
    band_x: float | None  # the interval of the change, from the gap before
    band_width: float | None
    zero_x: float

    @property
    def line_x(self) -> tuple[float, float]:
        return min(self.before_x, self.now_x), max(self.before_x, self.now_x)

    @property
    def description(self) -> str:
        t = self.trend
        text = gettext("gap %(before)s before, %(now)s now; change %(change)s") % {
            "before": decimal(t.gap_before),
            "now": decimal(self.benefit.gap),
            "change": signed(t.change),
        }
        if t.ci95:
            bounds = {"low": signed(t.ci95[0]), "high": signed(t.ci95[1])}
            text += gettext(", 95%% interval %(low)s to %(high)s") % bounds
        return text


def _dumbbell(benefit: BenefitResult, trend: Trend, label: str, cell_title: str) -> Dumbbell:
    band = None
    if trend.ci95:
        low, high = _dx(trend.gap_before + trend.ci95[0]), _dx(trend.gap_before + trend.ci95[1])
        band = (low, max(high - low, 1.0))
    return Dumbbell(
        benefit=benefit,
        trend=trend,
        label=label,
        cell_title=cell_title,
        before_x=_dx(trend.gap_before),
        now_x=_dx(benefit.gap),
        band_x=band[0] if band else None,
        band_width=band[1] if band else None,
        zero_x=_dx(0.0),
    )


@dataclass(frozen=True)
class TrendGroup:
    key: str  # narrowed / widened
    title: str
    explanation: str
    rows: tuple[Dumbbell, ...]


@dataclass(frozen=True)
class TrendRow:
    """One benefit in the table of every change."""

    benefit: BenefitResult
    trend: Trend
    label: str
    cell_title: str


# --- The cells' gaps over the rounds -------------------------------------------------------

LINE_W, LINE_H = 320.0, 170.0
LINE_LEFT, LINE_RIGHT, LINE_TOP, LINE_BOTTOM = 40.0, 12.0, 22.0, 34.0
LINE_INSET = 34.0  # the first and last rounds stand this far inside the axes, clear of the tick labels
# Round names longer than this are shortened under the axis (the description and the table have them whole).
LINE_LABEL_CHARS = 16


@dataclass(frozen=True)
class LinePoint:
    round: Round
    gap: float
    x: float
    y: float

    @property
    def label_y(self) -> float:
        return self.y - 8


@dataclass(frozen=True)
class LineTick:
    value: float
    y: float

    @property
    def text_y(self) -> float:
        return self.y + 4


@dataclass(frozen=True)
class RoundLabel:
    text: str
    x: float


@dataclass(frozen=True)
class LineChart:
    key: str  # concept-scope, for ids
    title: str
    points: tuple[LinePoint, ...]
    segments: tuple[str, ...]  # polylines' points; a round without a gap breaks the line
    ticks: tuple[LineTick, ...]
    labels: tuple[RoundLabel, ...]
    zero_y: float | None
    missing: tuple[str, ...]  # rounds without a gap in this cell
    width: float = LINE_W
    height: float = LINE_H
    left: float = LINE_LEFT
    right: float = LINE_W - LINE_RIGHT
    label_y: float = LINE_H - LINE_BOTTOM + 18
    tick_x: float = LINE_LEFT - 6

    @property
    def description(self) -> str:
        parts = [
            gettext("%(round)s: gap %(gap)s") % {"round": p.round.title, "gap": decimal(p.gap)} for p in self.points
        ]
        parts += [gettext("%(round)s: not shown") % {"round": title} for title in self.missing]
        return "; ".join(parts) + "."


def _gap_range(histories) -> tuple[float, float]:
    values = [g for h in histories for g in h.gaps if g is not None]
    lo = min([0.0, *values])
    hi = max([1.0, *values])
    return math.floor(lo * 2) / 2, math.ceil(hi * 2) / 2


def _short(title: str) -> str:
    return title if len(title) <= LINE_LABEL_CHARS else title[: LINE_LABEL_CHARS - 1] + "…"


def round_labels(titles: list[str]) -> list[str]:
    """Short names of the rounds under a chart's axis, different from each other.

    Rounds are often named alike ("Social maturity 2025", "Social maturity
    2026"): cut at the end, both read "Social maturity…". Then the words all
    titles share at the start are left out (as few as needed to fit) and the
    end is kept, where such names differ; if even that leaves two alike, the
    rounds are numbered.
    """
    labels = [_short(t) for t in titles]
    if len(set(labels)) == len(labels):
        return labels
    words = [t.split() for t in titles]
    shared = 0
    while all(len(w) > shared + 1 for w in words) and len({w[shared] for w in words}) == 1:
        shared += 1
    # Give back shared words while every name still fits: "maturity 2025" says more than "2025".
    while shared and all(len(" ".join(w[shared - 1 :])) <= LINE_LABEL_CHARS for w in words):
        shared -= 1
    rests = [" ".join(w[shared:]) for w in words]
    labels = [r if len(r) <= LINE_LABEL_CHARS else "…" + r[-(LINE_LABEL_CHARS - 1) :] for r in rests]
    if len(set(labels)) == len(labels):
        return labels
    return [gettext("Round %(number)s") % {"number": i} for i in range(1, len(titles) + 1)]


def line_charts(report: GapReport) -> tuple[LineChart, ...]:
    rounds = report.rounds
    chain = rounds.chain
    lo, hi = _gap_range(rounds.history)
    inner_w = LINE_W - LINE_LEFT - LINE_RIGHT - 2 * LINE_INSET
    inner_h = LINE_H - LINE_TOP - LINE_BOTTOM

    def x(i: int) -> float:
        return LINE_LEFT + LINE_INSET + (inner_w * i / (len(chain) - 1) if len(chain) > 1 else inner_w / 2)

    def y(value: float) -> float:
        return LINE_TOP + (hi - value) / (hi - lo) * inner_h

    step = 0.5 if hi - lo <= 2 else 1.0
    ticks = tuple(LineTick(lo + k * step, y(lo + k * step)) for k in range(int(round((hi - lo) / step)) + 1))
    # Few rounds: each named under its point; more: the first and the last, the rest in the table.
    named = range(len(chain)) if len(chain) <= 3 else (0, len(chain) - 1)

    short = round_labels([r.title for r in chain])
    labels = tuple(RoundLabel(short[i], x(i)) for i in named)
    charts = []
    for history in rounds.history:
        points, segments, current = [], [], []
        for i, (r, gap) in enumerate(zip(chain, history.gaps, strict=True)):
            if gap is None:
                if len(current) > 1:
                    segments.append(" ".join(current))
                current = []
                continue
            point = LinePoint(r, gap, x(i), y(gap))
            points.append(point)
            current.append(f"{point.x:.1f},{point.y:.1f}")
        if len(current) > 1:
            segments.append(" ".join(current))
        charts.append(
            LineChart(
                key=f"{history.concept}-{history.scope}",
                title=history.title,
                points=tuple(points),
                segments=tuple(segments),
                ticks=ticks,
                labels=labels,
                zero_y=y(0.0) if lo < 0 < hi else None,
                missing=tuple(r.title for r, g in zip(chain, history.gaps, strict=True) if g is None),
            )
        )
    return tuple(charts)


# --- The section ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSection:
    previous: Round
    chain: tuple[Round, ...]
    groups: tuple[TrendGroup, ...]  # narrowed, then widened
    rows: tuple[TrendRow, ...]  # every benefit, taxonomy order
    counts: dict[str, int]  # verdict (or "not_comparable") -> how many benefits
    lines: tuple[LineChart, ...]
    width: float = DUMBBELL_WIDTH
    height: float = DUMBBELL_HEIGHT

    @property
    def shown(self) -> bool:
        """Whether there are trends to show: both rounds show figures."""
        return not self.previous.suppressed


TREND_GROUPS = (
    (
        "narrowed",
        gettext_lazy("Narrowed"),
        # xgettext:no-python-format
        gettext_lazy("The gap shrank by at least 0.2, and the whole 95% interval of the change is below zero."),
    ),
    (
        "widened",
        gettext_lazy("Widened"),
        # xgettext:no-python-format
        gettext_lazy("The gap grew by at least 0.2, and the whole 95% interval of the change is above zero."),
    ),
)


def trend_section(report: GapReport, labels: dict[str, str], cell_titles: dict[str, str]) -> TrendSection | None:
    """The page's "Since <previous round>" part; None when the report has no previous round or no figures."""
    rounds = report.rounds
    if rounds is None or report.suppressed:
        return None
    rows, counts = [], dict.fromkeys(("narrowed", "widened", "unchanged", "insufficient", "not_comparable"), 0)
    for b in report.benefits:
        trend = rounds.trend_of(b.path)
        if trend is None:
            continue
        rows.append(TrendRow(b, trend, labels[b.path], cell_titles[b.path]))
        counts[trend.verdict if trend.comparable else "not_comparable"] += 1
    groups = []
    for key, title, explanation in TREND_GROUPS:
        chosen = [r for r in rows if r.trend.verdict == key]
        # Largest change first: the most negative for narrowed, the most positive for widened.
        chosen.sort(key=lambda r: (r.trend.change if key == "narrowed" else -r.trend.change, r.benefit.path))
        groups.append(
            TrendGroup(
                key,
                str(title),
                str(explanation),
                tuple(_dumbbell(r.benefit, r.trend, r.label, r.cell_title) for r in chosen),
            )
        )
    return TrendSection(
        previous=rounds.previous,
        chain=rounds.chain,
        groups=tuple(groups),
        rows=tuple(rows),
        counts=counts,
        lines=line_charts(report),
    )
