"""The release rule of contract section 6, on its own definitions: atoms, safe sets, the three steps.

The attacks of the rule's motivation are here as tests: a subtraction
across two segments, a sum of three one-way groups minus twice the whole,
and the importance total minus the paired and realization totals. The
property test plays the attacker who knows everyone's groups and who rated
what, and solves the linear system of every released sum: no rating of
any single person may be in its span.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.release import (
    AnswerSets,
    BenefitRelease,
    GroupRef,
    SegmentLayout,
    Universe,
    W,
    atoms,
    count_in,
    is_safe,
    release_benefit,
    release_benefits,
    release_groups,
)


def counts_of(signatures: list[tuple]) -> dict[tuple, int]:
    counts: dict[tuple, int] = {}
    for s in signatures:
        counts[s] = counts.get(s, 0) + 1
    return counts


def two_way_layout(*segments: tuple) -> list[SegmentLayout]:
    return [SegmentLayout(values=(*options, None)) for options in segments]


# --- Atoms and safe sets ----------------------------------------------------------------------


def test_atoms_are_the_people_in_the_same_groups_of_the_set():
    counts = counts_of([("x", "a")] * 4 + [("x", "b")] + [("y", "b")] * 5)
    team_x, site_b = GroupRef(0, 0, "x"), GroupRef(1, 1, "b")
    assert sorted(atoms([W, team_x], counts).values()) == [5, 5]  # team x, and everyone else
    found = atoms([W, team_x, site_b], counts)
    assert sorted(found.values()) == [1, 4, 5]
    # Without W, someone in none of the groups is in no atom.
    assert sum(atoms([site_b], counts_of([("x", "a")] * 3 + [("y", "b")] * 2)).values()) == 2


def test_a_set_is_safe_when_every_atom_holds_none_or_at_least_k():
    counts = counts_of([("x",)] * 5 + [("y",)] * 5)
    x, y = GroupRef(0, 0, "x"), GroupRef(0, 1, "y")
    assert is_safe([W, x, y], counts, 5)
    assert not is_safe([W, x, y], counts_of([("x",)] * 5 + [("y",)] * 4), 5)
    assert is_safe([W, x], {("x",): 5, ("y",): 0}, 5)  # an atom with no member of P is fine


def test_count_in_a_group_and_in_the_whole():
    counts = counts_of([("x", "a"), ("x", "b"), ("y", "b")])
    assert count_in(W, counts) == 3
    assert count_in(GroupRef(1, 1, "b"), counts) == 2


# --- Step 1: groups ---------------------------------------------------------------------------


def test_two_overlapping_segments_team_minus_site_is_one_person():
    """Team X minus site A would be p4 alone: site is hidden (both its groups), team stays."""
    people = [("x", "a")] * 4 + [("x", "b")] + [("y", "b")] * 5
    layout = two_way_layout(("x", "y"), ("a", "b"))
    released = release_groups(layout, counts_of(people), 3)
    assert released == (W, GroupRef(0, 0, "x"), GroupRef(0, 1, "y"))
    assert is_safe(released, counts_of(people), 3)


def test_three_segments_where_only_the_three_way_sum_isolates_a_person():
    """p in (a, a, a), everyone else in exactly two "a" groups: S1a + S2a + S3a - 2W = p.

    Every pair of segments is safe on its own; only the third makes p an atom.
    """
    m = 3
    people = [("a", "a", "a")] + [("a", "a", "b")] * m + [("a", "b", "a")] * m + [("b", "a", "a")] * m
    layout = two_way_layout(("a", "b"), ("a", "b"), ("a", "b"))
    released = release_groups(layout, counts_of(people), 3)
    assert set(released) == {W, GroupRef(0, 0, "a"), GroupRef(0, 1, "b"), GroupRef(1, 0, "a"), GroupRef(1, 1, "b")}
    assert not any(g.segment == 2 for g in released)


def test_the_whole_below_k_releases_nothing():
    assert release_groups(two_way_layout(("x",)), {("x",): 4}, 5) is None


def test_a_tie_hides_the_later_group():
    """Groups of 8 and 8 with 3 hidden beside them: one of the 8s goes, the later one."""
    layout = [SegmentLayout(values=("p", "q", "r", None))]
    counts = {("p",): 12, ("q",): 3, ("r",): 8, (None,): 8}
    released = release_groups(layout, counts, 5)
    assert released == (W, GroupRef(0, 0, "p"), GroupRef(0, 2, "r"))


def test_segments_are_taken_in_order_the_first_keeps_its_groups():
    """Team first: team keeps its groups and site, which would isolate p4, loses its own."""
    people = [("x", "a")] * 4 + [("x", "b")] + [("y", "b")] * 5
    site_first = release_groups(two_way_layout(("a", "b"), ("x", "y")), counts_of([(s, t) for t, s in people]), 3)
    assert site_first == (W, GroupRef(0, 0, "a"), GroupRef(0, 1, "b"))


# --- Steps 2 and 3: figures --------------------------------------------------------------------


def sets_of(rows: list[tuple[tuple, object, object]]) -> AnswerSets:
    """rows: (signature, importance or None, realization or None) per respondent."""
    imp = counts_of([s for s, i, _ in rows if i is not None])
    real = counts_of([s for s, _, r in rows if r is not None])
    both = counts_of([s for s, i, r in rows if i is not None and r is not None])
    return AnswerSets(imp, real, both)


def test_a_benefit_rated_by_fewer_than_k_is_withheld_in_that_group():
    x, y = GroupRef(0, 0, "x"), GroupRef(0, 1, "y")
    rows = [(("x",), 4, 3)] * 6 + [(("y",), 4, 3)] * 2 + [(("y",), None, None)] * 5
    release = release_benefit((W, x, y), sets_of(rows), 5)
    # y has 2 raters: withheld there; W minus x is then those 2: x goes too.
    assert release.withheld == {y, x}
    assert release.shown_in(W) and not release.paired_only


def test_a_whole_assessment_benefit_with_1_to_k_minus_1_raters_is_withheld_everywhere_it_has_them():
    rows = [(("x",), 4, 3)] * 3 + [(("x",), None, None)] * 7
    release = release_benefit((W, GroupRef(0, 0, "x")), sets_of(rows), 5)
    assert not release.shown_in(W) and not release.shown_in(GroupRef(0, 0, "x"))


def test_one_dont_know_on_realization_makes_the_benefit_paired_only():
    """Importance total - paired total - realization total would be that one person's rating."""
    rows = [((), 4, 3)] * 5 + [((), 5, None)]
    release = release_benefit((W,), sets_of(rows), 5)
    assert release.paired_only and release.shown_in(W)


