"""The gap report computation (contract sections 4 and 5), against hand-computed values.

These fixtures have a handful of respondents each, fewer than any minimum
group size, so they test ``gap_figures``, the computation itself; whether
figures may be shown (section 6) is ``gap_report``'s, tested in test_suppression.py.
"""

from __future__ import annotations

import csv
import io
import math
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.renderers import CSV_FIELDS, render_csv, render_json, render_text
from reports.selectors import gap_figures
from reports.statistics import t_quantile_975
from tests.factories import AssessmentFactory, ResponseFactory
from tests.reports.helpers import (
    AWARENESS,
    BRAND,
    COMPETITIVE,
    EXT_FEEDBACK,
    FEEDBACK,
    PERSONAL,
    SATISFACTION,
    SKIP,
    add_responses,
    assessment_with,
    columns,
)

pytestmark = pytest.mark.django_db

# Independent values of the Student-t quantile t(0.975, df) (published tables, R's qt(0.975, df)).
T_1 = 12.706204736174707
T_3 = 3.182446305284263
T_4 = 2.7764451051977987


def report_of(ratings, **kwargs):
    return gap_figures(assessment=assessment_with(ratings, **kwargs))


# --- Section 4: per-benefit statistics ---------------------------------------


def test_means_counts_and_sample_sd_exclude_dont_know(taxonomy):
    """Don't know (None) is not a rating: n counts and the mean averages the 1-5 answers only."""
    report = report_of({FEEDBACK: columns([4, 5, 3, None], [2, 3, 1, SKIP])})
    b = report.by_path[FEEDBACK]
    assert (b.importance.mean, b.importance.n, b.importance.sd) == (4.0, 3, 1.0)
    assert (b.realization.mean, b.realization.n, b.realization.sd) == (2.0, 3, 1.0)
    assert b.gap == 2.0
    assert b.importance.counts == (0, 0, 1, 1, 1)
    assert report.respondents == 4  # the respondent who only said "Don't know" answered


def test_sample_sd_uses_n_minus_1(taxonomy):
    b = report_of({SATISFACTION: columns([1, 2, 3, 4, 5], [1, 1, 1, 1, 1])}).by_path[SATISFACTION]
    assert b.importance.mean == 3.0
    assert b.importance.sd == pytest.approx(math.sqrt(10 / 4), rel=1e-15)  # 1.5811388300841898
    assert b.realization.sd == 0.0


def test_single_rating_has_a_mean_but_no_sd(taxonomy):
    b = report_of({AWARENESS: {"0": (5, 4)}}).by_path[AWARENESS]
    assert (b.importance.mean, b.importance.n, b.importance.sd, b.importance.rwg) == (5.0, 1, None, None)
    assert (b.realization.mean, b.realization.n, b.realization.sd) == (4.0, 1, None)


def test_unrated_benefit_has_null_mean_and_gap(taxonomy):
    """Nobody rated it (or only Don't know): mean, sd, gap and quadrant are null, never 0."""
    report = report_of({FEEDBACK: {"0": (4, 2)}, COMPETITIVE: {"0": (None, None)}})
    for path in (BRAND, COMPETITIVE):
        b = report.by_path[path]
        assert (b.importance.mean, b.importance.n, b.importance.sd) == (None, 0, None)
        assert (b.realization.mean, b.realization.n, b.realization.sd) == (None, 0, None)
        assert (b.gap, b.under_realized, b.quadrant, b.evidence, b.contested) == (None, False, None, None, False)
        assert (b.paired.n, b.paired.mean, b.paired.ci95) == (0, None, None)


def test_gap_equal_to_threshold_is_under_realized(taxonomy):
    """0.5 and 1.0 are exact in binary floating point, so the boundary is tested exactly."""
    ratings = {FEEDBACK: columns([4, 3], [3, 3]), AWARENESS: columns([4, 4], [3, 3])}
    report = report_of(ratings, threshold=0.5)
    assert report.threshold == 0.5
    assert report.by_path[FEEDBACK].gap == 0.5 and report.by_path[FEEDBACK].under_realized
    assert report.by_path[AWARENESS].gap == 1.0 and report.by_path[AWARENESS].under_realized


def test_gap_below_threshold_is_not_under_realized(taxonomy):
    report = report_of({FEEDBACK: columns([4, 4], [3, 3]), AWARENESS: columns([5], [3])}, threshold=1.5)
    assert report.by_path[FEEDBACK].gap == 1.0 and not report.by_path[FEEDBACK].under_realized
    assert report.by_path[AWARENESS].under_realized
    assert report.overall.under_realized == 1


