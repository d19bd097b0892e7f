"""Questions from the taxonomy: generation, idempotent sync, removal with answers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from responses.imports.services import responses_import
from responses.respond.services import Rating
from taxonomy.loaders import BenefitSpec, TaxonomySpec, read_taxonomy_file
from taxonomy.models import Benefit, Question
from taxonomy.selectors import live_questions, subtree_filter
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


def test_a_benefit_left_out_of_a_load_and_restored_comes_back_with_its_questions_active(taxonomy):
    """Out of one load (answered, so kept inactive), back in the next: active again, questions asked again."""
    benefit = Benefit.objects.get(path=PERSONAL)
    responses_import(
        assessment=AssessmentFactory(), ratings_by_respondent={"r1": [Rating(benefit.pk, "importance", 4)]}
    )
    taxonomy_load(spec=_without(PERSONAL))
    assert not Question.objects.filter(benefit=benefit, is_active=True).exists()
    result = taxonomy_load(spec=read_taxonomy_file())
    assert Benefit.objects.get(pk=benefit.pk).is_active
    assert Question.objects.filter(benefit=benefit, is_active=True).count() == 2
    assert result.questions.updated == 2
    assert live_questions().count() == 122


def test_a_question_deactivated_by_hand_stays_off_when_the_file_is_loaded_again(taxonomy):
    """Only questions that a removal switched off come back: an admin's own choice is kept."""
    question = Question.objects.get(benefit__path=PERSONAL, dimension="importance")
    Question.objects.filter(pk=question.pk).update(is_active=False)
    taxonomy_load(spec=read_taxonomy_file())
    assert not Question.objects.get(pk=question.pk).is_active


def _many(count: int) -> TaxonomySpec:
    spec = read_taxonomy_file()
    extra = tuple(BenefitSpec(name=f"Extra {i}", slug=f"extra-{i}") for i in range(count))
    key = ("social-media", "internal")
    return replace(spec, benefits={**spec.benefits, key: spec.benefits[key] + extra})


def test_removing_600_benefits_in_one_load_works_on_sqlite(taxonomy):
    """SQLite refuses an OR of 1000 terms ("Expression tree is too large"): the in-use check must not build one."""
    taxonomy_load(spec=_many(600))
    assert Benefit.objects.count() == 661
    result = taxonomy_load(spec=read_taxonomy_file())
    assert result.taxonomy.deleted == 600
    assert Benefit.objects.count() == 61


def test_subtree_filter_matches_a_node_and_everything_below_it(taxonomy):
    """The filter finds the named nodes and their sub-benefits, and nothing that merely shares a prefix."""
    parent = "social-networking/external/improved-relationships"
    found = set(Benefit.objects.filter(subtree_filter([parent])).values_list("path", flat=True))
    assert found == {parent, f"{parent}/personal", f"{parent}/professional", f"{parent}/organizational"}
    assert not Benefit.objects.filter(subtree_filter(["social-networking/external/improved"])).exists()
