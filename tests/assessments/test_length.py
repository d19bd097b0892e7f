"""Benefits per respondent: the setting on the owners' form and in admin, and its survey-length estimate."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from assessments.length import SECONDS_PER_QUESTION, SurveyLength, length_estimate, minutes_for, survey_length
from assessments.models import Assessment, Audience
from assessments.selectors import assessment_questionnaire
from assessments.services import KEEP, assessment_update
from responses.invitations.services import invitations_create, invitations_revoke
from tests.assessments.test_views import FORM

pytestmark = pytest.mark.django_db


def estimate(assessment, m):
    return length_estimate(
        questionnaire=assessment_questionnaire(assessment=assessment), assessment=assessment, benefits_per_respondent=m
    )


# --- The estimate ------------------------------------------------------------------


def test_the_full_survey_is_122_questions_and_13_minutes(taxonomy, assessment):
    """Without m, a respondent is asked everything, about 13 minutes at 6 seconds a question."""
    asked = estimate(assessment, None).asked()
    assert (asked.benefits, asked.questions, asked.minutes) == (41, 122, 13)
    assert SECONDS_PER_QUESTION == 6 and minutes_for(122) == 13


def test_survey_length_is_exact_for_a_questionnaire_asked_in_full(taxonomy, assessment):
    """What a started response asks is counted as it is: 122 questions of 61 benefits on 7 pages."""
    length = survey_length(questionnaire=assessment_questionnaire(assessment=assessment))
    assert length == SurveyLength(question_count=122, benefit_count=61, section_count=7, minutes=13, approximate=False)


def test_survey_length_before_the_start_follows_the_audience_and_m(taxonomy, assessment):
    """One scope's sections only, and about m benefits of them: approximate until the benefits are drawn."""
    questionnaire = assessment_questionnaire(assessment=assessment)
    internal = survey_length(questionnaire=questionnaire, audience=Audience.INTERNAL)
    assert internal.question_count == estimate(assessment, None).asked(Audience.INTERNAL).questions < 122
    assert not internal.approximate
    shortened = survey_length(questionnaire=questionnaire, audience=Audience.INTERNAL, benefits_per_respondent=5)
    assert shortened.approximate and shortened.minutes == estimate(assessment, 5).asked(Audience.INTERNAL).minutes


def test_m_scales_the_questions_per_respondent(taxonomy, assessment):
    """m of 41 benefits asks about 122 * m / 41 questions."""
    assert estimate(assessment, 10).asked().questions == 30  # 29.76
    assert estimate(assessment, 10).asked().minutes == 3
    assert estimate(assessment, 41).asked().questions == 122
    assert estimate(assessment, 100).asked().benefits == 41


def test_the_audience_limits_what_is_asked(taxonomy, assessment):
    """An internal-only respondent sees the internal benefits only, and at most m of them."""
    full = estimate(assessment, None)
    internal = full.asked(Audience.INTERNAL)
    external = full.asked(Audience.EXTERNAL)
    assert internal.benefits + external.benefits == 41
    assert internal.questions + external.questions == 122
    assert estimate(assessment, 5).asked(Audience.INTERNAL).benefits == 5


def test_ratings_per_benefit_come_from_the_invitations_so_far(taxonomy, assessment):
    """Each benefit gets about invitations * m / 41 ratings; revoked invitations do not count."""
    invitations_create(assessment=assessment, count=82)
    assert estimate(assessment, 10).ratings("internal") == 20
    assert estimate(assessment, 10).ratings("external") == 20
    assert (
        "With the 82 invitations so far, each benefit would be rated by about 20 people"
        in estimate(assessment, 10).sentence()
    )
    first_half = list(assessment.invitations.values_list("pk", flat=True)[:41])
    invitations_revoke(invitations=assessment.invitations.filter(pk__in=first_half))
    assert estimate(assessment, 10).ratings("internal") == 10


def test_an_external_batch_rates_external_benefits_only(taxonomy, assessment):
    """External-only invitations add ratings to the external benefits, none to the internal ones."""
    invitations_create(assessment=assessment, count=10, audience=Audience.EXTERNAL)
    e = estimate(assessment, None)
    assert (e.ratings("internal"), e.ratings("external")) == (0, 10)
    assert "each internal benefit would be rated by about 0 people and each external one by about 10," in e.sentence()


