"""The taxonomy admin: question changelist, actions, preview, delete refusal, permissions."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Assessment
from organizations.models import Organization
from responses.imports.services import responses_import
from responses.respond.services import Rating
from taxonomy.models import Benefit, Concept, Question, Scope
from tests.factories import AssessmentFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:taxonomy_question_changelist"
PERSONAL = "social-networking/external/improved-relationships/personal"
FEEDBACK = "social-media/internal/improved-feedback"


@pytest.fixture
def staff(client):
    """A logged-in superuser."""
    user = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def results(response) -> list[Question]:
    return list(response.context["cl"].result_list)


def answer(path: str, dimension: str = "importance", value: int | None = 4) -> None:
    benefit = Benefit.objects.get(path=path)
    responses_import(
        assessment=AssessmentFactory(), ratings_by_respondent={"r1": [Rating(benefit.pk, dimension, value)]}
    )


def act(client, action: str, questions, **extra):
    return client.post(
        reverse(CHANGELIST), {"action": action, "_selected_action": [q.pk for q in questions], **extra}, follow=True
    )


def test_changelist_lists_the_122_questions_and_links_the_preview(taxonomy, staff):
    """All questions on one page, with a link to the preview."""
    response = staff.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 122
    assert reverse("admin:taxonomy_question_preview") in response.content.decode()


@pytest.mark.parametrize(
    ("query", "count"),
    [
        ({"benefit__concept__id__exact": "CONCEPT"}, 2 * 24),
        ({"dimension": "importance"}, 61),
        ({"is_active__exact": "0"}, 0),
        ({"level": "benefit"}, 82),
        ({"level": "sub-benefit"}, 40),
    ],
)
def test_changelist_filters(taxonomy, staff, query, count):
    """Filters by concept, scope, dimension, active and level narrow the list."""
    if "benefit__concept__id__exact" in query:
        concept = Benefit.objects.get(path=FEEDBACK).concept
        query = {"benefit__concept__id__exact": concept.pk}
        count = 2 * Benefit.objects.filter(concept=concept).count()
    response = staff.get(reverse(CHANGELIST), query)
    assert response.status_code == 200
    assert response.context["cl"].result_count == count


def test_scope_filter(taxonomy, staff):
    """The scope filter keeps that scope's questions only."""
    scope = Benefit.objects.get(path=PERSONAL).scope
    response = staff.get(reverse(CHANGELIST), {"benefit__scope__id__exact": scope.pk})
    assert {q.benefit.scope_id for q in results(response)} == {scope.pk}
    assert response.context["cl"].result_count == 2 * Benefit.objects.filter(scope=scope).count()


def test_search_over_benefit_name_and_wording(taxonomy, staff):
    """Search finds a benefit by name and a question by a word of its (edited) wording."""
    response = staff.get(reverse(CHANGELIST), {"q": "Personalized Recruiting"})
    assert {q.benefit.name for q in results(response)} == {"Personalized Recruiting"}
    Question.objects.filter(benefit__path=FEEDBACK, dimension="realization").update(text="Zanzibar wording")
    response = staff.get(reverse(CHANGELIST), {"q": "zanzibar"})
    assert [(q.benefit.path, q.dimension) for q in results(response)] == [(FEEDBACK, "realization")]


def test_order_and_active_are_editable_in_the_list(taxonomy, staff):
    """The list's form saves a new order and the active flag."""
    response = staff.get(reverse(CHANGELIST), {"q": "Personalized Recruiting"})
    formset = response.context["cl"].formset
    data = {
        "form-TOTAL_FORMS": str(formset.total_form_count()),
        "form-INITIAL_FORMS": str(formset.initial_form_count()),
        "_save": "Save",
    }
    for i, form in enumerate(formset.forms):
        data[f"form-{i}-id"] = form.instance.pk
        data[f"form-{i}-order"] = 7 + i
        if i:  # the first one unchecked: deactivated
            data[f"form-{i}-is_active"] = "on"
    staff.post(reverse(CHANGELIST) + "?q=Personalized+Recruiting", data)
    rows = {q.pk: (q.order, q.is_active) for q in Question.objects.filter(benefit__name="Personalized Recruiting")}
    assert sorted(rows.values()) == [(7, False), (8, True)]


