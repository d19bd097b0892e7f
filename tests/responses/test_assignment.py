"""A shorter survey: which benefits a response is assigned, and what the form then asks (contract section 12)."""

from __future__ import annotations

import itertools
import random
import re

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments.models import Assessment, Audience
from assessments.selectors import assessment_questionnaire, questionnaires_forget
from assessments.services import assessment_get_or_create
from organizations.services import organization_erase, organization_get_or_create
from responses.invitations.services import invitations_create
from responses.models import Answer, AssignmentCount, Response
from responses.respond.assignment import choose_benefits, response_questionnaire
from responses.respond.services import Rating, answers_save, response_revision, response_start, response_withdraw
from responses.selectors import invitation_for_token
from tests.factories import MembershipFactory
from tests.responses.form_helpers import section_url

pytestmark = pytest.mark.django_db

TOP_LEVEL = 41  # benefits of the canonical taxonomy without a parent


@pytest.fixture
def assessment(taxonomy) -> Assessment:
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Short 2026")
    Assessment.objects.filter(pk=assessment.pk).update(benefits_per_respondent=5)
    assessment.refresh_from_db()
    return assessment


def start(assessment, audience=Audience.BOTH) -> Response:
    invitation = invitation_for_token(invitations_create(assessment=assessment, count=1, audience=audience)[0])
    return response_start(assessment=assessment, invitation=invitation)[0]


def counts(assessment) -> dict[int, int]:
    return dict(AssignmentCount.objects.filter(assessment=assessment).values_list("benefit_id", "count"))


def root(path: str) -> str:
    return "/".join(path.split("/")[:3])


# --- The rule --------------------------------------------------------------------


def test_choose_takes_the_least_assigned():
    """The m ids with the fewest assignments are chosen, whatever the random tie-breaking."""
    assert choose_benefits({1: 3, 2: 0, 3: 1, 4: 0}, 2) == [2, 4]
    assert choose_benefits({1: 3, 2: 0, 3: 1, 4: 0}, 3) == [2, 3, 4]


def test_choose_breaks_ties_at_random():
    """Among equally assigned benefits, each is drawn: over many draws every one of them comes up."""
    drawn = {tuple(choose_benefits(dict.fromkeys(range(6), 0), 2, rng=random.Random(seed))) for seed in range(200)}
    assert {i for pair in drawn for i in pair} == set(range(6))
    assert len(drawn) > 5


# --- Start -----------------------------------------------------------------------


def test_a_response_is_assigned_m_top_level_benefits_and_counted(assessment):
    """Starting assigns exactly m distinct top-level benefits and adds one to each of their counters."""
    response = start(assessment)
    response.refresh_from_db()
    top_level = {b.id for b in assessment_questionnaire(assessment=assessment).top_level()}
    assert len(response.assigned_benefits) == 5 == len(set(response.assigned_benefits))
    assert set(response.assigned_benefits) <= top_level
    assert counts(assessment) == dict.fromkeys(response.assigned_benefits, 1)


def test_a_response_asks_exactly_its_benefits_with_their_sub_benefits(assessment):
    """The response's questionnaire is its m benefits and every sub-benefit of theirs, nothing else."""
    response = start(assessment)
    full = assessment_questionnaire(assessment=assessment)
    asked = response_questionnaire(response=response, questionnaire=full)
    assigned_paths = {b.path for b in full.benefits if b.id in response.assigned_benefits}
    expected = {b.path for b in full.benefits if root(b.path) in assigned_paths}
    assert {b.path for b in asked.benefits} == expected
    assert len(asked.top_level()) == 5
    assert asked.question_count == 2 * len(expected)
    assert all(s.benefits for s in asked.sections), "no empty section"
    assert [s.index for s in asked.sections] == list(range(len(asked.sections)))


def test_starting_twice_keeps_the_first_assignment(assessment):
    """A second start (another tab, a reload) returns the same draft with the same benefits, counted once."""
    invitation = invitation_for_token(invitations_create(assessment=assessment, count=1)[0])
    first, _ = response_start(assessment=assessment, invitation=invitation)
    again, created = response_start(assessment=assessment, invitation=invitation)
    assert not created and again.assigned_benefits == first.assigned_benefits
    assert sum(counts(assessment).values()) == 5


def test_a_withdrawn_response_still_counts(assessment):
    """Withdrawing deletes the draft, not what it was assigned: the counters stay as they were."""
    response = start(assessment)
    before = counts(assessment)
    response_withdraw(response=response)
    assert counts(assessment) == before and sum(before.values()) == 5


def test_the_balance_holds_over_many_starts(assessment):
    """After any number of starts, two top-level benefits' counts differ by at most 1."""
    for _ in range(20):
        start(assessment)
    values = [counts(assessment).get(b.id, 0) for b in assessment_questionnaire(assessment=assessment).top_level()]
    assert sum(values) == 100 and max(values) - min(values) <= 1


