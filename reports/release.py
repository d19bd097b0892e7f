"""The release rule (contract section 6): which groups and which figures may be published.

Pure functions, no database: they work on counts of people per *signature*,
the tuple of a respondent's option (or None, "Not stated") in each segment of
the assessment, in segment order. Every respondent has exactly one signature,
so a group (the whole assessment W, or one option of one segment) is a union
of signatures, and its figures are sums over them.

Why atoms
---------
Figures are sums (counts, totals, sums of squares). Anyone who reads several
of them can add and subtract: team X minus site X, three one-way groups minus
twice the whole, the importance total minus the paired total minus the
realization total. What such arithmetic can isolate is exactly an *atom*:
the people who are in the same released groups. So the rule asks of every
atom that it holds either none or at least k of the people a figure counts
(the set is then *safe*); whatever anyone computes from the released figures
is then a sum over whole atoms, that is over none or at least k people.

The three steps
---------------
1. Groups (:func:`release_groups`): W when it has k respondents; then each
   segment in turn keeps its groups of k or more, dropping its smallest
   group while the released set with this segment is not safe.
2. Figures (:func:`release_benefit`): each benefit is withheld where one of
   its answer sets (importance raters, realization raters) has 1 to k-1
   members, then in the smallest group other than W while the rest is not
   safe for an answer set.
3. One-rating respondents: when what is left is not safe for those who rated
   both, or for those who rated one, the benefit's figures are computed over
   those who rated both only (``paired_only``) and step 2 is redone for them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

Signature = tuple  # one option id (or None) per segment, in segment order
Counts = Mapping[Signature, int]  # members of one set of people, per signature


@dataclass(frozen=True)
class GroupRef:
    """One group: option ``value`` (an option id, or None for "Not stated") of segment number ``segment``."""

    segment: int  # -1 for W
    position: int  # the group's place in its segment's order (options, then "Not stated")
    value: object

    @property
    def is_whole(self) -> bool:
        return self.segment < 0

    def contains(self, signature: Signature) -> bool:
        return self.is_whole or signature[self.segment] == self.value


# The whole assessment: in every set of released groups.
W = GroupRef(-1, 0, None)


def count_in(group: GroupRef, counts: Counts) -> int:
    """How many of a set of people (given per signature) are in ``group``."""
    if group.is_whole:
        return sum(counts.values())
    return sum(n for signature, n in counts.items() if signature[group.segment] == group.value)


def atoms(groups: Iterable[GroupRef], counts: Counts) -> dict[tuple, int]:
    """Members per atom of ``groups``: people in the same groups of the set, each in at least one.

    An atom is named by the groups its people are in, so two signatures that
    the set cannot tell apart fall into one atom.
    """
    groups = list(groups)
    whole = any(g.is_whole for g in groups)
    by_segment: dict[int, set] = defaultdict(set)
    for g in groups:
        if not g.is_whole:
            by_segment[g.segment].add(g.value)
    segments = sorted(by_segment)
    result: dict[tuple, int] = defaultdict(int)
    for signature, n in counts.items():
        if not n:
            continue
        key = tuple(signature[s] if signature[s] in by_segment[s] else _OUTSIDE for s in segments)
        if not whole and all(v is _OUTSIDE for v in key):
            continue  # in none of the groups: in no atom
        result[key] += n
    return dict(result)


class _Outside:
    """In none of a segment's groups of the set (distinct from None, which is "Not stated")."""

    def __repr__(self) -> str:
        return "outside"


_OUTSIDE = _Outside()


def is_safe(groups: Iterable[GroupRef], counts: Counts, k: int) -> bool:
    """Every atom of ``groups`` holds none or at least ``k`` of the people ``counts`` gives."""
    return all(n == 0 or n >= k for n in atoms(groups, counts).values())


@dataclass(frozen=True)
class SegmentLayout:
    """A segment as the rule sees it: its groups in order (options, then "Not stated", None)."""

    values: tuple  # option ids in the segment's order, then None


