"""The respondent form's section form and its crispy matrix."""

from __future__ import annotations

import pytest
from django.http import QueryDict
from django.template import Context, Template

from assessments.selectors import assessment_questionnaire
from responses.invitations.forms import InvitationsCreateForm
from responses.models import Answer
from responses.respond.forms import SectionForm, missing_questions
from responses.respond.layout import Matrix
from taxonomy.models import Benefit, Question
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(taxonomy):
    return assessment_questionnaire(assessment=AssessmentFactory())


def make_form(questionnaire, number: int, data: dict | None = None, answers=None) -> SectionForm:
    section = questionnaire.sections[number - 1]
    kwargs = {"section": section, "questionnaire": questionnaire, "answers": answers or {}, "revision": "r1"}
    if data is None:
        return SectionForm(**kwargs)
    query = QueryDict(mutable=True)
    for key, value in data.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return SectionForm(query, **kwargs)


def page(number: int, **answers) -> dict:
    return {"section": str(number), "revision": "r1", "action": "next", **answers}


def test_one_radio_field_per_question_with_the_contract_labels(questionnaire):
    """Each question is optional and offers "1 - Not important" .. "5 - Critical" and "Don't know"."""
    form = make_form(questionnaire, 1)
    benefit = questionnaire.sections[0].benefits[0]
    field = form.fields[f"q-{benefit.id}-importance"]
    assert not field.required
    assert [label for _, label in field.choices] == [
        "1 - Not important",
        "2 - Slightly important",
        "3 - Moderately important",
        "4 - Very important",
        "5 - Critical",
        "Don't know",
    ]
    assert len(form.question_fields) == questionnaire.sections[0].question_count


def test_initial_values_come_from_stored_answers_and_dont_know_is_its_own_choice(questionnaire):
    benefit = questionnaire.sections[0].benefits[0]
    answer = Answer(benefit_id=benefit.id, importance=4, importance_answered=True, realization_answered=True)
    form = make_form(questionnaire, 1, answers={benefit.id: answer})
    assert form[f"q-{benefit.id}-importance"].value() == "4"
    assert form[f"q-{benefit.id}-realization"].value() == "dk"


def test_ratings_are_what_was_sent_only(questionnaire):
    """A blank question is not a rating; "dk" is a Don't know (None), never 0."""
    b1, b2 = questionnaire.sections[0].benefits[:2]
    form = make_form(questionnaire, 1, page(1, **{f"q-{b1.id}-importance": "5", f"q-{b2.id}-realization": "dk"}))
    assert form.is_valid(), form.errors
    assert [(r.benefit_id, r.dimension, r.value) for r in form.ratings()] == [
        (b1.id, "importance", 5),
        (b2.id, "realization", None),
    ]


@pytest.mark.parametrize("value", ["0", "6", "-1", "3.0", "dont", " 4"])
def test_a_value_off_the_scale_is_an_error_on_its_question(questionnaire, value):
    benefit = questionnaire.sections[0].benefits[0]
    name = f"q-{benefit.id}-importance"
    form = make_form(questionnaire, 1, page(1, **{name: value}))
    assert not form.is_valid()
    assert "not on the scale" in form.errors[name][0]
    assert form.error_summary() == [(f"id_{name}_0", f"{benefit.name} — Importance: {form.errors[name][0]}")]


def test_unknown_repeated_and_missing_fields_reject_the_page(questionnaire):
    """The page must send exactly what it shows: anything else is a page-level error and no ratings."""
    mine = questionnaire.sections[0].benefits[0]
    other = questionnaire.sections[5].benefits[0]
    cases = {
        "unknown_question": page(1, **{f"q-{other.id}-importance": "3"}),
        "unexpected": page(1, extra="1"),
        "repeated": page(1, **{f"q-{mine.id}-importance": ["3", "4"]}),
        "incomplete": {"section": "1", "action": "next"},
        "action": page(1, action="submit"),
        "wrong_section": page(2),
    }
    for code, data in cases.items():
        form = make_form(questionnaire, 1, data)
        assert not form.is_valid()
        assert form.non_field_errors().as_data()[0].code == code, code
        assert form.page_errors()


