"""The benchmark across organizations (contract section 16).

The pool
--------
Each organization that takes part (``Organization.benchmark``, off by
default) contributes one assessment: its closed one closed most recently
(ties: created later) among those whose report is not suppressed. From it,
exactly what its own report publishes of the whole assessment: per benefit
the released ``realization.mean`` and ``gap`` (a withheld benefit gives
nothing), per concept x scope cell the maturity ``score``. Those come out of
the one gate (``reports.gate.released_figures``), so the benchmark can show
nothing that the organization's report withholds.

Cost and cache
--------------
The pool costs a fixed number of queries, whatever the number of
organizations: the candidate assessments (1), their respondents (1), and only
when the cache misses their segments (1), their tallies per signature (2 or
3: ``atom_tallies`` takes them all at once) and the taxonomy (1). It is kept
in Django's cache under a key made from the first two answers (which
organizations take part, their closed assessments, each one's ``closed_at``,
minimum group size and respondents), so closing an assessment, raising its
minimum group size, or an organization joining or leaving changes the key
and the next report computes a new pool: leaving takes effect at once, with
any cache backend and any number of processes. What the key cannot see (the
taxonomy edited, a segment added after close) is caught by the timeout,
``BENCHMARK_CACHE_SECONDS``. ``bench/benchmark_bench.py`` measures both paths
with 200 organizations.

Figures
-------
A figure is published only when at least ``BENCHMARK_MIN_ORGANIZATIONS``
organizations contribute a value to it; its quartiles include every
contribution (``statistics.quantiles(..., method="inclusive")``). An
assessment's percentile leaves its own organization's contribution out:
the share of the other contributions below its value, plus half of those
equal. Nothing here carries an organization's name: contributions are
keyed by id, and no output names one.
"""

from __future__ import annotations

import hashlib
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext, ngettext

from assessments.models import Assessment, AssessmentStatus
from reports.aggregates import atom_tallies, respondents_of, segments_of
from reports.gate import released_figures
from reports.l10n import decimal
from reports.maturity import score_of
from reports.release import W
from taxonomy.models import Concept, Scope
from taxonomy.selectors import benefits_in_tree_order

if TYPE_CHECKING:
    from reports.selectors import GapReport

Cell = tuple[str, str]  # (concept slug, scope slug)

CACHE_PREFIX = "benchmark-pool:"


@dataclass(frozen=True)
class Figure:
    """The quartiles of the contributions to one figure; only made when enough organizations contribute."""

    organizations: int
    p25: float
    p50: float
    p75: float

    def to_dict(self) -> dict:
        return {"organizations": self.organizations, "p25": self.p25, "p50": self.p50, "p75": self.p75}