def test_default_threshold_is_one(taxonomy):
    report = report_of({FEEDBACK: columns([5], [4])})
    assert report.threshold == 1.0 and report.by_path[FEEDBACK].under_realized


QUADRANT_RATINGS = {
    FEEDBACK: {"0": (5, 5)},
    AWARENESS: {"0": (5, 1)},
    BRAND: {"0": (1, 1)},
    COMPETITIVE: {"0": (1, 5)},
    SATISFACTION: {"0": (3, 3)},  # exactly on the crosshair: >= I and >= R
    EXT_FEEDBACK: {"0": (4, SKIP)},  # no gap: no quadrant, and not part of the crosshair
}


def test_each_quadrant_around_the_data_centred_means(taxonomy):
    report = report_of(QUADRANT_RATINGS)
    assert (report.centre_importance, report.centre_realization) == (3.0, 3.0)
    quadrants = {path: report.by_path[path].quadrant for path in QUADRANT_RATINGS}
    assert quadrants == {
        FEEDBACK: "keep-up-the-good-work",
        AWARENESS: "concentrate-here",
        BRAND: "low-priority",
        COMPETITIVE: "possible-overkill",
        SATISFACTION: "keep-up-the-good-work",
        EXT_FEEDBACK: None,
    }


def test_cells_and_overall_are_means_of_defined_means(taxonomy):
    report = report_of(QUADRANT_RATINGS)
    assert [(c.concept, c.scope) for c in report.cells] == [
        (concept, scope)
        for concept in ("social-media", "social-collaboration", "social-networking")
        for scope in ("internal", "external")
    ]
    sm_int, sm_ext = report.cells[0].summary, report.cells[1].summary
    # internal: (5,5) and (5,1); AWARENESS's gap of 4 is under-realized.
    assert (sm_int.importance, sm_int.realization, sm_int.gap, sm_int.under_realized, sm_int.benefits) == (
        5.0,
        3.0,
        2.0,
        1,
        2,
    )
    # external: importance of BRAND 1, COMPETITIVE 1, SATISFACTION 3, EXT_FEEDBACK 4; realization 1, 5, 3.
    assert (sm_ext.importance, sm_ext.realization, sm_ext.gap, sm_ext.under_realized, sm_ext.benefits) == (
        2.25,
        3.0,
        -0.75,
        0,
        5,
    )
    empty = report.cells[2].summary
    assert (empty.importance, empty.realization, empty.gap, empty.under_realized) == (None, None, None, 0)
    assert [c.summary.benefits for c in report.cells] == [2, 5, 10, 9, 13, 22]
    overall = report.overall
    assert overall.importance == pytest.approx(19 / 6, rel=1e-15)
    assert overall.realization == 3.0
    assert overall.gap == pytest.approx(19 / 6 - 3, rel=1e-15)
    assert overall.benefits == 61


def test_ranking_by_gap_then_importance_then_path(taxonomy):
    report = report_of(
        {
            FEEDBACK: {"0": (4, 3)},  # gap 1, importance 4
            AWARENESS: {"0": (5, 4)},  # gap 1, importance 5
            BRAND: {"0": (3, 2)},  # gap 1, importance 3
            COMPETITIVE: {"0": (4, 3)},  # gap 1, importance 4: path sorts before FEEDBACK's
            SATISFACTION: {"0": (2, 5)},  # gap -3
            EXT_FEEDBACK: {"0": (5, 2)},  # gap 3
            PERSONAL: {"0": (5, SKIP)},  # no gap: not ranked
        }
    )
    assert report.ranking == (EXT_FEEDBACK, AWARENESS, COMPETITIVE, FEEDBACK, BRAND, SATISFACTION)


def test_drafts_and_empty_responses_are_excluded(taxonomy):
    assessment = assessment_with({FEEDBACK: columns([4, 4], [2, 2])})
    add_responses(assessment, {FEEDBACK: columns([1, 1, 1], [5, 5, 5])}, submitted=False, prefix="draft")
    ResponseFactory(assessment=assessment, submitted=True)  # submitted, but no answer at all
    report = gap_figures(assessment=assessment)
    b = report.by_path[FEEDBACK]
    assert report.respondents == 2
    assert (b.importance.mean, b.importance.n, b.realization.mean, b.gap) == (4.0, 2, 2.0, 2.0)


