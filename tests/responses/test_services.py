"""Frozen wording and bulk import: what the assessment services guarantee."""

from __future__ import annotations

import pytest

from assessments.models import AssessmentQuestion
from assessments.selectors import assessment_questionnaire
from responses.imports import services
from responses.imports.services import responses_import, responses_import_by_name
from responses.models import Answer, Response
from responses.respond.services import Rating, answers_save
from taxonomy.models import Benefit, Question
from tests.factories import AssessmentFactory, ResponseFactory

pytestmark = pytest.mark.django_db

FEEDBACK = "social-media/internal/improved-feedback"
PERSONAL = "social-networking/external/improved-relationships/personal"


def wording(assessment, path: str, dimension: str) -> str | None:
    view = assessment_questionnaire(assessment=assessment).by_path().get(path)
    question = view.question(dimension) if view else None
    return question.text if question else None


def first_answer(assessment, path: str = FEEDBACK) -> None:
    benefit = Benefit.objects.get(path=path)
    answers_save(response=ResponseFactory(assessment=assessment), ratings=[Rating(benefit.pk, "importance", 4)])


def test_editing_a_question_after_answers_changes_new_assessments_only(taxonomy):
    """The answered assessment keeps the wording its respondents saw; a new one gets the edit."""
    answered = AssessmentFactory()
    first_answer(answered)
    before = wording(answered, PERSONAL, "importance")
    Question.objects.filter(benefit__path=PERSONAL, dimension="importance").update(text="New wording")
    assert wording(answered, PERSONAL, "importance") == before
    assert wording(AssessmentFactory(), PERSONAL, "importance") == "New wording"


def test_an_assessment_without_answers_follows_the_edits(taxonomy):
    """Until its first answer, an assessment shows the live wording."""
    waiting = AssessmentFactory()
    Question.objects.filter(benefit__path=PERSONAL, dimension="importance").update(text="Edited before answers")
    assert wording(waiting, PERSONAL, "importance") == "Edited before answers"
    first_answer(waiting)
    Question.objects.filter(benefit__path=PERSONAL, dimension="importance").update(text="Edited after answers")
    assert wording(waiting, PERSONAL, "importance") == "Edited before answers"


def test_deactivating_a_question_after_answers_keeps_it_in_the_answered_assessment(taxonomy):
    """The frozen set of questions is kept; a new assessment no longer asks the deactivated one."""
    answered = AssessmentFactory()
    first_answer(answered)
    Question.objects.filter(benefit__path=PERSONAL, dimension="realization").update(is_active=False)
    assert wording(answered, PERSONAL, "realization") is not None
    assert wording(AssessmentFactory(), PERSONAL, "realization") is None
    assert assessment_questionnaire(assessment=answered).question_count == 122


def test_the_snapshot_is_taken_once(taxonomy):
    """A second answer does not re-freeze: still 122 frozen questions."""
    assessment = AssessmentFactory()
    first_answer(assessment)
    first_answer(assessment, PERSONAL)
    assert AssessmentQuestion.objects.filter(assessment=assessment).count() == 122


def test_responses_import_merges_dimensions_and_marks_dont_know(taxonomy):
    """One Answer row per respondent and benefit; "Don't know" is NULL with its answered flag."""
    assessment = AssessmentFactory()
    benefit = Benefit.objects.get(path=FEEDBACK)
    count = responses_import(
        assessment=assessment,
        ratings_by_respondent={"r1": [Rating(benefit.pk, "importance", 5), Rating(benefit.pk, "realization", None)]},
    )
    assert count == 2
    answer = Answer.objects.get()
    assert (answer.importance, answer.importance_answered) == (5, True)
    assert (answer.realization, answer.realization_answered) == (None, True)
    response = Response.objects.get()
    assert response.is_submitted and response.started_at is None  # only the day is kept
    assert assessment.questions_frozen_at is not None


def test_responses_import_inserts_in_chunks_and_saves_every_answer(taxonomy, monkeypatch):
    """Answers go in a few at a time (bounded memory), and every one of them is saved, none twice."""
    monkeypatch.setattr(services, "IMPORT_CHUNK", 3)
    assessment = AssessmentFactory()
    ids = list(Benefit.objects.order_by("pk").values_list("pk", flat=True)[:4])
    ratings = {f"r{i}": [Rating(b, "importance", 1 + i % 5) for b in ids] for i in range(5)}
    assert responses_import(assessment=assessment, ratings_by_respondent=ratings) == 20
    assert Answer.objects.filter(assessment=assessment).count() == 20
    assert sorted(Answer.objects.values_list("response__respondent", "importance").distinct()) == [
        (f"r{i}", 1 + i % 5) for i in range(5)
    ]


def test_responses_import_can_leave_responses_in_progress(taxonomy):
    """submitted=False imports started, unsubmitted responses."""
    benefit = Benefit.objects.get(path=FEEDBACK)
    responses_import(
        assessment=AssessmentFactory(),
        ratings_by_respondent={"r1": [Rating(benefit.pk, "importance", 2)]},
        submitted=False,
    )
    assert not Response.objects.get().is_submitted


def test_responses_import_by_name_creates_what_is_missing_once(taxonomy):
    """The organization and the assessment are created the first time (kept open here), reused after."""
    benefit = Benefit.objects.get(path=FEEDBACK)
    first, _ = responses_import_by_name(
        organization="Acme",
        assessment="Q1",
        ratings_by_respondent={"a": [Rating(benefit.pk, "importance", 1)]},
        keep_open=True,
    )
    second, _ = responses_import_by_name(
        organization="Acme", assessment="Q1", ratings_by_respondent={"b": [Rating(benefit.pk, "importance", 2)]}
    )
    assert first.pk == second.pk
    assert first.status == "open"
    assert Response.objects.filter(assessment=first).count() == 2


def test_rating_refuses_out_of_range_and_unknown_dimension():
    """A Rating is valid by construction: 1..5 or None, a known dimension."""
    with pytest.raises(ValueError, match="outside"):
        Rating(1, "importance", 0)
    with pytest.raises(ValueError, match="unknown dimension"):
        Rating(1, "urgency", 3)
