"""The gate on real answers: the whole report and the segment reports as the release rule lets them out.

Each attack of section 6 is built with the product's own features (segments
from an import, "Don't know" answers) and read back through every output:
the figures that would single someone out are not there.
"""

from __future__ import annotations

import csv
import io
import json

import pytest

from assessments.models import Assessment, Segment
from assessments.services import segment_create
from reports.renderers import render_csv, render_json, render_segment_json, render_text
from reports.segments import segment_for_key, segment_report
from reports.selectors import gap_report
from responses.imports.services import responses_import
from responses.respond.services import Rating
from taxonomy.selectors import benefit_paths
from tests.factories import AssessmentFactory
from tests.reports.helpers import FEEDBACK

pytestmark = pytest.mark.django_db


def with_people(people: list[tuple[dict[str, str], int | None, int | None]], *, k: int = 3, segments=()) -> Assessment:
    """people: ({segment key: option value}, importance, realization) of FEEDBACK; a closed assessment."""
    assessment = AssessmentFactory(organization__name="Acme", title="Baseline 2026", min_group_size=k)
    for key, options in segments:
        segment_create(assessment=assessment, key=key, label=key.title(), source="invitation", options=options)
    option_ids = {
        (s.key, o.value): o.pk for s in Segment.objects.filter(assessment=assessment) for o in s.options.all()
    }
    feedback = benefit_paths()[FEEDBACK]
    ratings, chosen = {}, {}
    for i, (groups, imp, real) in enumerate(people):
        ratings[f"r{i}"] = [Rating(feedback, "importance", imp), Rating(feedback, "realization", real)]
        chosen[f"r{i}"] = [option_ids[(key, value)] for key, value in groups.items()]
    responses_import(assessment=assessment, ratings_by_respondent=ratings, segment_options=chosen)
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    return Assessment.objects.select_related("organization").get(pk=assessment.pk)


def feedback_of(data: dict) -> dict:
    return next(b for b in data["benefits"] if b["path"] == FEEDBACK)


def test_team_minus_site_is_one_person_so_the_site_groups_are_hidden(taxonomy):
    """Team X (5) minus site A (4) would be p4: the site report shows no group at all."""
    people = (
        [({"team": "x", "site": "a"}, 4, 2)] * 4
        + [({"team": "x", "site": "b"}, 1, 5)]
        + [({"team": "y", "site": "b"}, 3, 3)] * 5
    )
    assessment = with_people(people, segments=[("team", ["X", "Y"]), ("site", ["A", "B"])])
    team = segment_report(assessment=assessment, segment=segment_for_key(assessment=assessment, key="team"))
    site = segment_report(assessment=assessment, segment=segment_for_key(assessment=assessment, key="site"))
    assert [g.respondents for g in team.groups] == [5, 5, None]
    assert all(g.suppressed for g in site.groups)
    data = json.loads(render_segment_json(site))
    assert all(g["respondents"] is None and g["benefits"] == [] for g in data["groups"])


def test_a_one_rating_respondent_makes_the_benefit_paired_only_on_every_output(taxonomy):
    """Five rated both, one rated importance and said "Don't know" on realization: figures over the five."""
    people = [({}, 4, 2)] * 5 + [({}, 1, None)]
    assessment = with_people(people, k=5)
    report = gap_report(assessment=assessment)
    data = json.loads(render_json(report))
    feedback = feedback_of(data)
    assert feedback["withheld"] is False and feedback["paired_only"] is True
    assert feedback["importance"] == {"mean": 4.0, "n": 5, "sd": 0.0, "rwg": 1.0}
    assert feedback["paired"]["n"] == 5
    row = next(r for r in csv.DictReader(io.StringIO(render_csv(report))) if r["path"] == FEEDBACK)
    assert (row["paired_only"], row["importance_n"], row["withheld"]) == ("true", "5", "false")


def test_a_benefit_with_fewer_than_k_raters_is_withheld_on_every_output(taxonomy):
    people = [({}, 4, 2)] * 4 + [({}, None, None)] * 3
    assessment = with_people(people, k=5)
    report = gap_report(assessment=assessment)
    feedback = feedback_of(json.loads(render_json(report)))
    assert feedback == {
        "path": FEEDBACK,
        "name": "Improved Feedback",
        "concept": "social-media",
        "scope": "internal",
        "parent": None,
        "withheld": True,
        "paired_only": None,
        "importance": {"mean": None, "n": None, "sd": None, "rwg": None},
        "realization": {"mean": None, "n": None, "sd": None, "rwg": None},
        "gap": None,
        "under_realized": None,
        "quadrant": None,
        "paired": {"n": None, "mean": None, "ci95": None},
        "evidence": None,
        "contested": None,
        "benchmark": None,  # section 16: a withheld benefit is compared with nothing
    }
    row = next(r for r in csv.DictReader(io.StringIO(render_csv(report))) if r["path"] == FEEDBACK)
    assert row["withheld"] == "true" and row["importance_mean"] == row["importance_n"] == row["gap"] == ""
    assert "withheld" in next(line for line in render_text(report).splitlines() if "Improved Feedback" in line)
    cell = json.loads(render_json(report))["cells"][0]
    assert cell["withheld"] >= 1 and cell["benefits"] > cell["withheld"]
    assert FEEDBACK not in json.loads(render_json(report))["ranking"]


def test_a_group_withholds_a_benefit_its_few_raters_would_give_away(taxonomy):
    """Team y has 5 people but only 2 rated Feedback: withheld in y, and then in x (W minus x would be those 2)."""
    people = [({"team": "x"}, 4, 2)] * 6 + [({"team": "y"}, 5, 1)] * 2 + [({"team": "y"}, None, None)] * 3
    assessment = with_people(people, segments=[("team", ["X", "Y"])])
    report = segment_report(assessment=assessment, segment=segment_for_key(assessment=assessment, key="team"))
    x, y = report.groups[0].figures, report.groups[1].figures
    assert x.benefits[0].withheld and y.benefits[0].withheld
    whole = gap_report(assessment=assessment)
    assert not whole.by_path[FEEDBACK].withheld and whole.by_path[FEEDBACK].importance.n == 8


@pytest.mark.parametrize("respondents", [20, 60])
def test_the_query_count_with_four_segments_is_fixed(taxonomy, django_assert_num_queries, respondents):
    """Four segments, two sizes: the same number of queries for the whole report and for a segment."""
    segments = [("team", ["A", "B"]), ("site", ["C", "D"]), ("role", ["E", "F"]), ("tenure", ["G", "H"])]
    people = [
        ({"team": "ab"[i % 2], "site": "cd"[i // 2 % 2], "role": "ef"[i // 4 % 2], "tenure": "gh"[i // 8 % 2]}, 4, 2)
        for i in range(respondents)
    ]
    assessment = with_people(people, k=3, segments=segments)
    segment = segment_for_key(assessment=assessment, key="site")
    # The facts, the segments, the counts per signature (3), the questionnaire (4), the targets, the actions
    # and the comments.
    with django_assert_num_queries(12):
        gap_report(assessment=assessment)
    # The same, less the actions, with the segment's joint distributions for the whole's, and the
    # invitations per option; the counts per signature the whole report read are kept (2 fewer).
    with django_assert_num_queries(9):
        segment_report(assessment=assessment, segment=segment)
