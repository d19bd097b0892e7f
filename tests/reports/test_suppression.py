"""Section 6 on every output: no figure below k respondents, and none before close unless results are live."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Assessment
from assessments.services import assessment_update
from organizations.models import Membership
from reports.renderers import CSV_FIELDS, render_csv, render_json, render_text
from reports.selectors import gap_report
from tests.factories import MembershipFactory, UserFactory
from tests.reports.helpers import BRAND, FEEDBACK, assessment_with, columns

pytestmark = pytest.mark.django_db


def closed_with(respondents: int, **kwargs) -> Assessment:
    """A closed assessment of Acme whose ``respondents`` each rated Improved Feedback 5 and 1."""
    return assessment_with(
        {FEEDBACK: columns([5] * respondents, [1] * respondents)}, status=Assessment.Status.CLOSED, **kwargs
    )


def command(fmt: str) -> str:
    out = io.StringIO()
    call_command(
        "gap_report", organization="Acme", assessment="Baseline 2026", format=fmt, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def page(client, assessment: Assessment) -> str:
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=Membership.Role.ANALYST)
    client.force_login(user)
    response = client.get(reverse("reports:report", args=[assessment.organization.slug, assessment.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_below_k_every_output_is_suppressed(client, taxonomy):
    """k - 1 respondents: JSON keeps only the counts, CSV is its header, text and page say how many more."""
    assessment = closed_with(4)
    data = json.loads(command("json"))
    assert data["suppressed"] is True and data["reason"] == "below-minimum"
    assert (data["respondents"], data["min_group_size"], data["threshold"]) == (4, 5, 1.0)
    assert (data["benefits"], data["cells"], data["ranking"], data["overall"]) == ([], [], [], None)
    assert command("csv") == ",".join(CSV_FIELDS) + "\n"
    text = command("text")
    assert "1 more" in text and "Improved Feedback" not in text and "5.00" not in text
    html = page(client, assessment)
    assert "at least 5 are needed, so 1 more" in html
    for leak in ("Improved Feedback", 'id="heatmap"', 'id="tables"', "4.00", "evidence-group"):
        assert leak not in html


def test_at_k_the_figures_are_shown(taxonomy):
    """k respondents: the report is released on every output."""
    closed_with(5)
    data = json.loads(command("json"))
    assert data["suppressed"] is False and data["reason"] is None
    feedback = next(b for b in data["benefits"] if b["path"] == FEEDBACK)
    assert (feedback["importance"]["mean"], feedback["realization"]["n"]) == (5.0, 5)
    assert len(list(csv.DictReader(io.StringIO(command("csv"))))) == 61
    assert "Improved Feedback" in command("text")


def test_the_minimum_group_size_is_the_assessments_own(taxonomy):
    """With k = 3, three respondents are enough; the page, the downloads and the command agree."""
    assessment = closed_with(3, min_group_size=3)
    report = gap_report(assessment=assessment)
    assert not report.suppressed and report.min_group_size == 3
    assert command("json") == render_json(report) and command("csv") == render_csv(report)
    assert command("text") == render_text(report)


def test_results_are_withheld_while_open_and_shown_once_closed(taxonomy):
    """After close (the default): open means participation only, whatever the count; closing releases it."""
    assessment = assessment_with({FEEDBACK: columns([5] * 6, [1] * 6)})
    assert assessment.results == Assessment.Results.AFTER_CLOSE and assessment.status == Assessment.Status.OPEN
    data = json.loads(command("json"))
    assert (data["suppressed"], data["reason"], data["respondents"]) == (True, "not-closed", 6)
    assert data["benefits"] == [] and data["overall"] is None
    assert "once the assessment is closed" in command("text")
    assessment_update(
        assessment=assessment, title=assessment.title, status="closed", opens_at=None, closes_at=None, threshold=1.0
    )
    assert json.loads(command("json"))["suppressed"] is False


def test_live_results_show_figures_while_open(taxonomy):
    """The live setting releases the report of an open assessment (still only from k respondents)."""
    assessment_with({FEEDBACK: columns([5] * 5, [1] * 5)}, results=Assessment.Results.LIVE)
    assert json.loads(command("json"))["suppressed"] is False


def test_live_below_k_is_still_suppressed(taxonomy):
    assessment_with({FEEDBACK: columns([5] * 2, [1] * 2)}, results=Assessment.Results.LIVE)
    data = json.loads(command("json"))
    assert (data["suppressed"], data["reason"]) == (True, "below-minimum")


def test_withheld_page_shows_participation_only(client, taxonomy):
    """While open: responses so far, the response rate and the closing date, and no figure from an answer."""
    assessment = assessment_with({FEEDBACK: columns([5] * 6, [1] * 6), BRAND: columns([4] * 6, [4] * 6)})
    html = page(client, assessment)
    assert "Results are shown once the assessment closes" in html
    assert "<dd>6</dd>" in html and "Response rate" in html
    for leak in ("Improved Feedback", "Increased Brand Control", "5.00", "4.00", 'id="findings"'):
        assert leak not in html


def test_a_suppressed_report_reads_no_answer(taxonomy, django_assert_num_queries):
    """One query for the counts and one for the actions planned (owners' plans, not answers); no answer is read."""
    assessment = closed_with(2)
    with django_assert_num_queries(2):
        gap_report(assessment=assessment)


def test_a_closed_after_close_assessment_cannot_be_reopened(taxonomy):
    """Reopening would let the report be compared before and after new answers: refused, nothing changes."""
    assessment = closed_with(5)
    with pytest.raises(ValidationError) as exc:
        assessment_update(
            assessment=assessment, title=assessment.title, status="open", opens_at=None, closes_at=None, threshold=1.0
        )
    assert "cannot be reopened" in str(exc.value.message_dict["status"])
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.CLOSED


def test_a_closed_live_assessment_may_be_reopened(taxonomy):
    assessment = closed_with(5, results=Assessment.Results.LIVE)
    assessment_update(
        assessment=assessment, title=assessment.title, status="open", opens_at=None, closes_at=None, threshold=1.0
    )
    assert Assessment.objects.get(pk=assessment.pk).status == Assessment.Status.OPEN


@pytest.mark.parametrize("value", ["2", "101", "x"])
def test_the_minimum_group_size_is_bounded_on_the_owners_form(value, manager, org, assessment):
    """3 to 100, a message beside the field, and nothing saved."""
    response = manager.post(
        reverse("assessments:manage:edit", args=[org.slug, assessment.slug]),
        {
            "title": assessment.title,
            "status": "open",
            "threshold": "1",
            "min_group_size": value,
            "results": "after-close",
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["min_group_size"]
    assert Assessment.objects.get(pk=assessment.pk).min_group_size == 5


def test_the_database_refuses_a_minimum_group_size_out_of_range(taxonomy):
    from django.db import IntegrityError, transaction

    assessment = closed_with(1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk).update(min_group_size=2)
