"""Anonymity after submit, withdrawal before it, and erasure of an organization (contract section 6)."""

from __future__ import annotations

import contextlib
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from assessments.models import Assessment, AssessmentQuestion
from assessments.selectors import assessment_questionnaire
from assessments.services import assessment_get_or_create
from organizations.models import Membership, Organization
from organizations.services import organization_get_or_create
from responses.imports.services import responses_import
from responses.invitations.services import invitations_create
from responses.models import Answer, Invitation, Participation, Response
from responses.respond.services import (
    AlreadySubmittedError,
    Rating,
    ResponseSubmittedError,
    answers_save,
    response_start,
    response_submit,
    response_withdraw,
)
from responses.selectors import invitation_for_token
from tests.factories import AssessmentFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(taxonomy):
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Baseline")
    return assessment


def first_benefit(assessment: Assessment) -> int:
    return assessment_questionnaire(assessment=assessment).benefits[0].id


def assert_anonymous(response: Response) -> None:
    response.refresh_from_db()
    assert response.is_submitted
    assert (response.user_id, response.invitation_id, response.started_at, response.updated_at) == (None,) * 4
    assert response.respondent.startswith("w-")


def test_an_invitations_response_is_cut_loose_at_submit(survey):
    """The link is marked used; the response keeps a day and whole minutes, no link and no time of day."""
    invitation = invitation_for_token(invitations_create(assessment=survey, count=1)[0])
    response, _ = response_start(assessment=survey, invitation=invitation)
    answers_save(response=response, ratings=[Rating(first_benefit(survey), "importance", 4)])
    assert response_submit(response=response) is True
    assert_anonymous(response)
    assert response.duration_minutes == 0
    invitation.refresh_from_db()
    assert invitation.submitted
    with pytest.raises(AlreadySubmittedError):
        response_start(assessment=survey, invitation=invitation)
    assert Response.objects.filter(assessment=survey).count() == 1


def test_a_members_response_is_cut_loose_at_submit(survey):
    """The member is marked as having taken part; nothing says which response is theirs; no second start."""
    member = MembershipFactory(organization=survey.organization, role=Membership.Role.RESPONDENT).user
    response, _ = response_start(assessment=survey, user=member)
    answers_save(response=response, ratings=[Rating(first_benefit(survey), "importance", 2)])
    response_submit(response=response)
    assert_anonymous(response)
    assert Participation.objects.filter(assessment=survey, user=member).exists()
    assert not Response.objects.filter(user=member).exists()
    with pytest.raises(AlreadySubmittedError):
        response_start(assessment=survey, user=member)


def test_the_database_refuses_a_submitted_response_linked_to_a_person(survey):
    from django.db import IntegrityError, transaction

    member = UserFactory()
    response, _ = response_start(
        assessment=survey, invitation=invitation_for_token(invitations_create(assessment=survey, count=1)[0])
    )
    response_submit(response=response)
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.filter(pk=response.pk).update(user=member)


def test_withdraw_deletes_the_draft_and_every_answer(survey):
    """Before submit: the draft and its answers go, and the same link may start again."""
    invitation = invitation_for_token(invitations_create(assessment=survey, count=1)[0])
    response, _ = response_start(assessment=survey, invitation=invitation)
    answers_save(response=response, ratings=[Rating(first_benefit(survey), "importance", 4)])
    assert response_withdraw(response=response) is True
    assert not Response.objects.filter(pk=response.pk).exists()
    assert not Answer.objects.filter(response_id=response.pk).exists()
    again, created = response_start(assessment=survey, invitation=invitation)
    assert created and again.pk != response.pk


def test_a_submitted_response_cannot_be_withdrawn(survey):
    invitation = invitation_for_token(invitations_create(assessment=survey, count=1)[0])
    response, _ = response_start(assessment=survey, invitation=invitation)
    response_submit(response=response)
    with pytest.raises(ResponseSubmittedError):
        response_withdraw(response=response)


def test_withdraw_page_asks_first_then_deletes(client, survey):
    """GET shows a confirmation and changes nothing; POST deletes and returns to the intro."""
    token = invitations_create(assessment=survey, count=1)[0]
    client.post(reverse("responses:invitation:start", kwargs={"token": token}))
    response = Response.objects.get(assessment=survey)
    answers_save(response=response, ratings=[Rating(first_benefit(survey), "importance", 4)])
    url = reverse("responses:invitation:withdraw", kwargs={"token": token})
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Withdraw and delete my answers" in confirm.content.decode()
    assert Answer.objects.filter(response=response).count() == 1
    done = client.post(url)
    assert done.status_code == 302 and done.url == reverse("responses:invitation:start", kwargs={"token": token})
    assert not Response.objects.filter(assessment=survey).exists() and not Answer.objects.exists()
    intro = client.get(done.url)
    assert "withdrawn" in intro.content.decode() and "Start" in intro.content.decode()


def test_the_intro_and_review_pages_offer_withdrawal(client, survey):
    token = invitations_create(assessment=survey, count=1)[0]
    client.post(reverse("responses:invitation:start", kwargs={"token": token}))
    withdraw = reverse("responses:invitation:withdraw", kwargs={"token": token})
    about = client.get(reverse("responses:invitation:start", kwargs={"token": token}) + "?about=1")
    assert withdraw in about.content.decode()
    assert withdraw in client.get(reverse("responses:invitation:review", kwargs={"token": token})).content.decode()