def test_without_invitations_the_estimate_gives_a_share(taxonomy, assessment):
    """No invitations yet: the share of respondents who rate each benefit."""
    assert "each benefit is rated by about 24% of respondents" in estimate(assessment, 10).sentence()
    assert estimate(assessment, None).sentence().startswith("Every respondent answers all 122 questions")


# --- The owners' form ----------------------------------------------------------------


def test_create_with_benefits_per_respondent(manager, org, taxonomy):
    """The number is saved; empty saves None (every benefit)."""
    manager.post(reverse("assessments:manage:create", args=["acme"]), {**FORM, "benefits_per_respondent": "12"})
    assert Assessment.objects.get(title="Pulse 2026").benefits_per_respondent == 12
    manager.post(
        reverse("assessments:manage:create", args=["acme"]), {**FORM, "title": "Full", "benefits_per_respondent": ""}
    )
    assert Assessment.objects.get(title="Full").benefits_per_respondent is None


@pytest.mark.parametrize("value", ["0", "-3"])
def test_fewer_than_one_benefit_is_refused_beside_the_field(manager, org, taxonomy, value):
    """The constraint's message shows beside the field, and nothing is created."""
    response = manager.post(
        reverse("assessments:manage:create", args=["acme"]), {**FORM, "benefits_per_respondent": value}
    )
    assert response.status_code == 400
    assert "at least 1 benefit" in response.context["form"].errors["benefits_per_respondent"][0]
    assert not Assessment.objects.filter(title="Pulse 2026").exists()


def test_the_edit_page_shows_the_estimate_for_the_saved_value(manager, assessment, taxonomy):
    """Server-rendered text for the saved m, the numbers length.js needs as data attributes, no inline script."""
    Assessment.objects.filter(pk=assessment.pk).update(benefits_per_respondent=10)
    invitations_create(assessment=assessment, count=41)
    page = manager.get(reverse("assessments:manage:edit", args=["acme", "baseline"])).content.decode()
    assert "About 30 questions per respondent (about 3 min) instead of 122 (about 13 min)." in page
    assert "each benefit would be rated by about 10 people" in page
    box = re.search(r'<div class="length-estimate[^>]*>', page).group(0)
    for attribute in ("internal-benefits", "external-questions", "invited-both", "seconds-per-question"):
        assert f"data-{attribute}=" in box
    assert 'data-invited-both="41"' in box
    assert "js/length.js" in page and "<script>" not in page.replace(" ", "")
    assert 'value="10"' in page


def test_editing_other_settings_keeps_benefits_per_respondent(assessment, taxonomy):
    """``assessment_update`` without the argument keeps m; None clears it."""
    Assessment.objects.filter(pk=assessment.pk).update(benefits_per_respondent=7)
    assessment.refresh_from_db()
    common = {"title": "Baseline", "status": "open", "opens_at": None, "closes_at": None, "threshold": 1.0}
    assessment_update(assessment=assessment, **common)
    assert Assessment.objects.get(pk=assessment.pk).benefits_per_respondent == 7
    assessment_update(assessment=assessment, **common, benefits_per_respondent=KEEP)
    assert Assessment.objects.get(pk=assessment.pk).benefits_per_respondent == 7
    assessment_update(assessment=assessment, **common, benefits_per_respondent=None)
    assert Assessment.objects.get(pk=assessment.pk).benefits_per_respondent is None


# --- Admin ---------------------------------------------------------------------------


def test_admin_change_page_has_the_field_and_the_estimate(admin_client, assessment, taxonomy):
    """The admin edits the number and shows the same estimate, followed by length.js."""
    Assessment.objects.filter(pk=assessment.pk).update(benefits_per_respondent=10)
    page = admin_client.get(f"/admin/assessments/assessment/{assessment.pk}/change/").content.decode()
    assert 'name="benefits_per_respondent"' in page
    assert "About 30 questions per respondent" in page and "js/length.js" in page
