"""The maturity of each concept x scope cell for the actions roadmap, asked from below and answered from above.

The actions roadmap shows, per cell, the level now and the target beside the
actions planned on the cell's benefits (contract section 14). The levels are
the report's (``reports``), which sits above ``actions``; as with
:mod:`common.usage`, the actions app asks :func:`roadmap_maturity` and the
reports app registers the answer in its ``AppConfig.ready()``, so nothing
imports upward.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class RoadmapCell:
    """One concept x scope cell: its level now (None when it has no released rating) and its target."""

    concept: str
    scope: str
    title: str
    level: int | None
    level_name: str | None  # in the reader's language
    score: float | None
    low: float | None
    high: float | None
    target: int | None
    target_name: str | None
    target_status: str | None  # reached / not-reached / uncertain, or None
    distance: float | None
    below_target: bool  # a target is set and the score is short of it (or there is no score yet)
    sentence: str  # the cell in words, as on the report page


@dataclass(frozen=True)
class RoadmapMaturity:
    """The round the levels come from, and its cells; ``cells`` empty when its report shows no figures."""

    assessment_id: int
    assessment_title: str
    assessment_slug: str
    cells: tuple[RoadmapCell, ...]
    withheld: str | None  # why the report shows no figures, in words, or None


# Takes an organization and an assessment slug (or None for the latest round); returns the maturity, or None.
Provider = Callable[[object, str | None], RoadmapMaturity | None]

_providers: list[Provider] = []


def register_roadmap_maturity(provider: Provider) -> None:
    """Make :func:`roadmap_maturity` ask ``provider``; registering twice is harmless."""
    if provider not in _providers:
        _providers.append(provider)


def roadmap_maturity(organization, round_slug: str | None = None) -> RoadmapMaturity | None:
    """The maturity of ``organization``'s round (its latest with results by default); None when nobody provides it."""
    for provider in reversed(_providers):
        result = provider(organization, round_slug)
        if result is not None:
            return result
    return None