@dataclass(frozen=True)
class Contribution:
    """One organization's figures: by benefit id, and by cell. Its id only leaves it out of its own percentile."""

    organization_id: int
    realization: dict[int, float] = field(default_factory=dict)
    gap: dict[int, float] = field(default_factory=dict)
    score: dict[Cell, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Pool:
    contributions: tuple[Contribution, ...]


def minimum_organizations() -> int:
    return settings.BENCHMARK_MIN_ORGANIZATIONS


def figure(values: Sequence[float], minimum: int) -> Figure | None:
    """The quartiles of ``values``, or None when fewer than ``minimum`` organizations gave one."""
    if len(values) < minimum or len(values) < 2:
        return None
    p25, p50, p75 = statistics.quantiles(values, n=4, method="inclusive")
    return Figure(organizations=len(values), p25=p25, p50=p50, p75=p75)


def percentile(others: Iterable[float], value: float | None) -> float | None:
    """The percentage of ``others`` below ``value``, plus half of those equal; None without a value or others."""
    others = list(others)
    if value is None or not others:
        return None
    below = sum(1 for v in others if v < value)
    equal = sum(1 for v in others if v == value)
    return 100 * (below + equal / 2) / len(others)


# --- The pool ----------------------------------------------------------------


def _candidates() -> list[tuple[int, int, object, object, int]]:
    """The closed assessments of the organizations taking part; 1 query.

    (id, organization id, closed_at, created_at, min_group_size), the one
    closed most recently first within each organization (ties: created later);
    an assessment closed before ``closed_at`` was recorded counts as the oldest.
    """
    rows = (
        Assessment.objects.filter(organization__benchmark=True, status=AssessmentStatus.CLOSED)
        .order_by("organization_id", "-closed_at", "-created_at", "-pk")
        .values_list("pk", "organization_id", "closed_at", "created_at", "min_group_size")
    )
    rows = list(rows)
    # Databases disagree on where NULL sorts; the rule is that it is the oldest.
    rows.sort(key=lambda r: (r[1], r[2] is None))
    return rows


def _contributing(rows, respondents: dict[int, int]) -> list[tuple[int, int, int]]:
    """Per organization, its first assessment (in ``rows``' order) whose report is not suppressed: (id, org, k)."""
    chosen: dict[int, tuple[int, int, int]] = {}
    for pk, organization_id, _closed, _created, k in rows:
        if organization_id not in chosen and respondents.get(pk, 0) >= k:
            chosen[organization_id] = (pk, organization_id, k)
    return list(chosen.values())


def _mean(counts: list[int]) -> float | None:
    """The mean of ratings counted per value (index = rating), as the report computes it: integer sums, one division."""
    n = sum(counts)
    return sum(v * c for v, c in enumerate(counts)) / n if n else None


@dataclass(frozen=True)
class _Rated:
    """What ``reports.maturity.score_of`` reads of a benefit."""

    mean: float | None
    n: int
    sd: None = None


@dataclass(frozen=True)
class _Node:
    realization: _Rated


def _compute(contributing: list[tuple[int, int, int]]) -> Pool:
    """The contributions of ``contributing`` assessments: a fixed number of queries for them all."""
    if not contributing:
        return Pool(contributions=())
    ids = [pk for pk, _, _ in contributing]
    tallies = atom_tallies(segments=segments_of(ids))
    cells = {b.pk: (b.concept.slug, b.scope.slug) for b in benefits_in_tree_order(include_inactive=True)}
    contributions = []
    for pk, organization_id, k in contributing:
        released = released_figures(atoms=tallies[pk], k=k)
        shown = released.tallies.get(W, {})
        contribution = Contribution(organization_id=organization_id)
        per_cell: dict[Cell, list[_Node]] = {}
        for benefit_id, tally in shown.items():
            realization = _mean(tally.realization)
            if realization is None:
                continue
            contribution.realization[benefit_id] = realization
            importance = _mean(tally.importance)
            if importance is not None:
                contribution.gap[benefit_id] = importance - realization
            if benefit_id in cells:
                node = _Node(_Rated(mean=realization, n=sum(tally.realization)))
                per_cell.setdefault(cells[benefit_id], []).append(node)
        for cell, nodes in per_cell.items():
            score, _, _ = score_of(nodes)
            if score is not None:
                contribution.score[cell] = float(score)
        contributions.append(contribution)
    return Pool(contributions=tuple(contributions))


def benchmark_pool() -> Pool:
    """Every taking-part organization's contribution: 2 queries when cached, 5 or 6 more when not."""
    rows = _candidates()
    respondents = respondents_of([r[0] for r in rows]) if rows else {}
    contributing = _contributing(rows, respondents)
    stamp = repr([(r[0], r[1], r[2], r[4], respondents.get(r[0], 0)) for r in rows])
    key = CACHE_PREFIX + hashlib.sha256(stamp.encode()).hexdigest()
    pool = cache.get(key)
    if pool is None:
        pool = _compute(contributing)
        cache.set(key, pool, settings.BENCHMARK_CACHE_SECONDS)
    return pool


# --- In a report -------------------------------------------------------------


@dataclass(frozen=True)
class BenefitBenchmark:
    realization: Figure
    gap: Figure | None
    percentile: float | None

    def to_dict(self) -> dict:
        return {
            "realization": self.realization.to_dict(),
            "gap": None if self.gap is None else self.gap.to_dict(),
            "percentile": self.percentile,
        }


@dataclass(frozen=True)
class CellBenchmark:
    score: Figure
    percentile: float | None

    def to_dict(self) -> dict:
        return {"score": self.score.to_dict(), "percentile": self.percentile}


@dataclass(frozen=True)
class ReportBenchmark:
    """The benchmark beside one report: only in the reports of organizations that take part."""

    organizations: int  # how many contribute at all
    minimum: int
    benefits: dict[str, BenefitBenchmark | None]  # by path, released benefits only
    cells: dict[Cell, CellBenchmark | None]

    @property
    def published(self) -> bool:
        return any(self.benefits.values()) or any(self.cells.values())

    def benefit_dict(self, path: str) -> dict | None:
        found = self.benefits.get(path)
        return None if found is None else found.to_dict()

    def cell_dict(self, cell: Cell) -> dict | None:
        found = self.cells.get(cell)
        return None if found is None else found.to_dict()

    def to_dict(self) -> dict:
        return {"organizations": self.organizations, "minimum_organizations": self.minimum}


def report_benchmark(report: GapReport, *, organization_id: int, pool: Pool) -> ReportBenchmark:
    """The benchmark of each released benefit and each maturity cell of ``report``; no query."""
    minimum = minimum_organizations()
    contributions = pool.contributions
    others = [c for c in contributions if c.organization_id != organization_id]
    benefits: dict[str, BenefitBenchmark | None] = {}
    for b in report.benefits:
        if b.withheld:
            continue
        realization = figure([c.realization[b.id] for c in contributions if b.id in c.realization], minimum)
        if realization is None:
            benefits[b.path] = None
            continue
        benefits[b.path] = BenefitBenchmark(
            realization=realization,
            gap=figure([c.gap[b.id] for c in contributions if b.id in c.gap], minimum),
            percentile=percentile((c.realization[b.id] for c in others if b.id in c.realization), b.realization.mean),
        )
    cells: dict[Cell, CellBenchmark | None] = {}
    for entry in report.maturity.cells if report.maturity is not None else ():
        cell = (entry.concept, entry.scope)
        score = figure([c.score[cell] for c in contributions if cell in c.score], minimum)
        cells[cell] = (
            None
            if score is None
            else CellBenchmark(
                score=score, percentile=percentile((c.score[cell] for c in others if cell in c.score), entry.score)
            )
        )
    return ReportBenchmark(organizations=len(contributions), minimum=minimum, benefits=benefits, cells=cells)


# --- The published figures alone (benchmark_report) --------------------------


@dataclass(frozen=True)
class BenchmarkBenefit:
    path: str
    realization: Figure | None
    gap: Figure | None


@dataclass(frozen=True)
class BenchmarkCell:
    concept: str
    scope: str
    score: Figure | None


@dataclass(frozen=True)
class Benchmark:
    """Every published figure of the benchmark, in taxonomy order; no organization in it."""

    benefits: tuple[BenchmarkBenefit, ...]
    cells: tuple[BenchmarkCell, ...]

    def to_dict(self) -> dict:
        def fig(f: Figure | None) -> dict | None:
            return None if f is None else f.to_dict()

        return {
            "benefits": [{"path": b.path, "realization": fig(b.realization), "gap": fig(b.gap)} for b in self.benefits],
            "cells": [{"concept": c.concept, "scope": c.scope, "score": fig(c.score)} for c in self.cells],
        }


def benchmark() -> Benchmark:
    """The published figures of every benefit and cell of the taxonomy; the pool's queries and 3 more."""
    pool = benchmark_pool()
    minimum = minimum_organizations()
    contributions = pool.contributions
    benefits = tuple(
        BenchmarkBenefit(
            path=b.path,
            realization=figure([c.realization[b.pk] for c in contributions if b.pk in c.realization], minimum),
            gap=figure([c.gap[b.pk] for c in contributions if b.pk in c.gap], minimum),
        )
        for b in benefits_in_tree_order()
    )
    scopes = list(Scope.objects.values_list("slug", flat=True))
    cells = tuple(
        BenchmarkCell(
            concept=concept,
            scope=scope,
            score=figure([c.score[(concept, scope)] for c in contributions if (concept, scope) in c.score], minimum),
        )
        for concept in Concept.objects.values_list("slug", flat=True)
        for scope in scopes
    )
    return Benchmark(benefits=benefits, cells=cells)


# --- On the report page ------------------------------------------------------

MARK_WIDTH, MARK_PAD = 140, 6


def _x(value: float) -> float:
    """A rating from 1 to 5 on the range mark."""
    return round(MARK_PAD + (min(max(value, 1.0), 5.0) - 1) / 4 * (MARK_WIDTH - 2 * MARK_PAD), 1)


@dataclass(frozen=True)
class MarkRow:
    """One published figure beside a cell or a benefit: the middle half, the median, this assessment's value."""

    title: str
    depth: int
    figure: Figure
    value: float | None
    percentile: float | None

    @property
    def low_x(self) -> float:
        return _x(self.figure.p25)

    @property
    def band_width(self) -> float:
        return round(_x(self.figure.p75) - _x(self.figure.p25), 1)

    @property
    def median_x(self) -> float:
        return _x(self.figure.p50)

    @property
    def value_x(self) -> float | None:
        return None if self.value is None else _x(self.value)

    @property
    def words(self) -> str:
        n = self.figure.organizations
        if self.percentile is None:
            return ngettext(
                "%(count)s organization; no realization here to compare",
                "%(count)s organizations; no realization here to compare",
                n,
            ) % {"count": n}
        return ngettext(
            "better than %(percent)s%% of %(count)s organization",
            "better than %(percent)s%% of %(count)s organizations",
            n,
        ) % {"percent": round(self.percentile), "count": n}

    @property
    def description(self) -> str:
        f = self.figure
        mine = "" if self.value is None else gettext("; here %(value)s") % {"value": decimal(self.value)}
        text = gettext("Middle half of organizations %(low)s to %(high)s, median %(median)s") % {
            "low": decimal(f.p25),
            "high": decimal(f.p75),
            "median": decimal(f.p50),
        }
        return text + mine


@dataclass(frozen=True)
class BenchmarkPage:
    taking_part: bool
    organizations: int
    minimum: int
    cells: tuple[MarkRow, ...]
    benefits: tuple[tuple[str, tuple[MarkRow, ...]], ...]  # (cell title, its benefits' rows), published only
    unpublished: int  # released benefits and cells without a published figure
    mark_width: int = MARK_WIDTH

    @property
    def why_not(self) -> str:
        """The one sentence that says why a figure may be missing."""
        first = gettext(
            "A figure appears only where at least %(minimum)s organizations taking part contribute one, so that "
            "no organization's figures can be told apart;"
        ) % {"minimum": self.minimum}
        now = ngettext(
            "%(count)s organization contributes now.",
            "%(count)s organizations contribute now.",
            self.organizations,
        ) % {"count": self.organizations}
        return f"{first} {now}"


def benchmark_page(report: GapReport, *, taking_part: bool) -> BenchmarkPage:
    """What the report page shows of the benchmark; nothing but the sentence unless the organization takes part."""
    bench = report.benchmark
    if bench is None:
        return BenchmarkPage(taking_part, 0, minimum_organizations(), (), (), 0)
    cells = []
    unpublished = 0
    for entry in report.maturity.cells if report.maturity is not None else ():
        found = bench.cells.get((entry.concept, entry.scope))
        if found is None:
            unpublished += 1
            continue
        cells.append(MarkRow(entry.title, 0, found.score, entry.score, found.percentile))
    groups = []
    for cell in report.cells:
        rows = []
        for b in cell.benefits:
            found = bench.benefits.get(b.path)
            if found is None:
                unpublished += not b.withheld
                continue
            rows.append(MarkRow(b.name, b.depth, found.realization, b.realization.mean, found.percentile))
        if rows:
            groups.append((cell.title, tuple(rows)))
    return BenchmarkPage(True, bench.organizations, bench.minimum, tuple(cells), tuple(groups), unpublished)
