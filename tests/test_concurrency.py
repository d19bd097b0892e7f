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

from assessments.services import assessment_get_or_create
from organizations.services import organization_get_or_create
from responses.models import Response
from responses.selectors import invitation_for_token
from responses.services import invitations_create, response_start, response_submit

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