@pytest.mark.parametrize("one_side", [1, 2, 3, 4])
def test_dont_know_patterns_leaving_1_to_k_minus_1_on_one_side(one_side):
    """1..k-1 importance-only raters beside k who rated both: paired only; k of them: released whole."""
    rows = [((), 4, 3)] * 5 + [((), 5, None)] * one_side
    assert release_benefit((W,), sets_of(rows), 5).paired_only
    rows = [((), 4, 3)] * 5 + [((), 5, None)] * 5
    assert not release_benefit((W,), sets_of(rows), 5).paired_only


def test_paired_only_with_too_few_who_rated_both_is_withheld():
    rows = [((), 4, 3)] * 4 + [((), 5, None)] * 6 + [((), None, 2)] * 6
    release = release_benefit((W,), sets_of(rows), 5)
    assert release.paired_only and not release.shown_in(W)


def test_two_segments_whose_raters_form_safe_atoms_withhold_nothing():
    x, y, a, b = GroupRef(0, 0, "x"), GroupRef(0, 1, "y"), GroupRef(1, 0, "a"), GroupRef(1, 1, "b")
    rows = (
        [(("x", "a"), 4, 3)] * 5
        + [(("x", "b"), None, None)]
        + [(("y", "b"), 4, 3)] * 5
        + [(("y", "a"), None, None)] * 5
    )
    # The raters' atoms: (x, a) 5 and (y, b) 5.
    assert release_benefit((W, x, y, a, b), sets_of(rows), 5).withheld == frozenset()


def test_step_2_withholds_the_smallest_group_and_on_a_tie_the_later_one():
    """Not stated has 1 rater: withheld; W minus x and y is then that 1: x and y tie at 4, y goes."""
    x, y, unstated = GroupRef(0, 0, "x"), GroupRef(0, 1, "y"), GroupRef(0, 2, None)
    rows = [(("x",), 4, 3)] * 4 + [(("y",), 4, 3)] * 4 + [((None,), 4, 3)]
    release = release_benefit((W, x, y, unstated), sets_of(rows), 3)
    assert release.withheld == {unstated, y}


def test_step_2_across_segments_withholds_until_the_rest_is_safe():
    """(y, a) holds 1 rater: y (5) goes, then a (6), then b (9); x (10) and W remain."""
    x, y, a, b = GroupRef(0, 0, "x"), GroupRef(0, 1, "y"), GroupRef(1, 0, "a"), GroupRef(1, 1, "b")
    rows = [(("x", "a"), 4, 3)] * 5 + [(("x", "b"), 4, 3)] * 5 + [(("y", "b"), 4, 3)] * 4 + [(("y", "a"), 4, 3)]
    release = release_benefit((W, x, y, a, b), sets_of(rows), 3)
    assert release.withheld == {y, a, b}


# --- The attacker: no released linear combination is one person's rating ----------------------


