"""Owner management pages (issue 6): overview, assessments, invitations, members.

Owners of the organization and staff may use every page and action; its
analysts and respondents, and members of other organizations, get a 404 for
pages and POSTs alike, and nothing changes.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from organizations.models import Membership
from responses.models import Invitation, hash_token
from responses.selectors import invitation_for_token
from responses.services import invitations_create, response_start, response_submit
from tests.factories import AssessmentFactory, MembershipFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def org():
    return OrganizationFactory(name="Acme", slug="acme")


@pytest.fixture
def owner(org):
    return MembershipFactory(organization=org, role=Membership.Role.OWNER, user=UserFactory(username="olivia")).user


@pytest.fixture
def assessment(org):
    return AssessmentFactory(organization=org, title="Baseline", slug="baseline", threshold=1.0)


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.fixture(params=["owner", "staff"])
def manager(request, client, owner):
    """An owner of Acme, or a staff user who is no member of it: both may manage."""
    user = owner if request.param == "owner" else UserFactory(username="sam", is_staff=True)
    return as_user(client, user)


@pytest.fixture(params=["analyst", "respondent", "other_org"])
def outsider(request, client, org):
    """Acme's analyst or respondent, or an owner of another organization: none may manage Acme."""
    if request.param == "other_org":
        user = MembershipFactory(role=Membership.Role.OWNER).user
    else:
        user = MembershipFactory(organization=org, role=request.param).user
    return as_user(client, user)


URL_NAMES = {
    "index": "assessments:index",
    "invitation_start": "responses:invitation:start",
    "manage_assessment_create": "assessments:manage:create",
    "manage_assessment_edit": "assessments:manage:edit",
    "manage_invitation_revoke": "responses:manage:invitation_revoke",
    "manage_invitations": "responses:manage:invitations",
    "manage_invitations_csv": "responses:manage:invitations_csv",
    "manage_member_remove": "organizations:manage:member_remove",
    "manage_member_role": "organizations:manage:member_role",
    "manage_members": "organizations:manage:members",
    "manage_overview": "responses:overview",
    "report": "reports:report",
}


def url(name: str, *args) -> str:
    return reverse(URL_NAMES[name], args=args)


FORM = {"title": "Pulse 2026", "status": "open", "opens_at": "", "closes_at": "", "threshold": "1.5"}


# --- Overview -----------------------------------------------------------------


def test_overview_lists_assessments_with_counts_and_members(manager, org, owner, assessment, taxonomy):
    """Each assessment with status, threshold and invitation counts (sent, started, submitted); members with roles."""
    tokens = invitations_create(assessment=assessment, count=4)
    started = invitation_for_token(tokens[0])
    response_start(assessment=assessment, invitation=started)
    submitted, _ = response_start(assessment=assessment, invitation=invitation_for_token(tokens[1]))
    response_submit(response=submitted)
    MembershipFactory(organization=org, role=Membership.Role.ANALYST, user=UserFactory(username="anna"))

    response = manager.get(url("manage_overview", "acme"))

    assert response.status_code == 200
    row = next(a for a in response.context["assessments"] if a.pk == assessment.pk)
    assert (row.invitations_sent, row.invitations_started, row.invitations_submitted) == (4, 1, 1)
    html = response.content.decode()
    assert "Baseline" in html and "Open" in html
    assert url("manage_assessment_edit", "acme", "baseline") in html
    assert url("manage_invitations", "acme", "baseline") in html
    assert url("report", "acme", "baseline") in html
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
        assert client.get(url("manage_overview", "acme")).status_code == 200


def test_overview_for_outsiders_is_a_404(outsider, assessment):
    assert outsider.get(url("manage_overview", "acme")).status_code == 404


def test_anonymous_is_sent_to_log_in(client, org):
    response = client.get(url("manage_overview", "acme"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL) + "?next=")


def test_index_links_owners_to_manage_and_nobody_else(client, owner, org, assessment):
    """The assessments index shows a Manage link to owners only."""
    manage = url("manage_overview", "acme")
    assert manage in as_user(client, owner).get(url("index")).content.decode()
    analyst = MembershipFactory(organization=org, role=Membership.Role.ANALYST).user
    assert manage not in as_user(client, analyst).get(url("index")).content.decode()


# --- Create and edit an assessment ----------------------------------------------


