"""The report of a shortened survey: n per benefit follows the assignment; the median time taken."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from assessments.selectors import assessment_questionnaire
from assessments.services import assessment_get_or_create
from organizations.services import organization_get_or_create
from reports.renderers import render_json, render_text
from reports.selectors import gap_figures, gap_report
from responses.invitations.services import invitations_create
from responses.models import Response
from responses.respond.assignment import response_questionnaire
from responses.respond.services import Rating, answers_save, response_start, response_submit
from responses.selectors import invitation_for_token
from taxonomy.models import Benefit
from tests.factories import ResponseFactory, UserFactory
from tests.manage_helpers import as_user
from tests.reports.helpers import FEEDBACK, assessment_with

pytestmark = pytest.mark.django_db


def shortened(m: int, respondents: int) -> Assessment:
    """An open assessment asking m benefits each, answered in full and submitted by ``respondents`` people."""
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Short 2026")
    Assessment.objects.filter(pk=assessment.pk).update(benefits_per_respondent=m, results="live")
    assessment.refresh_from_db()
    full = assessment_questionnaire(assessment=assessment)
    for token in invitations_create(assessment=assessment, count=respondents):
        response, _ = response_start(assessment=assessment, invitation=invitation_for_token(token))
        asked = response_questionnaire(response=response, questionnaire=full)
        answers_save(
            response=response,
            ratings=[
                Rating(b.id, q.dimension, 4 if q.dimension == "importance" else 2)
                for b in asked.benefits
                for q in b.questions
            ],
        )
        response_submit(response=response)
    return assessment


def test_n_per_benefit_matches_the_design(taxonomy):
    """Each benefit's n is the number of respondents assigned it (or its parent), and those differ by at most 1."""
    assessment = shortened(m=4, respondents=20)
    report = gap_figures(assessment=assessment)
    assert report.respondents == 20
    top = {b.path: b.importance.n for b in report.benefits if b.parent is None}
    # 20 respondents x 4 benefits over 41 benefits: each rated by 1 or 2 people, 80 ratings in all.
    assert sum(top.values()) == 80 and set(top.values()) <= {1, 2}
    for b in report.benefits:
        assert b.realization.n == b.importance.n == b.paired.n
        if b.parent is not None:
            assert b.importance.n == top["/".join(b.path.split("/")[:3])]


def test_the_method_explains_the_design_when_m_is_set(taxonomy, client):
    """The report page says each respondent was asked m benefits and why the n is smaller; not otherwise."""
    assessment = shortened(m=4, respondents=5)
    staff = as_user(client, UserFactory(username="sam", is_staff=True, is_superuser=True))
    url = reverse("reports:report", args=[assessment.organization.slug, assessment.slug])
    page = staff.get(url).content.decode()
    assert "A shorter survey." in page and "asked about 4 benefits" in page
    Assessment.objects.filter(pk=assessment.pk).update(benefits_per_respondent=None)
    assert "A shorter survey." not in staff.get(url).content.decode()


# --- Median time taken ------------------------------------------------------------


def timed(assessment, minutes: list[int], first: int = 0) -> None:
    """Submitted web responses (one answer each) that took these many minutes."""
    for i, m in enumerate(minutes, start=first):
        response = ResponseFactory(assessment=assessment, respondent=f"w-{i}", submitted=True, duration_minutes=m)
        response.answers.create(
            benefit_id=_benefit(), assessment=assessment, submitted=True, importance=3, importance_answered=True
        )


def _benefit() -> int:
    return Benefit.objects.get(path=FEEDBACK).pk


@pytest.mark.parametrize(
    ("minutes", "median"), [([7, 3, 5, 9, 4], 5), ([2, 4, 6, 8, 10, 12], 7), ([1, 2, 3, 4, 5, 6, 7, 8], 5)]
)
def test_the_report_says_the_median_minutes(taxonomy, minutes, median):
    """The median of the submitted respondents' whole minutes, a half rounded up; in JSON and text."""
    assessment = assessment_with({}, status="closed")
    timed(assessment, minutes)
    report = gap_report(assessment=assessment)
    assert report.median_minutes == median
    assert json.loads(render_json(report))["median_minutes"] == median
    assert f"Median time taken: {median} min" in render_text(report)


def test_responses_without_a_duration_are_left_out_of_the_median(taxonomy):
    """Imported responses have no duration: the median is over the timed ones, shown only when k have one."""
    assessment = assessment_with({FEEDBACK: {str(i): (4, 2) for i in range(10)}}, status="closed")
    assert gap_report(assessment=assessment).median_minutes is None
    timed(assessment, [10, 20, 30, 40])
    assert gap_report(assessment=assessment).median_minutes is None  # 4 timed, fewer than k = 5
    timed(assessment, [50], first=4)
    assert gap_report(assessment=assessment).median_minutes == 30


def test_a_suppressed_report_has_no_median(taxonomy):
    """Below k, or not closed: no median in any output."""
    assessment = assessment_with({})
    timed(assessment, [5, 6, 7, 8, 9])
    report = gap_report(assessment=assessment)
    assert report.suppressed and report.median_minutes is None
    assert json.loads(render_json(report))["median_minutes"] is None


def test_drafts_do_not_count_in_the_median(taxonomy):
    """Only submitted responses: a draft started long ago changes nothing."""
    assessment = assessment_with({}, status="closed")
    timed(assessment, [5, 5, 5, 5, 5])
    ResponseFactory(assessment=assessment, respondent="draft", started_at=timezone.now() - timedelta(days=3))
    assert gap_report(assessment=assessment).median_minutes == 5
    assert Response.objects.filter(assessment=assessment).count() == 6
