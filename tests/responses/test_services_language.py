"""The language a response is submitted in (contract section 17)."""

from __future__ import annotations

import pytest
from django.utils import translation

from responses.models import Response
from responses.selectors import invitation_for_token
from responses.services import invitations_create, response_start, response_submit
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


def submitted_in(language: str | None) -> Response:
    a = AssessmentFactory()
    invitation = invitation_for_token(invitations_create(assessment=a, count=1)[0])
    response, _ = response_start(assessment=a, invitation=invitation)
    if language is None:
        translation.deactivate_all()
        response_submit(response=response)
    else:
        with translation.override(language):
            response_submit(response=response)
    return Response.objects.get(pk=response.pk)


def test_submit_records_the_active_language(taxonomy):
    assert submitted_in("de").language == "de"
    assert submitted_in("en").language == "en"


def test_a_regional_variant_is_recorded_as_its_language(taxonomy):
    assert submitted_in("de-at").language == "de"


def test_a_language_outside_languages_is_recorded_as_the_default(taxonomy):
    assert submitted_in("fr").language == "en"
    assert submitted_in(None).language == "en"
