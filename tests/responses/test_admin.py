"""The assessments admin: counts, invitations, read-only responses, delete refusal, permissions."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from organizations.models import Organization
from responses.imports.services import responses_import
from responses.invitations.services import invitations_create
from responses.models import Invitation, Response
from responses.respond.services import Rating
from responses.selectors import invitation_for_token
from taxonomy.models import Benefit
from tests.factories import AssessmentFactory, OrganizationFactory, ResponseFactory, UserFactory

APP = {"assessment": "assessments", "organization": "organizations", "invitation": "responses", "response": "responses"}

pytestmark = pytest.mark.django_db

FEEDBACK = "social-media/internal/improved-feedback"


@pytest.fixture
def staff(client):
    """A logged-in superuser."""
    client.force_login(UserFactory(username="boss", is_staff=True, is_superuser=True))
    return client


def answered_assessment(respondents: int = 1, **kwargs) -> Assessment:
    assessment = AssessmentFactory(**kwargs)
    benefit = Benefit.objects.get(path=FEEDBACK)
    responses_import(
        assessment=assessment,
        ratings_by_respondent={f"r{i}": [Rating(benefit.pk, "importance", 4)] for i in range(respondents)},
    )
    return assessment


def test_organization_changelist_counts_without_a_query_per_row(taxonomy, staff):
    """Assessments, invitations and submitted responses are counted in the list's own query."""
    org = OrganizationFactory(name="Acme")
    assessment = answered_assessment(respondents=3, organization=org)
    ResponseFactory(assessment=assessment)  # in progress: not counted
    invitations_create(assessment=assessment, count=4)
    url = reverse("admin:organizations_organization_changelist")
    response = staff.get(url)
    row = next(o for o in response.context["cl"].result_list if o.pk == org.pk)
    assert (row.assessment_count, row.invitation_count, row.submitted_count) == (1, 4, 3)
    with CaptureQueriesContext(connection) as few:
        staff.get(url)
    for _ in range(5):
        answered_assessment(respondents=2)
    with CaptureQueriesContext(connection) as many:
        staff.get(url)
    assert len(many) == len(few)


def test_assessment_changelist_counts_and_editable_threshold(taxonomy, staff):
    """Counts per assessment; the threshold is editable in the list."""
    assessment = answered_assessment(respondents=2)
    invitations_create(assessment=assessment, count=3)
    url = reverse("admin:assessments_assessment_changelist")
    response = staff.get(url)
    row = next(a for a in response.context["cl"].result_list if a.pk == assessment.pk)
    assert (row.invitation_count, row.submitted_count) == (3, 2)
    assert "threshold" in response.context["cl"].list_editable
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": assessment.pk,
        "form-0-status": "open",
        "form-0-threshold": "1.5",
        "_save": "Save",
    }
    staff.post(url, data)
    assessment.refresh_from_db()
    assert assessment.threshold == 1.5


def test_create_invitations_asks_how_many_then_downloads_their_links(taxonomy, staff):
    """The action shows an intermediate page, then returns a CSV of N links that open the form."""
    assessment = AssessmentFactory(organization=OrganizationFactory(name="Acme"), title="Baseline")
    url = reverse("admin:assessments_assessment_changelist")
    page = staff.post(url, {"action": "create_invitations", "_selected_action": [assessment.pk]})
    assert page.status_code == 200
    assert "Number of invitations" in page.content.decode()
    assert Invitation.objects.count() == 0
    download = staff.post(
        url, {"action": "create_invitations", "_selected_action": [assessment.pk], "apply": "yes", "count": "3"}
    )
    assert download["Content-Type"].startswith("text/csv")
    assert "attachment" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode())))
    assert rows[0] == ["organization", "assessment", "link"]
    assert len(rows) == 4
    assert Invitation.objects.filter(assessment=assessment).count() == 3
    for _, title, link in rows[1:]:
        assert title == "Baseline"
        assert link.startswith("http://testserver/")
        token = link.rstrip("/").rsplit("/", 1)[1]
        assert invitation_for_token(token).assessment == assessment