def test_other_assessments_do_not_leak(taxonomy):
    other = AssessmentFactory()
    add_responses(other, {FEEDBACK: columns([1] * 5, [5] * 5)}, prefix="o")
    report = report_of({FEEDBACK: columns([5], [1])})
    assert report.respondents == 1 and report.by_path[FEEDBACK].importance.n == 1


def test_benefits_are_every_node_in_taxonomy_order_with_parents(taxonomy):
    report = report_of({FEEDBACK: {"0": (4, 2)}})
    paths = [b.path for b in report.benefits]
    assert len(paths) == 61
    assert paths[:3] == [FEEDBACK, "social-media/internal/improved-organizational-awareness", BRAND]
    personal = report.by_path[PERSONAL]
    assert personal.parent == "social-networking/external/improved-relationships" and personal.depth == 1
    assert paths.index(personal.parent) < paths.index(PERSONAL)
    assert report.by_path[FEEDBACK].parent is None


# --- Section 5: paired differences, agreement, evidence ------------------------


def test_t_quantile_matches_independent_values():
    assert t_quantile_975(1) == pytest.approx(T_1, rel=1e-12)
    assert t_quantile_975(3) == pytest.approx(T_3, rel=1e-12)
    assert t_quantile_975(4) == pytest.approx(T_4, rel=1e-12)


def test_paired_n0_when_nobody_rated_both(taxonomy):
    """One rated importance only, another realization only: a gap, but no paired difference."""
    b = report_of({PERSONAL: {"0": (4, SKIP), "1": (SKIP, 2)}}).by_path[PERSONAL]
    assert b.gap == 2.0 and b.under_realized
    assert (b.paired.n, b.paired.mean, b.paired.ci95) == (0, None, None)
    assert b.evidence == "insufficient"


def test_paired_n1_has_a_mean_but_no_interval(taxonomy):
    b = report_of({FEEDBACK: {"0": (5, 2), "1": (None, 1)}}).by_path[FEEDBACK]
    assert (b.paired.n, b.paired.mean, b.paired.ci95) == (1, 3.0, None)
    assert b.evidence == "insufficient"


def test_paired_n2(taxonomy):
    """Differences 3 and 1: mean 2, sd sqrt(2), se 1, interval 2 +/- t(0.975, 1)."""
    b = report_of({FEEDBACK: columns([5, 4], [2, 3])}).by_path[FEEDBACK]
    assert (b.paired.n, b.paired.mean) == (2, 2.0)
    low, high = b.paired.ci95
    assert low == pytest.approx(2 - T_1, rel=1e-12) and high == pytest.approx(2 + T_1, rel=1e-12)
    assert b.evidence == "insufficient"  # under-realized, but n < 5


def test_paired_n5_weak_evidence(taxonomy):
    """Differences 0, 1, 2, 3, 4: mean 2, sd sqrt(2.5), interval 2 +/- t(0.975, 4) * sqrt(0.5)."""
    b = report_of({SATISFACTION: columns([1, 3, 4, 5, 5], [1, 2, 2, 2, 1])}).by_path[SATISFACTION]
    assert (b.importance.mean, b.realization.mean) == (3.6, 1.6)
    assert b.gap == pytest.approx(2.0) and b.under_realized
    assert (b.paired.n, b.paired.mean) == (5, 2.0)
    half = T_4 * math.sqrt(0.5)
    low, high = b.paired.ci95
    assert low == pytest.approx(2 - half, rel=1e-12) and high == pytest.approx(2 + half, rel=1e-12)
    assert low == pytest.approx(0.0367568, abs=1e-7)
    assert b.evidence == "weak"  # 0.037 < threshold 1.0


def test_all_answers_equal_strong_evidence_and_full_agreement(taxonomy):
    b = report_of({EXT_FEEDBACK: columns([5] * 5, [1] * 5)}).by_path[EXT_FEEDBACK]
    assert (b.importance.sd, b.importance.rwg, b.realization.sd, b.realization.rwg) == (0.0, 1.0, 0.0, 1.0)
    assert (b.paired.n, b.paired.mean, b.paired.ci95) == (5, 4.0, (4.0, 4.0))
    assert b.evidence == "strong" and not b.contested


