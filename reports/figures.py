"""A group's figures: each benefit's, each cell's and the overall, from tallies the release rule let through.

No queries and no HTTP: ``reports.gate`` decides what may be shown
(contract section 6) and calls :func:`figures_from_tallies`; the whole
report and every segment's come out of the same function, so they never
disagree on a definition.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy

from reports.statistics import (
    CONTESTED_RWG,
    WITHHELD_PAIRED,
    WITHHELD_STATS,
    Paired,
    Stats,
    Tally,
    evidence_of,
    mean_of,
    paired_stats,
    quadrant_of,
    tally_stats,
)
from taxonomy.translations import cell_title

# The quadrants' names for people (page, text, PDF); the JSON and CSV keep the keys.
QUADRANTS = {
    "concentrate-here": gettext_lazy("Concentrate here"),
    "keep-up-the-good-work": gettext_lazy("Keep up the good work"),
    "low-priority": gettext_lazy("Low priority"),
    "possible-overkill": gettext_lazy("Possible overkill"),
}


EVIDENCE = {"strong": "Strong", "weak": "Weak", "insufficient": "Insufficient"}


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
        # What names the benefit, shown whether or not its figures are (section 6).
        identity = {
            "path": self.path,
            "name": self.name,
            "concept": self.concept,
            "scope": self.scope,
            "parent": self.parent,
        }
        if self.withheld:
            return {**identity, "withheld": True, **WITHHELD_FIGURES}
        return {
            **identity,
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
        return cell_title(self.concept_name, self.scope_name)

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


def summary_of(benefits: Iterable[BenefitResult]) -> Summary:
    """From the released benefits only; ``benefits`` still counts every node (section 6)."""
    benefits = list(benefits)
    released = [b for b in benefits if not b.withheld]
    imp = mean_of(b.importance.mean for b in released)
    real = mean_of(b.realization.mean for b in released)
    return Summary(
        importance=imp,
        realization=real,
        gap=imp - real if imp is not None and real is not None else None,
        under_realized=sum(b.under_realized for b in released),
        benefits=len(benefits),
        withheld=len(benefits) - len(released),
    )


@dataclass(frozen=True)
class Figures:
    """Every benefit's, cell's and the overall figures of one group of responses."""

    benefits: tuple[BenefitResult, ...]
    cells: tuple[CellResult, ...]
    overall: Summary
    ranking: tuple[str, ...]
    centre_importance: float | None
    centre_realization: float | None


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
        paired = paired_stats(tally.paired_n, tally.paired_sum, tally.paired_squares)
        partial.append((node, importance, realization, gap, paired))

    # Pass 2: the quadrant crosshair needs every benefit's means first.
    rated = [(imp.mean, real.mean) for _, imp, real, gap, _ in partial if gap is not None]
    centre_i = mean_of(i for i, _ in rated)
    centre_r = mean_of(r for _, r in rated)
    benefits = []
    for node, importance, realization, gap, paired in partial:
        # Who the benefit is and its guidance: the same whether its figures are shown or withheld.
        node_fields = {
            "id": node.id,
            "path": node.path,
            "name": node.name,
            "concept": node.concept,
            "scope": node.scope,
            "parent": node.parent_path,
            "depth": node.depth,
            "indicators": node.indicators,
            "practices": node.practices,
        }
        if importance is None:
            benefits.append(
                BenefitResult(
                    **node_fields,
                    importance=WITHHELD_STATS,
                    realization=WITHHELD_STATS,
                    gap=None,
                    under_realized=False,
                    quadrant=None,
                    paired=WITHHELD_PAIRED,
                    evidence=None,
                    contested=False,
                    withheld=True,
                )
            )
            continue
        under = gap is not None and gap >= threshold
        benefits.append(
            BenefitResult(
                **node_fields,
                importance=importance,
                realization=realization,
                gap=gap,
                under_realized=under,
                quadrant=(
                    quadrant_of(importance.mean, realization.mean, centre_i, centre_r) if gap is not None else None
                ),
                paired=paired,
                evidence=evidence_of(under, paired, threshold),
                contested=any(s.rwg is not None and s.rwg < CONTESTED_RWG for s in (importance, realization)),
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
            summary=summary_of(by_id[n.id] for n in section.benefits),
            benefits=tuple(by_id[n.id] for n in section.benefits),
        )
        for section in questionnaire.sections
    )
    with_gap = [b for b in benefits if b.gap is not None]
    ranking = tuple(b.path for b in sorted(with_gap, key=lambda b: (-b.gap, -b.importance.mean, b.path)))
    return Figures(
        benefits=tuple(benefits),
        cells=cells,
        overall=summary_of(benefits),
        ranking=ranking,
        centre_importance=centre_i,
        centre_realization=centre_r,
    )
