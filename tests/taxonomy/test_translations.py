"""The taxonomy in German (contract section 17): the YAML's translations, the questions, what pages show."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import translation

from assessments.selectors import assessment_questionnaire
from assessments.services import assessment_freeze_questions
from taxonomy.loaders import TaxonomyError, dump_taxonomy, parse_taxonomy
from taxonomy.models import Benefit, Concept, Question, Scope
from taxonomy.selectors import benefit_page, live_questionnaire, taxonomy_matrix, taxonomy_spec
from taxonomy.services import taxonomy_load
from taxonomy.translations import translated
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

BILINGUAL = """\
concepts:
  - slug: social-media
    name: Social Media
    definition: Media developed with social interaction in mind.
    translations:
      de:
        name: Social Media
        description: Medien, die mit Blick auf soziale Interaktion entwickelt werden.
scopes:
  - slug: internal
    name: Internal
    description: Within the organization.
    translations:
      de:
        name: Intern
        description: Innerhalb der Organisation.
benefits:
  social-media:
    internal:
      - name: Improved Feedback
        description: Employees react to what the organization publishes.
        indicators:
          - Share of news items with a comment.
        practices:
          - Open every announcement to comments.
        translations:
          de:
            name: Besseres Feedback
            description: Beschäftigte reagieren auf das, was die Organisation veröffentlicht.
            indicators:
              - Anteil der Meldungen mit einem Kommentar.
            practices:
              - Jede Ankündigung für Kommentare öffnen.
        children:
          - name: Personal
            translations:
              de:
                name: Persönlich
