"""Maturity levels (contract section 14): how far along the organization is in realizing the benefits.

Pure statistics: no ORM, no HTTP. The input is a report's benefits (the
whole assessment's, or one segment group's); only the *released* ones count
(section 6), so a level gives away nothing that the benefits do not.

A *scope* of maturity is the whole taxonomy, one concept, one scope or one
concept x scope cell. Its score is the mean of its released benefits'
realization means (every node counts once). Its interval assumes the
benefits move together, so it averages their standard errors instead of
pooling them: se = (1/J) * sum s_j / sqrt(n_j). That is never narrower than
the truth, whatever the correlation between benefits, which is what a level
on a board's slide needs.

Exact edges
-----------
A realization mean is a ratio of integers (its total over its count), so the
score is kept as a :class:`fractions.Fraction` and compared with the band
edges exactly: a score of 13/5 is level 3, never level 2 by a rounding error.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction

from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from reports.l10n import decimal
from taxonomy.translations import in_sentence

# z for a two-sided 95% interval.
Z95 = 1.96

SCORE_MIN, SCORE_MAX = 1, 5

# (level, name, lower edge). A level runs from its edge up to the next one (the last up to 5 included).
LEVELS: tuple[tuple[int, str, Fraction], ...] = (
    (1, "initial", Fraction(1)),
    (2, "emerging", Fraction(9, 5)),
    (3, "defined", Fraction(13, 5)),
    (4, "managed", Fraction(17, 5)),
    (5, "optimizing", Fraction(21, 5)),
)
LEVEL_NAMES = {level: name for level, name, _ in LEVELS}  # the JSON's and CSV's level_name, never translated
# The levels' names for people (page, text, PDF).
LEVEL_LABELS = {
    1: pgettext_lazy("maturity level", "initial"),
    2: pgettext_lazy("maturity level", "emerging"),
    3: pgettext_lazy("maturity level", "defined"),
    4: pgettext_lazy("maturity level", "managed"),
    5: pgettext_lazy("maturity level", "optimizing"),
}
LEVEL_EDGES = {level: edge for level, _, edge in LEVELS}

# What each level looks like for these benefits, in the words of the guidance (indicators and practices).
LEVEL_MEANINGS = {
    1: gettext_lazy("Few benefits are realized: the practices are not in place, and their indicators are seldom seen."),
    2: gettext_lazy(
        "Some benefits show: a few practices are tried here and there, and some indicators appear, unevenly."
    ),
    3: gettext_lazy(
        "The practices are in place for most benefits; their indicators are seen regularly, if not everywhere."
    ),
    4: gettext_lazy(
        "Benefits are realized widely and on purpose: the indicators are tracked and the practices adjusted to them."
    ),
    5: gettext_lazy(
        "Benefits are realized almost fully: the practices are part of how the organization works, and keep improving."
    ),
}

# A change smaller than this is "unchanged", however sure: a fifth of a scale point (as for a gap's trend).
MIN_CHANGE = Fraction(1, 5)

TREND_VERDICTS = {
    "rose": pgettext_lazy("maturity trend", "Rose"),
    "fell": pgettext_lazy("maturity trend", "Fell"),
    "unchanged": pgettext_lazy("maturity trend", "Unchanged"),
    "insufficient": gettext_lazy("Too few answers"),
}
TARGET_STATUSES = {
    "reached": pgettext_lazy("target status", "reached"),
    "not-reached": pgettext_lazy("target status", "not reached"),
    "uncertain": pgettext_lazy("target status", "uncertain"),
}


def level_of(value: Fraction | float | None) -> int | None:
    """The level whose band holds ``value``, compared exactly; None for None.

    The edges are (4k + 1) / 5 for level k, so for value = p / q the level
    is the largest k with 5p >= (4k + 1) q: (5p - q) // 4q, in integers.
    """
    if value is None:
        return None
    exact = Fraction(value)
    p, q = exact.numerator, exact.denominator
    return max(1, min(5, (5 * p - q) // (4 * q)))


def released(benefits: Iterable) -> list:
    """The benefits that the release rule shows (section 6): a withheld one has no figure to count."""
    return [b for b in benefits if not getattr(b, "withheld", False)]


@dataclass(frozen=True)
class Trend:
    """One entry's change since the previous round."""

    score_before: float | None
    change: float | None
    low: float | None
    high: float | None
    verdict: str

    @property
    def verdict_label(self) -> str:
        return str(TREND_VERDICTS[self.verdict])

    def to_dict(self) -> dict:
        return {
            "score_before": self.score_before,
            "change": self.change,
            "low": self.low,
            "high": self.high,
            "verdict": self.verdict,
        }


