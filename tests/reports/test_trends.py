"""Rounds and trend (contract section 8): the change since the previous round, against scipy."""

from __future__ import annotations

import json
import random

import pytest
from scipy import stats

from assessments.models import Assessment, AssessmentQuestion
from reports.renderers import render_json
from reports.selectors import gap_report
from reports.statistics import Tally, tally_add
from reports.trends import benefit_trend, cell_history
from tests.factories import AssessmentFactory, OrganizationFactory
from tests.reports.helpers import AWARENESS, BRAND, FEEDBACK, SKIP, add_responses, columns

pytestmark = pytest.mark.django_db


@pytest.fixture
def acme():
    return OrganizationFactory(name="Acme")


def closed_round(organization, title, ratings, *, previous=None, status="closed", **kwargs) -> Assessment:
    """An assessment of ``organization`` with these answers (and ``previous``), then given ``status``."""
    assessment = AssessmentFactory(organization=organization, title=title, previous=previous, **kwargs)
    add_responses(assessment, ratings, prefix=f"{title}-")
    Assessment.objects.filter(pk=assessment.pk).update(status=status)
    return Assessment.objects.select_related("organization").get(pk=assessment.pk)


def with_filler(ratings: dict, respondents: int = 6) -> dict:
    """``ratings`` plus ``respondents`` people who rated only AWARENESS, so that the round shows figures."""
    return {**ratings, AWARENESS: {f"f{i}": (4, 3) for i in range(respondents)}}


def diffs(answers: dict[str, tuple]) -> list[int]:
    """The per-respondent differences of those who rated both scales."""
    return [i - r for i, r in answers.values() if i is not None and r is not None and i is not SKIP and r is not SKIP]


def trend_of(report, path: str) -> dict:
    return json.loads(render_json(report))["benefits"][[b.path for b in report.benefits].index(path)]["trend"]


def random_answers(rng: random.Random, n: int, shift: float) -> dict[str, tuple]:
    answers = {}
    for i in range(n):
        importance = min(5, max(1, round(rng.gauss(4, 1))))
        realization = min(5, max(1, round(rng.gauss(2.5 + shift, 1.2))))
        if rng.random() < 0.1:
            realization = None  # Don't know: not paired
        if rng.random() < 0.05:
            importance = SKIP
        answers[str(i)] = (importance, realization)
    return answers


@pytest.mark.parametrize(("seed", "n_before", "n_now", "shift"), [(1, 12, 30, 0.8), (2, 40, 9, -0.5), (3, 6, 7, 0.0)])
def test_change_interval_and_df_match_scipy_welch_on_the_raw_differences(taxonomy, acme, seed, n_before, n_now, shift):
    """change, ci95 and df equal scipy's ttest_ind(equal_var=False) and its confidence_interval()."""
    rng = random.Random(seed)
    before_answers, now_answers = random_answers(rng, n_before, 0.0), random_answers(rng, n_now, shift)
    before = closed_round(acme, "Before", with_filler({FEEDBACK: before_answers}))
    now = closed_round(acme, "Now", with_filler({FEEDBACK: now_answers}), previous=before)
    trend = trend_of(gap_report(assessment=now), FEEDBACK)

    d_now, d_before = diffs(now_answers), diffs(before_answers)
    result = stats.ttest_ind(d_now, d_before, equal_var=False)
    low, high = result.confidence_interval(0.95)
    assert trend["comparable"] is True
    assert trend["change"] == pytest.approx(sum(d_now) / len(d_now) - sum(d_before) / len(d_before), abs=1e-12)
    assert trend["ci95"] == [pytest.approx(low, abs=1e-9), pytest.approx(high, abs=1e-9)]
    assert trend["df"] == pytest.approx(result.df, rel=1e-9)
    expected = (
        "narrowed"
        if high < 0 and trend["change"] <= -0.2
        else "widened"
        if low > 0 and trend["change"] >= 0.2
        else "unchanged"
    )
    assert trend["verdict"] == expected