def test_strong_evidence_needs_the_interval_at_or_above_threshold(taxonomy):
    """Differences 2, 2, 2, 2, 3: mean 2.2, sd sqrt(0.2), low = 2.2 - t4 * 0.2 = 1.6447 >= 1."""
    b = report_of({FEEDBACK: columns([5, 5, 5, 5, 5], [3, 3, 3, 3, 2])}).by_path[FEEDBACK]
    low, _ = b.paired.ci95
    assert low == pytest.approx(2.2 - T_4 * 0.2, rel=1e-12)
    assert b.evidence == "strong"


def test_maximal_disagreement(taxonomy):
    """1,5,1,5 against 5,1,5,1: sd sqrt(16/3), rwg 0 (truncated), contested; no gap so no evidence."""
    b = report_of({FEEDBACK: columns([1, 5, 1, 5], [5, 1, 5, 1])}).by_path[FEEDBACK]
    assert b.importance.sd == pytest.approx(math.sqrt(16 / 3), rel=1e-15)
    assert b.importance.rwg == 0.0 and b.realization.rwg == 0.0
    assert b.contested
    assert b.gap == 0.0 and not b.under_realized and b.evidence is None
    assert b.paired.mean == 0.0
    low, high = b.paired.ci95
    half = T_3 * math.sqrt(64 / 3) / 2
    assert low == pytest.approx(-half, rel=1e-12) and high == pytest.approx(half, rel=1e-12)


def test_rwg_between_0_and_1(taxonomy):
    """Importance 3,4,5: variance 1, rwg 0.5; realization 1,1,3: variance 4/3, rwg 1/3 (not contested)."""
    b = report_of({FEEDBACK: columns([3, 4, 5], [1, 1, 3])}).by_path[FEEDBACK]
    assert b.importance.rwg == 0.5
    assert b.realization.rwg == pytest.approx(1 / 3, rel=1e-15)
    assert not b.contested


def test_contested_when_one_scale_disagrees(taxonomy):
    """Realization 1,5,3: variance 4, rwg 1 - 2 < 0, truncated to 0; importance agrees."""
    b = report_of({FEEDBACK: columns([4, 4, 4], [1, 5, 3])}).by_path[FEEDBACK]
    assert (b.importance.rwg, b.realization.rwg) == (1.0, 0.0)
    assert b.contested


# --- Cost -------------------------------------------------------------------


def random_ratings(n: int, seed: int = 1) -> dict[str, dict[str, tuple]]:
    from taxonomy.selectors import benefit_paths

    rng = random.Random(seed)
    return {
        path: {str(i): (rng.choice([1, 2, 3, 4, 5, None]), rng.choice([1, 2, 3, 4, 5, None])) for i in range(n)}
        for path in benefit_paths()
    }


def count_queries(assessment) -> int:
    with CaptureQueriesContext(connection) as ctx:
        gap_figures(assessment=assessment)
    return len(ctx.captured_queries)


def test_query_count_does_not_depend_on_respondents(taxonomy):
    t_quantile_975(9)  # scipy imports touch no database, but keep them out of the way
    small = assessment_with(random_ratings(10))
    big = AssessmentFactory()
    add_responses(big, random_ratings(500, seed=2), prefix="b")
    empty = AssessmentFactory()
    assert count_queries(small) == count_queries(big) == count_queries(empty) == 7


@pytest.mark.parametrize("others", [2, 40])
def test_interleaved_responses_give_the_same_report(taxonomy, others):
    """The report's query plan changes with how responses are laid out, never its result.

    A: two batches with another assessment's responses and a draft in between
    (not a contiguous id range); B: the same answers, contiguous. With few
    other responses the answers index is walked; with many, the response index.
    """
    first = {p: {k: v for k, v in a.items() if int(k) < 3} for p, a in random_ratings(6).items()}
    second = {p: {k: v for k, v in a.items() if int(k) >= 3} for p, a in random_ratings(6).items()}
    interleaved = AssessmentFactory(organization__name="Acme", title="A")
    add_responses(interleaved, first)
    add_responses(AssessmentFactory(), random_ratings(others, seed=3), prefix="o")
    add_responses(interleaved, {FEEDBACK: {"x": (1, 5)}}, submitted=False, prefix="draft")
    add_responses(interleaved, second)
    contiguous = AssessmentFactory(organization=interleaved.organization, title="B")
    add_responses(contiguous, random_ratings(6))
    a, b = gap_figures(assessment=interleaved).to_json_dict(), gap_figures(assessment=contiguous).to_json_dict()
    assert a["respondents"] == b["respondents"] == 6
    a.pop("assessment"), b.pop("assessment")
    assert a == b


# --- Renderings ---------------------------------------------------------------