def test_create_assessment(manager, org):
    """A valid form creates the assessment with a slug from its title and returns to the overview."""
    response = manager.post(url("manage_assessment_create", "acme"), FORM)
    assert response.status_code == 302
    assert response["Location"] == url("manage_overview", "acme")
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
    ],
)
def test_create_refuses_bad_input_and_keeps_what_was_entered(manager, assessment, changes, field, message):
    """A clear message next to the field, the entered values shown again, nothing created."""
    data = {**FORM, "title": "Pulse 2026", **changes}
    response = manager.post(url("manage_assessment_create", "acme"), data)
    assert response.status_code == 400
    assert any(message in e for e in response.context["form"].errors[field])
    html = response.content.decode()
    assert message.replace("“", "&ldquo;") in html or message in html
    for value in ("4.5", "2026-05-02T10:00"):
        if value in data.values():
            assert f'value="{value}"' in html
    assert Assessment.objects.count() == 1


def test_edit_assessment_changes_status_dates_and_threshold_but_not_slug(manager, assessment):
    """Closing is a status change; the slug stays so report URLs keep working."""
    page = manager.get(url("manage_assessment_edit", "acme", "baseline"))
    assert page.status_code == 200
    assert 'value="Baseline"' in page.content.decode()
    data = {
        **FORM,
        "title": "Baseline (renamed)",
        "status": "closed",
        "closes_at": "2026-06-01T12:00",
        "threshold": "2",
    }
    response = manager.post(url("manage_assessment_edit", "acme", "baseline"), data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.title, assessment.slug, assessment.status, assessment.threshold) == (
        "Baseline (renamed)",
        "baseline",
        "closed",
        2.0,
    )
    assert assessment.closes_at is not None


def test_edit_keeps_its_own_title_but_refuses_another_assessments(manager, org, assessment):
    AssessmentFactory(organization=org, title="Pulse")
    keep = manager.post(url("manage_assessment_edit", "acme", "baseline"), {**FORM, "title": "Baseline"})
    assert keep.status_code == 302
    taken = manager.post(url("manage_assessment_edit", "acme", "baseline"), {**FORM, "title": "Pulse"})
    assert taken.status_code == 400
    assert "already has an assessment called" in taken.content.decode()
    assessment.refresh_from_db()
    assert assessment.title == "Baseline"


def test_same_title_in_another_organization_is_fine(manager, assessment):
    AssessmentFactory(title="Pulse 2026")
    assert manager.post(url("manage_assessment_create", "acme"), FORM).status_code == 302


@pytest.mark.parametrize("name", ["manage_assessment_create", "manage_assessment_edit"])
def test_assessment_pages_for_outsiders_are_404_and_change_nothing(outsider, assessment, name):
    args = ("acme",) if name == "manage_assessment_create" else ("acme", "baseline")
    assert outsider.get(url(name, *args)).status_code == 404
    assert outsider.post(url(name, *args), {**FORM, "title": "Hacked"}).status_code == 404
    assert list(Assessment.objects.values_list("title", flat=True)) == ["Baseline"]


def test_another_organizations_assessment_is_a_404_even_for_an_owner(client, owner, org):
    """The org slug decides: Acme's owner cannot reach Globex's assessment through Acme's URLs."""
    AssessmentFactory(title="Secret", slug="secret")  # another organization
    as_user(client, owner)
    assert client.get(url("manage_assessment_edit", "acme", "secret")).status_code == 404
    assert client.get(url("manage_invitations", "acme", "secret")).status_code == 404


# --- Invitations ------------------------------------------------------------------


def test_invitations_page_lists_status_and_counts(manager, assessment, taxonomy):
    tokens = invitations_create(assessment=assessment, count=4)
    response_start(assessment=assessment, invitation=invitation_for_token(tokens[0]))
    done, _ = response_start(assessment=assessment, invitation=invitation_for_token(tokens[1]))
    response_submit(response=done)
    Invitation.objects.filter(token_hash=hash_token(tokens[2])).update(revoked_at=timezone.now())

    response = manager.get(url("manage_invitations", "acme", "baseline"))

    assert response.status_code == 200
    assert response.context["counts"] == {"unused": 1, "started": 1, "submitted": 1, "revoked": 1}
    statuses = sorted(i.status for i in response.context["page"].object_list)
    assert statuses == ["revoked", "started", "submitted", "unused"]


