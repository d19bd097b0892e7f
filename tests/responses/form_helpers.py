"""Helpers shared by the respondent form tests: post a section as the page would."""

from __future__ import annotations

from django.urls import reverse

from assessments.selectors import assessment_questionnaire
from responses.models import Response
from responses.respond.services import response_revision

# The full taxonomy's pages: six sections, the longest (22 benefits) in two parts.
PAGES = 7


def section_fields(assessment, number: int) -> list[str]:
    section = assessment_questionnaire(assessment=assessment).paged().sections[number - 1]
    return [f"q-{b.id}-{q.dimension}" for b in section.benefits for q in b.questions]


def section_url(token: str, number: int) -> str:
    return reverse("responses:invitation:section", kwargs={"token": token, "number": number})


def page_data(response: Response, number: int, answers: dict[str, str], action: str = "next") -> dict[str, str]:
    """What the section page sends: the chosen radios plus its hidden fields and the button."""
    response.refresh_from_db()
    return {"section": str(number), "revision": response_revision(response), "action": action, **answers}


def answer_all(assessment, number: int, value: str = "4") -> dict[str, str]:
    return dict.fromkeys(section_fields(assessment, number), value)