def test_deactivate_and_activate_actions(taxonomy, staff):
    """The bulk actions flip the active flag of the selected questions only."""
    chosen = list(Question.objects.filter(benefit__path=FEEDBACK))
    act(staff, "deactivate", chosen)
    assert Question.objects.filter(is_active=False).count() == 2
    assert not Question.objects.get(pk=chosen[0].pk).is_active
    act(staff, "activate", chosen)
    assert Question.objects.filter(is_active=False).count() == 0


def test_reset_wording_action_restores_the_template(taxonomy, staff):
    """An edited question gets its template wording back; others are untouched."""
    question = Question.objects.get(benefit__path=PERSONAL, dimension="importance")
    original = (question.text, question.help_text)
    Question.objects.filter(pk=question.pk).update(text="Edited", help_text="Edited help")
    response = act(staff, "reset_wording", [question])
    question.refresh_from_db()
    assert (question.text, question.help_text) == original
    assert "1 question reset" in response.content.decode()


def test_sync_action_creates_missing_questions(taxonomy, staff):
    """The sync action runs questions_sync, whatever is selected."""
    Question.objects.filter(benefit__path=PERSONAL).delete()
    response = act(staff, "sync_questions", Question.objects.all()[:1])
    assert Question.objects.count() == 122
    assert "Questions synced: 2 created" in response.content.decode()


def test_sync_action_on_the_benefit_changelist(taxonomy, staff):
    """The same action is offered on benefits."""
    Question.objects.filter(benefit__path=PERSONAL).delete()
    staff.post(
        reverse("admin:taxonomy_benefit_changelist"),
        {"action": "sync_questions", "_selected_action": [Benefit.objects.first().pk]},
    )
    assert Question.objects.count() == 122


