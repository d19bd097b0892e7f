"""Access-control matrix: every URL of the project (admin aside) against every kind of visitor.

The table below has one row per URL name with the expected outcome of a GET
for each role. The test enumerates the URL patterns through the resolver, so
a new URL without a row fails here until someone decides who may see it.

Outcomes: ``200``; ``login`` (a redirect to the login page with ``?next``);
``302`` (any other redirect, e.g. "start first"); ``404`` (not found, also
for what exists but is not yours: never a 403 that would confirm it);
``405`` (method not allowed).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from actions.services import action_create
from assessments.services import assessment_get_or_create
from common.tokens import hash_token, new_token
from organizations.models import MemberInvitation, Membership
from organizations.services import organization_get_or_create
from responses.invitations.services import invitations_create
from taxonomy.models import Benefit
from tests.factories import MembershipFactory, UserFactory

ROLES = ("anonymous", "respondent", "analyst", "owner", "other_org", "staff", "staff_reports", "superuser")

EVERYONE_200 = dict.fromkeys(ROLES, "200")
LOGIN_THEN_200 = {**EVERYONE_200, "anonymous": "login"}
# Reports: owners and analysts of the organization, staff holding ``view_report`` and superusers; anyone else a 404.
# Staff status alone (``staff``: no permission, no membership) opens nothing.
REPORT = {
    "anonymous": "login",
    "respondent": "404",
    "analyst": "200",
    "owner": "200",
    "other_org": "404",
    "staff": "404",
    "staff_reports": "200",
    "superuser": "200",
}
# A member's own response (any role of the organization); nobody who is not a member, whatever their permissions.
RESPOND = {**REPORT, "respondent": "200", "staff_reports": "404", "superuser": "404"}
# Steps that need a started response: a member without one is sent back to the start.
RESPOND_LATER = {**RESPOND, "respondent": "302", "analyst": "302", "owner": "302"}
# The invitation token is the credential: who is logged in does not matter.
INVITATION = EVERYONE_200
INVITATION_LATER = dict.fromkeys(ROLES, "302")
# Owner management: the organization's owners and superusers; everyone else 404, even its analysts and report readers.
MANAGE = {**REPORT, "analyst": "404", "staff_reports": "404"}
# Writes reachable only by POST: a GET is refused before anything else, whoever asks.
POST_ONLY = dict.fromkeys(ROLES, "405")
# The API takes a personal token, never the session: a logged-in browser gets 401 like anyone without one.
API = dict.fromkeys(ROLES, "401")

ORG = {"org_slug": "acme", "assessment_slug": "baseline"}

# URL name -> (kwargs, expected outcome per role)
MATRIX: dict[str, tuple[dict, dict[str, str]]] = {
    "common:healthz": ({}, EVERYONE_200),
    "taxonomy:home": ({}, EVERYONE_200),
    "taxonomy:favicon": ({}, dict.fromkeys(ROLES, "302")),
    # The language switcher: a GET changes nothing and sends the visitor back.
    "set_language": ({}, dict.fromkeys(ROLES, "302")),
    "taxonomy:benefit": ({"path": "social-media/internal/improved-feedback"}, EVERYONE_200),
    "accounts:login": ({}, {**dict.fromkeys(ROLES, "302"), "anonymous": "200"}),
    "accounts:logout": ({}, dict.fromkeys(ROLES, "405")),
    "accounts:password_change": ({}, LOGIN_THEN_200),
    "accounts:password_change_done": ({}, LOGIN_THEN_200),
    # django-allauth's sign-up, confirmation and password reset (accounts.allauth_urls); sign-up is closed in tests.
    "account_login": ({}, {**dict.fromkeys(ROLES, "302"), "anonymous": "200"}),
    # Someone logged in is sent on; sign-up (or its "closed" page) is for the anonymous.
    "account_signup": ({}, {**dict.fromkeys(ROLES, "302"), "anonymous": "200"}),
    "account_email_verification_sent": ({}, EVERYONE_200),
    "account_confirm_email": ({"key": "not-a-key"}, EVERYONE_200),
    "account_inactive": ({}, EVERYONE_200),
    "account_reset_password": ({}, EVERYONE_200),
    "account_reset_password_done": ({}, EVERYONE_200),
    "account_reset_password_from_key": ({"uidb36": "1", "key": "not-a-key"}, EVERYONE_200),
    "account_reset_password_from_key_done": ({}, EVERYONE_200),
    "responses:invitation:start": ({"token": "TOKEN"}, INVITATION),
    "responses:invitation:section": ({"token": "TOKEN", "number": 1}, INVITATION_LATER),
    "responses:invitation:review": ({"token": "TOKEN"}, INVITATION_LATER),
    "responses:invitation:done": ({"token": "TOKEN"}, INVITATION_LATER),
    "responses:invitation:withdraw": ({"token": "TOKEN"}, INVITATION_LATER),
    # A confirmation page: its GET changes nothing, so anyone holding the link may see it.
    "responses:opt_out": ({"token": "OPT_OUT_TOKEN"}, INVITATION),
    "responses:member:start": (ORG, RESPOND),
    "responses:member:section": ({**ORG, "number": 1}, RESPOND_LATER),
    "responses:member:review": (ORG, RESPOND_LATER),
    "responses:member:done": (ORG, RESPOND_LATER),
    "responses:member:withdraw": (ORG, RESPOND_LATER),
    "assessments:index": ({}, LOGIN_THEN_200),
    "reports:report": (ORG, REPORT),
    "reports:json": (ORG, REPORT),
    "reports:csv": (ORG, REPORT),
    "reports:pdf": (ORG, REPORT),
    "reports:targets": (ORG, MANAGE),
    "reports:comments_csv": (ORG, REPORT),
    "reports:comments": (ORG, MANAGE),
    "responses:overview": ({"org_slug": "acme"}, MANAGE),
    "assessments:manage:create": ({"org_slug": "acme"}, MANAGE),
    "assessments:manage:edit": (ORG, MANAGE),
    "assessments:manage:close": (ORG, MANAGE),
    "assessments:manage:segments": (ORG, MANAGE),
    "assessments:manage:segment_delete": ({**ORG, "pk": 1}, POST_ONLY),
    "assessments:manage:next_round": (ORG, MANAGE),
    "responses:manage:invitations": (ORG, MANAGE),
    "responses:manage:invitations_csv": (ORG, POST_ONLY),
    "responses:manage:invitation_revoke": ({**ORG, "pk": "INVITATION"}, MANAGE),
    "responses:manage:email_invitations": (ORG, MANAGE),
    "responses:manage:reminders": (ORG, MANAGE),
    "responses:manage:invitation_resend": ({**ORG, "pk": "INVITATION"}, POST_ONLY),
    "responses:manage:invitation_send_again": ({**ORG, "pk": "INVITATION"}, POST_ONLY),
    "organizations:new": ({}, LOGIN_THEN_200),
    "organizations:manage:members": ({"org_slug": "acme"}, MANAGE),
    "organizations:manage:settings": ({"org_slug": "acme"}, MANAGE),
    "organizations:manage:member_role": ({"org_slug": "acme", "pk": "MEMBERSHIP"}, POST_ONLY),
    "organizations:manage:member_remove": ({"org_slug": "acme", "pk": "MEMBERSHIP"}, MANAGE),
    "organizations:manage:member_invitation_resend": ({"org_slug": "acme", "pk": "MEMBER_INVITATION"}, POST_ONLY),
    "organizations:manage:member_invitation_revoke": ({"org_slug": "acme", "pk": "MEMBER_INVITATION"}, POST_ONLY),
    # The e-mailed link is the credential, as for survey links; its GET changes nothing.
    "organizations:join": ({"token": "JOIN_TOKEN"}, INVITATION),
    "organizations:join_account": ({"token": "JOIN_TOKEN"}, POST_ONLY),
    "actions:list": ({"org_slug": "acme"}, REPORT),
    "actions:roadmap": ({"org_slug": "acme"}, REPORT),
    "actions:csv": ({"org_slug": "acme"}, REPORT),
    "actions:create": ({"org_slug": "acme"}, MANAGE),
    "actions:edit": ({"org_slug": "acme", "pk": "ACTION"}, MANAGE),
    "actions:status": ({"org_slug": "acme", "pk": "ACTION"}, POST_ONLY),
    "actions:delete": ({"org_slug": "acme", "pk": "ACTION"}, MANAGE),
    "api:tokens": ({}, LOGIN_THEN_200),
    "api:token_revoke": ({"pk": 1}, POST_ONLY),
    # The API's description, its documentation and its index are public.
    "api:v1:openapi-json": ({}, EVERYONE_200),
    "api:v1:openapi-view": ({}, EVERYONE_200),
    "api:v1:api-root": ({}, EVERYONE_200),
    "api:v1:not_found": ({"rest": "nothing/here"}, dict.fromkeys(ROLES, "404")),
    "api:v1:organizations": ({}, API),
    "api:v1:assessments": ({"org": "acme"}, API),
    "api:v1:report": ({"org": "acme", "assessment": "baseline"}, API),
    "api:v1:actions": ({"org": "acme"}, API),
}


def project_url_names() -> set[str]:
    """Every named URL of the project, namespaced, admin aside; an unnamed pattern is an error."""
    names: set[str] = set()

    def walk(patterns, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                ns = p.namespace or namespace
                walk(p.url_patterns, f"{namespace}:{ns}" if namespace and p.namespace else ns)
            elif isinstance(p, URLPattern):
                assert p.name, f"URL pattern {p.pattern} has no name, so the matrix cannot cover it"
                names.add(f"{namespace}:{p.name}" if namespace else p.name)

    walk(get_resolver().url_patterns, None)
    return names


def test_every_url_has_a_row_in_the_matrix():
    """A URL added without deciding who may open it fails here; a row for a removed URL too."""
    names = project_url_names()
    assert names - MATRIX.keys() == set(), "URLs without an access rule: add them to MATRIX"
    assert MATRIX.keys() - names == set(), "rules for URLs that no longer exist"


@dataclass
class World:
    token: str
    other_token: str
    join_token: str
    clients: dict[str, Client]
    users: dict = field(default_factory=dict)


@pytest.fixture
def world(taxonomy) -> World:
    acme, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=acme, title="Baseline")
    assert (acme.slug, assessment.slug) == (ORG["org_slug"], ORG["assessment_slug"])
    globex, _ = organization_get_or_create(name="Globex")
    # Same assessment slug in the other organization: the org slug must decide, not the assessment slug.
    other_assessment, _ = assessment_get_or_create(organization=globex, title="Baseline")
    users = {
        "respondent": MembershipFactory(organization=acme, role=Membership.Role.RESPONDENT).user,
        "analyst": MembershipFactory(organization=acme, role=Membership.Role.ANALYST).user,
        "owner": MembershipFactory(organization=acme, role=Membership.Role.OWNER).user,
        "other_org": MembershipFactory(organization=globex, role=Membership.Role.OWNER).user,
        "staff": UserFactory(is_staff=True),
        "staff_reports": UserFactory(is_staff=True),
        "superuser": UserFactory(is_staff=True, is_superuser=True),
    }
    users["staff_reports"].user_permissions.add(
        Permission.objects.get_by_natural_key("view_report", "assessments", "assessment")
    )
    clients = {"anonymous": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    action_create(
        organization=acme,
        assessment=assessment,
        title="Feedback sessions",
        benefits=Benefit.objects.filter(path="social-media/internal/improved-feedback"),
        owner_name="Dana",
    )
    join_token = new_token()
    MemberInvitation.objects.create(
        organization=acme,
        email="new@example.com",
        status=MemberInvitation.Status.SENT,
        token_hash=hash_token(join_token),
        claimed_at=timezone.now(),
        sent_at=timezone.now(),
    )
    return World(
        token=invitations_create(assessment=assessment, count=1)[0],
        other_token=invitations_create(assessment=other_assessment, count=1)[0],
        join_token=join_token,
        clients=clients,
        users=users,
    )


def outcome(response) -> str:
    if response.status_code in (301, 302):
        login = resolve_url(settings.LOGIN_URL)
        return "login" if response["Location"].startswith(login + "?next=") else "302"
    return str(response.status_code)


def _placeholder(value, world: World):
    """``TOKEN`` is Acme's invitation token (``OPT_OUT_TOKEN`` its opt-out's), ``INVITATION`` its pk,
    ``MEMBERSHIP`` the pk of Acme's analyst,
    ``ACTION`` the pk of Acme's action, ``JOIN_TOKEN`` and ``MEMBER_INVITATION`` Acme's member invitation."""
    from actions.models import Action
    from responses.models import Invitation

    if value == "TOKEN":
        return world.token
    if value == "JOIN_TOKEN":
        return world.join_token
    if value == "OPT_OUT_TOKEN":  # an e-mail's opt-out link: a token of its own, for Acme's invitation
        from responses.models import InvitationOptOutToken

        token = world.token + "-opt-out"
        invitation = Invitation.objects.get(token_hash=hash_token(world.token))
        InvitationOptOutToken.objects.get_or_create(invitation=invitation, token_hash=hash_token(token))
        return token
    if value == "MEMBER_INVITATION":
        return MemberInvitation.objects.get(organization__slug="acme").pk
    if value == "INVITATION":
        return Invitation.objects.get(token_hash=hash_token(world.token)).pk
    if value == "ACTION":
        return Action.objects.get(organization__slug="acme").pk
    if value == "MEMBERSHIP":
        return Membership.objects.get(organization__slug="acme", role=Membership.Role.ANALYST).pk
    return value


def _url(name: str, kwargs: dict, world: World) -> str:
    return resolve_url(name, **{k: _placeholder(v, world) for k, v in kwargs.items()})


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_get_outcome_per_role(world, name):
    """GET the URL as each role: exactly the outcome in the matrix (all differences reported at once)."""
    kwargs, expected = MATRIX[name]
    url = _url(name, kwargs, world)
    got = {role: outcome(world.clients[role].get(url)) for role in ROLES}
    assert got == expected


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, (kw, _) in MATRIX.items() if "org_slug" in kw))
def test_post_cannot_reach_another_organizations_assessment(world, name):
    """POST is no way around the scoping: another organization's member, staff without permissions and a respondent
    get 404, anonymous login; a report reader cannot manage, and nobody who is not a member answers."""
    kwargs, expected = MATRIX[name]
    url = _url(name, kwargs, world)
    assert outcome(world.clients["other_org"].post(url)) in ("404", "405")
    assert outcome(world.clients["staff"].post(url)) in ("404", "405")
    for role in ("staff_reports", "superuser"):
        if expected[role] == "404":
            assert outcome(world.clients[role].post(url)) in ("404", "405")
    assert outcome(world.clients["anonymous"].post(url)) in ("login", "405")
    if expected["respondent"] == "404":
        assert outcome(world.clients["respondent"].post(url)) in ("404", "405")


@pytest.mark.django_db
def test_index_lists_only_the_users_own_organizations(world):
    """The assessments index of another organization's owner, or of staff without permissions, does not mention Acme."""
    html = world.clients["other_org"].get(resolve_url("assessments:index")).content.decode()
    assert "Globex" in html
    assert "Acme" not in html
    assert "Acme" not in world.clients["staff"].get(resolve_url("assessments:index")).content.decode()
    assert "Acme" in world.clients["analyst"].get(resolve_url("assessments:index")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["staff", "staff_reports", "superuser"])
