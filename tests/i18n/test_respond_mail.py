"""Invitation e-mails are rendered by the worker in the language active when they were queued."""

from __future__ import annotations

import pytest
from django.utils import translation

from responses.mail.recipients import Recipient
from responses.mail.services import invitations_email
from tests.factories import AssessmentFactory, OrganizationFactory
from tests.responses.mail_helpers import html_part, run_worker, text_part

pytestmark = pytest.mark.django_db(transaction=True)


def queue_one(assessment) -> None:
    invitations_email(
        assessment=assessment,
        recipients=[Recipient(email="ann@example.org")],
        subject="Pulse",
        message="Hallo",
        base_url="https://hp.example.org",
    )


@pytest.fixture
def survey(taxonomy):
    org = OrganizationFactory(name="Acme", slug="acme")
    return AssessmentFactory(organization=org, title="Pulse", slug="pulse")


def test_an_invitation_queued_in_german_arrives_in_german_text_and_html(survey, smtp):
    with translation.override("de"):
        queue_one(survey)

    with translation.override("en"):
        run_worker()

    [message] = smtp.messages
    text, page = text_part(message), html_part(message)
    assert "Umfrage öffnen (etwa" in text and "Ihre Antworten sind vertraulich" in text
    assert "Bitte leiten Sie ihn nicht weiter" in text and "Open the survey" not in text
    assert "Umfrage öffnen" in page and '<html lang="de">' in page and "opt out" not in page


def test_an_invitation_queued_in_english_stays_english(survey, smtp):
    with translation.override("en"):
        queue_one(survey)
        run_worker()

    [message] = smtp.messages
    assert "Open the survey (about" in text_part(message)