def test_m_at_least_the_number_of_benefits_asks_everything(assessment):
    """m larger than the questionnaire assigns every top-level benefit."""
    Assessment.objects.filter(pk=assessment.pk).update(benefits_per_respondent=500)
    assessment.refresh_from_db()
    response = start(assessment)
    assert len(response.assigned_benefits) == TOP_LEVEL


def test_nothing_changes_without_the_settings(taxonomy):
    """No m and an audience of both: no assignment, no counter, the whole questionnaire."""
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Full")
    response = start(assessment)
    response.refresh_from_db()
    assert response.assigned_benefits is None
    assert not AssignmentCount.objects.exists()
    full = assessment_questionnaire(assessment=assessment)
    assert response_questionnaire(response=response, questionnaire=full) is full


def test_a_member_sees_both_scopes(assessment):
    """A member's response (no invitation) draws from every section."""
    member = MembershipFactory(organization=assessment.organization, role="respondent").user
    response, _ = response_start(assessment=assessment, user=member)
    scopes = {b.scope for b in assessment_questionnaire(assessment=assessment).top_level()}
    assert len(response.assigned_benefits) == 5 and scopes == {"internal", "external"}


# --- Audience --------------------------------------------------------------------


@pytest.mark.parametrize("audience", [Audience.INTERNAL, Audience.EXTERNAL])
def test_the_audience_hides_the_other_scope(assessment, audience):
    """An internal-only or external-only invitation is assigned benefits of that scope only."""
    full = assessment_questionnaire(assessment=assessment)
    for _ in range(6):
        response = start(assessment, audience=audience)
        asked = response_questionnaire(response=response, questionnaire=full)
        assert {s.scope.slug for s in asked.sections} == {audience.value}


def test_an_audience_without_m_asks_that_scope_in_full(taxonomy):
    """No m, external only: every external benefit, the external sections only."""
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Partners")
    response = start(assessment, audience=Audience.EXTERNAL)
    full = assessment_questionnaire(assessment=assessment)
    asked = response_questionnaire(response=response, questionnaire=full)
    assert [s.title for s in asked.sections] == [s.title for s in full.sections if s.scope.slug == "external"]
    assert asked.question_count == sum(s.question_count for s in full.sections if s.scope.slug == "external")


# --- The form --------------------------------------------------------------------


@pytest.fixture
def token(assessment) -> str:
    return invitations_create(assessment=assessment, count=1)[0]


def test_the_form_shows_only_the_assigned_benefits(client, assessment, token):
    """Every section page of a shortened response shows its benefits only; the progress counts only them."""
    client.post(reverse("responses:invitation:start", kwargs={"token": token}))
    response = Response.objects.get(invitation__isnull=False)
    asked = response_questionnaire(response=response, questionnaire=assessment_questionnaire(assessment=assessment))
    shown = set()
    for section in asked.sections:
        page = client.get(section_url(token, section.index + 1)).content.decode()
        shown |= {int(i) for i in re.findall(r'name="q-(\d+)-importance"', page)}
        assert f"Section {section.index + 1} of {len(asked.sections)}" in page
        assert f"of {asked.question_count} questions answered" in page
    assert shown == {b.id for b in asked.benefits}
    assert client.get(section_url(token, len(asked.sections) + 1)).status_code == 404


def test_review_and_submit_count_only_the_assigned_questions(client, assessment, token):
    """Answering the assigned questions is enough to submit; the answers are exactly those benefits."""
    client.post(reverse("responses:invitation:start", kwargs={"token": token}))
    response = Response.objects.get(invitation__isnull=False)
    asked = response_questionnaire(response=response, questionnaire=assessment_questionnaire(assessment=assessment))
    for section in asked.sections:
        response.refresh_from_db()
        data = {"section": str(section.index + 1), "revision": response_revision(response), "action": "next"}
        data |= {f"q-{b.id}-{q.dimension}": "4" for b in section.benefits for q in b.questions}
        assert client.post(section_url(token, section.index + 1), data).status_code == 302
    review = reverse("responses:invitation:review", kwargs={"token": token})
    assert f"{asked.question_count} of {asked.question_count} questions answered" in client.get(review).content.decode()
    assert client.post(review, {"action": "submit"}).status_code == 302
    response.refresh_from_db()
    assert response.is_submitted
    assert set(Answer.objects.filter(response=response).values_list("benefit_id", flat=True)) == {
        b.id for b in asked.benefits
    }