def test_benefit_change_page_shows_its_questions_inline(taxonomy, staff):
    """A benefit's page lists its two questions for editing."""
    benefit = Benefit.objects.get(path=PERSONAL)
    response = staff.get(reverse("admin:taxonomy_benefit_change", args=[benefit.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for question in benefit.questions.all():
        assert question.text in body


def test_preview_shows_six_sections_with_every_active_question(taxonomy, staff):
    """The preview groups the live questions in the six concept x scope sections, with the options."""
    Question.objects.filter(benefit__path=PERSONAL, dimension="importance").update(is_active=False)
    response = staff.get(reverse("admin:taxonomy_question_preview"))
    assert response.status_code == 200
    sections = response.context["sections"]
    assert len(sections) == 6
    assert [s["section"].title for s in sections][:2] == ["Internal social media", "External social media"]
    assert response.context["questionnaire"].question_count == 121
    body = response.content.decode()
    assert "4 - Very important" in body
    assert "Don&#x27;t know" in body or "Don't know" in body
    assert "Improved Relationships: Personal" in body  # its realization question is still there


def test_staff_without_permission_gets_403(taxonomy, client):
    """A staff user without the question permissions can open neither the list nor the preview."""
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(reverse("admin:taxonomy_question_preview")).status_code == 403


def test_view_permission_allows_the_preview_but_not_the_actions(taxonomy, client):
    """View-only staff see the list and the preview; change actions are not offered."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_question"))
    client.force_login(user)
    assert client.get(reverse("admin:taxonomy_question_preview")).status_code == 200
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    action_form = response.context["action_form"]
    actions = [name for name, _ in action_form.fields["action"].choices] if action_form else []
    assert "deactivate" not in actions
    assert "delete_selected" not in actions
    question = Question.objects.first()
    act(client, "deactivate", [question])
    assert Question.objects.get(pk=question.pk).is_active


def test_deleting_an_answered_benefit_is_refused_with_a_message(taxonomy, staff):
    """The delete view redirects with an explanation and deletes nothing."""
    answer(PERSONAL)
    benefit = Benefit.objects.get(path=PERSONAL)
    response = staff.post(reverse("admin:taxonomy_benefit_delete", args=[benefit.pk]), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert "Cannot delete benefit" in response.content.decode()
    assert "has answers" in response.content.decode()
    assert Benefit.objects.filter(path=PERSONAL).exists()


def test_deleting_a_parent_of_an_answered_sub_benefit_is_refused(taxonomy, staff):
    """Answers below a benefit protect it too: no cascade into the answered child."""
    answer(PERSONAL)
    parent = Benefit.objects.get(path=PERSONAL.rsplit("/", 1)[0])
    response = staff.get(reverse("admin:taxonomy_benefit_delete", args=[parent.pk]), follow=True)
    assert "Cannot delete benefit" in response.content.decode()
    assert Benefit.objects.filter(pk=parent.pk).exists()


def test_bulk_delete_of_answered_benefits_is_refused(taxonomy, staff):
    """The bulk action refuses before its confirmation page, and after it."""
    answer(PERSONAL)
    chosen = [Benefit.objects.get(path=PERSONAL).pk, Benefit.objects.get(path=FEEDBACK).pk]
    for extra in ({}, {"post": "yes"}):
        response = staff.post(
            reverse("admin:taxonomy_benefit_changelist"),
            {"action": "delete_selected", "_selected_action": chosen, **extra},
            follow=True,
        )
        assert response.status_code == 200
        assert "Cannot delete benefit" in response.content.decode()
    assert Benefit.objects.filter(pk__in=chosen).count() == 2


def test_deleting_an_unanswered_benefit_still_works(taxonomy, staff):
    """Refusal is only for answered data: an unused benefit can go."""
    benefit = Benefit.objects.get(path=PERSONAL)
    staff.post(reverse("admin:taxonomy_benefit_delete", args=[benefit.pk]), {"post": "yes"})
    assert not Benefit.objects.filter(path=PERSONAL).exists()


def test_deleting_an_answered_question_is_refused_single_and_bulk(taxonomy, staff):
    """A question with answers cannot be deleted; one in a frozen questionnaire neither."""
    answer(PERSONAL, "importance")
    answered = Question.objects.get(benefit__path=PERSONAL, dimension="importance")
    frozen = Question.objects.get(benefit__path=FEEDBACK, dimension="importance")
    response = staff.post(reverse("admin:taxonomy_question_delete", args=[answered.pk]), {"post": "yes"}, follow=True)
    assert "Cannot delete question" in response.content.decode()
    response = act(staff, "delete_selected", [answered, frozen], post="yes")
    body = response.content.decode()
    assert "it has answers" in body
    assert "frozen questionnaire" in body
    assert Question.objects.count() == 122


def test_sub_benefit_inline_refuses_deleting_an_answered_child(taxonomy, staff):
    """Deleting an answered sub-benefit from its parent's page shows a form error; nothing is deleted."""
    answer(PERSONAL)
    parent = Benefit.objects.get(path=PERSONAL.rsplit("/", 1)[0])
    url = reverse("admin:taxonomy_benefit_change", args=[parent.pk])
    page = staff.get(url)
    data = {}
    for formset in [page.context["adminform"].form, *[f.formset for f in page.context["inline_admin_formsets"]]]:
        if hasattr(formset, "management_form"):
            for field, value in formset.management_form.initial.items():
                data[f"{formset.prefix}-{field}"] = value
            for form in formset.forms:
                for name, field in form.fields.items():
                    value = form.initial.get(name, field.initial)
                    if value is not None and value is not False:
                        data[form.add_prefix(name)] = getattr(value, "pk", value)
                if form.instance.pk and form.instance.pk == Benefit.objects.get(path=PERSONAL).pk:
                    data[form.add_prefix("DELETE")] = "on"
        else:
            for name, field in formset.fields.items():
                value = formset.initial.get(name, field.initial)
                if value is not None and value is not False:
                    data[name] = getattr(value, "pk", value)
    response = staff.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert "Cannot delete sub-benefit" in response.content.decode()
    assert Benefit.objects.filter(path=PERSONAL).exists()


@pytest.mark.parametrize("model", ["benefit", "question", "concept", "scope"])
def test_add_pages_open(taxonomy, staff, model):
    """Every add page renders (the benefit one has a questions inline with no benefit yet)."""
    assert staff.get(reverse(f"admin:taxonomy_{model}_add")).status_code == 200


# --- Editing a benefit: guidance, names and the tree ---------------------------------

RELATIONSHIPS = "social-networking/external/improved-relationships"


def change_data(client, benefit: Benefit, **changes) -> dict:
    """The POST the change page would send unchanged (inlines included), with ``changes`` applied."""
    page = client.get(reverse("admin:taxonomy_benefit_change", args=[benefit.pk]))
    main = page.context["adminform"].form
    data = {}
    for form in [main, *[f for inline in page.context["inline_admin_formsets"] for f in inline.formset.forms]]:
        for name, field in form.fields.items():
            value = field.prepare_value(form.initial.get(name, field.initial))
            if value is not None and value is not False:
                data[form.add_prefix(name)] = value
    for inline in page.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        for field, value in management.initial.items():
            data[f"{inline.formset.prefix}-{field}"] = value
    data.update(changes)
    return data


def save(client, benefit: Benefit, **changes):
    return client.post(
        reverse("admin:taxonomy_benefit_change", args=[benefit.pk]), change_data(client, benefit, **changes)
    )


def test_guidance_lists_are_edited_one_item_per_line(taxonomy, staff):
    """The change page shows indicators one per line; saving splits lines and drops blank ones."""
    benefit = Benefit.objects.get(path=FEEDBACK)
    page = staff.get(reverse("admin:taxonomy_benefit_change", args=[benefit.pk])).content.decode()
    assert "\n".join(benefit.indicators) in page.replace("&quot;", '"').replace("&#x27;", "'")
    response = save(staff, benefit, indicators="First sign.\n\n  Second sign.  \n", practices="One practice.")
    assert response.status_code == 302
    benefit.refresh_from_db()
    assert benefit.indicators == ["First sign.", "Second sign."]
    assert benefit.practices == ["One practice."]


@pytest.mark.parametrize("name", ["=SUM(A1)", "+1", "@me", "-x", "Bad\u202ename", "Tab\there"])
def test_a_name_a_spreadsheet_would_run_or_with_control_characters_is_refused(taxonomy, staff, name):
    """Names leave the app in CSV and terminals: the change form refuses them beside the field."""
    benefit = Benefit.objects.get(path=FEEDBACK)
    response = save(staff, benefit, name=name)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert Benefit.objects.get(pk=benefit.pk).name == "Improved Feedback"


@pytest.mark.parametrize("model", ["concept", "scope"])
def test_concept_and_scope_names_are_plain_text_too(taxonomy, staff, model):
    obj = (Concept if model == "concept" else Scope).objects.first()
    url = reverse(f"admin:taxonomy_{model}_change", args=[obj.pk])
    text_field = "definition" if model == "concept" else "description"
    response = staff.post(url, {"slug": obj.slug, "name": "=1+1", text_field: "", "order": obj.order})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]


def test_a_benefit_cannot_be_its_own_parent_or_sit_under_its_own_sub_benefit(taxonomy, staff):
    """Both would make a loop no walk of the tree reaches: refused beside the parent field."""
    parent = Benefit.objects.get(path=RELATIONSHIPS)
    child = Benefit.objects.get(path=f"{RELATIONSHIPS}/personal")
    for new_parent in (parent, child):
        response = save(staff, parent, parent=new_parent.pk)
        assert response.status_code == 200
        assert "its own parent" in response.context["adminform"].form.errors["parent"][0]
    assert Benefit.objects.get(pk=parent.pk).parent_id is None


@pytest.mark.parametrize(
    "other", ["social-networking/internal/improved-relationships", "social-media/external/improved-feedback"]
)
def test_a_parent_in_another_scope_or_concept_is_refused(taxonomy, staff, other):
    benefit = Benefit.objects.get(path=f"{RELATIONSHIPS}/personal")
    response = save(staff, benefit, parent=Benefit.objects.get(path=other).pk)
    assert response.status_code == 200
    assert "sits in its parent's concept and scope" in response.context["adminform"].form.errors["parent"][0]
    assert Benefit.objects.get(pk=benefit.pk).path == f"{RELATIONSHIPS}/personal"


def test_renaming_a_slug_moves_every_descendant_path(taxonomy, staff):
    """A new slug on a parent gives its sub-benefits new paths; nothing keeps a stale one."""
    parent = Benefit.objects.get(path=RELATIONSHIPS)
    assert save(staff, parent, slug="relationships").status_code == 302
    moved = "social-networking/external/relationships"
    assert sorted(Benefit.objects.filter(path__startswith=moved).values_list("path", "depth")) == [
        (moved, 0),
        (f"{moved}/organizational", 1),
        (f"{moved}/personal", 1),
        (f"{moved}/professional", 1),
    ]
    assert not Benefit.objects.filter(path__startswith=RELATIONSHIPS).exists()


def test_moving_a_benefit_under_a_new_parent_recomputes_paths_and_depths(taxonomy, staff):
    """A top-level benefit moved under another brings its sub-benefits, one level deeper."""
    recruiting = Benefit.objects.get(path="social-networking/external/improved-recruiting")
    reach = Benefit.objects.get(path="social-networking/external/improved-reach")
    assert save(staff, recruiting, parent=reach.pk).status_code == 302
    moved = "social-networking/external/improved-reach/improved-recruiting"
    assert Benefit.objects.get(pk=recruiting.pk).depth == 1
    assert Benefit.objects.get(path=f"{moved}/personalized-recruiting").depth == 2


def test_a_new_concept_slug_moves_every_path_of_the_concept(taxonomy, staff):
    concept = Concept.objects.get(slug="social-media")
    concept.slug = "media"
    concept.save()
    assert Benefit.objects.filter(path__startswith="media/").count() == 7
    assert not Benefit.objects.filter(path__startswith="social-media/").exists()


def test_an_answered_node_moved_in_admin_keeps_its_answers_in_the_report_and_export(taxonomy, staff):
    """Paths are recomputed, answers follow the node: the export names the new path."""
    answer(f"{RELATIONSHIPS}/personal")
    parent = Benefit.objects.get(path=RELATIONSHIPS)
    assert save(staff, parent, slug="relationships").status_code == 302
    out = io.StringIO()
    call_command(
        "export_responses",
        organization=Organization.objects.get().name,
        assessment=Assessment.objects.get().title,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "social-networking/external/relationships/personal,importance,4" in out.getvalue()


def test_export_responses_never_crashes_on_a_node_no_root_leads_to(taxonomy):
    """A parent loop written past validation: the answers are still exported, none dropped."""
    answer(f"{RELATIONSHIPS}/personal")
    parent = Benefit.objects.get(path=RELATIONSHIPS)
    child = Benefit.objects.get(path=f"{RELATIONSHIPS}/personal")
    Benefit.objects.filter(pk=parent.pk).update(parent=child)  # bypasses clean(): a loop
    out = io.StringIO()
    call_command(
        "export_responses",
        organization=Organization.objects.get().name,
        assessment=Assessment.objects.get().title,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert out.getvalue().splitlines()[1:] == [f"r1,{RELATIONSHIPS}/personal,importance,4"]


def test_bulk_delete_of_600_benefits_works_on_sqlite(taxonomy, staff):
    """The admin's "delete selected" over 600 unanswered nodes: no "Expression tree is too large"."""
    concept, scope = Concept.objects.first(), Scope.objects.first()
    Benefit.objects.bulk_create(
        Benefit(concept=concept, scope=scope, name=f"Extra {i}", slug=f"extra-{i}", path=f"x/{i}") for i in range(600)
    )
    chosen = list(Benefit.objects.filter(path__startswith="x/").values_list("pk", flat=True))
    response = staff.post(
        reverse("admin:taxonomy_benefit_changelist"),
        {"action": "delete_selected", "_selected_action": chosen, "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert Benefit.objects.count() == 61


def test_a_sub_benefit_added_inline_takes_its_parent_s_concept_and_scope(taxonomy, staff):
    """The inline row has no concept or scope field: the parent's are used, and the path follows."""
    parent = Benefit.objects.get(path=RELATIONSHIPS)
    page = staff.get(reverse("admin:taxonomy_benefit_change", args=[parent.pk]))
    inline = next(f.formset for f in page.context["inline_admin_formsets"] if f.formset.model is Benefit)
    prefix, total = inline.prefix, inline.total_form_count()
    data = change_data(staff, parent)
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": total + 1,
            f"{prefix}-{total}-name": "Neighborly",
            f"{prefix}-{total}-slug": "neighborly",
            f"{prefix}-{total}-order": 9,
            f"{prefix}-{total}-is_active": "on",
        }
    )
    response = staff.post(reverse("admin:taxonomy_benefit_change", args=[parent.pk]), data)
    assert response.status_code == 302
    child = Benefit.objects.get(path=f"{RELATIONSHIPS}/neighborly")
    assert (child.concept_id, child.scope_id, child.depth) == (parent.concept_id, parent.scope_id, 1)


# --- Translations (contract section 17) -------------------------------------------------------------


def test_a_concepts_german_is_edited_as_fields_of_its_own(taxonomy, staff):
    concept = Concept.objects.get(slug="social-media")
    page = staff.get(reverse("admin:taxonomy_concept_change", args=[concept.pk]))
    assert 'name="name_de"' in page.text and 'name="description_de"' in page.text

    saved = staff.post(
        reverse("admin:taxonomy_concept_change", args=[concept.pk]),
        {
            "slug": concept.slug,
            "name": concept.name,
            "definition": concept.definition,
            "order": concept.order,
            "name_de": "Soziale Medien",
            "description_de": "Medien für soziale Interaktion.",
        },
    )

    assert saved.status_code == 302
    concept.refresh_from_db()
    assert concept.translations == {"de": {"name": "Soziale Medien", "description": "Medien für soziale Interaktion."}}


def test_a_questions_german_wording_is_edited_beside_the_english(taxonomy, staff):
    question = Question.objects.get(benefit__path=FEEDBACK, dimension="importance")
    page = staff.get(reverse("admin:taxonomy_question_change", args=[question.pk]))
    assert question.translations["de"]["text"] in page.text

    staff.post(
        reverse("admin:taxonomy_question_change", args=[question.pk]),
        {
            "text": question.text,
            "help_text": question.help_text,
            "order": question.order,
            "is_active": "on",
            "text_de": "Wie wichtig ist Feedback?",
            "help_text_de": "",
        },
    )

    question.refresh_from_db()
    assert question.translations == {"de": {"text": "Wie wichtig ist Feedback?"}}


def test_an_empty_german_field_is_no_translation(taxonomy, staff):
    scope = Scope.objects.get(slug="internal")

    staff.post(
        reverse("admin:taxonomy_scope_change", args=[scope.pk]),
        {"slug": scope.slug, "name": scope.name, "description": scope.description, "order": scope.order},
    )

    scope.refresh_from_db()
    assert scope.translations == {}