# Marks "no trend key" (no previous round) apart from "trend": null (the previous round shows nothing).
NO_TREND = object()


@dataclass(frozen=True)
class Entry:
    """One scope of maturity: overall, a concept, a scope or a cell."""

    kind: str  # overall / concept / scope / cell
    concept: str | None
    scope: str | None
    title: str
    exact: Fraction | None  # the score, exactly
    se: float | None
    benefits: int
    target: int | None = None  # cells only
    trend: Trend | None | object = NO_TREND

    @functools.cached_property
    def score(self) -> float | None:
        return None if self.exact is None else float(self.exact)

    @functools.cached_property
    def low(self) -> float | None:
        if self.se is None:
            return None
        return min(max(float(self.exact) - Z95 * self.se, SCORE_MIN), SCORE_MAX)

    @functools.cached_property
    def high(self) -> float | None:
        if self.se is None:
            return None
        return min(max(float(self.exact) + Z95 * self.se, SCORE_MIN), SCORE_MAX)

    @functools.cached_property
    def level(self) -> int | None:
        return level_of(self.exact)

    @property
    def level_name(self) -> str | None:
        return LEVEL_NAMES.get(self.level)

    @functools.cached_property
    def level_low(self) -> int | None:
        return level_of(self.low)

    @functools.cached_property
    def level_high(self) -> int | None:
        return level_of(self.high)

    @property
    def target_name(self) -> str | None:
        return LEVEL_NAMES.get(self.target)

    @property
    def level_label(self) -> str | None:
        """The level's name for people, in the active language (``level_name`` is the JSON's)."""
        label = LEVEL_LABELS.get(self.level)
        return None if label is None else str(label)

    @property
    def target_label(self) -> str | None:
        label = LEVEL_LABELS.get(self.target)
        return None if label is None else str(label)

    @property
    def target_status_label(self) -> str | None:
        status = self.target_status
        return None if status is None else str(TARGET_STATUSES[status])

    @functools.cached_property
    def target_status(self) -> str | None:
        if self.target is None or self.exact is None or self.se is None:
            return None
        bound = LEVEL_EDGES[self.target]
        if Fraction(self.low) >= bound:
            return "reached"
        if Fraction(self.high) < bound:
            return "not-reached"
        return "uncertain"

    @functools.cached_property
    def distance(self) -> float | None:
        if self.target is None or self.exact is None:
            return None
        return float(max(Fraction(0), LEVEL_EDGES[self.target] - self.exact))

    @property
    def below_target(self) -> bool:
        """Short of its target by the score (the roadmap's question: is there work to plan?)."""
        return self.target is not None and (self.exact is None or self.exact < LEVEL_EDGES[self.target])

    @property
    def has_trend(self) -> bool:
        return self.trend is not NO_TREND

    @property
    def sentence(self) -> str:
        """The entry in words.

        E.g. "Social networking, external: level 2 emerging, target 4 managed: not reached; 0.9 to go".
        """
        if self.exact is None:
            now = gettext("no released rating yet")
        else:
            now = gettext("level %(level)s %(name)s") % {"level": self.level, "name": self.level_label}
        text = f"{self.title}: {now}"
        if self.kind == "cell" and self.target is not None:
            text += gettext(", target %(level)s %(name)s") % {"level": self.target, "name": self.target_label}
            status = self.target_status
            if status is not None:
                text += f": {TARGET_STATUSES[status]}"
            distance = self.distance
            if distance:
                text += gettext("; %(distance)s to go") % {"distance": decimal(distance, 1)}
        return text

    @property
    def interval_note(self) -> str:
        """How sure the level is, in words: "" when the whole interval is in one level or there is none."""
        if self.se is None or self.level_low == self.level_high:
            return ""
        return gettext("95%% interval: level %(low)s to %(high)s") % {"low": self.level_low, "high": self.level_high}

    def to_dict(self) -> dict:
        data: dict = {}
        if self.kind == "concept":
            data["concept"] = self.concept
        elif self.kind == "scope":
            data["scope"] = self.scope
        elif self.kind == "cell":
            data["concept"], data["scope"] = self.concept, self.scope
        data.update(
            score=self.score,
            low=self.low,
            high=self.high,
            benefits=self.benefits,
            level=self.level,
            level_name=self.level_name,
            level_low=self.level_low,
            level_high=self.level_high,
        )
        if self.kind == "cell":
            data.update(target=self.target, target_status=self.target_status, distance=self.distance)
        if self.has_trend:
            data["trend"] = None if self.trend is None else self.trend.to_dict()
        return data


