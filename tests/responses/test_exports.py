"""Invitation CSVs are opened in spreadsheets: names must never run as formulas."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from responses.exports import invitation_rows, spreadsheet_safe
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx"])
def test_a_cell_that_a_spreadsheet_would_run_is_defused(text):
    assert spreadsheet_safe(text) == "'" + text


def test_ordinary_names_are_unchanged():
    assert spreadsheet_safe("Acme – Baseline 2026") == "Acme – Baseline 2026"


def test_invitation_rows_defuse_the_organization_and_title_but_keep_the_link():
    """An owner who names an assessment '=cmd' does not get a formula in every recipient's spreadsheet."""
    assessment = AssessmentFactory(title="=cmd|' /C calc'!A0", organization__name="@Evil")
    request = RequestFactory().get("/", HTTP_HOST="localhost")
    [(organization, title, link)] = invitation_rows(request, assessment, ["tok"])
    assert organization == "'@Evil"
    assert title == "'=cmd|' /C calc'!A0"
    assert link == "http://localhost/i/tok/"