def test_gap_before_and_the_changes_of_the_means_come_from_the_previous_rounds_report(taxonomy, acme):
    """gap_before is the previous round's gap; importance_change and realization_change differ the means."""
    before = closed_round(acme, "Before", with_filler({FEEDBACK: columns([5, 4, 4, 5, 3], [2, 2, 3, 1, 2])}))
    now = closed_round(
        acme, "Now", with_filler({FEEDBACK: columns([4, 4, 5, 5, 4, 3], [3, 4, 3, 4, 3, None])}), previous=before
    )
    old = gap_report(assessment=before).by_path[FEEDBACK]
    new = gap_report(assessment=now).by_path[FEEDBACK]
    trend = trend_of(gap_report(assessment=now), FEEDBACK)
    assert trend["gap_before"] == old.gap
    assert trend["importance_change"] == pytest.approx(new.importance.mean - old.importance.mean)
    assert trend["realization_change"] == pytest.approx(new.realization.mean - old.realization.mean)
    assert trend["change"] == pytest.approx(new.paired.mean - old.paired.mean)


def test_zero_standard_error_gives_a_point_interval_and_pooled_df(taxonomy, acme):
    """Everyone's difference is the same in both rounds: ci95 = [change, change], df = n_now + n_before - 2."""
    before = closed_round(acme, "Before", {FEEDBACK: columns([4] * 6, [3] * 6)})
    now = closed_round(acme, "Now", {FEEDBACK: columns([5] * 7, [2] * 7)}, previous=before)
    trend = trend_of(gap_report(assessment=now), FEEDBACK)
    assert trend["change"] == 2.0
    assert trend["ci95"] == [2.0, 2.0]
    assert trend["df"] == 11
    assert trend["verdict"] == "widened"


def tally_of(answers: dict[str, tuple]) -> Tally:
    """One round's tally of one benefit, as the release rule hands it to the trend."""
    tallies: dict[int, Tally] = {}
    for imp, real in answers.values():
        tally_add(tallies, 1, imp, real, 1)
    return tallies[1]


def test_a_paired_n_of_one_has_a_change_but_no_interval():
    """Below 2 paired answers in either round: ci95 and df null, verdict insufficient."""
    before = columns([5], [1])
    now = columns([4, 5, 3, 4, 4, 5], [3, 3, 2, 4, 3, 3])
    trend = benefit_trend(tally_of(now), tally_of(before))
    assert trend.change == pytest.approx(sum([1, 2, 1, 0, 1, 2]) / 6 - 4)
    assert (trend.ci95, trend.df, trend.verdict) == (None, None, "insufficient")


def test_a_paired_n_of_four_has_an_interval_but_an_insufficient_verdict():
    """Four paired answers: the Welch interval is given (as scipy's), yet too few for a verdict."""
    before_answers = columns([5, 4, 5, 5], [1, 2, 1, 2])
    now_answers = columns([3, 3, 4, 3, 4, 3, 4], [3, 2, 4, 3, 3, 3, 4])
    trend = benefit_trend(tally_of(now_answers), tally_of(before_answers))
    result = stats.ttest_ind(diffs(now_answers), diffs(before_answers), equal_var=False)
    low, high = result.confidence_interval(0.95)
    assert list(trend.ci95) == [pytest.approx(low), pytest.approx(high)]
    assert high < 0  # clearly narrower, and yet:
    assert trend.verdict == "insufficient"


def test_a_benefit_withheld_in_the_previous_round_has_no_trend(taxonomy, acme):
    """One paired answer before (fewer than k): withheld there, so its trend is null (section 6)."""
    before = closed_round(acme, "Before", with_filler({FEEDBACK: columns([5], [1])}))
    now = closed_round(
        acme, "Now", with_filler({FEEDBACK: columns([4, 5, 3, 4, 4, 5], [3, 3, 2, 4, 3, 3])}), previous=before
    )
    report = gap_report(assessment=now)
    assert trend_of(report, FEEDBACK) is None
    assert trend_of(report, AWARENESS) is not None


