"""What the report page shows for a segment: a groups x cells heatmap and each benefit's gap per group.

Drawn on the server like the other charts (SVG with fills as attributes, no
inline style), from a :class:`~reports.segments.SegmentReport` and the whole
assessment's :class:`~reports.selectors.GapReport`, against which each
group's gaps are compared.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from reports.charts import benefit_labels, gap_fill
from reports.l10n import decimal
from reports.segments import Group, SegmentReport
from reports.selectors import GapReport

LEFT, TOP, CELL_W, CELL_H = 150.0, 52.0, 175.0, 46.0


@dataclass(frozen=True)
class SegHeatCell:
    x: float
    y: float
    fill: str
    text_fill: str
    text: str
    description: str

    @property
    def cx(self) -> float:
        return self.x + CELL_W / 2

    @property
    def cy(self) -> float:
        return self.y + CELL_H / 2 + 5


@dataclass(frozen=True)
class SegLabel:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class SegmentHeatmap:
    width: float
    height: float
    cells: tuple[SegHeatCell, ...]
    rows: tuple[SegLabel, ...]
    columns: tuple[tuple[SegLabel, SegLabel], ...]  # concept, then scope, on two lines
    cell_width: float = CELL_W
    cell_height: float = CELL_H


@dataclass(frozen=True)
class GroupGap:
    gap: float | None
    difference: float | None  # the group's gap minus the whole assessment's
    withheld: bool = False  # the release rule shows nothing of this benefit in this group


@dataclass(frozen=True)
class BenefitRow:
    label: str
    cell_title: str
    depth: int
    whole: float | None
    groups: tuple[GroupGap, ...]
    whole_withheld: bool = False


@dataclass(frozen=True)
class SegmentPage:
    report: SegmentReport
    heatmap: SegmentHeatmap | None
    rows: tuple[BenefitRow, ...]

    @property
    def shown(self) -> list[Group]:
        return self.report.shown


def _heatmap(report: SegmentReport, whole: GapReport) -> SegmentHeatmap:
    groups = report.shown
    cells = []
    for r, group in enumerate(groups):
        for c, cell in enumerate(group.figures.cells):
            gap = cell.summary.gap
            fill, text_fill = gap_fill(gap)
            text = gettext("no ratings") if gap is None else decimal(gap)
            cells.append(
                SegHeatCell(
                    LEFT + c * CELL_W,
                    TOP + r * CELL_H,
                    fill,
                    text_fill,
                    text,
                    gettext("%(group)s, %(cell)s: %(gap)s, %(under)s of %(benefits)s under-realized.")
                    % {
                        "group": group.title,
                        "cell": cell.title,
                        "gap": gettext("no ratings") if gap is None else gettext("gap %(gap)s") % {"gap": decimal(gap)},
                        "under": cell.summary.under_realized,
                        "benefits": cell.summary.benefits,
                    },
                )
            )
    columns = tuple(
        (
            SegLabel(cell.concept_name, LEFT + c * CELL_W + CELL_W / 2, TOP - 28),
            SegLabel(cell.scope_name.lower(), LEFT + c * CELL_W + CELL_W / 2, TOP - 10),
        )
        for c, cell in enumerate(whole.cells)
    )
    return SegmentHeatmap(
        width=LEFT + len(whole.cells) * CELL_W,
        height=TOP + len(groups) * CELL_H,
        cells=tuple(cells),
        rows=tuple(SegLabel(g.title, LEFT - 10, TOP + i * CELL_H + CELL_H / 2 + 5) for i, g in enumerate(groups)),
        columns=columns,
    )


def segment_page(report: SegmentReport, whole: GapReport) -> SegmentPage:
    if not report.shown or whole.suppressed:
        return SegmentPage(report=report, heatmap=None, rows=())
    labels = benefit_labels(whole)
    titles = {b.path: c.title for c in whole.cells for b in c.benefits}
    rows = []
    for i, benefit in enumerate(whole.benefits):
        gaps = []
        for group in report.shown:
            shown = group.figures.benefits[i]
            gap = shown.gap
            difference = gap - benefit.gap if gap is not None and benefit.gap is not None else None
            gaps.append(GroupGap(gap, difference, shown.withheld))
        rows.append(
            BenefitRow(
                labels[benefit.path], titles[benefit.path], benefit.depth, benefit.gap, tuple(gaps), benefit.withheld
            )
        )
    return SegmentPage(report=report, heatmap=_heatmap(report, whole), rows=tuple(rows))