"""


def load(text: str = BILINGUAL):
    return taxonomy_load(spec=parse_taxonomy(text, "t.yaml"))


def test_the_yaml_translations_are_read_into_every_row():
    load()

    assert Concept.objects.get().translations == {
        "de": {
            "name": "Social Media",
            "description": "Medien, die mit Blick auf soziale Interaktion entwickelt werden.",
        }
    }
    assert Scope.objects.get().translations["de"]["name"] == "Intern"
    feedback = Benefit.objects.get(slug="improved-feedback")
    assert feedback.translations["de"]["indicators"] == ["Anteil der Meldungen mit einem Kommentar."]
    assert Benefit.objects.get(slug="personal").translations == {"de": {"name": "Persönlich"}}


def test_export_writes_the_translations_back_and_a_second_load_changes_nothing():
    load()
    exported = dump_taxonomy(taxonomy_spec())

    assert parse_taxonomy(exported) == parse_taxonomy(BILINGUAL)
    again = load(exported)
    assert not again.taxonomy.changed and not again.questions.changed


def test_export_taxonomy_round_trips_the_bundled_file(tmp_path):
    call_command("load_taxonomy", verbosity=0, stderr=io.StringIO())
    out = tmp_path / "export.yaml"
    call_command("export_taxonomy", output=str(out), stderr=io.StringIO())

    assert parse_taxonomy(out.read_text()) == parse_taxonomy(
        (settings.BASE_DIR / "taxonomy/data/taxonomy.yaml").read_text()
    )


@pytest.mark.parametrize(
    ("yaml_text", "message"),
    [
        (
            BILINGUAL.replace("      de:\n        name: Intern", "      fr:\n        name: Intern"),
            "t.yaml:14: unknown language 'fr'",
        ),
        (
            BILINGUAL.replace("                name: Persönlich", "                title: Persönlich"),
            "unknown key 'title'",
        ),
        (
            BILINGUAL.replace("            indicators:\n              - Anteil", "            indicators: Anteil"),
            "must be a list of texts",
        ),
        (
            BILINGUAL.replace("                name: Persönlich", "                name: [Persönlich]"),
            "must be text, not a list",
        ),
    ],
)
def test_a_bad_translation_names_its_line_and_writes_nothing(yaml_text, message):
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(yaml_text, "t.yaml")
    assert not Benefit.objects.exists()


def test_the_model_refuses_a_translation_it_cannot_hold():
    load()
    feedback = Benefit.objects.get(slug="improved-feedback")
    feedback.translations = {"de": {"name": "Gut", "indicators": "not a list"}, "xx": {}}

    with pytest.raises(ValidationError) as raised:
        feedback.full_clean()

    messages = " ".join(raised.value.message_dict["translations"])
    assert "indicators of the de translation must be a list" in messages
    assert "unknown language 'xx'" in messages


def test_every_question_has_its_german_wording_from_the_german_names():
    load()
    question = Question.objects.get(benefit__slug="personal", dimension="importance")

    assert (
        question.text
        == "How important is “Improved Feedback: Personal” from internal social media to the organization?"
    )
    assert question.translations["de"]["text"] == (
        "Wie wichtig ist für die Organisation „Besseres Feedback: Persönlich“ durch Social Media (intern)?"
    )
    assert "1 = nicht wichtig, 5 = entscheidend" in question.translations["de"]["help_text"]


def test_a_translated_name_reaches_a_question_still_worded_as_its_template():
    load(BILINGUAL.replace("name: Persönlich", "name: Persönliche Beziehungen"))
    load()

    question = Question.objects.get(benefit__slug="personal", dimension="importance")
    assert "„Besseres Feedback: Persönlich“" in question.translations["de"]["text"]


def test_a_question_an_admin_reworded_keeps_its_translations():
    load()
    question = Question.objects.get(benefit__slug="personal", dimension="importance")
    question.text = "How much does personal feedback matter?"
    question.translations = {"de": {"text": "Wie viel zählt persönliches Feedback?", "help_text": ""}}
    question.save()

    load(BILINGUAL.replace("name: Persönlich", "name: Persönliche Beziehungen"))

    question.refresh_from_db()
    assert question.translations["de"]["text"] == "Wie viel zählt persönliches Feedback?"


def test_an_assessment_freezes_every_languages_wording():
    load()
    assessment = AssessmentFactory()
    assessment_freeze_questions(assessment=assessment)
    Question.objects.update(translations={})  # later edits do not reach the frozen wording

    with translation.override("de"):
        questionnaire = assessment_questionnaire(assessment=assessment)
    question = questionnaire.sections[0].benefits[0].questions[0]
    assert question.text.startswith("Wie wichtig ist für die Organisation „Besseres Feedback“")


def test_the_questionnaire_is_in_the_active_language_and_english_where_a_text_is_missing():
    load()

    with translation.override("de"):
        german = live_questionnaire().sections[0]
        assert german.title == "Social Media (Intern)"
    english = live_questionnaire().sections[0]

    assert english.title == "Internal social media"
    feedback, personal = german.benefits
    assert feedback.name == "Besseres Feedback"
    assert feedback.indicators == ("Anteil der Meldungen mit einem Kommentar.",)
    assert personal.name == "Persönlich"
    assert personal.description == ""  # none in either language
    assert english.benefits[0].name == "Improved Feedback"


def test_the_benefit_pages_and_the_matrix_are_in_the_active_language():
    load()

    with translation.override("de"):
        page = benefit_page(path="social-media/internal/improved-feedback")
        matrix = taxonomy_matrix()

    assert page.benefit.name == "Besseres Feedback"
    assert page.children[0].name == "Persönlich"
    assert page.scope.name == "Intern"
    assert matrix[0].cells[0].benefits[0].practices == ["Jede Ankündigung für Kommentare öffnen."]
    assert Benefit.objects.get(slug="improved-feedback").name == "Improved Feedback"  # nothing was saved


def test_translated_falls_back_to_the_english():
    assert translated({"de": {"name": "Besseres Feedback"}}, "name", "Improved Feedback", "de") == "Besseres Feedback"
    assert translated({"de": {}}, "description", "What it means", "de") == "What it means"
    assert translated({"de": {"name": "X"}}, "name", "Improved Feedback", "en") == "Improved Feedback"


def test_the_catalogue_compiles_without_errors():
    """msgfmt --check: every placeholder of a translation is one of its English text's."""
    for code, _ in settings.LANGUAGES:
        if code == settings.LANGUAGE_CODE:
            continue
        po = settings.LOCALE_PATHS[0] / code / "LC_MESSAGES" / "django.po"
        checked = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_every_bundled_concept_scope_and_node_has_all_its_german():
    """Names, descriptions, and as many indicators and practices as the English has: nothing left to fall back."""
    from taxonomy.loaders import read_taxonomy_file

    spec = read_taxonomy_file()
    incomplete = [c.slug for c in (*spec.concepts, *spec.scopes) if not all(c.translations.get("de", {}).values())]
    incomplete += [
        c.slug for c in (*spec.concepts, *spec.scopes) if set(c.translations.get("de", {})) != {"name", "description"}
    ]
    for concept, scope, parents, node in spec.walk():
        german = node.translations.get("de", {})
        complete = (
            all(german.get(key) for key in ("name", "description", "indicators", "practices"))
            and len(german["indicators"]) == len(node.indicators)
            and len(german["practices"]) == len(node.practices)
        )
        if not complete:
            incomplete.append("/".join((concept, scope, *parents, node.slug)))
    assert len(list(spec.walk())) == 61
    assert incomplete == []


def test_the_bundled_questions_in_german_name_the_german_benefits(taxonomy):
    question = Question.objects.get(benefit__path="social-media/internal/improved-feedback", dimension="realization")

    assert question.translations["de"]["text"] == (
        "Wie weit erreicht die Organisation heute „Besseres Feedback“ durch Social Media (intern)?"
    )