def test_the_matrix_renders_fieldsets_named_after_each_benefit_and_its_parents(questionnaire):
    """Rendered by crispy: a fieldset per question, the legend naming the benefit (and parents), labelled options."""
    number = 6
    form = make_form(questionnaire, number)
    html = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))
    section = questionnaire.sections[number - 1]
    assert html.count("<fieldset") == section.question_count
    child = next(b for b in section.benefits if b.depth == 1)
    parent = next(b for b in section.benefits if b.path == child.parent_path)
    assert f"{parent.name}: {child.name} — </span>Importance</legend>" in html
    assert (
        '<span class="hp-num">4</span><span class="visually-hidden"> - </span><span class="hp-lbl">Very important'
        in html
    )
    assert "Don&#x27;t know" in html
    assert "csrfmiddlewaretoken" not in html  # the page template owns the one CSRF token
    assert 'name="action" type="submit" value="next"' in html and 'value="back"' in html


def test_the_page_renders_the_matrix_as_the_crispy_tag_does(questionnaire):
    """``as_matrix`` (what the section page uses) writes the HTML ``{% crispy form %}`` writes."""
    benefit = questionnaire.sections[5].benefits[0]
    for data in (None, page(6, **{f"q-{benefit.id}-importance": "9"})):
        form = make_form(questionnaire, 6, data)
        if data is not None:
            assert not form.is_valid()  # an error shown beside its question
        tag = Template("{% load crispy_forms_tags %}{% crispy form %}").render(Context({"form": form}))
        assert form.as_matrix() == tag.strip()


def test_a_section_without_questions_says_what_to_do(questionnaire):
    html = Matrix().render(make_form(questionnaire, 1), Context())
    assert html == (
        '<div class="hp-matrix"> <p class="text-body-secondary">'
        "There are no questions in this section. Choose “Save and continue”.</p>\n</div>\n"
    )


def test_the_matrix_escapes_the_questionnaires_texts(taxonomy):
    """Names, descriptions, signs and questions are text, never markup, as the template's autoescape would have it."""
    benefit = Benefit.objects.filter(concept__slug="social-media", scope__slug="internal").order_by("path").first()
    tricky = """Tom & "Jerry" <b>'s</b>"""
    Benefit.objects.filter(pk=benefit.pk).update(name=tricky, description=tricky, indicators=[tricky])
    Question.objects.filter(benefit=benefit).update(text=tricky)
    questionnaire = assessment_questionnaire(assessment=AssessmentFactory())
    html = make_form(questionnaire, 1).as_matrix()
    escaped = "Tom &amp; &quot;Jerry&quot; &lt;b&gt;&#x27;s&lt;/b&gt;"
    assert f'<p class="hp-benefit">{escaped}</p>' in html
    assert f'<p class="hp-desc" id="b-{benefit.pk}-desc">{escaped}</p>' in html
    assert f"<li>{escaped}</li>" in html
    assert f'-importance-text">{escaped}</p>' in html
    assert "<b>" not in html


def test_missing_questions_lists_every_unanswered_question_in_order(questionnaire):
    first = questionnaire.sections[0].benefits[0]
    answers = {first.id: Answer(benefit_id=first.id, importance=None, importance_answered=True)}
    missing = missing_questions(questionnaire, answers)
    assert len(missing) == questionnaire.question_count - 1
    assert (missing[0].benefit.id, missing[0].dimension) == (first.id, "realization")


@pytest.mark.parametrize(
    ("results", "advice"),
    [("after-close", "it is final, so invite people to the next round"), ("live", "reopen it (Edit, status Open)")],
)
def test_a_closed_assessments_links_form_gives_advice_that_works(taxonomy, results, advice):
    """Only live results may reopen: after close, the form points to the next round instead."""

    assessment = AssessmentFactory(status="closed", results=results)
    form = InvitationsCreateForm({"count": "1", "audience": "both"}, assessment=assessment)
    assert not form.is_valid()
    assert advice in form.non_field_errors()[0]