def test_create_invitations_rejects_a_bad_count(taxonomy, staff):
    """Zero is refused on the intermediate page; nothing is created."""
    assessment = AssessmentFactory()
    response = staff.post(
        reverse("admin:assessments_assessment_changelist"),
        {"action": "create_invitations", "_selected_action": [assessment.pk], "apply": "yes", "count": "0"},
    )
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_create_invitations_needs_the_add_invitation_permission(taxonomy, client):
    """Staff who may change assessments but not add invitations are not offered the action."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_assessment", "change_assessment"]))
    client.force_login(user)
    assessment = AssessmentFactory()
    response = client.post(
        reverse("admin:assessments_assessment_changelist"),
        {"action": "create_invitations", "_selected_action": [assessment.pk], "apply": "yes", "count": "2"},
    )
    assert not response.get("Content-Type", "").startswith("text/csv")
    assert Invitation.objects.count() == 0


def test_invitation_status_filter_and_revoke_action(taxonomy, staff):
    """Status is unused / started / submitted / revoked; revoking leaves submitted ones alone."""
    assessment = AssessmentFactory()
    invitations_create(assessment=assessment, count=4)
    unused, started, submitted, revoked = Invitation.objects.order_by("pk")
    ResponseFactory(assessment=assessment, invitation=started)
    Invitation.objects.filter(pk=submitted.pk).update(submitted=True)
    ResponseFactory(assessment=assessment, submitted=True)  # its response, which no longer points back
    Invitation.objects.filter(pk=revoked.pk).update(revoked_at=timezone.now())
    url = reverse("admin:responses_invitation_changelist")
    admin = staff.get(url).context["cl"].model_admin
    for status, expected in [("unused", unused), ("started", started), ("submitted", submitted), ("revoked", revoked)]:
        rows = list(staff.get(url, {"status": status}).context["cl"].result_list)
        assert rows == [expected]
        assert admin.status(rows[0]) == status
    staff.post(url, {"action": "revoke", "_selected_action": [unused.pk, started.pk, submitted.pk]})
    assert Invitation.objects.get(pk=unused.pk).revoked_at is not None
    assert Invitation.objects.get(pk=started.pk).revoked_at is not None
    assert Invitation.objects.get(pk=submitted.pk).revoked_at is None


def test_invitations_cannot_be_added_in_the_admin(taxonomy, staff):
    """A token exists only when created by the action or the command."""
    assert staff.get(reverse("admin:responses_invitation_add")).status_code == 403


def test_response_pages_show_no_rating_and_no_respondent(taxonomy, staff):
    """A response is listed and viewed with its assessment, status, day and number of answers: no rating, no id."""
    assessment = AssessmentFactory()
    # An id that names a person, as an imported file may (and long enough never to occur in a CSRF token).
    responses_import(
        assessment=assessment,
        ratings_by_respondent={"olivia.payne": [Rating(Benefit.objects.get(path=FEEDBACK).pk, "importance", 4)]},
    )
    response = Response.objects.get(assessment=assessment)
    page = staff.get(reverse("admin:responses_response_change", args=[response.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Submitted" in body or "submitted" in body.lower()
    for rating in ("4 - Very important", "Don't know", FEEDBACK, "importance_value"):
        assert rating not in body
    assert response.respondent not in body
    assert 'name="_save"' not in body
    assert staff.get(reverse("admin:responses_response_add")).status_code == 403
    assert staff.post(reverse("admin:responses_response_delete", args=[response.pk])).status_code == 403
    changelist = staff.get(reverse("admin:responses_response_changelist"))
    assert changelist.context["cl"].result_list[0].answer_count == 1
    listed = changelist.content.decode()
    assert response.respondent not in listed and "4 - Very important" not in listed
    # No search by person: the respondent id finds nothing.
    searched = staff.get(reverse("admin:responses_response_changelist"), {"q": response.respondent})
    assert list(searched.context["cl"].result_list) == []


@pytest.mark.parametrize("model", ["assessment", "organization"])
def test_deleting_answered_assessment_or_organization_is_refused(taxonomy, staff, model):
    """Single delete and bulk delete both refuse with a message, and delete nothing."""
    assessment = answered_assessment()
    obj = assessment if model == "assessment" else assessment.organization
    response = staff.post(reverse(f"admin:{APP[model]}_{model}_delete", args=[obj.pk]), {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert f"Cannot delete {model}" in response.content.decode()
    for extra in ({}, {"post": "yes"}):
        response = staff.post(
            reverse(f"admin:{APP[model]}_{model}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], **extra},
            follow=True,
        )
        assert response.status_code == 200
        assert f"Cannot delete {model}" in response.content.decode()
    assert Assessment.objects.filter(pk=assessment.pk).exists()
    assert Organization.objects.filter(pk=assessment.organization_id).exists()
    assert Response.objects.filter(assessment=assessment).count() == 1


def test_deleting_an_assessment_without_responses_works(taxonomy, staff):
    """Refusal is only for data with answers."""
    assessment = AssessmentFactory()
    staff.post(reverse("admin:assessments_assessment_delete", args=[assessment.pk]), {"post": "yes"})
    assert not Assessment.objects.filter(pk=assessment.pk).exists()


@pytest.mark.parametrize("model", ["organization", "assessment", "invitation", "response"])
def test_staff_without_permission_gets_403(taxonomy, client, model):
    """Django's model permissions are honoured: no permission, no page."""
    client.force_login(UserFactory(is_staff=True))
    assert client.get(reverse(f"admin:{APP[model]}_{model}_changelist")).status_code == 403


