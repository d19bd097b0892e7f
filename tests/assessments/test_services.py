"""The assessments services."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment
from assessments.services import (
    assessment_create,
    assessment_set_previous,
    assessment_start_next_round,
    assessment_update,
    segment_create,
)
from tests.factories import AssessmentFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganizationFactory(name="Acme", slug="acme")


def errors(exc: pytest.ExceptionInfo) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_assessment_create_makes_a_slug_and_keeps_the_values(org, taxonomy):
    now = timezone.now()
    a = assessment_create(
        organization=org,
        title="  Pulse 2026 ",
        status="open",
        opens_at=now,
        closes_at=now + timedelta(days=7),
        threshold=0.5,
    )
    a.refresh_from_db()
    assert (a.title, a.slug, a.status, a.threshold) == ("Pulse 2026", "pulse-2026", "open", 0.5)
    assert a.closes_at - a.opens_at == timedelta(days=7)


def test_assessment_create_gives_a_free_slug_when_the_title_slugifies_alike(org):
    assessment_create(organization=org, title="Pulse 2026")
    assert assessment_create(organization=org, title="Pulse, 2026").slug == "pulse-2026-2"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"title": "Baseline"}, "title"),
        ({"title": ""}, "title"),
        ({"threshold": 4.01}, "threshold"),
        ({"threshold": -0.01}, "threshold"),
        ({"threshold": math.nan}, "threshold"),
        ({"status": "archived"}, "status"),
        ({"opens_at": timezone.now(), "closes_at": timezone.now() - timedelta(minutes=1)}, "closes_at"),
    ],
)
def test_assessment_create_refuses_invalid_values_by_field(org, kwargs, field):
    AssessmentFactory(organization=org, title="Baseline")
    with pytest.raises(ValidationError) as exc:
        assessment_create(organization=org, **{"title": "New", **kwargs})
    assert field in errors(exc)
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("threshold", [0.0, 4.0])
def test_threshold_bounds_are_inclusive(org, threshold):
    assert assessment_create(organization=org, title="Edge", threshold=threshold).threshold == threshold


def test_assessment_update_changes_everything_but_the_slug(org, taxonomy):
    a = AssessmentFactory(organization=org, title="Baseline", slug="baseline", status="draft")
    assessment_update(assessment=a, title="Renamed", status="open", opens_at=None, closes_at=None, threshold=2.0)
    a.refresh_from_db()
    assert (a.title, a.slug, a.status, a.threshold) == ("Renamed", "baseline", "open", 2.0)


def test_assessment_update_refuses_and_leaves_the_object_alone(org, taxonomy):
    AssessmentFactory(organization=org, title="Taken")
    a = AssessmentFactory(organization=org, title="Baseline", threshold=1.0)
    with pytest.raises(ValidationError) as exc:
        assessment_update(assessment=a, title="Taken", status="open", opens_at=None, closes_at=None, threshold=9)
    assert set(errors(exc)) == {"title", "threshold"}
    assert (a.title, a.threshold) == ("Baseline", 1.0)
    a.refresh_from_db()
    assert (a.title, a.threshold) == ("Baseline", 1.0)


def test_the_database_backs_the_threshold_and_date_checks(org):
    """Writes that bypass the services still hit the check constraints."""
    a = AssessmentFactory(organization=org)
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=a.pk).update(threshold=5)
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.filter(pk=a.pk).update(opens_at=now, closes_at=now - timedelta(hours=1))


def test_a_title_taken_between_check_and_write_is_a_validation_error(org, monkeypatch):
    """The unique constraint decides a race; the caller sees a title error, not a 500."""
    AssessmentFactory(organization=org, title="Baseline")
    monkeypatch.setattr(Assessment, "full_clean", lambda self, *args, **kwargs: None)
    with pytest.raises(ValidationError) as exc:
        assessment_create(organization=org, title="Baseline")
    assert "title" in errors(exc)


def test_an_assessment_with_no_questions_cannot_be_opened(org):
    """With no live questions (no taxonomy, or every question off), opening is refused beside the status."""
    with pytest.raises(ValidationError) as exc:
        assessment_create(organization=org, title="Empty", status="open")
    assert "no questions" in errors(exc)["status"][0]
    draft = assessment_create(organization=org, title="Draft")
    with pytest.raises(ValidationError) as exc:
        assessment_update(assessment=draft, title="Draft", status="open", opens_at=None, closes_at=None, threshold=1)
    assert "no questions" in errors(exc)["status"][0]
    draft.refresh_from_db()
    assert draft.status == "draft"


def test_an_assessment_opens_once_it_has_questions(org, taxonomy):
    assert assessment_create(organization=org, title="Baseline", status="open").status == "open"


# --- Rounds: the previous round and the next one ---


def test_a_previous_round_is_an_earlier_assessment_of_the_same_organization(org):
    """The service accepts an earlier assessment of the organization as the previous round."""
    baseline = assessment_create(organization=org, title="Baseline")
    follow_up = assessment_create(organization=org, title="Follow-up", previous=baseline)
    assert follow_up.previous == baseline
    assert list(baseline.next_rounds.all()) == [follow_up]


def test_a_previous_round_of_another_organization_is_refused_beside_the_field(org):
    """Another organization's assessment is refused on ``previous``, and nothing is created."""
    elsewhere = AssessmentFactory(organization=OrganizationFactory(name="Globex"))
    with pytest.raises(ValidationError) as exc:
        assessment_create(organization=org, title="Follow-up", previous=elsewhere)
    assert errors(exc) == {"previous": ["The previous round must be an assessment of the same organization."]}
    assert not Assessment.objects.filter(title="Follow-up").exists()


