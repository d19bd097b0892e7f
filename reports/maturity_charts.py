"""Geometry of the maturity picture that opens the report page (contract section 14).

One SVG a sponsor can put on a slide: a row per concept x scope cell, then
the overall level, over the five level bands. Each row has the score (a
dot), its 95% interval (a bar) and the target (a red flag at the target
level's lower edge). Every mark has words beside it in the SVG's
description and in a table, so neither colour nor shape is the only signal.
Like ``reports.charts``, the template only places what this module computes.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from reports.l10n import decimal, short
from reports.maturity import LEVEL_EDGES, LEVEL_LABELS, LEVEL_MEANINGS, LEVELS, Entry, Maturity

WIDTH = 640.0
LEFT, RIGHT = 16.0, 16.0
TOP = 56.0  # room for the band names
ROW = 58.0  # a label line, then the track
GAP_BEFORE_OVERALL = 16.0
BOTTOM = 28.0  # the axis numbers
# Light to deep: the level bands behind the rows.
BAND_FILLS = ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6")


def x_of(value: float) -> float:
    """A score (1 to 5) on the picture's axis."""
    return LEFT + (min(max(float(value), 1.0), 5.0) - 1.0) / 4.0 * (WIDTH - LEFT - RIGHT)


@dataclass(frozen=True)
class Band:
    level: int
    name: str
    x: float
    width: float
    fill: str

    @property
    def cx(self) -> float:
        return self.x + self.width / 2


@dataclass(frozen=True)
class Row:
    entry: Entry
    y: float  # the top of the row
    overall: bool

    @property
    def label_y(self) -> float:
        return self.y + 18

    @property
    def track_y(self) -> float:
        return self.y + 38

    @property
    def score_x(self) -> float | None:
        return None if self.entry.score is None else x_of(self.entry.score)

    @property
    def interval(self) -> tuple[float, float] | None:
        e = self.entry
        return None if e.low is None else (x_of(e.low), x_of(e.high) - x_of(e.low))

    @property
    def target_x(self) -> float | None:
        return None if self.entry.target is None else x_of(LEVEL_EDGES[self.entry.target])

    @property
    def flag_points(self) -> str:
        """A small flag on the target's pole, pointing right (into the target band)."""
        x, y = self.target_x, self.track_y
        return f"{x:.1f},{y - 17:.1f} {x + 11:.1f},{y - 13:.1f} {x:.1f},{y - 9:.1f}"

    @property
    def summary(self) -> str:
        """The words right of the label: level now, and the target."""
        e = self.entry
        if e.score is None:
            text = gettext("no released rating")
        else:
            text = gettext("level %(level)s %(name)s (%(score)s)") % {
                "level": e.level,
                "name": e.level_label,
                "score": decimal(e.score, 1),
            }
        if e.target is not None:
            text += gettext(" · target %(level)s") % {"level": e.target}
        return text


@dataclass(frozen=True)
class Tick:
    value: str  # a band edge, as written on the axis
    x: float


@dataclass(frozen=True)
class LevelMeaning:
    level: int
    name: str
    low: str
    high: str
    meaning: str


@dataclass(frozen=True)
class NextStep:
    """For a cell short of its target: its least realized benefit and what organizations do to realize it."""

    entry: Entry
    benefit: str
    realization: float
    practices: tuple[str, ...]


@dataclass(frozen=True)
class MaturityPicture:
    maturity: Maturity
    bands: tuple[Band, ...]
    rows: tuple[Row, ...]
    ticks: tuple[Tick, ...]
    height: float
    axis_y: float
    width: float = WIDTH
    next_steps: tuple[NextStep, ...] = ()

    @property
    def cells(self) -> tuple[Entry, ...]:
        return self.maturity.cells

    @property
    def overall(self) -> Entry:
        return self.maturity.overall

    @property
    def description(self) -> str:
        return ". ".join(e.sentence for e in (*self.maturity.cells, self.maturity.overall)) + "."

    @property
    def levels(self) -> tuple[LevelMeaning, ...]:
        return level_meanings()

    @property
    def has_targets(self) -> bool:
        return any(c.target is not None for c in self.maturity.cells)


def level_meanings() -> tuple[LevelMeaning, ...]:
    """The five levels with their score bands and what each looks like, for the page's explanation."""
    edges = [edge for _, _, edge in LEVELS] + [None]
    return tuple(
        LevelMeaning(
            level=level,
            name=str(LEVEL_LABELS[level]),
            low=short(float(edge)),
            high="5" if edges[i + 1] is None else short(float(edges[i + 1])),
            meaning=str(LEVEL_MEANINGS[level]),
        )
        for i, (level, _, edge) in enumerate(LEVELS)
    )


