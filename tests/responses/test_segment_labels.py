"""Segment values by label in the e-mail list and in the segments file; the invitations list shows them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Segment
from assessments.services import segment_create
from responses.imports.segment_loader import parse_segments
from responses.mail.recipients import recipients_parse
from responses.models import Invitation, InvitationSegmentValue
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(taxonomy, org):
    assessment = AssessmentFactory(organization=org, slug="baseline")
    segment_create(
        assessment=assessment,
        key="department",
        label="Department",
        source=Segment.Source.INVITATION,
        options=[("sales", "Sales"), ("it", "IT support")],
    )
    return assessment


def test_an_address_file_or_a_pasted_table_takes_labels(assessment):
    """What the owner sees on the pages (the label) works as well as the value the file format names."""
    recipients = recipients_parse(
        "email,department\nann@example.org,Sales\nbob@example.org,it support\ncid@example.org,it\n",
        assessment=assessment,
    )
    assert [r.email for r in recipients] == ["ann@example.org", "bob@example.org", "cid@example.org"]


def test_the_segments_file_takes_labels_and_keeps_values(assessment):
    segments = list(assessment.segments.prefetch_related("options"))
    plan = parse_segments(
        b"respondent,department\nr1,IT Support\nr2,sales\n",
        "seg.csv",
        respondents={"r1", "r2"},
        segments=segments,
        frozen=True,
    )
    assert plan.values == {"r1": {"department": "it"}, "r2": {"department": "sales"}}


def test_the_invitations_list_shows_each_invitations_segment_values(assessment, client, owner):
    segment = assessment.segments.get()
    invitation = Invitation.objects.create(assessment=assessment, label="Team A")
    InvitationSegmentValue.objects.create(
        invitation=invitation, segment=segment, option=segment.options.get(value="it")
    )
    client.force_login(owner)
    html = client.get(reverse("responses:manage:invitations", args=["acme", "baseline"])).content.decode()
    assert "Department: IT support" in html
