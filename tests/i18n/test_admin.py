"""The admin in German: Django translates its own screens, the project's additions read German too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from taxonomy.models import Question
from tests.factories import AssessmentFactory, UserFactory

pytestmark = pytest.mark.django_db
GERMAN = {"accept-language": "de"}


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def test_the_question_list_names_its_actions_and_the_preview_in_german(taxonomy, staff):
    page = staff.get(reverse("admin:taxonomy_question_changelist"), headers=GERMAN).content.decode()

    assert '<html lang="de"' in page
    for text in ("Fragebogen ansehen", "Ausgewählte Fragen deaktivieren", "Wortlaut auf die Vorlage zurücksetzen"):
        assert text in page
    assert "Preview questionnaire" not in page
    assert "Deactivate selected questions" not in page


def test_an_action_reports_in_german_with_the_right_plural(taxonomy, staff):
    chosen = list(Question.objects.filter(is_active=True)[:2])

    page = staff.post(
        reverse("admin:taxonomy_question_changelist"),
        {"action": "deactivate", "_selected_action": [q.pk for q in chosen]},
        headers=GERMAN,
        follow=True,
    ).content.decode()

    assert "2 Fragen deaktiviert. Erhebungen, die schon Antworten haben, behalten ihre Fragen." in page


def test_the_preview_reads_german(taxonomy, staff):
    page = staff.get(reverse("admin:taxonomy_question_preview"), headers=GERMAN).content.decode()

    assert "aktive Fragen zu" in page
    assert "Abschnitt 1 von 6:" in page
    assert "active questions on" not in page


def test_the_create_invitations_page_reads_german(taxonomy, staff):
    assessment = AssessmentFactory()

    page = staff.post(
        reverse("admin:assessments_assessment_changelist"),
        {"action": "create_invitations", "_selected_action": [assessment.pk]},
        headers=GERMAN,
    ).content.decode()

    for text in ("Einmal verwendbare Einladungslinks erstellen für:", "Anzahl der Einladungen je Erhebung"):
        assert text in page
    assert "Create and download CSV" not in page