def _fill(organization: Organization, taxonomy_benefit: int) -> Assessment:
    assessment = AssessmentFactory(organization=organization)
    MembershipFactory(organization=organization)
    invitations_create(assessment=assessment, count=3)
    responses_import(assessment=assessment, ratings_by_respondent={"r1": [Rating(taxonomy_benefit, "importance", 3)]})
    member = MembershipFactory(organization=organization, role=Membership.Role.RESPONDENT).user
    draft, _ = response_start(assessment=assessment, user=member)
    answers_save(response=draft, ratings=[Rating(taxonomy_benefit, "importance", 1)])
    return assessment


def test_erase_organization_needs_yes_and_leaves_nothing_of_it(taxonomy):
    """Without --yes it says what would go and deletes nothing; with it no row of the organization is left."""
    from taxonomy.models import Benefit

    benefit = Benefit.objects.first().pk
    acme, other = (
        Organization.objects.create(name="Acme", slug="acme"),
        Organization.objects.create(name="Other", slug="other"),
    )
    kept = _fill(other, benefit)
    erased = _fill(acme, benefit)
    before = {m: m.objects.count() for m in (Answer, Response, Invitation, Assessment, Membership, Organization)}

    err = io.StringIO()
    call_command("erase_organization", "Acme", stderr=err, stdout=io.StringIO())
    assert "Would delete" in err.getvalue() and "2 answers" in err.getvalue() and "2 responses" in err.getvalue()
    assert {m: m.objects.count() for m in before} == before

    err = io.StringIO()
    call_command("erase_organization", "Acme", "--yes", stderr=err, stdout=io.StringIO())
    assert "Erased Acme" in err.getvalue()
    assert not Organization.objects.filter(name="Acme").exists()
    assert not Assessment.objects.filter(pk=erased.pk).exists()
    assert not AssessmentQuestion.objects.filter(assessment_id=erased.pk).exists()
    for model in (Answer, Response, Invitation):
        assert not model.objects.filter(assessment_id=erased.pk).exists()
    assert not Membership.objects.filter(organization_id=acme.pk).exists()
    # The other organization is untouched.
    assert Answer.objects.filter(assessment=kept).count() == 2
    assert Response.objects.filter(assessment=kept).count() == 2
    assert Invitation.objects.filter(assessment=kept).count() == 3
    assert Membership.objects.filter(organization=other).count() == 2


def test_erase_organization_refuses_an_unknown_name(taxonomy):
    from common.commands import InputError

    with pytest.raises(InputError):
        call_command("erase_organization", "Nobody", "--yes", stderr=io.StringIO())


class TwoTabs(RuleBasedStateMachine):
    """Start, save, submit and withdraw, in any order, from two tabs of one invitation and one member.

    Whatever happens, no submitted response is ever linked to a person, and
    each way in submits at most one response.
    """

    def __init__(self) -> None:
        super().__init__()
        org, _ = organization_get_or_create(name="State Org")
        self.assessment, _ = assessment_get_or_create(organization=org, title=f"Round {Assessment.objects.count()}")
        self.benefit = first_benefit(self.assessment)
        self.invitation = invitation_for_token(invitations_create(assessment=self.assessment, count=1)[0])
        self.member = MembershipFactory(organization=org, role=Membership.Role.RESPONDENT).user
        # Each tab keeps the response object it loaded, stale or not, as a browser tab would.
        self.tabs: dict[tuple[str, int], Response | None] = {}

    def _way(self, way: str) -> dict:
        return {"invitation": self.invitation} if way == "invitation" else {"user": self.member}

    @rule(way=st.sampled_from(["invitation", "member"]), tab=st.integers(0, 1))
    def start(self, way, tab):
        with contextlib.suppress(AlreadySubmittedError):
            self.tabs[(way, tab)], _ = response_start(assessment=self.assessment, **self._way(way))

    @rule(way=st.sampled_from(["invitation", "member"]), tab=st.integers(0, 1), value=st.integers(1, 5))
    def save(self, way, tab, value):
        response = self.tabs.get((way, tab))
        if response is not None and Response.objects.filter(pk=response.pk, submitted_on__isnull=True).exists():
            answers_save(response=response, ratings=[Rating(self.benefit, "importance", value)])

    @rule(way=st.sampled_from(["invitation", "member"]), tab=st.integers(0, 1))
    def submit(self, way, tab):
        response = self.tabs.get((way, tab))
        if response is not None:
            response_submit(response=response)

    @rule(way=st.sampled_from(["invitation", "member"]), tab=st.integers(0, 1))
    def withdraw(self, way, tab):
        response = self.tabs.get((way, tab))
        if response is not None:
            with contextlib.suppress(ResponseSubmittedError):
                response_withdraw(response=response)

    @invariant()
    def submitted_responses_are_anonymous(self):
        submitted = Response.objects.filter(assessment=self.assessment, submitted_on__isnull=False)
        assert not submitted.exclude(user__isnull=True, invitation__isnull=True).exists()
        assert not submitted.exclude(started_at__isnull=True, updated_at__isnull=True).exists()
        assert submitted.count() <= 2  # one per way in at most

    @invariant()
    def marks_match_what_was_submitted(self):
        submitted = Response.objects.filter(assessment=self.assessment, submitted_on__isnull=False).count()
        self.invitation.refresh_from_db()
        marks = int(self.invitation.submitted) + Participation.objects.filter(assessment=self.assessment).count()
        assert marks == submitted


def test_two_tabs_never_leave_a_submitted_response_linked_to_a_person(taxonomy):
    """Any sequence of start, save, submit and withdraw from two tabs keeps the anonymity invariants."""
    run_state_machine_as_test(
        TwoTabs,
        settings=settings(
            max_examples=25, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
