"""The report's statistics: pure functions of integer tallies, no ORM and no HTTP.

A benefit's answers arrive as its joint distribution of (importance,
realization) counts (``reports.aggregates``). Folded into a :class:`Tally`
they give, exactly (in integers until the final division): per dimension n,
sum and sum of squares (so mean, sample sd, rwg) and the answer histogram;
and the paired per-respondent differences (importance - realization where
both are rated), with no self-join, because an ``Answer`` row carries both
ratings (contract section 5).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from taxonomy.scales import SCALE_MAX, SCALE_MIN

# Variance of a uniform answer over a 5-point scale: (5^2 - 1) / 12.
UNIFORM_VARIANCE = 2.0


# Below this within-group agreement a benefit is "contested" (contract section 5).
CONTESTED_RWG = 0.3


# Under this many paired answers the evidence for a gap is "insufficient".
MIN_EVIDENCE_N = 5


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


def mean_of(values: Iterable[float | None]) -> float | None:
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


def paired_stats(n: int, total: int, squares: int) -> Paired:
    mean, variance = moments(n, total, squares)
    if variance is None:
        return Paired(n=n, mean=mean, sd=None, ci95=None)
    sd = math.sqrt(variance)
    half = t_quantile_975(n - 1) * sd / math.sqrt(n)
    return Paired(n=n, mean=mean, sd=sd, ci95=(mean - half, mean + half))


def quadrant_of(imp: float, real: float, centre_i: float, centre_r: float) -> str:
    if imp >= centre_i:
        return "keep-up-the-good-work" if real >= centre_r else "concentrate-here"
    return "possible-overkill" if real >= centre_r else "low-priority"


def evidence_of(under_realized: bool, paired: Paired, threshold: float) -> str | None:
    if not under_realized:
        return None
    if paired.n < MIN_EVIDENCE_N or paired.ci95 is None:
        return "insufficient"
    return "strong" if paired.ci95[0] >= threshold else "weak"


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


WITHHELD_STATS = Stats(mean=None, n=None, sd=None, rwg=None, counts=())


WITHHELD_PAIRED = Paired(n=None, mean=None, sd=None, ci95=None)