def test_view_only_staff_cannot_change_an_assessment(taxonomy, client):
    """View permission shows the assessment read-only; a change is refused."""
    user = UserFactory(is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_assessment"))
    client.force_login(user)
    assessment = AssessmentFactory()
    url = reverse("admin:assessments_assessment_change", args=[assessment.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"title": "Renamed"}).status_code == 403
    assessment.refresh_from_db()
    assert assessment.title != "Renamed"


@pytest.mark.parametrize("model", ["organization", "assessment"])
def test_add_pages_open(taxonomy, staff, model):
    """The add pages render for a superuser."""
    assert staff.get(reverse(f"admin:{APP[model]}_{model}_add")).status_code == 200


def test_start_the_next_round_action_creates_a_draft_after_each_selected_assessment(taxonomy, staff):
    """The admin action copies the settings and links the new round to the selected one."""
    org = OrganizationFactory(name="Acme")
    baseline = AssessmentFactory(organization=org, title="Baseline", threshold=1.5, min_group_size=7)
    response = staff.post(
        reverse("admin:assessments_assessment_changelist"),
        {"action": "start_next_round", "_selected_action": [baseline.pk]},
        follow=True,
    )
    created = Assessment.objects.get(previous=baseline)
    assert (created.title, created.status, created.threshold, created.min_group_size) == (
        "Baseline (next round)",
        "draft",
        1.5,
        7,
    )
    assert "Started “" in response.content.decode()


def test_the_admin_refuses_a_previous_round_of_another_organization(taxonomy, staff):
    """The change form shows the model's message beside the field and saves nothing."""
    assessment = AssessmentFactory(organization=OrganizationFactory(name="Acme"), title="Baseline")
    elsewhere = AssessmentFactory(organization=OrganizationFactory(name="Globex"))
    response = staff.post(
        reverse("admin:assessments_assessment_change", args=[assessment.pk]),
        {
            "organization": assessment.organization_id,
            "title": "Baseline",
            "slug": assessment.slug,
            "status": "open",
            "threshold": "1.0",
            "min_group_size": "5",
            "results": "after-close",
            "previous": elsewhere.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["previous"] == [
        "The previous round must be an assessment of the same organization."
    ]
    assessment.refresh_from_db()
    assert assessment.previous is None


@pytest.mark.parametrize(
    ("results", "advice", "not_said"),
    [("after-close", "invite people to the next round", "reopen"), ("live", "reopen it", "next round")],
)
def test_create_invitations_refuses_a_closed_assessment_with_advice_that_works(
    taxonomy, staff, results, advice, not_said
):
    """The service's refusal, with the service's advice: after close it is final, so no "reopen it"."""
    assessment = AssessmentFactory(organization=OrganizationFactory(name="Acme"), status="closed", results=results)
    url = reverse("admin:assessments_assessment_changelist")
    for extra in ({}, {"apply": "yes", "count": "3"}):
        page = staff.post(
            url, {"action": "create_invitations", "_selected_action": [assessment.pk], **extra}, follow=True
        )
        said = " ".join(str(m) for m in page.context["messages"])
        assert "is closed" in said and advice in said and not_said not in said
    assert not Invitation.objects.exists()