def test_create_invitations_shows_the_links_once_and_stores_only_hashes(manager, assessment):
    """The POST's page holds the links (never cached); the database only their hashes."""
    response = manager.post(url("manage_invitations", "acme", "baseline"), {"count": "3", "label": "Sales"})
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
    page = manager.get(url("manage_invitations", "acme", "baseline"))
    batch = page.context["form"].initial["batch"]
    data = {"count": "3", "label": "", "batch": batch}
    assert manager.post(url("manage_invitations", "acme", "baseline"), data).status_code == 200
    again = manager.post(url("manage_invitations", "acme", "baseline"), data, follow=True)
    assert Invitation.objects.filter(assessment=assessment).count() == 3
    assert "already created" in again.content.decode()
    fresh = manager.get(url("manage_invitations", "acme", "baseline")).context["form"].initial["batch"]
    assert fresh != batch
    manager.post(url("manage_invitations", "acme", "baseline"), {**data, "batch": fresh})
    assert Invitation.objects.filter(assessment=assessment).count() == 6


def test_links_page_downloads_the_same_links_as_csv(manager, assessment):
    """The "Download CSV" button re-posts the tokens: the admin's CSV format, one row per link."""
    page = manager.post(url("manage_invitations", "acme", "baseline"), {"count": "2", "label": ""})
    tokens = page.context["links_form"].initial["tokens"]
    response = manager.post(url("manage_invitations_csv", "acme", "baseline"), {"tokens": tokens})
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
        response = manager.post(url("manage_invitations_csv", "acme", "baseline"), {"tokens": tokens})
        assert response.status_code == 302
        assert not response["Content-Type"].startswith("text/csv")


@pytest.mark.parametrize(("count", "ok"), [("0", False), ("1", True), ("1000", True), ("1001", False), ("x", False)])
def test_create_invitations_count_is_1_to_1000(manager, assessment, count, ok):
    response = manager.post(url("manage_invitations", "acme", "baseline"), {"count": count, "label": ""})
    assert response.status_code == (200 if ok else 400)
    assert Invitation.objects.count() == (int(count) if ok else 0)
    if not ok:
        assert f'value="{count}"' in response.content.decode()


def test_closed_assessment_takes_no_new_invitations(manager, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED)
    response = manager.post(url("manage_invitations", "acme", "baseline"), {"count": "5", "label": ""})
    assert response.status_code == 400
    assert "closed" in response.content.decode()
    assert Invitation.objects.count() == 0


def test_revoke_asks_then_revokes_and_the_link_stops_working(manager, assessment, client):
    token = invitations_create(assessment=assessment, count=1)[0]
    invitation = Invitation.objects.get()
    revoke = url("manage_invitation_revoke", "acme", "baseline", invitation.pk)
    assert manager.get(revoke).status_code == 200
    invitation.refresh_from_db()
    assert invitation.revoked_at is None  # the GET only asks

    response = manager.post(revoke)

    assert response.status_code == 302
    assert invitation_for_token(token) is None
    manager.logout()
    assert manager.get(url("invitation_start", token)).status_code == 404


def test_invitations_pages_for_outsiders_are_404_and_change_nothing(outsider, assessment):
    token = invitations_create(assessment=assessment, count=1)[0]
    pk = Invitation.objects.get().pk
    assert outsider.get(url("manage_invitations", "acme", "baseline")).status_code == 404
    assert outsider.post(url("manage_invitations", "acme", "baseline"), {"count": "5"}).status_code == 404
    assert outsider.post(url("manage_invitations_csv", "acme", "baseline"), {"tokens": token}).status_code == 404
    assert outsider.post(url("manage_invitation_revoke", "acme", "baseline", pk)).status_code == 404
    assert Invitation.objects.count() == 1
    assert invitation_for_token(token) is not None


def test_revoking_another_assessments_invitation_is_a_404(manager, assessment):
    """The invitation must belong to the assessment in the URL."""
    other = AssessmentFactory(organization=assessment.organization, title="Other", slug="other")
    token = invitations_create(assessment=other, count=1)[0]
    pk = Invitation.objects.get().pk
    assert manager.post(url("manage_invitation_revoke", "acme", "baseline", pk)).status_code == 404
    assert invitation_for_token(token) is not None