def test_a_question_outside_the_assignment_is_refused(client, assessment, token):
    """A POST with a question the response was not assigned saves nothing (the page never showed it)."""
    client.post(reverse("responses:invitation:start", kwargs={"token": token}))
    response = Response.objects.get(invitation__isnull=False)
    full = assessment_questionnaire(assessment=assessment)
    other = next(b for b in full.top_level() if b.id not in response.assigned_benefits)
    data = {"section": "1", "revision": response_revision(response), "action": "next", f"q-{other.id}-importance": "3"}
    assert client.post(section_url(token, 1), data).status_code == 400
    assert not Answer.objects.filter(response=response).exists()


def test_the_intro_says_the_responses_own_length(client, assessment, token):
    """Before start the intro gives about how many questions; once started, the response's exact number."""
    intro = reverse("responses:invitation:start", kwargs={"token": token})
    before = client.get(intro).content.decode()
    assert "about 15 in all" in before  # 122 questions * 5 / 41 benefits
    client.post(intro)
    response = Response.objects.get(invitation__isnull=False)
    asked = response_questionnaire(response=response, questionnaire=assessment_questionnaire(assessment=assessment))
    after = client.get(intro + "?about=1").content.decode()
    assert f"({asked.question_count} in all)" in after
    assert re.search(rf'hp-fact-value">{len(asked.sections)}</span> <span class="hp-fact-label">short section', after)


def test_the_intro_of_a_full_assessment_is_unchanged(client, taxonomy):
    """Without the settings: 61 benefits, 122 questions, 7 pages (the longest section in 2 parts), about 13 minutes."""
    org, _ = organization_get_or_create(name="Acme")
    full, _ = assessment_get_or_create(organization=org, title="Full")
    token = invitations_create(assessment=full, count=1)[0]
    page = client.get(reverse("responses:invitation:start", kwargs={"token": token})).content.decode()
    assert "(122 in all)" in page and ">61<" in page and ">7<" in page and "~13 min" in page


# --- Property: any order of starts and withdrawals, any m ------------------------------


_examples = itertools.count()

PROFILE = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@PROFILE
@given(
    m=st.integers(min_value=1, max_value=TOP_LEVEL + 3),
    steps=st.lists(st.tuples(st.sampled_from(["start", "withdraw"]), st.integers(0, 5)), min_size=1, max_size=14),
)
def test_any_order_of_starts_keeps_the_balance(taxonomy, m, steps):
    """Whatever m and the order of starts and withdrawals, any two benefits' counts differ by at most 1."""
    org, _ = organization_get_or_create(name="Prop")
    assessment, _ = assessment_get_or_create(organization=org, title=f"Example {next(_examples)}")
    Assessment.objects.filter(pk=assessment.pk).update(benefits_per_respondent=m)
    assessment.refresh_from_db()
    invitations = [invitation_for_token(t) for t in invitations_create(assessment=assessment, count=6)]
    top_level = [b.id for b in assessment_questionnaire(assessment=assessment).top_level()]
    starts = 0
    for action, i in steps:
        draft = Response.objects.filter(invitation=invitations[i]).first()
        if action == "start":
            response, created = response_start(assessment=assessment, invitation=invitations[i])
            starts += created
            assert len(response.assigned_benefits) == min(m, TOP_LEVEL)
        elif draft is not None:
            response_withdraw(response=draft)
        values = [counts(assessment).get(b, 0) for b in top_level]
        assert max(values) - min(values) <= 1
        assert sum(values) == starts * min(m, TOP_LEVEL)


def test_erasing_the_organization_erases_its_assignment_counts(assessment):
    """The counters belong to the assessment: erasing the organization leaves none behind."""
    start(assessment)
    assert AssignmentCount.objects.exists()
    organization_erase(organization=assessment.organization)
    assert not AssignmentCount.objects.exists() and not Response.objects.exists()


def test_a_shortened_section_costs_the_same_queries_as_a_full_one(client, assessment, token, django_assert_num_queries):
    """The assignment is read with the response: section GET and POST stay at 7 and 15 queries."""
    client.post(reverse("responses:invitation:start", kwargs={"token": token}))
    response = Response.objects.get(invitation__isnull=False)
    asked = response_questionnaire(response=response, questionnaire=assessment_questionnaire(assessment=assessment))
    # Freeze the wording first: the very first answer of an assessment pays a one-off snapshot.
    first = asked.sections[0].benefits[0]
    answers_save(response=response, ratings=[Rating(first.id, "importance", 3)])
    questionnaires_forget()  # as on the first page after the questionnaire is no longer kept
    with django_assert_num_queries(7):
        assert client.get(section_url(token, 1)).status_code == 200
    questionnaires_forget()
    response.refresh_from_db()
    section = asked.sections[0]
    data = {"section": "1", "revision": response_revision(response), "action": "next"}
    data |= {f"q-{b.id}-{q.dimension}": "5" for b in section.benefits for q in b.questions}
    with django_assert_num_queries(15):
        assert client.post(section_url(token, 1), data).status_code == 302
