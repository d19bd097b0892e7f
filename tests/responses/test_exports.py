"""Invitation CSVs are opened in spreadsheets: what would run there is refused at input, so cells go out as they are."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from assessments.services import assessment_create
from organizations.services import organization_get_or_create
from responses.invitations.exports import invitation_rows
from tests.factories import AssessmentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)"]
CONTROL = ["tab\there", "rtl\u202eevil", "nul\x00"]


@pytest.mark.parametrize("name", FORMULAS + CONTROL)
def test_an_organization_name_a_spreadsheet_or_terminal_would_run_is_refused(name):
    """Such a name never gets in, so no export has to defuse it."""
    with pytest.raises(ValidationError) as exc:
        organization_get_or_create(name=name)
    assert "name" in exc.value.message_dict


@pytest.mark.parametrize("title", FORMULAS + CONTROL)
def test_an_assessment_title_a_spreadsheet_or_terminal_would_run_is_refused(title):
    """Such a title never gets in, beside the title field."""
    with pytest.raises(ValidationError) as exc:
        assessment_create(organization=OrganizationFactory(), title=title)
    assert "title" in exc.value.message_dict


def test_invitation_rows_write_names_and_titles_as_they_are():
    """Names that got in are plain text: the cells are exactly the name, the title and the link."""
    assessment = AssessmentFactory(title="Baseline – 2026", organization__name="Zoë's team, Île-de-France")
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    [(organization, title, link)] = invitation_rows(request, assessment, ["tok"])
    assert (organization, title, link) == ("Zoë's team, Île-de-France", "Baseline – 2026", "http://localhost/i/tok/")