# --- Members ------------------------------------------------------------------------


def test_add_member_by_username(manager, org):
    UserFactory(username="bob")
    response = manager.post(url("manage_members", "acme"), {"username": "bob", "role": "analyst"})
    assert response.status_code == 302
    assert Membership.objects.get(organization=org, user__username="bob").role == "analyst"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"username": "nobody", "role": "analyst"}, "There is no user called"),
        ({"username": "olivia", "role": "analyst"}, "already a member (owner)"),
        ({"username": "bob", "role": "boss"}, "Select a valid choice"),
    ],
)
def test_add_member_refuses_bad_input_and_keeps_it(manager, org, data, message):
    UserFactory(username="bob")
    response = manager.post(url("manage_members", "acme"), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert f'value="{data["username"]}"' in html
    assert Membership.objects.filter(organization=org).count() == 1


def test_change_role_and_remove_member(manager, org):
    membership = MembershipFactory(organization=org, role=Membership.Role.RESPONDENT)
    role_url = url("manage_member_role", "acme", membership.pk)
    assert manager.post(role_url, {"role": "analyst"}).status_code == 302
    membership.refresh_from_db()
    assert membership.role == "analyst"

    remove_url = url("manage_member_remove", "acme", membership.pk)
    assert manager.get(remove_url).status_code == 200
    assert Membership.objects.filter(pk=membership.pk).exists()  # the GET only asks
    assert manager.post(remove_url).status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_last_owner_cannot_be_demoted_or_removed(client, owner, org):
    """Refused with a message; the organization keeps its owner."""
    membership = Membership.objects.get(user=owner)
    as_user(client, owner)
    response = client.post(url("manage_member_role", "acme", membership.pk), {"role": "analyst"}, follow=True)
    assert "needs at least one owner" in response.content.decode()
    response = client.post(url("manage_member_remove", "acme", membership.pk), follow=True)
    assert "needs at least one owner" in response.content.decode()
    membership.refresh_from_db()
    assert membership.role == "owner"


def test_an_owner_who_steps_down_is_sent_to_the_index(client, owner, org):
    """With a second owner, the first may step down; they can no longer manage, so they land on the index."""
    MembershipFactory(organization=org, role=Membership.Role.OWNER)
    membership = Membership.objects.get(user=owner)
    as_user(client, owner)
    response = client.post(url("manage_member_role", "acme", membership.pk), {"role": "analyst"})
    assert response["Location"] == url("index")
    assert client.get(url("manage_overview", "acme")).status_code == 404


def test_role_change_get_is_not_allowed(manager, org):
    membership = Membership.objects.get(organization=org)
    assert manager.get(url("manage_member_role", "acme", membership.pk)).status_code == 405


def test_members_pages_for_outsiders_are_404_and_change_nothing(outsider, org, owner):
    UserFactory(username="mallory")
    membership = Membership.objects.get(user=owner)
    assert outsider.get(url("manage_members", "acme")).status_code == 404
    assert outsider.post(url("manage_members", "acme"), {"username": "mallory", "role": "owner"}).status_code == 404
    assert outsider.post(url("manage_member_role", "acme", membership.pk), {"role": "respondent"}).status_code == 404
    assert outsider.post(url("manage_member_remove", "acme", membership.pk)).status_code == 404
    membership.refresh_from_db()
    assert membership.role == "owner"
    assert not Membership.objects.filter(user__username="mallory").exists()


def test_an_owner_cannot_touch_another_organizations_membership(client, owner, org):
    """Acme's owner, through Acme's URLs, cannot change or remove a Globex membership (404)."""
    foreign = MembershipFactory(role=Membership.Role.RESPONDENT)
    as_user(client, owner)
    assert client.post(url("manage_member_role", "acme", foreign.pk), {"role": "owner"}).status_code == 404
    assert client.post(url("manage_member_remove", "acme", foreign.pk)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.role == "respondent"


def test_writes_need_a_csrf_token(owner, org):
    """Every management write is a POST protected by CSRF."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    UserFactory(username="bob")
    response = client.post(url("manage_members", "acme"), {"username": "bob", "role": "owner"})
    assert response.status_code == 403
    assert not Membership.objects.filter(user__username="bob").exists()