def release_groups(layout: Sequence[SegmentLayout], respondents: Counts, k: int) -> tuple[GroupRef, ...] | None:
    """Step 1: the released groups, W first, then each segment's in its order; None when W is below k."""
    if sum(respondents.values()) < k:
        return None
    released: list[GroupRef] = [W]
    for s, segment in enumerate(layout):
        groups = [GroupRef(s, i, v) for i, v in enumerate(segment.values)]
        sizes = {g: count_in(g, respondents) for g in groups}
        kept = [g for g in groups if sizes[g] >= k]
        while kept and not is_safe([*released, *kept], respondents, k):
            # The fewest respondents; on a tie the later group.
            smallest = min(kept, key=lambda g: (sizes[g], -g.position))
            kept.remove(smallest)
        released.extend(kept)
    return tuple(released)


@dataclass(frozen=True)
class AnswerSets:
    """One benefit's people per signature: who rated importance, realization, both."""

    importance: Counts
    realization: Counts
    both: Counts

    def one_rating(self):
        """Those who rated exactly one of the two dimensions."""
        if not isinstance(self.importance, Mapping):  # vectors over a universe's signatures
            return self.importance + self.realization - 2 * self.both
        keys = set(self.importance) | set(self.realization)
        return {s: self.importance.get(s, 0) + self.realization.get(s, 0) - 2 * self.both.get(s, 0) for s in keys}


@dataclass(frozen=True)
class BenefitRelease:
    """Where one benefit's figures may be shown, and over whom they are computed."""

    withheld: frozenset[GroupRef]  # the released groups where it shows nothing
    paired_only: bool  # its figures are over the respondents who rated both

    def shown_in(self, group: GroupRef) -> bool:
        return group not in self.withheld


class Universe:
    """The released groups, and which of them each signature is in, as a 0/1 matrix (built once).

    Step 2 checks the same groups over and over, for every benefit and answer
    set: with the membership matrix, a group's count is one product and an
    atom is a distinct row of the matrix's chosen columns.
    """

    def __init__(self, groups: Sequence[GroupRef], signatures: Iterable[Signature] = ()) -> None:
        self.groups = tuple(groups)
        self.index = {g: i for i, g in enumerate(self.groups)}
        self.row: dict[Signature, int] = {}
        self._rows: list[list[int]] = []
        for signature in signatures:
            if signature not in self.row:
                self._add(signature)
        self._matrix = None

    def _add(self, signature: Signature) -> int:
        self.row[signature] = len(self._rows)
        self._rows.append([1 if g.contains(signature) else 0 for g in self.groups])
        self._matrix = None
        return self.row[signature]

    def vector(self, counts: Counts):
        import numpy as np

        if isinstance(counts, np.ndarray):  # already one, over this universe's signatures
            return counts
        for signature in counts:
            if signature not in self.row:
                self._add(signature)
        v = np.zeros(len(self._rows))
        for signature, n in counts.items():
            v[self.row[signature]] = n
        return v

    @property
    def matrix(self):
        import numpy as np

        if self._matrix is None:
            self._matrix = np.array(self._rows, dtype=np.int64).reshape(len(self._rows), len(self.groups))
        return self._matrix


class _Masks:
    """One answer set over a universe of groups: its members per signature, counted per group and per atom."""

    def __init__(self, universe: Universe, counts: Counts) -> None:
        self.universe = universe
        v = universe.vector(counts)
        matrix = universe.matrix
        present = v > 0
        self.v, self.m = v[present], matrix[present]
        self.per_group = self.v @ self.m if len(self.v) else [0] * len(universe.groups)

    def count_in(self, group: GroupRef) -> int:
        return int(self.per_group[self.universe.index[group]])

    def is_safe(self, current: Iterable[GroupRef], k: int) -> bool:
        import numpy as np

        columns = [self.universe.index[g] for g in current]
        if not columns or not len(self.v):
            return True
        chosen = self.m[:, columns]
        inside = chosen.any(axis=1)  # in at least one of the groups
        if not inside.any():
            return True
        rows = chosen[inside]
        if len(columns) <= 62:  # an atom's groups as the bits of one integer: a 1-D unique is fast
            keys, inverse = np.unique(rows @ (1 << np.arange(len(columns), dtype=np.int64)), return_inverse=True)
        else:
            keys, inverse = np.unique(rows, axis=0, return_inverse=True)
        sums = np.bincount(inverse.ravel(), weights=self.v[inside], minlength=len(keys))
        return bool((sums >= k).all())


