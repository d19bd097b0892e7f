"""A section save that fails half way, or whose answer never reaches the browser, costs a retry and never an answer.

A person who gets the 503 page sends the same form again (reload); a worker
killed after the commit leaves the browser with no answer at all, and the
person sends it again too. Either way the answers end up stored once, with
the values sent.
"""

from __future__ import annotations

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from assessments.services import assessment_get_or_create
from common.tokens import hash_token
from organizations.services import organization_get_or_create
from responses.invitations.services import invitations_create
from responses.models import Answer, Invitation, Response
from responses.respond import views
from tests.responses.form_helpers import PAGES, answer_all, page_data, section_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(taxonomy):
    org, _ = organization_get_or_create(name="Acme")
    return assessment_get_or_create(organization=org, title="Baseline 2026")[0]


@pytest.fixture
def token(assessment) -> str:
    return invitations_create(assessment=assessment, count=1)[0]


@pytest.fixture
def started(client, token) -> Response:
    client.post(reverse("responses:invitation:start", kwargs={"token": token}))
    return Response.objects.get()


def stored(response: Response) -> dict[str, str]:
    """The stored answers as the page's field names and values ("dk" for Don't know)."""
    out = {}
    for a in Answer.objects.filter(response=response):
        for dimension in ("importance", "realization"):
            if a.answered(dimension):
                value = a.value(dimension)
                out[f"q-{a.benefit_id}-{dimension}"] = "dk" if value is None else str(value)
    return out


def test_a_save_cut_off_half_way_writes_nothing_and_its_retry_is_applied_once(client, assessment, token, started):
    """The database goes away after the answers' upsert, before the save's last statement: a 503, nothing kept.

    Sending the same page again saves it, once, with the values sent.
    """
    data = page_data(started, 1, answer_all(assessment, 1, "3"))
    before = Response.objects.values("updated_at", "current_section").get(pk=started.pk)
    executed = []

    def cut_off_at_the_response_update(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("UPDATE") and Response._meta.db_table in sql:
            raise OperationalError("server closed the connection unexpectedly")
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(cut_off_at_the_response_update):
        failed = client.post(section_url(token, 1), data)
    assert failed.status_code == 503
    assert any(sql.startswith("INSERT") and Answer._meta.db_table in sql for sql in executed), "cut before the upsert"
    assert stored(started) == {}
    assert Response.objects.values("updated_at", "current_section").get(pk=started.pk) == before

    retried = client.post(section_url(token, 1), data)
    assert retried.status_code == 302 and retried.url == section_url(token, 2)
    assert stored(started) == answer_all(assessment, 1, "3")
    assert Answer.objects.filter(response=started).count() == len(answer_all(assessment, 1)) // 2


def test_a_save_whose_answer_is_lost_after_the_commit_is_applied_once_when_sent_again(
    client, assessment, token, started, monkeypatch
):
    """The save commits, then the connection drops before the browser hears of it (a 503 here, a cut connection
    when a worker dies). The same page sent again is a no-op that moves on: no second write, no "changed in
    another tab" refusal.
    """
    data = page_data(started, 1, answer_all(assessment, 1, "5"))
    real_save = views.response_section_save

    def save_then_lose_the_connection(**kwargs):
        real_save(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "response_section_save", save_then_lose_the_connection)
    assert client.post(section_url(token, 1), data).status_code == 503
    monkeypatch.undo()
    assert stored(started) == answer_all(assessment, 1, "5")
    after_first = Response.objects.values("updated_at", "current_section").get(pk=started.pk)

    replayed = client.post(section_url(token, 1), data)
    assert replayed.status_code == 302 and replayed.url == section_url(token, 2)
    assert stored(started) == answer_all(assessment, 1, "5")
    assert Response.objects.values("updated_at", "current_section").get(pk=started.pk) == after_first


def test_a_submit_sent_again_after_its_answer_was_lost_submits_once(client, assessment, token, started, monkeypatch):
    """Submit commits, its answer is lost, the person presses Submit again: told it is already submitted (409)."""
    for number in range(1, PAGES + 1):
        saved = client.post(section_url(token, number), page_data(started, number, answer_all(assessment, number)))
        assert saved.status_code == 302
    review = reverse("responses:invitation:review", kwargs={"token": token})
    real_submit = views.response_submit

    def submit_then_lose_the_connection(**kwargs):
        real_submit(**kwargs)
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "response_submit", submit_then_lose_the_connection)
    assert client.post(review, {"action": "submit"}).status_code == 503
    monkeypatch.undo()
    invitation = Invitation.objects.get(token_hash=hash_token(token))
    assert invitation.submitted
    assert Response.objects.filter(submitted_on__isnull=False).count() == 1

    again = client.post(review, {"action": "submit"})
    assert again.status_code == 409 and "already submitted" in again.content.decode()
    assert Response.objects.count() == Response.objects.filter(submitted_on__isnull=False).count() == 1
