"""Questions from the taxonomy: generation, idempotent sync, removal with answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from responses.services import Rating, responses_import
from taxonomy.loaders import TaxonomySpec, read_taxonomy_file
from taxonomy.models import Benefit, Question
from taxonomy.services import question_wording, questions_sync, taxonomy_load
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

PERSONAL = "social-networking/external/improved-relationships/personal"


def test_canonical_taxonomy_has_122_questions(taxonomy):
    """One question per benefit node (sub-benefits included) and dimension: 61 x 2."""
    assert Question.objects.count() == 122
    assert Question.objects.filter(dimension="importance").count() == 61
    assert Question.objects.filter(dimension="realization").count() == 61
    assert not Benefit.objects.filter(questions__isnull=True).exists()


def test_sync_is_idempotent(taxonomy):
    """A second sync creates, changes and deactivates nothing."""
    before = sorted(Question.objects.values_list("pk", "text", "order", "is_active"))
    result = questions_sync()
    assert not result.changed
    assert result.summary() == "no changes"
    assert sorted(Question.objects.values_list("pk", "text", "order", "is_active")) == before


def test_sync_recreates_a_missing_question_and_keeps_edited_wording(taxonomy):
    """Sync fills gaps from the template and never overwrites an admin's edit."""
    Question.objects.filter(benefit__path=PERSONAL, dimension="realization").delete()
    Question.objects.filter(benefit__path=PERSONAL, dimension="importance").update(text="Edited wording")
    result = questions_sync()
    assert result.created == 1
    assert Question.objects.count() == 122
    assert Question.objects.get(benefit__path=PERSONAL, dimension="importance").text == "Edited wording"


def test_loading_the_taxonomy_twice_does_not_duplicate_questions(taxonomy):
    """load_taxonomy calls the sync; a reload leaves exactly 122 questions."""
    result = taxonomy_load(spec=read_taxonomy_file())
    assert not result.changed
    assert Question.objects.count() == 122


def test_sub_benefit_wording_names_parent_scope_and_concept(taxonomy):
    """A sub-benefit reads "Parent: Child" and says which scope and concept it is about."""
    question = Question.objects.get(benefit__path=PERSONAL, dimension="importance")
    assert "Improved Relationships: Personal" in question.text
    assert "external" in question.text.lower()
    assert "social networking" in question.text.lower()
    assert question.help_text
    assert (question.text, question.help_text) == question_wording(question.benefit, "importance")


def _without(path: str) -> TaxonomySpec:
    """The bundled taxonomy spec minus the node at ``path`` (and its children)."""
    spec = read_taxonomy_file()

    def keep(prefix: str, nodes):
        return tuple(
            replace(n, children=keep(f"{prefix}/{n.slug}", n.children)) for n in nodes if f"{prefix}/{n.slug}" != path
        )

    return replace(spec, benefits={(c, s): keep(f"{c}/{s}", nodes) for (c, s), nodes in spec.benefits.items()})


def test_removed_benefit_with_answers_is_deactivated_not_deleted(taxonomy):
    """Removing an answered benefit from the YAML keeps it, and its questions, inactive."""
    benefit = Benefit.objects.get(path=PERSONAL)
    responses_import(
        assessment=AssessmentFactory(), ratings_by_respondent={"r1": [Rating(benefit.pk, "importance", 4)]}
    )
    result = taxonomy_load(spec=_without(PERSONAL))
    benefit.refresh_from_db()
    assert benefit.is_active is False
    assert result.taxonomy.deactivated == 1
    assert not Question.objects.filter(benefit=benefit, is_active=True).exists()
    assert Question.objects.filter(benefit=benefit).count() == 2


def test_removed_benefit_in_a_frozen_questionnaire_is_deactivated(taxonomy):
    """A node some assessment froze (answers elsewhere) is kept inactive: loading never crashes on PROTECT."""
    other = Benefit.objects.get(path="social-media/internal/improved-feedback")
    responses_import(assessment=AssessmentFactory(), ratings_by_respondent={"r1": [Rating(other.pk, "importance", 4)]})
    result = taxonomy_load(spec=_without(PERSONAL))
    assert Benefit.objects.get(path=PERSONAL).is_active is False
    assert result.taxonomy.deactivated == 1


def test_removed_benefit_without_answers_is_deleted(taxonomy):
    """With no answers, a node missing from the YAML goes, questions included."""
    taxonomy_load(spec=_without(PERSONAL))
    assert not Benefit.objects.filter(path=PERSONAL).exists()
    assert Question.objects.count() == 120