def test_a_benefit_withheld_in_this_round_has_no_trend(taxonomy, acme):
    before = closed_round(acme, "Before", with_filler({FEEDBACK: columns([4, 5, 3, 4, 4, 5], [3, 3, 2, 4, 3, 3])}))
    now = closed_round(acme, "Now", with_filler({FEEDBACK: columns([5, 4], [1, 1])}), previous=before)
    report = gap_report(assessment=now)
    assert report.by_path[FEEDBACK].withheld
    assert trend_of(report, FEEDBACK) is None


def test_a_change_of_exactly_a_fifth_counts_as_narrowed(taxonomy, acme):
    """The size test is exact: means 1.0 and 1.2 differ by 0.2, whatever floating point makes of 1.0 - 1.2."""
    before = closed_round(acme, "Before", {FEEDBACK: columns([3] * 40 + [4] * 10, [2] * 50)})
    now = closed_round(acme, "Now", {FEEDBACK: columns([3] * 50, [2] * 50)}, previous=before)
    trend = trend_of(gap_report(assessment=now), FEEDBACK)
    assert trend["ci95"][1] < 0
    assert trend["verdict"] == "narrowed"


def test_a_benefit_missing_from_one_round_is_not_comparable(taxonomy, acme):
    """A benefit the previous round did not ask: comparable false, every other key null."""
    before = closed_round(acme, "Before", with_filler({FEEDBACK: columns([5] * 6, [2] * 6)}))
    AssessmentQuestion.objects.filter(assessment=before, benefit__path=FEEDBACK).delete()
    now = closed_round(acme, "Now", with_filler({FEEDBACK: columns([5] * 6, [3] * 6)}), previous=before)
    trend = trend_of(gap_report(assessment=now), FEEDBACK)
    assert trend == {
        "comparable": False,
        "gap_before": None,
        "change": None,
        "ci95": None,
        "df": None,
        "verdict": None,
        "importance_change": None,
        "realization_change": None,
    }
    assert trend_of(gap_report(assessment=now), AWARENESS)["comparable"] is True


@pytest.mark.parametrize("dimension", ["importance", "realization"])
def test_a_question_whose_wording_changed_is_not_comparable(taxonomy, acme, dimension):
    """Either question in other words in this round than in the previous one: not comparable."""
    before = closed_round(acme, "Before", with_filler({FEEDBACK: columns([5] * 6, [2] * 6)}))
    now = closed_round(acme, "Now", with_filler({FEEDBACK: columns([5] * 6, [3] * 6)}), previous=before)
    AssessmentQuestion.objects.filter(assessment=now, benefit__path=FEEDBACK, dimension=dimension).update(
        text="Something else entirely?"
    )
    assert trend_of(gap_report(assessment=now), FEEDBACK)["comparable"] is False
    assert trend_of(gap_report(assessment=now), BRAND)["comparable"] is True  # asked, not rated: still comparable


def test_a_suppressed_previous_round_makes_every_trend_null(taxonomy, acme):
    """The previous round below its minimum group size: "previous" says so, and every trend is null."""
    before = closed_round(acme, "Before", {FEEDBACK: columns([5, 5, 4], [2, 2, 1])})
    now = closed_round(acme, "Now", with_filler({FEEDBACK: columns([5] * 6, [3] * 6)}), previous=before)
    data = json.loads(render_json(gap_report(assessment=now)))
    assert data["previous"] == {"assessment": "Before", "respondents": 3, "suppressed": True}
    assert data["benefits"] and all(b["trend"] is None for b in data["benefits"])


def test_a_previous_round_whose_results_are_withheld_makes_every_trend_null(taxonomy, acme):
    """An open previous round that shows results after close is suppressed, whatever its count."""
    before = closed_round(acme, "Before", with_filler({FEEDBACK: columns([5] * 6, [2] * 6)}), status="open")
    now = closed_round(acme, "Now", with_filler({FEEDBACK: columns([5] * 6, [3] * 6)}), previous=before)
    data = json.loads(render_json(gap_report(assessment=now)))
    assert data["previous"] == {"assessment": "Before", "respondents": 12, "suppressed": True}
    assert all(b["trend"] is None for b in data["benefits"])


