"""The one gate: every figure of a report, whole or by segment, comes out of :func:`released_figures`.

It reads an assessment's counts per signature (``reports.aggregates``),
decides with the release rule (``reports.release``) which groups are
released and where each benefit is withheld or computed over paired
respondents only, and only then folds the joint distributions of the
wanted groups into figures (``reports.selectors.figures_from_tallies``). A
figure that did not come through here has not been checked, so the page,
the downloads, the commands, the segment report and the trend all start
here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from reports.aggregates import AtomTallies, JointRow, segment_joint
from reports.figures import Figures, figures_from_tallies
from reports.release import AnswerSets, BenefitRelease, GroupRef, Universe, W, release_benefits, release_groups
from reports.statistics import Tally, tally_add


@dataclass(frozen=True)
class Released:
    """What the release rule lets one assessment publish."""

    k: int
    groups: tuple[GroupRef, ...]  # the released groups, W first; empty when W is below k
    sizes: dict[GroupRef, int]  # respondents of every group of every segment (released or not)
    benefits: dict[int, BenefitRelease]  # per benefit id
    figures: dict[GroupRef, Figures]  # the wanted released groups' figures
    tallies: dict[GroupRef, dict[int, Tally]]  # what those figures were computed from, per shown benefit

    def is_released(self, group: GroupRef) -> bool:
        return group in self.groups

    def shown(self, group: GroupRef, benefit_id: int) -> bool:
        """Whether ``benefit_id`` has figures in ``group``."""
        release = self.benefits.get(benefit_id)
        return group in self.groups and (release is None or release.shown_in(group))


def segment_groups(atoms: AtomTallies, segment: int) -> list[GroupRef]:
    """Every group of segment number ``segment``, in its order (options, then "Not stated")."""
    return [GroupRef(segment, i, v) for i, v in enumerate(atoms.layout[segment].values)]


def _answer_sets(universe: Universe, raters: dict) -> AnswerSets:
    """One benefit's answer sets as vectors over the universe's signatures (built once, read many times)."""
    import numpy as np

    vectors = np.zeros((3, len(universe.row)))
    for sig, counts in raters.items():
        vectors[:, universe.row[sig]] = counts
    return AnswerSets(*vectors)


def _tallies(rows: list[JointRow], paired_only: frozenset[int]) -> dict[int, Tally]:
    """One group's tallies; a paired-only benefit's from its respondents who rated both."""
    tallies: dict[int, Tally] = {}
    for benefit_id, importance, realization, n in rows:
        if benefit_id in paired_only and (importance is None or realization is None):
            continue
        tally_add(tallies, benefit_id, importance, realization, n)
    return tallies


def _decide(atoms: AtomTallies, k: int) -> tuple:
    """The release rule's decisions: released groups (None below k), every group's size, each benefit's release."""
    respondents = atoms.respondents
    sizes: dict[GroupRef, int] = defaultdict(int)
    sizes[W] = sum(respondents.values())
    for sig, n in respondents.items():
        for s, value in enumerate(sig):
            sizes[GroupRef(s, atoms.layout[s].values.index(value), value)] += n
    sizes = dict(sizes)
    groups = release_groups(atoms.layout, respondents, k)
    if groups is None:
        return None, sizes, {}, frozenset()
    universe = Universe(groups, [*respondents, *(sig for raters in atoms.raters.values() for sig in raters)])
    releases = release_benefits(universe, {b: _answer_sets(universe, raters) for b, raters in atoms.raters.items()}, k)
    return groups, sizes, releases, frozenset(b for b, r in releases.items() if r.paired_only)


def released_figures(
    *, atoms: AtomTallies, k: int, questionnaire=None, threshold: float = 0.0, segment: int | None = None
) -> Released:
    """The release rule over all of ``atoms``' segments, and the figures of W (or of one segment's groups).

    ``segment`` None: the whole assessment's figures; a number: those of that
    segment's released groups (1 query more). The rule itself always looks
    at every segment, since what one segment releases changes what the
    others may. Without a ``questionnaire``, only the decisions and the
    tallies the figures would be computed from (what the trend of an
    earlier round needs).
    """
    # The decisions depend on the tallies and k alone: worked out once per tallies (see aggregates.atoms_for).
    decided = atoms.memo.get(("release", k))
    if decided is None:
        decided = atoms.memo[("release", k)] = _decide(atoms, k)
    groups, sizes, releases, paired_only = decided
    if groups is None:
        return Released(k, (), dict(sizes), {}, {}, {})

    if segment is None:
        rows = {W: atoms.whole}
    else:
        wanted = [g for g in groups if g.segment == segment]
        rows = {}
        if wanted:
            options = list(atoms.layout[segment].values[:-1])
            by_option = segment_joint(atoms=atoms, segment=segment, options=options)
            rows = {g: by_option[g.value] for g in wanted}
    figures: dict[GroupRef, Figures] = {}
    used: dict[GroupRef, dict[int, Tally]] = {}
    for g, its_rows in rows.items():
        withheld = frozenset(b for b, r in releases.items() if not r.shown_in(g))
        # Like the decisions, a group's tallies follow from the tallies read and k alone.
        tallies = atoms.memo.get(("tallies", k, g))
        if tallies is None:
            tallies = {b: t for b, t in _tallies(its_rows, paired_only).items() if b not in withheld}
            atoms.memo[("tallies", k, g)] = tallies
        used[g] = tallies
        if questionnaire is not None:
            figures[g] = figures_from_tallies(questionnaire, tallies, threshold, withheld, paired_only)
    return Released(k, groups, dict(sizes), releases, figures, used)