@dataclass(frozen=True)
class Maturity:
    overall: Entry
    concepts: tuple[Entry, ...]
    scopes: tuple[Entry, ...]
    cells: tuple[Entry, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        """Every entry in JSON order: overall, concepts, scopes, cells."""
        return (self.overall, *self.concepts, *self.scopes, *self.cells)

    def cell(self, concept: str, scope: str) -> Entry | None:
        return next((c for c in self.cells if c.concept == concept and c.scope == scope), None)

    def to_dict(self) -> dict:
        return {
            "overall": self.overall.to_dict(),
            "concepts": [e.to_dict() for e in self.concepts],
            "scopes": [e.to_dict() for e in self.scopes],
            "cells": [e.to_dict() for e in self.cells],
        }


def score_of(benefits: Iterable) -> tuple[Fraction | None, float | None, int]:
    """``(score, se, J)`` over the released benefits with a defined realization mean."""
    rated = [b for b in released(benefits) if b.realization.mean is not None and b.realization.n]
    if not rated:
        return None, None, 0
    j = len(rated)
    # A mean is total / n with an integer total, so mean * n rounds back to that total. The exact sum of
    # total_j / n_j over a common denominator, in integers: one Fraction, not one per benefit.
    pairs = [(round(b.realization.mean * b.realization.n), b.realization.n) for b in rated]
    common = math.lcm(*(n for _, n in pairs))
    score = Fraction(sum(t * (common // n) for t, n in pairs), common * j)
    if any(b.realization.n < 2 or b.realization.sd is None for b in rated):
        return score, None, j
    se = sum(b.realization.sd / math.sqrt(b.realization.n) for b in rated) / j
    return score, se, j


def _entry(kind: str, concept, scope, title: str, benefits: Iterable, target: int | None = None) -> Entry:
    score, se, j = score_of(benefits)
    return Entry(kind=kind, concept=concept, scope=scope, title=title, exact=score, se=se, benefits=j, target=target)


Cell = tuple[str, str]  # (concept slug, scope slug)


def maturity(
    benefits: Sequence,
    *,
    cells: Sequence[Cell],
    targets: Mapping[Cell, int] | None = None,
    names: Mapping[str, str] | None = None,
) -> Maturity:
    """The maturity of one group's benefits (each with ``concept``, ``scope``, ``realization`` and maybe ``withheld``).

    ``cells`` in report order (concept, then scope); concepts and scopes take
    their order from it. ``targets`` maps a cell to its target level;
    ``names`` a slug to the name shown in words.
    """
    targets = targets or {}
    names = names or {}
    concepts = list(dict.fromkeys(c for c, _ in cells))
    scopes = list(dict.fromkeys(s for _, s in cells))
    shown = released(benefits)

    def name(slug: str) -> str:
        return names.get(slug, slug)

    return Maturity(
        overall=_entry("overall", None, None, gettext("Overall"), shown),
        concepts=tuple(_entry("concept", c, None, name(c), [b for b in shown if b.concept == c]) for c in concepts),
        scopes=tuple(_entry("scope", None, s, name(s), [b for b in shown if b.scope == s]) for s in scopes),
        cells=tuple(
            _entry(
                "cell",
                c,
                s,
                f"{name(c)}, {name(s).lower()}",
                [b for b in shown if b.concept == c and b.scope == s],
                targets.get((c, s)),
            )
            for c, s in cells
        ),
    )


def cell_names(cells: Iterable) -> dict[str, str]:
    """Concept and scope slugs to their names in sentence case ("Social networking"), for maturity in words."""
    names: dict[str, str] = {}
    for c in cells:
        names[c.concept], names[c.scope] = sentence_case(c.concept_name), sentence_case(c.scope_name)
    return names


def sentence_case(name: str) -> str:
    """ "Social Networking" -> "Social networking": a name inside a sentence, in English; German keeps its capitals."""
    return name[:1].upper() + in_sentence(name[1:])


def figures_maturity(figures, *, targets: dict[tuple[str, str], int]) -> Maturity:
    """The maturity of one group's figures: a ``GapReport`` or a segment group's ``Figures`` (their
    ``benefits`` and ``cells``)."""
    return maturity(
        figures.benefits,
        cells=[(c.concept, c.scope) for c in figures.cells],
        targets=targets,
        names=cell_names(figures.cells),
    )


def entry_trend(now: Entry, before: Entry) -> Trend:
    """The change of one entry since the previous round; the interval is not clipped."""
    if now.exact is None or before.exact is None:
        return Trend(score_before=before.score, change=None, low=None, high=None, verdict="insufficient")
    change = now.exact - before.exact
    if now.se is None or before.se is None:
        return Trend(score_before=before.score, change=float(change), low=None, high=None, verdict="insufficient")
    half = Z95 * math.sqrt(now.se**2 + before.se**2)
    low, high = float(change) - half, float(change) + half
    if low > 0 and change >= MIN_CHANGE:
        verdict = "rose"
    elif high < 0 and change <= -MIN_CHANGE:
        verdict = "fell"
    else:
        verdict = "unchanged"
    return Trend(score_before=before.score, change=float(change), low=low, high=high, verdict=verdict)


def with_trend(now: Maturity, before: Maturity | None) -> Maturity:
    """``now`` with a ``trend`` in each entry: against ``before``, or null when the previous round is suppressed."""

    def add(entry: Entry, previous: Entry | None) -> Entry:
        return replace(entry, trend=None if previous is None else entry_trend(entry, previous))

    if before is None:
        return Maturity(
            overall=add(now.overall, None),
            concepts=tuple(add(e, None) for e in now.concepts),
            scopes=tuple(add(e, None) for e in now.scopes),
            cells=tuple(add(e, None) for e in now.cells),
        )
    concepts = {e.concept: e for e in before.concepts}
    scopes = {e.scope: e for e in before.scopes}
    cells = {(e.concept, e.scope): e for e in before.cells}
    empty = Entry(kind="", concept=None, scope=None, title="", exact=None, se=None, benefits=0)
    return Maturity(
        overall=add(now.overall, before.overall),
        concepts=tuple(add(e, concepts.get(e.concept, empty)) for e in now.concepts),
        scopes=tuple(add(e, scopes.get(e.scope, empty)) for e in now.scopes),
        cells=tuple(add(e, cells.get((e.concept, e.scope), empty)) for e in now.cells),
    )


# The CSV of ``gap_report --maturity --format csv``.
CSV_FIELDS = (
    "kind",
    "concept",
    "scope",
    "score",
    "low",
    "high",
    "benefits",
    "level",
    "level_name",
    "target",
    "target_status",
    "distance",
)


def csv_rows(m: Maturity | None) -> list[dict]:
    """One row per entry in JSON order; none for a suppressed report."""
    if m is None:
        return []
    rows = []
    for e in m.entries:
        d = e.to_dict()
        rows.append({"kind": e.kind, **{f: d.get(f) for f in CSV_FIELDS if f != "kind"}})
    return rows
