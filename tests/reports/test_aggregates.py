"""Kept tallies (``reports.aggregates.atoms_for``): read once, used again only while they cannot change."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.services import segment_create
from reports import aggregates
from reports.renderers import render_json, render_segment_json
from reports.segments import segment_for_key, segment_report
from reports.selectors import gap_report
from responses.models import Answer, Response
from tests.factories import AssessmentFactory
from tests.reports.helpers import FEEDBACK, add_responses, assessment_with, columns

pytestmark = pytest.mark.django_db


def live(ratings: dict, **kwargs):
    """An open assessment whose results are live, so that a report shows figures before it closes."""
    return assessment_with(ratings, results="live", min_group_size=3, **kwargs)


def answer_queries(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if Answer._meta.db_table in q["sql"]]


def feedback(report) -> dict:
    return next(b for b in json.loads(render_json(report))["benefits"] if b["path"] == FEEDBACK)


def test_the_same_report_again_reads_no_answer_and_says_the_same(taxonomy):
    assessment = live({FEEDBACK: columns([4, 5, 3, 4, 2], [2, 3, 1, 2, 2])})
    first = render_json(gap_report(assessment=assessment))

    with CaptureQueriesContext(connection) as ctx:
        again = render_json(gap_report(assessment=assessment))

    # Only the facts, which name the submitted responses, look at answers (whether a response has any).
    assert len(answer_queries(ctx)) == 1
    assert again == first
    assert json.loads(again)["benefits"][0]["importance"]["n"] == 5


def test_a_new_submission_is_in_the_next_report(taxonomy):
    assessment = live({FEEDBACK: columns([4, 4, 4, 4, 4], [2, 2, 2, 2, 2])})
    assert feedback(gap_report(assessment=assessment))["importance"]["n"] == 5

    add_responses(assessment, {FEEDBACK: {"x": (1, 1)}}, prefix="new")

    after = feedback(gap_report(assessment=assessment))
    assert after["importance"]["n"] == 6
    assert after["importance"]["mean"] == pytest.approx(21 / 6)


def test_a_deleted_response_is_gone_from_the_next_report(taxonomy):
    assessment = live({FEEDBACK: columns([4, 4, 4, 4, 4, 1], [2, 2, 2, 2, 2, 1])})
    assert feedback(gap_report(assessment=assessment))["importance"]["n"] == 6
    gone = Response.objects.filter(assessment=assessment).order_by("pk").last()
    Answer.objects.filter(response=gone).delete()
    gone.delete()

    after = feedback(gap_report(assessment=assessment))

    assert after["importance"]["n"] == 5
    assert after["importance"]["mean"] == 4


def test_a_segment_report_then_the_whole_report_read_the_whole_distribution_once(taxonomy):
    assessment = AssessmentFactory(organization__name="Acme", results="live", min_group_size=3)
    segment_create(assessment=assessment, key="team", label="Team", source="invitation", options=["A", "B"])
    add_responses(assessment, {FEEDBACK: columns([4, 5, 3, 4, 2, 5], [2, 3, 1, 2, 2, 4])})
    segment = segment_for_key(assessment=assessment, key="team")
    cold_whole = render_json(gap_report(assessment=assessment))
    cold_segment = render_segment_json(segment_report(assessment=assessment, segment=segment))
    aggregates.atoms_forget()

    assert render_segment_json(segment_report(assessment=assessment, segment=segment)) == cold_segment
    with CaptureQueriesContext(connection) as ctx:
        whole = render_json(gap_report(assessment=assessment))

    assert whole == cold_whole
    # The facts, and the whole distribution the segment report had no need of.
    assert len(answer_queries(ctx)) == 2


def test_only_a_few_assessments_tallies_are_kept(taxonomy, monkeypatch):
    monkeypatch.setattr(aggregates, "ATOMS_KEPT", 2)
    assessments = []
    for i in range(3):
        assessment = AssessmentFactory(organization__name=f"Acme {i}", results="live", min_group_size=3)
        add_responses(assessment, {FEEDBACK: columns([4] * 5, [2] * 5)})
        assessments.append(assessment)
    for assessment in assessments:
        gap_report(assessment=assessment)

    assert len(aggregates._atoms) == 2
    assert {key[0] for key in aggregates._atoms} == {a.pk for a in assessments[1:]}