def released_rows(people, layout, k) -> tuple[np.ndarray, list[int]]:
    """Every sum the rule releases for one benefit, as rows over the unknowns (imp_1..imp_n, real_1..real_n)."""
    n = len(people)
    respondents = counts_of([sig for sig, _, _ in people])
    groups = release_groups(layout, respondents, k) or ()
    sets = sets_of(people)
    release = release_benefit(groups, sets, k)
    rows = []
    for g in groups:
        if not release.shown_in(g):
            continue
        members = [i for i, (sig, _, _) in enumerate(people) if g.contains(sig)]
        both = [i for i in members if people[i][1] is not None and people[i][2] is not None]
        imp = both if release.paired_only else [i for i in members if people[i][1] is not None]
        real = both if release.paired_only else [i for i in members if people[i][2] is not None]
        for chosen, offset in ((imp, 0), (real, n)):
            row = np.zeros(2 * n)
            row[[offset + i for i in chosen]] = 1
            rows.append(row)
        paired = np.zeros(2 * n)
        paired[both] = 1
        paired[[n + i for i in both]] = -1
        rows.append(paired)
    rated = [i for i, (_, imp, _) in enumerate(people) if imp is not None]
    rated += [n + i for i, (_, _, real) in enumerate(people) if real is not None]
    return (np.array(rows) if rows else np.zeros((0, 2 * n))), rated


def recoverable(matrix: np.ndarray, unknown: int) -> bool:
    """Whether the unit vector of ``unknown`` lies in the row space of ``matrix`` (a rank test)."""
    if matrix.shape[0] == 0:
        return False
    unit = np.zeros(matrix.shape[1])
    unit[unknown] = 1
    return np.linalg.matrix_rank(np.vstack([matrix, unit])) == np.linalg.matrix_rank(matrix)


rating = st.one_of(st.none(), st.integers(1, 5))


@st.composite
def assessments(draw):
    segments = draw(st.integers(0, 3))
    options = [draw(st.integers(1, 3)) for _ in range(segments)]
    layout = [SegmentLayout(values=(*range(o), None)) for o in options]
    n = draw(st.integers(3, 24))
    people = []
    for _ in range(n):
        sig = tuple(draw(st.sampled_from(layout[s].values)) for s in range(segments))
        people.append((sig, draw(rating), draw(rating)))
    return layout, people, draw(st.integers(3, 6))


@settings(max_examples=300, deadline=None)
@given(case=assessments())
def test_no_released_sum_combination_gives_away_one_persons_rating(case):
    layout, people, k = case
    matrix, rated = released_rows(people, layout, k)
    assert not any(recoverable(matrix, unknown) for unknown in rated)


@settings(max_examples=200, deadline=None)
@given(case=assessments())
def test_released_groups_are_always_safe_and_at_least_k(case):
    layout, people, k = case
    respondents = counts_of([sig for sig, _, _ in people])
    groups = release_groups(layout, respondents, k)
    if groups is None:
        assert len(people) < k
        return
    assert is_safe(groups, respondents, k)
    assert all(count_in(g, respondents) >= k for g in groups)


@st.composite
def several_benefits(draw):
    """One assessment's people, and for each of a few benefits their ratings (None: "Don't know")."""
    layout, people, k = draw(assessments())
    benefits = []
    for _ in range(draw(st.integers(1, 4))):
        # Mostly rated, as real answers are, so that both the shortcut and the slow path are taken.
        answer = st.one_of(st.integers(1, 5), st.integers(1, 5), st.integers(1, 5), st.none())
        benefits.append([(sig, draw(answer), draw(answer)) for sig, _, _ in people])
    return layout, people, k, benefits


@settings(max_examples=300, deadline=None)
@given(case=several_benefits())
def test_every_benefit_at_once_decides_as_each_benefit_alone(case):
    """release_benefits' shortcut (nothing withheld, decided in one product) is exactly release_benefit's answer."""
    layout, people, k, benefits = case
    groups = release_groups(layout, counts_of([sig for sig, _, _ in people]), k)
    if groups is None:
        return
    sets = {b: sets_of(rows) for b, rows in enumerate(benefits)}

    together = release_benefits(Universe(groups), sets, k)

    assert together == {b: release_benefit(groups, s, k) for b, s in sets.items()}


def test_a_benefit_everyone_rated_is_shown_everywhere_without_the_slow_path(monkeypatch):
    layout = two_way_layout(("x", "y"))
    people = [(("x",), 4, 2)] * 3 + [(("y",), 3, 3)] * 3
    groups = release_groups(layout, counts_of([sig for sig, _, _ in people]), 3)
    monkeypatch.setattr("reports.release.release_benefit", lambda *args: pytest.fail("the slow path was taken"))

    released = release_benefits(Universe(groups), {1: sets_of(people)}, 3)

    assert released == {1: BenefitRelease(frozenset(), paired_only=False)}
