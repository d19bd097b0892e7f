"""Owners' overview and invitation pages: status, counts, links shown once, revoke."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from common.tokens import hash_token
from organizations.models import Membership
from responses.imports.services import responses_import
from responses.invitations.services import invitations_create
from responses.models import Invitation
from responses.respond.services import Rating, response_start, response_submit
from responses.selectors import invitation_for_token
from taxonomy.selectors import benefit_paths
from tests.factories import AssessmentFactory, MembershipFactory, UserFactory
from tests.manage_helpers import as_user
from tests.reports.helpers import FEEDBACK

pytestmark = pytest.mark.django_db


def test_overview_lists_assessments_with_counts_and_members(manager, org, owner, assessment, taxonomy):
    """Each assessment with status, threshold, invitations sent and started, responses submitted from every way in
    (a link and an import here); members with roles."""
    tokens = invitations_create(assessment=assessment, count=4)
    started = invitation_for_token(tokens[0])
    response_start(assessment=assessment, invitation=started)
    submitted, _ = response_start(assessment=assessment, invitation=invitation_for_token(tokens[1]))
    response_submit(response=submitted)
    responses_import(
        assessment=assessment, ratings_by_respondent={"imported": [Rating(benefit_paths()[FEEDBACK], "importance", 3)]}
    )
    MembershipFactory(organization=org, role=Membership.Role.ANALYST, user=UserFactory(username="anna"))

    response = manager.get(reverse("responses:overview", args=["acme"]))

    assert response.status_code == 200
    row = next(a for a in response.context["assessments"] if a.pk == assessment.pk)
    assert (row.invitations_sent, row.invitations_started, row.responses_submitted) == (4, 1, 2)
    html = response.content.decode()
    assert "Baseline" in html and "Open" in html
    assert reverse("assessments:manage:edit", args=["acme", "baseline"]) in html
    assert reverse("responses:manage:invitations", args=["acme", "baseline"]) in html
    assert reverse("reports:report", args=["acme", "baseline"]) in html
    assert [(m.user.username, m.role) for m in response.context["members"]] == [
        ("anna", "analyst"),
        ("olivia", "owner"),
    ]


@pytest.mark.parametrize("count", [2, 10])
def test_overview_query_count_does_not_grow_with_assessments(client, owner, org, count, django_assert_num_queries):
    """2 or 10 assessments (with invitations): the same queries (session, user, organization, assessments, members)."""
    for _ in range(count):
        invitations_create(assessment=AssessmentFactory(organization=org), count=2)
    as_user(client, owner)
    with django_assert_num_queries(5):
        assert client.get(reverse("responses:overview", args=["acme"])).status_code == 200


def test_overview_for_outsiders_is_a_404(outsider, assessment):
    assert outsider.get(reverse("responses:overview", args=["acme"])).status_code == 404


def test_anonymous_is_sent_to_log_in(client, org):
    response = client.get(reverse("responses:overview", args=["acme"]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")


def test_index_links_owners_to_manage_and_nobody_else(client, owner, org, assessment):
    """The assessments index shows a Manage link to owners only."""
    manage = reverse("responses:overview", args=["acme"])
    assert manage in as_user(client, owner).get(reverse("assessments:index")).content.decode()
    analyst = MembershipFactory(organization=org, role=Membership.Role.ANALYST).user
    assert manage not in as_user(client, analyst).get(reverse("assessments:index")).content.decode()


def test_invitations_page_lists_status_and_counts(manager, assessment, taxonomy):
    tokens = invitations_create(assessment=assessment, count=4)
    response_start(assessment=assessment, invitation=invitation_for_token(tokens[0]))
    done, _ = response_start(assessment=assessment, invitation=invitation_for_token(tokens[1]))
    response_submit(response=done)
    Invitation.objects.filter(token_hash=hash_token(tokens[2])).update(revoked_at=timezone.now())

    response = manager.get(reverse("responses:manage:invitations", args=["acme", "baseline"]))

    assert response.status_code == 200
    assert response.context["counts"] == {
        "unused": 1,
        "started": 1,
        "submitted": 1,
        "revoked": 1,
        "opted_out": 0,
        "failed": 0,
    }
    statuses = sorted(i.status for i in response.context["page"].object_list)
    assert statuses == ["revoked", "started", "submitted", "unused"]


def test_create_invitations_shows_the_links_once_and_stores_only_hashes(manager, assessment):
    """The POST's page holds the links (never cached); the database only their hashes."""
    response = manager.post(
        reverse("responses:manage:invitations", args=["acme", "baseline"]), {"count": "3", "label": "Sales"}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    links = response.context["links"]
    assert len(links) == 3
    assert all(link.startswith("http://testserver/i/") for link in links)
    html = response.content.decode()
    assert all(link in html for link in links)
    tokens = [link.rstrip("/").rsplit("/", 1)[1] for link in links]
    stored = set(Invitation.objects.filter(assessment=assessment).values_list("token_hash", "label"))
    assert stored == {(hash_token(t), "Sales") for t in tokens}
    assert not any(t in str(stored) for t in tokens)


def test_reloading_the_links_page_does_not_create_a_second_batch(manager, assessment):
    """The form's one-time batch key: re-sending the same POST (a reload) creates nothing more and says so."""
    page = manager.get(reverse("responses:manage:invitations", args=["acme", "baseline"]))
    batch = page.context["form"].initial["batch"]
    data = {"count": "3", "label": "", "batch": batch}
    assert manager.post(reverse("responses:manage:invitations", args=["acme", "baseline"]), data).status_code == 200
    again = manager.post(reverse("responses:manage:invitations", args=["acme", "baseline"]), data, follow=True)
    assert Invitation.objects.filter(assessment=assessment).count() == 3
    assert "already created" in again.content.decode()
    fresh = (
        manager.get(reverse("responses:manage:invitations", args=["acme", "baseline"])).context["form"].initial["batch"]
    )
    assert fresh != batch
    manager.post(reverse("responses:manage:invitations", args=["acme", "baseline"]), {**data, "batch": fresh})
    assert Invitation.objects.filter(assessment=assessment).count() == 6


def test_links_page_downloads_the_same_links_as_csv(manager, assessment):
    """The "Download CSV" button re-posts the tokens: the admin's CSV format, one row per link."""
    page = manager.post(reverse("responses:manage:invitations", args=["acme", "baseline"]), {"count": "2", "label": ""})
    tokens = page.context["links_form"].initial["tokens"]
    response = manager.post(reverse("responses:manage:invitations_csv", args=["acme", "baseline"]), {"tokens": tokens})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="invitations-')
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["organization", "assessment", "link"],
        *[["Acme", "Baseline", link] for link in page.context["links"]],
    ]
    assert Invitation.objects.count() == 2  # downloading creates nothing