def test_a_suppressed_round_with_a_previous_one_shows_no_benefit_and_so_no_trend(taxonomy, acme):
    """This round below k: no benefits (so no trend), and "previous" is still given."""
    before = closed_round(acme, "Before", with_filler({FEEDBACK: columns([5] * 6, [2] * 6)}))
    now = closed_round(acme, "Now", {FEEDBACK: columns([5, 4], [3, 3])}, previous=before)
    data = json.loads(render_json(gap_report(assessment=now)))
    assert data["suppressed"] is True and data["benefits"] == []
    assert data["previous"] == {"assessment": "Before", "respondents": 12, "suppressed": False}


def test_without_a_previous_round_previous_is_null_and_there_is_no_trend_key(taxonomy, acme):
    """No previous round: "previous": null, and no benefit has a "trend" key."""
    alone = closed_round(acme, "Alone", with_filler({FEEDBACK: columns([5] * 6, [2] * 6)}))
    data = json.loads(render_json(gap_report(assessment=alone)))
    assert data["previous"] is None
    assert data["benefits"] and all("trend" not in b for b in data["benefits"])


def test_a_suppressed_previous_round_has_no_point_in_the_cell_history(taxonomy, acme):
    """Its answers are left out of the aggregate: no cell shows a gap for it."""
    before = closed_round(acme, "Before", {FEEDBACK: columns([5, 5, 4], [2, 2, 1])})
    now = closed_round(acme, "Now", with_filler({FEEDBACK: columns([5] * 6, [3] * 6)}), previous=before)
    report = gap_report(assessment=now)
    assert [c.gaps[0] for c in report.rounds.history] == [None] * 6


def chain_of_length(organization, length: int) -> Assessment:
    previous = None
    for i in range(length):
        previous = closed_round(
            organization, f"Round {i}", with_filler({FEEDBACK: columns([5] * 6, [i % 5 + 1] * 6)}), previous=previous
        )
    return previous


def test_the_query_count_is_fixed_whatever_the_chains_length(taxonomy, django_assert_num_queries):
    """Fifteen queries with a previous round (the last three: its actions, maturity targets, comments), for a chain
    of 2 rounds as for one of 6."""
    short = chain_of_length(OrganizationFactory(name="Short"), 2)
    long = chain_of_length(OrganizationFactory(name="Long"), 6)
    with django_assert_num_queries(15):
        gap_report(assessment=short)
    with django_assert_num_queries(15):
        report = gap_report(assessment=long)
    assert len(report.rounds.chain) == 6


def test_the_cell_history_has_every_round_of_the_chain_and_this_rounds_cells(taxonomy, acme):
    """Oldest first; this round's point is its report's cell gap; each round's its own report's."""
    last = chain_of_length(acme, 3)
    report = gap_report(assessment=last)
    assert [r.title for r in report.rounds.chain] == ["Round 0", "Round 1", "Round 2"]
    for cell, history in zip(report.cells, report.rounds.history, strict=True):
        assert (history.concept, history.scope) == (cell.concept, cell.scope)
        assert history.gaps[-1] == (None if cell.summary.gap is None else pytest.approx(cell.summary.gap))
    first = Assessment.objects.get(title="Round 0")
    first_cells = {(c.concept, c.scope): c.summary.gap for c in gap_report(assessment=first).cells}
    for history in report.rounds.history:
        expected = first_cells[(history.concept, history.scope)]
        assert history.gaps[0] == (pytest.approx(expected) if expected is not None else None)


def test_cell_history_skips_rounds_that_show_no_figures(taxonomy, acme):
    """A suppressed round has no gap in any cell."""
    last = chain_of_length(acme, 2)
    report = gap_report(assessment=last)
    chain = [*report.rounds.chain]
    suppressed = type(chain[0])(chain[0].id, chain[0].title, 2, "below-minimum")
    history = cell_history(report, [suppressed, chain[1]], {chain[1].id: {}})
    assert all(h.gaps[0] is None for h in history)