CONTRACT_BENEFIT_KEYS = {
    "path",
    "name",
    "concept",
    "scope",
    "parent",
    "importance",
    "realization",
    "gap",
    "under_realized",
    "quadrant",
    "paired",
    "evidence",
    "contested",
}
NUMBER = (int, float)


def check_stats(stats: dict) -> None:
    assert {"mean", "n", "sd", "rwg"} <= set(stats)
    assert isinstance(stats["n"], int)
    for key in ("mean", "sd", "rwg"):
        assert stats[key] is None or isinstance(stats[key], float)


def test_json_matches_the_contract_shape_for_every_benefit(taxonomy):
    import json

    assessment = assessment_with(random_ratings(12))
    data = json.loads(render_json(gap_figures(assessment=assessment)))
    assert {"organization", "assessment", "respondents", "threshold", "benefits", "cells", "overall", "ranking"} <= set(
        data
    )
    assert (data["organization"], data["assessment"], data["respondents"], data["threshold"]) == (
        "Acme",
        "Baseline 2026",
        12,
        1.0,
    )
    assert len(data["benefits"]) == 61
    for b in data["benefits"]:
        assert set(b) >= CONTRACT_BENEFIT_KEYS, b["path"]
        assert b["path"].startswith(f"{b['concept']}/{b['scope']}/")
        assert b["parent"] is None or b["path"].startswith(b["parent"] + "/")
        check_stats(b["importance"])
        check_stats(b["realization"])
        assert b["gap"] is None or isinstance(b["gap"], float)
        assert isinstance(b["under_realized"], bool) and isinstance(b["contested"], bool)
        assert b["quadrant"] in {None, "concentrate-here", "keep-up-the-good-work", "low-priority", "possible-overkill"}
        assert b["evidence"] in {None, "insufficient", "strong", "weak"}
        assert set(b["paired"]) >= {"n", "mean", "ci95"}
        ci = b["paired"]["ci95"]
        assert ci is None or (len(ci) == 2 and ci[0] <= ci[1])
    assert len(data["cells"]) == 6
    for cell in data["cells"]:
        assert set(cell) >= {"concept", "scope", "importance", "realization", "gap", "under_realized", "benefits"}
    assert set(data["overall"]) >= {"importance", "realization", "gap"}
    ranked = [b for b in data["benefits"] if b["gap"] is not None]
    assert sorted(data["ranking"]) == sorted(b["path"] for b in ranked)


def test_json_numbers_are_not_rounded(taxonomy):
    import json

    data = json.loads(render_json(report_of({FEEDBACK: columns([1, 2, 2], [1, 1, 1])})))
    feedback = data["benefits"][0]
    assert feedback["importance"]["mean"] == 5 / 3
    assert feedback["importance"]["sd"] == pytest.approx(math.sqrt(1 / 3), rel=1e-15)


def test_csv_is_one_flat_row_per_benefit_with_blanks_for_missing(taxonomy):
    report = report_of({FEEDBACK: columns([5, 4], [2, 3])})
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert tuple(rows[0]) == CSV_FIELDS
    assert len(rows) == 61
    feedback = rows[0]
    assert feedback["path"] == FEEDBACK and feedback["parent"] == ""
    assert float(feedback["importance_mean"]) == 4.5 and feedback["importance_n"] == "2"
    assert float(feedback["gap"]) == 2.0 and feedback["under_realized"] == "true"
    assert feedback["paired_n"] == "2" and float(feedback["paired_ci95_low"]) == pytest.approx(2 - T_1)
    assert feedback["evidence"] == "insufficient" and feedback["contested"] == "false"
    unrated = rows[1]
    assert unrated["importance_mean"] == "" and unrated["importance_n"] == "0" and unrated["gap"] == ""
    assert unrated["paired_ci95_low"] == "" and unrated["quadrant"] == ""


def test_text_is_an_aligned_table_with_dashes_for_missing(taxonomy):
    text = render_text(report_of({FEEDBACK: columns([5, 4], [2, 3])}))
    assert "Acme / Baseline 2026" in text and "Respondents: 2" in text
    lines = [line for line in text.splitlines() if "Improved Organizational Awareness" in line]
    assert lines and " - " in lines[0] and " 0.00" not in lines[0]
    header = next(line for line in text.splitlines() if line.startswith("Benefit"))
    feedback = next(line for line in text.splitlines() if line.startswith("Improved Feedback"))
    assert header.index("Gap") < len(feedback)