def test_a_later_assessment_or_itself_cannot_be_the_previous_round(org):
    """A round created later, or the assessment itself, is refused on ``previous``; nothing changes."""
    first = assessment_create(organization=org, title="First")
    later = assessment_create(organization=org, title="Later")
    with pytest.raises(ValidationError) as exc:
        assessment_set_previous(assessment=first, previous=later)
    assert errors(exc) == {
        "previous": ["“Later” was created after this assessment: the previous round must be an earlier one."]
    }
    with pytest.raises(ValidationError) as exc:
        assessment_set_previous(assessment=first, previous=first)
    assert errors(exc) == {"previous": ["An assessment cannot be its own previous round."]}
    first.refresh_from_db()
    assert first.previous is None


def test_assessment_update_sets_and_removes_the_previous_round_and_keeps_it_by_default(org):
    """``previous=None`` removes it; leaving the argument out keeps it."""
    baseline = assessment_create(organization=org, title="Baseline")
    follow_up = assessment_create(organization=org, title="Follow-up")
    values = {"title": "Follow-up", "status": "draft", "opens_at": None, "closes_at": None, "threshold": 1.0}
    assessment_update(assessment=follow_up, previous=baseline, **values)
    assessment_update(assessment=follow_up, **values)
    follow_up.refresh_from_db()
    assert follow_up.previous == baseline
    assessment_update(assessment=follow_up, previous=None, **values)
    follow_up.refresh_from_db()
    assert follow_up.previous is None


def test_the_next_round_is_a_draft_with_the_same_settings_and_this_one_as_its_previous_round(org, taxonomy):
    """Threshold, minimum group size, results and survey length are copied; the title is proposed and numbered."""
    baseline = assessment_create(
        organization=org,
        title="Baseline",
        status="open",
        threshold=1.5,
        min_group_size=8,
        results="live",
        benefits_per_respondent=12,
        comments=False,
    )
    following = assessment_start_next_round(assessment=baseline)
    assert following.title == "Baseline (next round)"
    assert following.status == Assessment.Status.DRAFT
    assert following.previous == baseline
    assert {name: getattr(following, name) for name in Assessment.round_settings} == {
        "threshold": 1.5,
        "min_group_size": 8,
        "results": "live",
        "benefits_per_respondent": 12,
        "comments": False,
    }
    assert assessment_start_next_round(assessment=baseline).title == "Baseline (next round 2)"
    assert assessment_start_next_round(assessment=baseline, title="Pulse").previous == baseline


def test_the_next_round_keeps_the_unique_title_rule(org):
    """A title the organization already uses is refused on ``title``."""
    baseline = assessment_create(organization=org, title="Baseline")
    with pytest.raises(ValidationError) as exc:
        assessment_start_next_round(assessment=baseline, title="Baseline")
    assert "title" in errors(exc)
    assert Assessment.objects.count() == 1


def test_deleting_a_previous_round_unlinks_its_next_round(org):
    """The next round stays, without a previous round."""
    baseline = assessment_create(organization=org, title="Baseline")
    follow_up = assessment_create(organization=org, title="Follow-up", previous=baseline)
    baseline.delete()
    follow_up.refresh_from_db()
    assert follow_up.previous is None


def test_the_next_round_copies_the_segments_with_their_options_in_order(org):
    """Each segment comes across with its key, label, source and options, so the two rounds group alike."""
    baseline = assessment_create(organization=org, title="Baseline")
    segment_create(
        assessment=baseline, key="department", label="Department", source="invitation", options=["Sales", "IT"]
    )
    segment_create(assessment=baseline, key="role", label="Role", source="respondent", options=["Manager", "Staff"])
    following = assessment_start_next_round(assessment=baseline)
    copied = [
        (s.key, s.label, s.source, [(o.value, o.label) for o in s.options.all()]) for s in following.segments.all()
    ]
    assert copied == [
        ("department", "Department", "invitation", [("sales", "Sales"), ("it", "IT")]),
        ("role", "Role", "respondent", [("manager", "Manager"), ("staff", "Staff")]),
    ]


# --- The day it really closed ---


def test_closing_records_the_day_it_closed_and_reopening_clears_it(taxonomy):
    from assessments.services import assessment_close, assessment_update

    assessment = AssessmentFactory(results=Assessment.Results.LIVE)
    assert assessment.closed_at is None
    assert assessment_close(assessment=assessment)
    first = assessment.closed_at
    assert first is not None and Assessment.objects.get(pk=assessment.pk).closed_at == first
    assert not assessment_close(assessment=assessment)
    # Saving a closed assessment again keeps the day it closed.
    common = {"title": assessment.title, "opens_at": None, "closes_at": None, "threshold": 1.0}
    assessment_update(assessment=assessment, status="closed", **common)
    assert Assessment.objects.get(pk=assessment.pk).closed_at == first
    assessment_update(assessment=assessment, status="open", **common)
    assert Assessment.objects.get(pk=assessment.pk).closed_at is None
    assessment_update(assessment=assessment, status="closed", **common)
    assert Assessment.objects.get(pk=assessment.pk).closed_at > first


def test_an_assessment_created_closed_is_dated_and_a_draft_is_not(taxonomy):
    from assessments.services import assessment_create

    organization = AssessmentFactory().organization
    assert assessment_create(organization=organization, title="Old", status="closed").closed_at is not None
    assert assessment_create(organization=organization, title="New").closed_at is None
