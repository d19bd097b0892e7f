"""The actions in the gap report (contract section 10): the JSON's ``actions`` and the page's lists."""

from __future__ import annotations

import json
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from reports.renderers import render_json
from reports.selectors import gap_report
from tests.actions.helpers import BRAND, FEEDBACK, plan
from tests.factories import AssessmentFactory, MembershipFactory
from tests.manage_helpers import as_user
from tests.reports.helpers import assessment_with, columns

pytestmark = pytest.mark.django_db


def _closed():
    return assessment_with({FEEDBACK: columns([5] * 6, [1] * 6), BRAND: columns([4] * 6, [4] * 6)}, status="closed")


def test_json_lists_the_actions_planned_from_this_assessment(taxonomy):
    """Each action as {title, status, benefits, assessment, due}; another assessment's actions are left out."""
    assessment = _closed()
    plan(assessment, title="Sessions", paths=(FEEDBACK, BRAND), due=date(2027, 3, 31))
    plan(assessment, title="Undated")
    plan(AssessmentFactory(organization=assessment.organization, title="Other"), title="Elsewhere")
    data = json.loads(render_json(gap_report(assessment=assessment)))
    assert data["actions"] == [
        {
            "title": "Sessions",
            "status": "planned",
            "benefits": [BRAND, FEEDBACK],
            "assessment": "Baseline 2026",
            "due": "2027-03-31",
        },
        {"title": "Undated", "status": "planned", "benefits": [FEEDBACK], "assessment": "Baseline 2026", "due": None},
    ]


def test_suppressed_report_still_lists_actions(taxonomy):
    """Actions are the owners' plans, not respondents' data: a suppressed report lists them too."""
    assessment = assessment_with({FEEDBACK: columns([5] * 2, [1] * 2)}, status="closed")
    plan(assessment)
    data = json.loads(render_json(gap_report(assessment=assessment)))
    assert data["suppressed"] is True and [a["title"] for a in data["actions"]] == ["Run feedback sessions"]


def test_command_page_download_and_json_agree(client, taxonomy):
    """gap_report --format json and the page's JSON download are the same bytes, actions included."""
    assessment = _closed()
    plan(assessment)
    out = StringIO()
    call_command("gap_report", organization="Acme", assessment="Baseline 2026", stdout=out, stderr=StringIO())
    owner = MembershipFactory(organization=assessment.organization).user
    url = reverse("reports:json", args=[assessment.organization.slug, assessment.slug])
    assert as_user(client, owner).get(url).content.decode() == out.getvalue()
    assert '"actions"' in out.getvalue()


def test_report_query_count_does_not_grow_with_actions(taxonomy, django_assert_num_queries):
    """The actions cost a fixed number of queries, however many (then the maturity targets and the comments)."""
    assessment = _closed()
    for i in range(6):
        plan(assessment, title=f"A{i}")
    with django_assert_num_queries(12):
        gap_report(assessment=assessment)


def test_page_lists_a_benefits_actions_and_owners_plan_link(client, taxonomy):
    """Beside an under-realized benefit: its actions, and "Plan an action" for owners only."""
    assessment = _closed()
    plan(assessment, title="Feedback sessions")
    url = reverse("reports:report", args=[assessment.organization.slug, assessment.slug])
    owner = MembershipFactory(organization=assessment.organization).user
    html = as_user(client, owner).get(url).content.decode()
    assert "Feedback sessions (planned)" in html
    assert f"/o/{assessment.organization.slug}/actions/new/?from={assessment.slug}&amp;benefit=" in html
    analyst = MembershipFactory(organization=assessment.organization, role="analyst").user
    html = as_user(client, analyst).get(url).content.decode()
    assert "Feedback sessions (planned)" in html and "Plan an action" not in html


def test_an_action_planned_after_a_visit_shows_beside_its_benefit_at_once(client, taxonomy):
    """The findings' rendering is kept with the figures, and named by the actions too: a new one shows."""
    assessment = _closed()
    url = reverse("reports:report", args=[assessment.organization.slug, assessment.slug])
    analyst = MembershipFactory(organization=assessment.organization, role="analyst").user
    reader = as_user(client, analyst)
    assert "Feedback sessions" not in reader.get(url).content.decode()

    plan(assessment, title="Feedback sessions")

    findings = reader.get(url).content.decode().split('id="findings"')[1].split('id="heatmap"')[0]
    assert "Feedback sessions (planned)" in findings


def test_progress_since_planned_uses_the_previous_rounds_trend():
    """An action planned from the previous round shows each benefit's gap then and now and the verdict in words;
    one planned from this round shows none."""
    from types import SimpleNamespace

    from actions.selectors import ReportAction
    from reports.plan import action_progress

    trend = SimpleNamespace(comparable=True, gap_before=1.9, change=-0.6, verdict="narrowed")
    rounds = SimpleNamespace(previous=SimpleNamespace(id=1), trend_of=lambda path: trend)
    report = SimpleNamespace(rounds=rounds, by_path={FEEDBACK: SimpleNamespace(name="Improved Feedback", gap=1.3)})
    action = ReportAction(
        title="T",
        status="done",
        status_label="Done",
        benefits=(FEEDBACK,),
        assessment="Before",
        assessment_id=1,
        due=None,
        overdue=False,
    )
    (progress,) = action_progress(report, action)
    assert (progress.gap_before, progress.gap_now, progress.change, progress.verdict_text) == (
        1.9,
        1.3,
        -0.6,
        "narrowed since planned",
    )
    assert action_progress(report, ReportAction(**{**action.__dict__, "assessment_id": 2})) == ()
    assert action_progress(SimpleNamespace(), action) == ()