def test_csv_download_refuses_tokens_of_another_assessment(manager, assessment):
    """Only tokens of this assessment's invitations come back as links; anything else is refused."""
    other = invitations_create(assessment=AssessmentFactory(), count=1)
    mine = invitations_create(assessment=assessment, count=1)
    for tokens in (" ".join(mine + other), "made-up-token", ""):
        response = manager.post(
            reverse("responses:manage:invitations_csv", args=["acme", "baseline"]), {"tokens": tokens}
        )
        assert response.status_code == 302
        assert not response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize(("count", "ok"), [("0", False), ("1", True), ("1000", True), ("1001", False), ("x", False)])
def test_create_invitations_count_is_1_to_1000(manager, assessment, count, ok):
    response = manager.post(
        reverse("responses:manage:invitations", args=["acme", "baseline"]), {"count": count, "label": ""}
    )
    assert response.status_code == (200 if ok else 400)
    assert Invitation.objects.count() == (int(count) if ok else 0)
    if not ok:
        assert f'value="{count}"' in response.content.decode()


def test_closed_assessment_takes_no_new_invitations(manager, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED)
    response = manager.post(
        reverse("responses:manage:invitations", args=["acme", "baseline"]), {"count": "5", "label": ""}
    )
    assert response.status_code == 400
    assert "closed" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_revoke_asks_then_revokes_and_the_link_stops_working(manager, assessment, client):
    token = invitations_create(assessment=assessment, count=1)[0]
    invitation = Invitation.objects.get()
    revoke = reverse("responses:manage:invitation_revoke", args=["acme", "baseline", invitation.pk])
    assert manager.get(revoke).status_code == 200
    invitation.refresh_from_db()
    assert invitation.revoked_at is None  # the GET only asks

    response = manager.post(revoke)

    assert response.status_code == 302
    assert invitation_for_token(token) is None
    manager.logout()
    assert manager.get(reverse("responses:invitation:start", args=[token])).status_code == 404


def test_invitations_pages_for_outsiders_are_404_and_change_nothing(outsider, assessment):
    token = invitations_create(assessment=assessment, count=1)[0]
    pk = Invitation.objects.get().pk
    assert outsider.get(reverse("responses:manage:invitations", args=["acme", "baseline"])).status_code == 404
    assert (
        outsider.post(reverse("responses:manage:invitations", args=["acme", "baseline"]), {"count": "5"}).status_code
        == 404
    )
    assert (
        outsider.post(
            reverse("responses:manage:invitations_csv", args=["acme", "baseline"]), {"tokens": token}
        ).status_code
        == 404
    )
    assert (
        outsider.post(reverse("responses:manage:invitation_revoke", args=["acme", "baseline", pk])).status_code == 404
    )
    assert Invitation.objects.count() == 1
    assert invitation_for_token(token) is not None


def test_revoking_another_assessments_invitation_is_a_404(manager, assessment):
    """The invitation must belong to the assessment in the URL."""
    other = AssessmentFactory(organization=assessment.organization, title="Other", slug="other")
    token = invitations_create(assessment=other, count=1)[0]
    pk = Invitation.objects.get().pk
    assert manager.post(reverse("responses:manage:invitation_revoke", args=["acme", "baseline", pk])).status_code == 404
    assert invitation_for_token(token) is not None


def test_an_owner_who_steps_down_is_sent_to_the_index(client, owner, org):
    """With a second owner, the first may step down; they can no longer manage, so they land on the index."""
    MembershipFactory(organization=org, role=Membership.Role.OWNER)
    membership = Membership.objects.get(user=owner)
    as_user(client, owner)
    response = client.post(
        reverse("organizations:manage:member_role", args=["acme", membership.pk]), {"role": "analyst"}
    )
    assert response["Location"] == reverse("assessments:index")
    assert client.get(reverse("responses:overview", args=["acme"])).status_code == 404