def test_no_one_outside_the_organization_starts_a_response(world, role):
    """Staff, with or without permissions, and superusers who are not members cannot answer: no response is started."""
    from responses.models import Response

    world.clients["owner"].post(_url("assessments:manage:edit", ORG, world), {"title": "Baseline", "status": "open"})
    assert outcome(world.clients[role].post(_url("responses:member:start", ORG, world))) == "404"
    assert not Response.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["responses:invitation:start", "responses:invitation:section", "responses:invitation:review"]
)
def test_unknown_or_revoked_token_is_a_404_for_everyone(world, name):
    """A wrong token (or a revoked one) opens nothing and says nothing more than 'not found'."""
    from django.utils import timezone

    from common.tokens import hash_token
    from responses.models import Invitation

    kwargs = {"token": "x" * 43, **({"number": 1} if "section" in name else {})}
    for role in ("anonymous", "owner", "superuser"):
        assert world.clients[role].get(resolve_url(name, **kwargs)).status_code == 404
    Invitation.objects.filter(token_hash=hash_token(world.other_token)).update(revoked_at=timezone.now())
    kwargs["token"] = world.other_token
    assert world.clients["anonymous"].get(resolve_url(name, **kwargs)).status_code == 404


# With a personal token, the API reads what its user reads on the report pages; no token is a 401.
API_WITH_TOKEN = {**REPORT, "anonymous": "401"}
API_LISTS = {**API_WITH_TOKEN, "respondent": "200", "other_org": "200", "staff": "200"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(n for n, (_, expected) in MATRIX.items() if expected is API))
def test_api_with_a_token_per_role(world, name):
    """Each role's own token: the report's access for an organization's endpoints; the list of organizations
    answers everyone who has a token (with only the organizations they may read: see tests/api)."""
    from api.services import api_token_create

    kwargs, _ = MATRIX[name]
    url = _url(name, kwargs, world)
    got = {"anonymous": outcome(Client().get(url))}
    for role, user in world.users.items():
        _, secret = api_token_create(user=user, name="matrix")
        got[role] = outcome(Client().get(url, HTTP_AUTHORIZATION=f"Bearer {secret}"))
    assert got == (API_LISTS if name == "api:v1:organizations" else API_WITH_TOKEN)
