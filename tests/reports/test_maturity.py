"""Maturity levels (contract section 14), the pure statistics, against hand-computed values.

The input is stand-ins for the report's benefits: where each sits, its
realization's mean, n and sd, and whether the release rule withholds it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction

import pytest

from reports.maturity import CSV_FIELDS, LEVELS, csv_rows, entry_trend, level_of, maturity, score_of, with_trend

CELLS = [
    ("social-media", "internal"),
    ("social-media", "external"),
    ("social-networking", "internal"),
    ("social-networking", "external"),
]
NAMES = {
    "social-media": "Social media",
    "social-networking": "Social networking",
    "internal": "Internal",
    "external": "External",
}


@dataclass(frozen=True)
class Realization:
    mean: float | None
    n: int
    sd: float | None


@dataclass(frozen=True)
class Benefit:
    concept: str
    scope: str
    realization: Realization
    withheld: bool = False


def rated(concept: str, scope: str, total: int, n: int, sd: float | None = 1.0, withheld: bool = False) -> Benefit:
    """A benefit whose realization ratings sum to ``total`` over ``n`` respondents."""
    if withheld:
        return Benefit(concept, scope, Realization(None, None, None), withheld=True)
    return Benefit(concept, scope, Realization(total / n if n else None, n, sd if n >= 2 else None))


def cell_dict(m, concept="social-media", scope="internal") -> dict:
    return next(c for c in m.to_dict()["cells"] if (c["concept"], c["scope"]) == (concept, scope))


# --- Levels ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level"),
    [
        (1, 1),
        (Fraction(9, 5) - Fraction(1, 10**9), 1),
        (Fraction(9, 5), 2),
        (Fraction(13, 5), 3),
        (Fraction(17, 5), 4),
        (Fraction(21, 5), 5),
        (5, 5),
        (None, None),
    ],
)
def test_levels_by_exact_band_edges(value, level):
    assert level_of(value) == level


def test_a_score_exactly_on_an_edge_is_the_upper_level_even_where_floats_fall_short():
    """4/3, 14/5 and 11/3 average 13/5 exactly; in floats the mean is 2.5999999999999996 (level 2)."""
    benefits = [rated("social-media", "internal", 4, 3), rated("social-media", "internal", 14, 5)]
    benefits.append(rated("social-media", "internal", 11, 3))
    assert (4 / 3 + 14 / 5 + 11 / 3) / 3 < 2.6
    m = maturity(benefits, cells=CELLS)
    cell = m.cell("social-media", "internal")
    assert cell.exact == Fraction(13, 5)
    assert (cell.level, cell.level_name) == (3, "defined")


# --- Score and interval --------------------------------------------------------------------------


def test_score_and_conservative_interval_by_hand():
    """Means 2 (n 4, sd 1) and 3 (n 9, sd 1.5): score 2.5; se = (1/2)(1/2 + 1.5/3) = 0.5; 2.5 -/+ 0.98."""
    benefits = [rated("social-media", "internal", 8, 4, 1.0), rated("social-media", "internal", 27, 9, 1.5)]
    c = cell_dict(maturity(benefits, cells=CELLS))
    assert c["score"] == 2.5
    assert c["benefits"] == 2
    assert c["low"] == pytest.approx(1.52)
    assert c["high"] == pytest.approx(3.48)
    assert (c["level"], c["level_name"], c["level_low"], c["level_high"]) == (2, "emerging", 1, 4)


def test_the_interval_is_clipped_to_the_scale():
    """Mean 1.5 over 2 (sd 0.707...): se = 0.5, so 1.5 - 0.98 is clipped to 1; mean 5 with sd 0 stays [5, 5]."""
    low = rated("social-media", "internal", 3, 2, math.sqrt(0.5))
    top = rated("social-media", "external", 10, 2, 0.0)
    m = maturity([low, top], cells=CELLS)
    assert (cell_dict(m)["low"], cell_dict(m)["high"]) == (1, pytest.approx(1.5 + 0.98))
    ext = cell_dict(m, scope="external")
    assert (ext["low"], ext["high"], ext["level"], ext["level_low"], ext["level_high"]) == (5, 5, 5, 5, 5)


def test_no_interval_when_any_benefit_has_fewer_than_two_ratings():
    benefits = [rated("social-media", "internal", 8, 4), rated("social-media", "internal", 4, 1)]
    c = cell_dict(maturity(benefits, cells=CELLS, targets={("social-media", "internal"): 3}))
    assert c["score"] == 3.0
    assert (c["low"], c["high"], c["level_low"], c["level_high"]) == (None, None, None, None)
    assert c["level"] == 3
    # Without a low there is no status; the distance needs the score alone.
    assert (c["target_status"], c["distance"]) == (None, 0.0)


def test_withheld_benefits_are_left_out_and_every_node_counts_once():
    benefits = [
        rated("social-media", "internal", 8, 4),  # 2.0
        rated("social-media", "internal", 16, 4),  # 4.0, a sub-benefit counts like any node
        rated("social-media", "internal", 0, 0, withheld=True),
        rated("social-media", "internal", 0, 0),  # nobody rated its realization
    ]
    m = maturity(benefits, cells=CELLS)
    assert (cell_dict(m)["score"], cell_dict(m)["benefits"]) == (3.0, 2)
    assert score_of(benefits)[2] == 2


def test_overall_concepts_and_scopes_in_taxonomy_order():
    benefits = [
        rated("social-media", "internal", 8, 4),  # 2
        rated("social-media", "external", 12, 4),  # 3
        rated("social-networking", "internal", 16, 4),  # 4
        rated("social-networking", "external", 20, 4),  # 5
        rated("social-networking", "external", 12, 4),  # 3
    ]
    d = maturity(benefits, cells=CELLS).to_dict()
    assert d["overall"]["score"] == pytest.approx(17 / 5)
    assert d["overall"]["level"] == 4  # 17/5 exactly: managed
    assert d["overall"]["benefits"] == 5
    assert [(c["concept"], c["score"]) for c in d["concepts"]] == [("social-media", 2.5), ("social-networking", 4.0)]
    assert [(s["scope"], s["score"]) for s in d["scopes"]] == [("internal", 3.0), ("external", pytest.approx(11 / 3))]
    assert [(c["concept"], c["scope"]) for c in d["cells"]] == CELLS
    assert "target" not in d["overall"] and "target" not in d["concepts"][0] and "target" not in d["scopes"][0]
    assert "concept" not in d["overall"] and "scope" not in d["concepts"][0] and "concept" not in d["scopes"][0]


def test_a_cell_with_no_released_benefit_keeps_only_its_target():
    benefits = [rated("social-media", "internal", 0, 0, withheld=True), rated("social-media", "external", 8, 4)]
    c = cell_dict(maturity(benefits, cells=CELLS, targets={("social-media", "internal"): 4}))
    assert c == {
        "concept": "social-media",
        "scope": "internal",
        "score": None,
        "low": None,
        "high": None,
        "benefits": 0,
        "level": None,
        "level_name": None,
        "level_low": None,
        "level_high": None,
        "target": 4,
        "target_status": None,
        "distance": None,
    }


# --- Targets ---------------------------------------------------------------------------------------


def _one_cell(total: int, n: int, sd: float, target: int) -> dict:
    return cell_dict(
        maturity([rated("social-media", "internal", total, n, sd)], cells=CELLS, targets={CELLS[0]: target})
    )


def test_target_reached_when_the_whole_interval_is_at_or_above_the_bound():
    """Mean 4 over 4, sd 0.5: se 0.25, low 3.51 >= 3.4 (level 4's bound)."""
    c = _one_cell(16, 4, 0.5, 4)
    assert c["low"] == pytest.approx(3.51)
    assert (c["target"], c["target_status"], c["distance"]) == (4, "reached", 0.0)


def test_target_not_reached_when_the_whole_interval_is_below_the_bound():
    """Mean 2.5 over 4, sd 0.5: high 2.99 < 3.4; 0.9 to go (exactly 17/5 - 5/2)."""
    c = _one_cell(10, 4, 0.5, 4)
    assert (c["target_status"], c["distance"]) == ("not-reached", pytest.approx(0.9))
    m = maturity([rated("social-networking", "external", 10, 4, 0.5)], cells=CELLS, targets={CELLS[3]: 4}, names=NAMES)
    cell = m.cell("social-networking", "external")
    assert cell.sentence == "Social networking, external: level 2 emerging, target 4 managed: not reached; 0.9 to go"
    assert cell.interval_note == "95% interval: level 2 to 3"  # 2.01 to 2.99


def test_target_uncertain_when_the_interval_straddles_the_bound():
    """Mean 3.5 over 4, sd 1: se 0.5, interval 2.52 to 4.48 around 3.4; the score is past it, so no distance."""
    c = _one_cell(14, 4, 1.0, 4)
    assert (c["target_status"], c["distance"]) == ("uncertain", 0.0)


def test_target_level_one_has_bound_one_so_any_interval_reaches_it():
    c = _one_cell(4, 4, 0.0, 1)
    assert (c["low"], c["target_status"], c["distance"]) == (1, "reached", 0.0)


def test_no_target_no_status_nor_distance():
    c = cell_dict(maturity([rated("social-media", "internal", 8, 4)], cells=CELLS))
    assert (c["target"], c["target_status"], c["distance"]) == (None, None, None)


# --- Trend -------------------------------------------------------------------------------------------


def _entry(total: int, n: int, sd: float | None):
    return maturity([rated("social-media", "internal", total, n, sd)], cells=CELLS).cell(*CELLS[0])


def test_trend_by_hand_rose():
    """3.5 (n 4, sd 0.4: se 0.2) against 2.5 (n 4, sd 0.6: se 0.3): change 1, half-width 1.96*sqrt(0.13)."""
    t = entry_trend(_entry(14, 4, 0.4), _entry(10, 4, 0.6))
    half = 1.96 * math.sqrt(0.2**2 + 0.3**2)
    assert (t.score_before, t.change) == (2.5, 1.0)
    assert (t.low, t.high) == (pytest.approx(1 - half), pytest.approx(1 + half))
    assert t.verdict == "rose"


def test_trend_fell_unchanged_and_not_clipped():
    fell = entry_trend(_entry(10, 4, 0.0), _entry(18, 4, 0.0))
    assert (fell.change, fell.low, fell.high, fell.verdict) == (-2.0, -2.0, -2.0, "fell")
    wide = entry_trend(_entry(14, 4, 2.0), _entry(10, 4, 2.0))  # the interval reaches below -1: not clipped
    assert wide.verdict == "unchanged" and wide.low < -1


def test_a_sure_change_below_a_fifth_is_unchanged_and_exactly_a_fifth_is_not():
    """14/5 - 13/5 is exactly 1/5, though 2.8 - 2.6 is 0.19999999999999973 in floats: it rose."""
    assert 2.8 - 2.6 < 0.2
    assert entry_trend(_entry(14, 5, 0.0), _entry(13, 5, 0.0)).verdict == "rose"
    assert entry_trend(_entry(13, 5, 0.0), _entry(14, 5, 0.0)).verdict == "fell"
    small = entry_trend(_entry(31, 10, 0.0), _entry(30, 10, 0.0))  # 0.1, however sure
    assert small.verdict == "unchanged"


def test_trend_insufficient_without_an_interval_and_null_without_a_score():
    one = entry_trend(_entry(4, 1, None), _entry(10, 4, 1.0))
    assert (one.change, one.low, one.high, one.verdict) == (1.5, None, None, "insufficient")
    before_empty = maturity([], cells=CELLS).cell(*CELLS[0])
    none = entry_trend(_entry(10, 4, 1.0), before_empty)
    assert (none.score_before, none.change, none.low, none.high, none.verdict) == (
        None,
        None,
        None,
        None,
        "insufficient",
    )


def test_trend_keys_only_with_a_previous_round_and_null_when_it_is_suppressed():
    now = maturity([rated("social-media", "internal", 14, 4)], cells=CELLS)
    assert "trend" not in now.to_dict()["overall"]
    suppressed = with_trend(now, None).to_dict()
    assert all(e["trend"] is None for e in [suppressed["overall"], *suppressed["concepts"], *suppressed["cells"]])
    compared = with_trend(now, maturity([rated("social-media", "internal", 10, 4)], cells=CELLS)).to_dict()
    assert compared["overall"]["trend"]["change"] == 1.0
    assert set(compared["cells"][0]["trend"]) == {"score_before", "change", "low", "high", "verdict"}


# --- CSV rows ---------------------------------------------------------------------------------------------


def test_csv_rows_in_json_order_and_none_when_suppressed():
    m = maturity([rated("social-media", "internal", 8, 4)], cells=CELLS, targets={CELLS[0]: 3})
    rows = csv_rows(m)
    assert [r["kind"] for r in rows] == ["overall", "concept", "concept", "scope", "scope", *["cell"] * 4]
    assert rows[0]["concept"] is None and rows[1]["concept"] == "social-media" and rows[3]["scope"] == "internal"
    assert rows[5]["target"] == 3 and rows[5]["target_status"] == "uncertain" and rows[5]["distance"] == 0.6
    assert all(set(r) == set(CSV_FIELDS) for r in rows)
    assert csv_rows(None) == []


def test_the_integer_level_formula_agrees_with_the_bands_for_every_mean_of_up_to_sixty_ratings():
    for n in range(1, 61):
        for total in range(n, 5 * n + 1):
            mean = Fraction(total, n)
            assert level_of(mean) == max(level for level, _, edge in LEVELS if mean >= edge), (total, n)
