"""The assessments admin."""

from __future__ import annotations

import pytest

from assessments.models import Assessment
from assessments.services import maturity_targets_set
from tests.factories import AssessmentFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_dates_far_from_now_are_refused_beside_the_field_in_any_time_zone(client, settings, day):
    """Year 1 or 9999 in a time zone off UTC: the admin form says the range beside the field, never a 500."""
    settings.TIME_ZONE = "Europe/Paris" if day.startswith("0") else "America/New_York"
    organization = OrganizationFactory()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.post(
        "/admin/assessments/assessment/add/",
        {
            "organization": organization.pk,
            "title": "Pulse",
            "slug": "pulse",
            "status": "open",
            "opens_at_0": day,
            "opens_at_1": "12:00",
            "closes_at_0": "",
            "closes_at_1": "",
            "threshold": "1",
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["opens_at"] == ["Choose a date from 2000 to 2100."]
    assert not Assessment.objects.exists()


def test_the_admin_shows_and_edits_the_maturity_targets(client, taxonomy):
    assessment = AssessmentFactory(title="Baseline")
    maturity_targets_set(assessment=assessment, levels={("social-media", "internal"): 4})
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    html = client.get(f"/admin/assessments/assessment/{assessment.pk}/change/").content.decode()
    assert "Maturity targets" in html and 'name="maturity_targets-0-level" value="4"' in html
