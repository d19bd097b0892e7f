"""Owners' assessment pages: create and edit, with errors beside the fields."""

from __future__ import annotations

import pytest
from django.urls import reverse

from assessments.models import Assessment
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db


FORM = {
    "title": "Pulse 2026",
    "status": "open",
    "opens_at": "",
    "closes_at": "",
    "threshold": "1.5",
    "min_group_size": "5",
    "results": "after-close",
}


def test_create_assessment(manager, org, taxonomy):
    """A valid form creates the assessment with a slug from its title and returns to the overview."""
    response = manager.post(reverse("assessments:manage:create", args=["acme"]), FORM)
    assert response.status_code == 302
    assert response["Location"] == reverse("responses:overview", args=["acme"])
    created = Assessment.objects.get(organization=org, title="Pulse 2026")
    assert (created.slug, created.status, created.threshold) == ("pulse-2026", "open", 1.5)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "Baseline"}, "title", "already has an assessment called “Baseline”"),
        ({"title": "  "}, "title", "This field is required"),
        ({"threshold": "4.5"}, "threshold", "between 0 and 4"),
        ({"threshold": "-1"}, "threshold", "between 0 and 4"),
        ({"opens_at": "2026-05-02T10:00", "closes_at": "2026-05-01T10:00"}, "closes_at", "close before it opens"),
        ({"status": "archived"}, "status", "Select a valid choice"),
        ({"title": "=HYPERLINK(1)"}, "title", "cannot start with “=”"),
        ({"title": "Pulse\u202e2026"}, "title", "invisible or control character (U+202E)"),
    ],
)
def test_create_refuses_bad_input_and_keeps_what_was_entered(manager, assessment, changes, field, message):
    """A clear message next to the field, the entered values shown again, nothing created."""
    data = {**FORM, "title": "Pulse 2026", **changes}
    response = manager.post(reverse("assessments:manage:create", args=["acme"]), data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    html = response.content.decode()
    assert message.replace("“", "&ldquo;") in html or message in html
    for value in ("4.5", "2026-05-02T10:00"):
        if value in data.values():
            assert f'value="{value}"' in html
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize("time_zone", ["Europe/Paris", "America/New_York", "Pacific/Kiritimati", "UTC"])
@pytest.mark.parametrize("value", ["0001-01-01T00:00", "1999-12-31T23:59", "2101-01-01T00:00", "9999-12-31T23:59"])
@pytest.mark.parametrize("field", ["opens_at", "closes_at"])
def test_dates_far_from_now_are_refused_beside_the_field_in_any_time_zone(
    manager, org, settings, time_zone, value, field
):
    """Year 1 or 9999 in a time zone off UTC: a 400 with the range beside the field, never a 500."""
    settings.TIME_ZONE = time_zone
    response = manager.post(reverse("assessments:manage:create", args=["acme"]), {**FORM, field: value})
    assert response.status_code == 400
    assert response.context["form"].errors[field] == ["Choose a date from 2000 to 2100."]
    assert not Assessment.objects.exists()


def test_edit_assessment_changes_status_dates_and_threshold_but_not_slug(manager, assessment):
    """Closing is a status change; the slug stays so report URLs keep working."""
    page = manager.get(reverse("assessments:manage:edit", args=["acme", "baseline"]))
    assert page.status_code == 200
    assert 'value="Baseline"' in page.content.decode()
    data = {
        **FORM,
        "title": "Baseline (renamed)",
        "status": "closed",
        "closes_at": "2026-06-01T12:00",
        "threshold": "2",
    }
    confirm = manager.post(reverse("assessments:manage:edit", args=["acme", "baseline"]), data)
    assert confirm.status_code == 200
    assert "Close this assessment?" in confirm.content.decode()
    response = manager.post(
        reverse("assessments:manage:edit", args=["acme", "baseline"]), {**data, "confirm_close": "yes"}
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.title, assessment.slug, assessment.status, assessment.threshold) == (
        "Baseline (renamed)",
        "baseline",
        "closed",
        2.0,
    )
    assert assessment.closes_at is not None


def test_edit_keeps_its_own_title_but_refuses_another_assessments(manager, org, assessment, taxonomy):
    AssessmentFactory(organization=org, title="Pulse")
    keep = manager.post(reverse("assessments:manage:edit", args=["acme", "baseline"]), {**FORM, "title": "Baseline"})
    assert keep.status_code == 302
    taken = manager.post(reverse("assessments:manage:edit", args=["acme", "baseline"]), {**FORM, "title": "Pulse"})
    assert taken.status_code == 400
    assert "already has an assessment called" in taken.content.decode()
    assessment.refresh_from_db()
    assert assessment.title == "Baseline"


def test_same_title_in_another_organization_is_fine(manager, assessment, taxonomy):
    AssessmentFactory(title="Pulse 2026")
    assert manager.post(reverse("assessments:manage:create", args=["acme"]), FORM).status_code == 302


@pytest.mark.parametrize(
    "name", ["assessments:manage:create", "assessments:manage:edit", "assessments:manage:next_round"]
)
def test_assessment_pages_for_outsiders_are_404_and_change_nothing(outsider, assessment, name):
    args = ["acme"] if name == "assessments:manage:create" else ["acme", "baseline"]
    assert outsider.get(reverse(name, args=args)).status_code == 404
    assert outsider.post(reverse(name, args=args), {**FORM, "title": "Hacked"}).status_code == 404
    assert list(Assessment.objects.values_list("title", flat=True)) == ["Baseline"]


def test_owner_adds_and_removes_a_segment(manager, org, assessment):
    """The segments page adds one with its options in order, and removes it; bad input comes back with a message."""
    page = "/o/acme/manage/assessments/baseline/segments/"
    assert manager.get(page).status_code == 200
    data = {"label": "Department", "key": "department", "source": "invitation", "options": "Sales\nEngineering\n"}
    assert manager.post(page, data).status_code == 302
    segment = assessment.segments.get()
    assert [(o.value, o.label) for o in segment.options.all()] == [("sales", "Sales"), ("engineering", "Engineering")]
    again = manager.post(page, data)
    assert again.status_code == 400 and "segment with this key already" in again.content.decode()
    one = manager.post(page, {**data, "key": "team", "options": "Only one"})
    assert one.status_code == 400 and "at least two options" in one.content.decode()
    assert manager.post(f"{page}{segment.pk}/delete/").status_code == 302
    assert not assessment.segments.exists()


def test_segments_are_fixed_once_the_assessment_has_answers(manager, org, assessment, taxonomy):
    from assessments.services import segment_create
    from responses.imports.services import responses_import
    from responses.respond.services import Rating
    from taxonomy.models import Benefit

    segment = segment_create(assessment=assessment, key="role", label="Role", source="respondent", options=["A", "B"])
    responses_import(
        assessment=assessment, ratings_by_respondent={"r1": [Rating(Benefit.objects.first().pk, "importance", 3)]}
    )
    page = "/o/acme/manage/assessments/baseline/segments/"
    assert "segments are fixed" in manager.get(page).content.decode()
    manager.post(f"{page}{segment.pk}/delete/")
    assert assessment.segments.count() == 1
    refused = manager.post(page, {"label": "Team", "key": "team", "source": "invitation", "options": "X\nY"})
    assert refused.status_code == 400 and assessment.segments.count() == 1


# --- Rounds ---


def test_the_form_sets_an_earlier_assessment_as_the_previous_round(manager, org, assessment, taxonomy):
    """The previous round is chosen among the organization's other assessments and saved."""
    follow_up = AssessmentFactory(organization=org, title="Follow-up", slug="follow-up")
    page = manager.get(reverse("assessments:manage:edit", args=["acme", "follow-up"]))
    assert list(page.context["form"].fields["previous"].queryset) == [assessment]
    response = manager.post(
        reverse("assessments:manage:edit", args=["acme", "follow-up"]),
        {**FORM, "title": "Follow-up", "previous": assessment.pk},
    )
    assert response.status_code == 302
    follow_up.refresh_from_db()
    assert follow_up.previous == assessment


def test_the_form_refuses_a_later_previous_round_beside_the_field(manager, org, assessment):
    """The model's message shows next to the field, and nothing is saved."""
    later = AssessmentFactory(organization=org, title="Later", slug="later")
    response = manager.post(
        reverse("assessments:manage:edit", args=["acme", "baseline"]),
        {**FORM, "title": "Baseline", "previous": later.pk},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["previous"] == [
        "“Later” was created after this assessment: the previous round must be an earlier one."
    ]
    assessment.refresh_from_db()
    assert assessment.previous is None


def test_the_form_refuses_another_organizations_assessment_as_previous_round(manager, assessment):
    """An assessment of another organization is not among the choices: refused, nothing saved."""
    elsewhere = AssessmentFactory(title="Elsewhere")
    response = manager.post(reverse("assessments:manage:create", args=["acme"]), {**FORM, "previous": elsewhere.pk})
    assert response.status_code == 400
    assert "previous" in response.context["form"].errors
    assert not Assessment.objects.filter(title=FORM["title"]).exists()


def test_start_the_next_round_proposes_a_title_and_creates_a_draft_after_this_one(manager, org, assessment):
    """GET proposes “<title> (next round)”; POST creates the draft and opens its edit page."""
    page = manager.get(reverse("assessments:manage:next_round", args=["acme", "baseline"]))
    assert page.status_code == 200
    assert 'value="Baseline (next round)"' in page.content.decode()
    response = manager.post(reverse("assessments:manage:next_round", args=["acme", "baseline"]), {"title": "Follow-up"})
    created = Assessment.objects.get(organization=org, title="Follow-up")
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:manage:edit", args=["acme", created.slug])
    assert (created.status, created.previous, created.threshold) == ("draft", assessment, assessment.threshold)


def test_start_the_next_round_refuses_a_taken_title_beside_the_field(manager, assessment):
    """The unique title rule applies: a clear message, nothing created."""
    response = manager.post(reverse("assessments:manage:next_round", args=["acme", "baseline"]), {"title": "Baseline"})
    assert response.status_code == 400
    assert "already has an assessment called" in response.context["form"].errors["title"][0]
    assert Assessment.objects.count() == 1


def test_the_overview_offers_the_next_round_and_names_each_previous_round(manager, org, assessment):
    """Each row links to its next round; a round that follows another says so."""
    AssessmentFactory(organization=org, title="Follow-up", slug="follow-up", previous=assessment)
    html = manager.get(reverse("responses:overview", args=["acme"])).content.decode()
    assert reverse("assessments:manage:next_round", args=["acme", "baseline"]) in html
    assert "after Baseline" in html


def test_owners_choose_whether_an_assessment_asks_for_comments(manager, assessment, taxonomy):
    """On by default (the box is ticked on the new-assessment form); unticking it turns the boxes off."""
    page = manager.get(reverse("assessments:manage:create", args=["acme"])).content.decode()
    assert 'name="comments"' in page and "checked" in page.split('name="comments"')[1].split(">")[0]
    edit = reverse("assessments:manage:edit", args=["acme", "baseline"])
    response = manager.post(edit, {**FORM, "title": "Baseline"})
    assert response.status_code == 302, response.context["form"].errors
    assessment.refresh_from_db()
    assert assessment.comments is False
    assert manager.post(edit, {**FORM, "title": "Baseline", "comments": "on"}).status_code == 302
    assessment.refresh_from_db()
    assert assessment.comments is True


# --- Closing: confirmed first, dated by the day it really closed ---


def test_closing_from_the_form_asks_first_and_changes_nothing_until_confirmed(manager, assessment):
    """The status drop-down's "closed" leads to a page that says what closing means; it carries the form along."""
    data = {**FORM, "title": "Baseline", "status": "closed", "threshold": "1.25"}
    page = manager.post(reverse("assessments:manage:edit", args=["acme", "baseline"]), data)
    html = page.content.decode()
    assert page.status_code == 200
    assert "This is final" in html and "Nobody can answer any more" in html and "The report opens" in html
    assert 'name="threshold" value="1.25"' in html and 'name="confirm_close" value="yes"' in html
    assessment.refresh_from_db()
    assert (assessment.status, assessment.threshold, assessment.closed_at) == ("open", 1.0, None)


def test_the_close_page_says_what_it_means_and_its_post_closes_today(manager, assessment):
    from django.urls import reverse
    from django.utils import timezone

    close_url = reverse("assessments:manage:close", args=["acme", "baseline"])
    assessment.closes_at = timezone.now() + timezone.timedelta(days=30)
    assessment.save()
    page = manager.get(close_url)
    assert page.status_code == 200
    assert "cannot be reopened" in page.content.decode()
    before = timezone.now()
    done = manager.post(close_url)
    assert done["Location"] == reverse("responses:overview", args=["acme"])
    assessment.refresh_from_db()
    assert assessment.status == "closed"
    assert assessment.closed_at >= before
    overview = manager.get(reverse("responses:overview", args=["acme"])).content.decode()
    # The real day, never the planned one.
    assert f"closed {timezone.localtime(assessment.closed_at):%-d %b %Y}" in overview
    assert f"{timezone.localtime(assessment.closes_at):%-d %b %Y}" not in overview
    assert manager.get(close_url)["Location"] == reverse("responses:overview", args=["acme"])


def test_live_results_closing_says_it_can_be_reopened(manager, assessment):
    from django.urls import reverse

    assessment.results = Assessment.Results.LIVE
    assessment.save()
    html = manager.get(reverse("assessments:manage:close", args=["acme", "baseline"])).content.decode()
    assert "This is final" not in html and "reopen it later" in html
