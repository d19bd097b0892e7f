"""Two tabs at the same moment, with real threads and real connections.

PostgreSQL serializes them with row locks (``select_for_update``); SQLite,
where that is a no-op, with ``IMMEDIATE`` transactions that take the write
lock at ``BEGIN``. Both must give one response and one submit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connections

from assessments.models import Assessment
from assessments.selectors import assessment_questionnaire
from assessments.services import assessment_get_or_create
from organizations.services import organization_get_or_create
from responses.invitations.services import BatchUsedError, invitation_batch_create, invitations_create
from responses.models import AssignmentCount, Invitation, Response
from responses.respond.services import response_start, response_submit
from responses.selectors import invitation_for_token

pytestmark = pytest.mark.django_db(transaction=True)


def at_once(fn: Callable[[], object], n: int = 2) -> list[object]:
    """Run ``fn`` in ``n`` threads released together; return results (or exceptions), in thread order."""
    gate = threading.Barrier(n)
    results: list[object] = [None] * n

    def worker(i: int) -> None:
        try:
            gate.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # returned to the test, which fails on it with context
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


@pytest.fixture
def invitation(taxonomy):
    org, _ = organization_get_or_create(name="Race Org")
    assessment, _ = assessment_get_or_create(organization=org, title="Race")
    return invitation_for_token(invitations_create(assessment=assessment, count=1)[0])


def test_double_start_from_two_tabs_creates_one_response(invitation):
    """Two 'Start' presses at the same instant: one response, both tabs get it, no IntegrityError."""
    results = at_once(lambda: response_start(assessment=invitation.assessment, invitation=invitation), n=4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len({r[0].pk for r in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Response.objects.filter(invitation=invitation).count() == 1


def test_double_submit_from_two_tabs_submits_once(invitation):
    """Two 'Submit' presses at the same instant: exactly one submits, the other sees it already was."""
    response, _ = response_start(assessment=invitation.assessment, invitation=invitation)
    results = at_once(lambda: response_submit(response=Response.objects.get(pk=response.pk)), n=4)
    assert sorted(results, key=str) == [False, False, False, True]
    response.refresh_from_db()
    assert response.is_submitted and response.invitation_id is None
    invitation.refresh_from_db()
    assert invitation.submitted


def test_one_create_invitations_form_posted_three_times_at_once_creates_one_batch(invitation):
    """Three posts of one form's batch key at the same instant: one batch of 5 links, the others refused."""
    assessment = invitation.assessment
    results = at_once(lambda: invitation_batch_create(assessment=assessment, count=5, key="one-form"), n=3)
    created = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, BatchUsedError)]
    assert (len(created), len(refused)) == (1, 2), results
    assert len(created[0]) == 5
    assert Invitation.objects.filter(assessment=assessment).count() == 1 + 5


def test_the_owners_form_posted_from_three_tabs_at_once_creates_five_links_not_fifteen(invitation):
    """The same 'create 5 invitations' form sent three times at the same instant, in one session: 5 links."""
    from django.test import Client

    from organizations.models import Membership
    from tests.factories import MembershipFactory

    assessment = invitation.assessment
    owner = MembershipFactory(organization=assessment.organization, role=Membership.Role.OWNER).user
    first = Client()
    first.force_login(owner)
    url = f"/o/{assessment.organization.slug}/manage/assessments/{assessment.slug}/invitations/"
    batch = first.get(url).context["form"].initial["batch"]
    tabs = [first, Client(), Client()]
    for tab in tabs[1:]:
        tab.cookies = first.cookies
    turn = iter(range(3))

    def post():
        return tabs[next(turn)].post(url, {"count": "5", "label": "", "batch": batch}).status_code

    statuses = at_once(post, n=3)
    assert sorted(statuses, key=str) == [200, 302, 302], statuses
    assert Invitation.objects.filter(assessment=assessment).count() == 1 + 5


def test_concurrent_starts_keep_the_assignment_balanced(taxonomy):
    """Eight respondents pressing Start at once, 3 benefits each: the counts of any two benefits differ by at most 1."""
    org, _ = organization_get_or_create(name="Race Org")
    assessment, _ = assessment_get_or_create(organization=org, title="Short race")
    Assessment.objects.filter(pk=assessment.pk).update(benefits_per_respondent=3)
    assessment.refresh_from_db()
    invitations = [invitation_for_token(t) for t in invitations_create(assessment=assessment, count=8)]
    pending = iter(invitations)
    lock = threading.Lock()

    def start_next():
        with lock:
            invitation = next(pending)
        return response_start(assessment=Assessment.objects.get(pk=assessment.pk), invitation=invitation)

    results = at_once(start_next, n=8)
    assert not [r for r in results if isinstance(r, Exception)], results
    counts = dict(AssignmentCount.objects.filter(assessment=assessment).values_list("benefit_id", "count"))
    top_level = [b.id for b in assessment_questionnaire(assessment=assessment).top_level()]
    values = [counts.get(b, 0) for b in top_level]
    assert sum(values) == 24 and max(values) - min(values) <= 1
    assigned = [b for r in Response.objects.filter(assessment=assessment) for b in r.assigned_benefits]
    assert sorted(assigned) == sorted(b for b, n in counts.items() for _ in range(n))
