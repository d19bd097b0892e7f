"""Languages in the report (contract section 17): each respondent counted in the language they answered in."""

from __future__ import annotations

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Assessment
from assessments.selectors import assessment_questionnaire
from assessments.services import assessment_get_or_create
from organizations.services import organization_get_or_create
from reports.renderers import render_json
from reports.selectors import gap_report
from responses.invitations.services import invitations_create
from responses.models import Response
from responses.respond.services import Rating, answers_save, response_submit
from tests.reports.helpers import FEEDBACK, add_responses
from tests.reports.test_views import member, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(taxonomy) -> Assessment:
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Baseline 2026")
    Assessment.objects.filter(pk=assessment.pk).update(results="live", min_group_size=3)
    assessment.refresh_from_db()
    return assessment


def submit_through_the_form(client, assessment, language: str) -> Response:
    """A respondent who opens an invitation link with their browser in ``language`` and submits."""
    token = invitations_create(assessment=assessment, count=1)[0]
    headers = {"accept-language": language}
    client.post(reverse("responses:invitation:start", kwargs={"token": token}), headers=headers)
    response = Response.objects.get(invitation__isnull=False)
    questionnaire = assessment_questionnaire(assessment=assessment)
    ratings = [
        Rating(q.benefit_id, q.dimension, 4) for s in questionnaire.sections for b in s.benefits for q in b.questions
    ]
    answers_save(response=response, ratings=ratings)
    done = client.post(
        reverse("responses:invitation:review", kwargs={"token": token}), {"action": "submit"}, headers=headers
    )
    assert done.status_code == 302
    return Response.objects.get(pk=response.pk)


def test_the_language_a_respondent_submits_in_is_recorded(client, assessment):
    assert submit_through_the_form(client, assessment, "de").language == "de"
    assert submit_through_the_form(client, assessment, "en-GB,en;q=0.8").language == "en"


def test_the_switchers_choice_counts_over_the_browsers(client, assessment):
    client.post(reverse("set_language"), {"language": "de", "next": "/"})

    assert submit_through_the_form(client, assessment, "en").language == "de"


def test_a_language_the_site_does_not_offer_is_refused(assessment):
    add_responses(assessment, {FEEDBACK: {"a": (4, 2)}}, submitted=False)
    draft = Response.objects.get()

    with pytest.raises(ValidationError, match="not one of the languages offered"):
        response_submit(response=draft, language="fr")

    draft.refresh_from_db()
    assert draft.submitted_on is None


def test_the_json_counts_respondents_per_language_with_every_language_present(client, assessment):
    add_responses(assessment, {FEEDBACK: {"a": (4, 2), "b": (5, 1), "c": (3, 3)}})  # imported: the default
    submit_through_the_form(client, assessment, "de")

    data = json.loads(render_json(gap_report(assessment=assessment)))

    assert data["languages"] == {"en": 3, "de": 1}
    assert data["respondents"] == 4


def test_answers_in_either_language_count_the_same(client, assessment):
    add_responses(assessment, {FEEDBACK: {"a": (4, 2), "b": (4, 2)}})
    submit_through_the_form(client, assessment, "de")

    feedback = next(
        b for b in json.loads(render_json(gap_report(assessment=assessment)))["benefits"] if b["path"] == FEEDBACK
    )

    assert feedback["importance"]["n"] == 3
    assert feedback["importance"]["mean"] == 4


def test_a_suppressed_report_counts_languages_too(assessment):
    add_responses(assessment, {FEEDBACK: {"a": (4, 2)}})

    data = json.loads(render_json(gap_report(assessment=assessment)))

    assert data["suppressed"] is True
    assert data["languages"] == {"en": 1, "de": 0}


def test_the_page_says_how_many_answered_in_each_language(client, assessment):
    add_responses(assessment, {FEEDBACK: {"a": (4, 2), "b": (5, 1), "c": (3, 3)}})
    member(client, assessment)

    html = client.get(url(assessment)).content.decode()

    assert "Respondents by language: English 3, German 0." in html


def test_the_text_report_in_german(assessment):
    add_responses(assessment, {FEEDBACK: {"a": (4, 2), "b": (5, 1), "c": (3, 3)}})
    out = io.StringIO()

    call_command(
        "gap_report", organization="Acme", assessment="Baseline 2026", format="text", language="de", stdout=out
    )

    text = out.getvalue()
    assert "Lückenbericht: Acme / Baseline 2026" in text
    assert "Teilnehmende nach Sprache: Englisch 3, Deutsch 0." in text
    assert "Gap report" not in text


def test_the_text_report_stays_english_by_default(assessment):
    add_responses(assessment, {FEEDBACK: {"a": (4, 2), "b": (5, 1), "c": (3, 3)}})
    out = io.StringIO()

    call_command("gap_report", organization="Acme", assessment="Baseline 2026", format="text", stdout=out)

    assert "Gap report: Acme / Baseline 2026" in out.getvalue()
    assert "Respondents by language: English 3, German 0." in out.getvalue()