def _withhold(universe: Universe, answer_sets: Sequence[Counts], k: int) -> set[GroupRef]:
    """Step 2 for the given answer sets: the groups (of the universe) where the benefit is withheld."""
    groups = universe.groups
    sets = [_Masks(universe, p) for p in answer_sets]
    withheld = {g for g in groups if any(0 < p.count_in(g) < k for p in sets)}
    current = [g for g in groups if g not in withheld]
    while True:
        for p in sets:  # importance first
            if p.is_safe(current, k):
                continue
            sizes = {g: p.count_in(g) for g in current if not g.is_whole}
            candidates = [g for g, n in sizes.items() if n >= 1]
            if not candidates:  # cannot happen: W alone is safe once no group has 1 to k-1 members
                return set(groups)
            # The fewest members; on a tie the later segment, then the later group in it.
            worst = min(candidates, key=lambda g: (sizes[g], -g.segment, -g.position))
            withheld.add(worst)
            current.remove(worst)
            break
        else:
            return withheld


def release_benefit(groups: Sequence[GroupRef] | Universe, sets: AnswerSets, k: int) -> BenefitRelease:
    """Steps 2 and 3 for one benefit, over the released ``groups`` (a :class:`Universe` to share its masks)."""
    universe = groups if isinstance(groups, Universe) else Universe(groups, [*sets.importance, *sets.realization])
    withheld = _withhold(universe, [sets.importance, sets.realization], k)
    shown = [g for g in universe.groups if g not in withheld]
    if _Masks(universe, sets.both).is_safe(shown, k) and _Masks(universe, sets.one_rating()).is_safe(shown, k):
        return BenefitRelease(frozenset(withheld), paired_only=False)
    return BenefitRelease(frozenset(_withhold(universe, [sets.both], k)), paired_only=True)


def release_benefits(universe: Universe, sets: Mapping[int, AnswerSets], k: int) -> dict[int, BenefitRelease]:
    """:func:`release_benefit` for every benefit of ``sets`` (by id), the common case decided for all at once.

    Most benefits are shown everywhere: no released group has 1 to k-1 of
    their raters, and every atom of the released groups holds 0 or at least
    k of each of their answer sets. That is exactly the first check of
    steps 2 and 3 when nothing is withheld, so it is made for every benefit
    in one matrix product; a benefit that fails it goes through
    :func:`release_benefit`, which then withholds group by group.
    """
    import numpy as np

    ids = list(sets)
    if not ids:
        return {}
    for s in sets.values():  # every signature first, so that all vectors have the same length
        for counts in (s.importance, s.realization, s.both):
            if isinstance(counts, Mapping):
                for signature in counts:
                    if signature not in universe.row:
                        universe._add(signature)
    # (benefit, answer set, signature): importance, realization, both, exactly one.
    vectors = np.stack(
        [np.stack([universe.vector(c) for c in (s.importance, s.realization, s.both)]) for s in (sets[b] for b in ids)]
    )
    vectors = np.concatenate([vectors, (vectors[:, 0] + vectors[:, 1] - 2 * vectors[:, 2])[:, None]], axis=1)
    matrix = universe.matrix
    if not len(matrix):  # no signature at all: benefit by benefit, as release_benefit decides
        return {b: release_benefit(universe, sets[b], k) for b in ids}
    if len(universe.groups) <= 62:
        _, atom = np.unique(matrix @ (1 << np.arange(len(universe.groups), dtype=np.int64)), return_inverse=True)
    else:
        _, atom = np.unique(matrix, axis=0, return_inverse=True)
    atom = atom.ravel()
    members = np.zeros((len(matrix), int(atom.max()) + 1))
    members[np.arange(len(matrix)), atom] = 1
    per_group = vectors[:, :2] @ matrix  # (benefit, importance/realization, group)
    per_atom = vectors @ members  # (benefit, answer set, atom)
    groups_ok = ((per_group == 0) | (per_group >= k)).all(axis=(1, 2))
    atoms_ok = ((per_atom == 0) | (per_atom >= k)).all(axis=(1, 2))
    shown_everywhere = BenefitRelease(frozenset(), paired_only=False)
    return {
        b: shown_everywhere if fast else release_benefit(universe, sets[b], k)
        for b, fast in zip(ids, groups_ok & atoms_ok, strict=True)
    }