def next_steps(m: Maturity, benefits) -> tuple[NextStep, ...]:
    """Each cell below its target with its least realized released benefit and that benefit's practices."""
    steps = []
    for cell in m.cells:
        if not cell.below_target:
            continue
        rated = [
            b
            for b in benefits
            if b.concept == cell.concept
            and b.scope == cell.scope
            and not getattr(b, "withheld", False)
            and b.realization.mean is not None
        ]
        if rated:
            lowest = min(rated, key=lambda b: (b.realization.mean, b.path))
            practices = tuple(getattr(lowest, "practices", ()))[:2]
            steps.append(NextStep(cell, lowest.name, lowest.realization.mean, practices))
    return tuple(steps)


def maturity_picture(m: Maturity, benefits=()) -> MaturityPicture:
    """The picture of ``m``; ``benefits`` (the report's) give the next steps of the cells below their target."""
    bands = []
    for i, (level, _, edge) in enumerate(LEVELS):
        upper = LEVELS[i + 1][2] if i + 1 < len(LEVELS) else 5
        bands.append(Band(level, str(LEVEL_LABELS[level]), x_of(edge), x_of(upper) - x_of(edge), BAND_FILLS[i]))
    rows = [Row(cell, TOP + i * ROW, overall=False) for i, cell in enumerate(m.cells)]
    overall_y = TOP + len(m.cells) * ROW + GAP_BEFORE_OVERALL
    rows.append(Row(m.overall, overall_y, overall=True))
    axis_y = overall_y + ROW
    return MaturityPicture(
        maturity=m,
        bands=tuple(bands),
        rows=tuple(rows),
        # The band edges, so the levels' boundaries can be read off the axis.
        ticks=tuple(Tick(short(float(edge)), x_of(edge)) for _, _, edge in LEVELS) + (Tick("5", x_of(5)),),
        height=axis_y + BOTTOM,
        axis_y=axis_y,
        next_steps=next_steps(m, benefits),
    )


# --- Every round of the chain (the trend part of the page) ------------------------------------------


@dataclass(frozen=True)
class RoundLevel:
    title: str
    entry: Entry | None  # None where that round shows no figures


@dataclass(frozen=True)
class CellRounds:
    title: str
    levels: tuple[RoundLevel, ...]  # oldest first, this round last
    trend: object  # the last change (``reports.maturity.Trend``), or None when the previous round shows nothing


@dataclass(frozen=True)
class MaturityRounds:
    titles: tuple[str, ...]
    rows: tuple[CellRounds, ...]  # the six cells, then overall


def maturity_rounds(report) -> MaturityRounds | None:
    """Each cell's (and the overall) maturity in every round of the chain, with the verdict of the last change."""
    rounds = report.rounds
    if rounds is None or report.maturity is None:
        return None
    earlier = [*rounds.maturity_history]
    titles = tuple(r.title for r in rounds.chain)

    def row(now: Entry, pick) -> CellRounds:
        levels = [
            RoundLevel(r.title, None if m is None else pick(m)) for r, m in zip(rounds.chain[:-1], earlier, strict=True)
        ]
        levels.append(RoundLevel(rounds.chain[-1].title, now))
        return CellRounds(now.title, tuple(levels), now.trend)

    rows = [row(c, lambda m, c=c: m.cell(c.concept, c.scope)) for c in report.maturity.cells]
    rows.append(row(report.maturity.overall, lambda m: m.overall))
    return MaturityRounds(titles=titles, rows=tuple(rows))


# --- Each released group of a segment beside the whole ---------------------------------------------


@dataclass(frozen=True)
class GroupLevels:
    title: str
    whole: Entry
    groups: tuple[Entry, ...]  # aligned with the segment report's shown groups


@dataclass(frozen=True)
class SegmentMaturity:
    labels: tuple[str, ...]  # the shown groups
    rows: tuple[GroupLevels, ...]  # the overall level, then the six cells


def segment_maturity(report, whole) -> SegmentMaturity | None:
    """The overall and each cell's level in the whole assessment and in every released group of a segment."""
    shown = [g for g in report.shown if g.maturity is not None]
    if whole.maturity is None or not shown:
        return None
    rows = [GroupLevels(whole.maturity.overall.title, whole.maturity.overall, tuple(g.maturity.overall for g in shown))]
    for cell in whole.maturity.cells:
        rows.append(GroupLevels(cell.title, cell, tuple(g.maturity.cell(cell.concept, cell.scope) for g in shown)))
    return SegmentMaturity(labels=tuple(g.title for g in shown), rows=tuple(rows))
