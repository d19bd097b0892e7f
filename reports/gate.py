"""The one gate: every figure of a report, whole or by segment, comes out of :func:`released_figures`.

It reads an assessment's tallies per signature (``reports.aggregates``),
decides with the release rule (``reports.release``) which groups are
released and where each benefit is withheld or computed over paired
respondents only, and only then sums the tallies of each wanted group into
figures (``reports.selectors.figures_from_tallies``). A figure that did not
come through here has not been checked, so the page, the downloads, the
commands, the segment report and the trend all start here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from reports.aggregates import AtomTallies
from reports.release import AnswerSets, BenefitRelease, GroupRef, W, release_benefit, release_groups
from reports.selectors import Figures, Tally, figures_from_tallies, tally_add


@dataclass(frozen=True)
class Released:
    """What the release rule lets one assessment publish."""

    k: int
    groups: tuple[GroupRef, ...]  # the released groups, W first; empty when W is below k
    sizes: dict[GroupRef, int]  # respondents of every group of every segment (released or not)
    benefits: dict[int, BenefitRelease]  # per benefit id
    figures: dict[GroupRef, Figures]  # the wanted released groups' figures
    tallies: dict[GroupRef, dict[int, Tally]]  # what those figures were computed from, per benefit

    def is_released(self, group: GroupRef) -> bool:
        return group in self.groups

    def shown(self, group: GroupRef, benefit_id: int) -> bool:
        """Whether ``benefit_id`` has figures in ``group``."""
        release = self.benefits.get(benefit_id)
        return group in self.groups and (release is None or release.shown_in(group))


def segment_groups(atoms: AtomTallies, segment: int) -> list[GroupRef]:
    """Every group of segment number ``segment``, in its order (options, then "Not stated")."""
    return [GroupRef(segment, i, v) for i, v in enumerate(atoms.layout[segment].values)]


def released_figures(
    *, atoms: AtomTallies, k: int, questionnaire=None, threshold: float = 0.0, segment: int | None = None
) -> Released:
    """The release rule over all of ``atoms``' segments, and the figures of W (or of one segment's groups).

    ``segment`` None: the whole assessment's figures; a number: those of that
    segment's released groups. The rule itself always looks at every segment,
    since what one segment releases changes what the others may. Without a
    ``questionnaire``, only the decisions and the tallies the figures would
    be computed from (what the trend of an earlier round needs).
    """
    respondents = atoms.respondents
    sizes: dict[GroupRef, int] = {W: sum(respondents.values())}
    for s in range(len(atoms.layout)):
        for g in segment_groups(atoms, s):
            sizes[g] = sum(n for sig, n in respondents.items() if sig[s] == g.value)
    groups = release_groups(atoms.layout, respondents, k)
    if groups is None:
        return Released(k, (), sizes, {}, {}, {})
    wanted = [W] if segment is None else [g for g in groups if g.segment == segment]

    # One pass over the rows: the answer sets per signature, and the full and
    # paired-only tallies of each wanted group.
    importance: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    realization: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    both: dict[int, dict] = defaultdict(lambda: defaultdict(int))
    full: dict[GroupRef, dict[int, Tally]] = {g: {} for g in wanted}
    paired: dict[GroupRef, dict[int, Tally]] = {g: {} for g in wanted}
    for sig, rows in atoms.answers.items():
        into = [g for g in wanted if g.contains(sig)]
        for benefit_id, imp, real, n in rows:
            if imp is not None:
                importance[benefit_id][sig] += n
            if real is not None:
                realization[benefit_id][sig] += n
            rated_both = imp is not None and real is not None
            if rated_both:
                both[benefit_id][sig] += n
            for g in into:
                tally_add(full[g], benefit_id, imp, real, n)
                if rated_both:
                    tally_add(paired[g], benefit_id, imp, real, n)

    releases = {
        b: release_benefit(groups, AnswerSets(importance[b], realization[b], both[b]), k)
        for b in set(importance) | set(realization)
    }
    paired_only = frozenset(b for b, r in releases.items() if r.paired_only)
    figures: dict[GroupRef, Figures] = {}
    used: dict[GroupRef, dict[int, Tally]] = {}
    for g in wanted:
        tallies = {b: (paired[g].get(b, Tally()) if b in paired_only else t) for b, t in full[g].items()}
        withheld = frozenset(b for b, r in releases.items() if not r.shown_in(g))
        used[g] = {b: t for b, t in tallies.items() if b not in withheld}
        if questionnaire is not None:
            figures[g] = figures_from_tallies(questionnaire, tallies, threshold, withheld, paired_only)
    return Released(k, groups, sizes, releases, figures, used)
