"""Joining from an e-mailed member invitation: the worker's e-mail, the link, logging in or a new account.

The link's token is the only credential. The page says nothing about
accounts: it looks the same whether or not the invited address has one.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from common.tokens import hash_token
from organizations.mail import member_invitation_send
from organizations.models import MemberInvitation, Membership
from organizations.services import member_invitation_create, member_invitation_resend, member_invitation_revoke
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase"
JOIN_LINK = re.compile(r"https://hp\.example\.org/join/([A-Za-z0-9_-]{43})/")


def invite_and_send(org, owner, email="new@example.com", role="analyst") -> tuple[MemberInvitation, str, object]:
    """An invitation the worker has e-mailed: (invitation, the link's token, the e-mail)."""
    from django.core import mail

    invitation = member_invitation_create(
        organization=org, email=email, role=role, invited_by=owner, base_url="https://hp.example.org"
    )
    assert member_invitation_send(invitation_id=invitation.pk) == "sent"
    message = mail.outbox[-1]
    invitation.refresh_from_db()
    return invitation, JOIN_LINK.search(message.body).group(1), message


def join_url(token: str) -> str:
    return reverse("organizations:join", args=[token])


def test_the_worker_sends_one_e_mail_with_its_link_and_stores_only_the_tokens_digest(org, owner, mailoutbox):
    invitation, token, message = invite_and_send(org, owner)
    assert len(mailoutbox) == 1 and message.to == ["new@example.com"]
    assert message.subject == "You are invited to join Acme on Human Pipeline"
    assert "olivia invites you to join Acme on Human Pipeline as analyst." in message.body
    html = message.alternatives[0][0]
    assert f"https://hp.example.org/join/{token}/" in html and "<img" not in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert (invitation.status, invitation.token_hash, invitation.attempts) == ("sent", hash_token(token), 1)
    assert token not in str(MemberInvitation.objects.filter(pk=invitation.pk).values().get())
    # A second run of the task sends nothing more.
    assert member_invitation_send(invitation_id=invitation.pk) == "skipped"
    assert len(mailoutbox) == 1


def test_opening_the_link_changes_nothing_and_offers_login_or_a_new_account(client, org, owner):
    invitation, token, _ = invite_and_send(org, owner)
    response = client.get(join_url(token))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Join Acme" in html and "as analyst" in html
    assert reverse("accounts:login") + "?next=" + join_url(token) in html
    assert 'name="password1"' in html and "new@example.com" in html
    # Never cached; the token goes to no other site (the site's same-origin referrer policy).
    assert response["Referrer-Policy"] == "same-origin" and "no-store" in response["Cache-Control"]
    invitation.refresh_from_db()
    assert invitation.status == "sent" and not Membership.objects.filter(user__email="new@example.com").exists()


def test_the_page_is_the_same_whether_or_not_the_address_has_an_account(client, org, owner):
    """The invited address as someone's username, as someone's e-mail, as nobody's: one page, to the byte."""
    UserFactory(username="known@example.com")
    UserFactory(username="kim", email="kim@example.com")
    pages = []
    for address in ("known@example.com", "kim@example.com", "nobody@example.com"):
        _, token, _ = invite_and_send(org, owner, email=address)
        html = client.get(join_url(token)).content.decode()
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
        pages.append(html.replace(token, "TOKEN").replace(address, "ADDRESS"))
    assert pages[0] == pages[1] == pages[2]


def test_a_logged_in_person_joins_as_themselves_and_the_link_is_used_up(client, org, owner):
    invitation, token, _ = invite_and_send(org, owner, role="respondent")
    bob = UserFactory(username="bob")
    client.force_login(bob)
    html = client.get(join_url(token)).content.decode()
    assert "Join as bob" in html and 'name="password1"' not in html
    response = client.post(join_url(token), follow=True)
    assert response.redirect_chain[-1][0] == reverse("assessments:index")
    assert "You are now a member of Acme (Respondent)." in response.content.decode()
    assert Membership.objects.get(organization=org, user=bob).role == "respondent"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.accepted_by, invitation.token_hash) == ("accepted", bob, None)
    assert invitation.accepted_at is not None
    closed = client.get(join_url(token))
    assert closed.status_code == 404 and "This link does not work any more" in closed.content.decode()


def test_an_invitation_never_changes_an_existing_members_role(client, org, owner):
    member = MembershipFactory(organization=org, role=Membership.Role.OWNER, user=UserFactory(username="carol"))
    _, token, _ = invite_and_send(org, owner, role="respondent")
    client.force_login(member.user)
    response = client.post(join_url(token), follow=True)
    assert "You were already a member of Acme (owner): your role is unchanged." in response.content.decode()
    member.refresh_from_db()
    assert member.role == "owner"
    # Nothing changed, so the link is not used up: whoever it was sent to may still join with it.
    assert MemberInvitation.objects.get(email="new@example.com").status == "sent"


@pytest.mark.parametrize("role", ["owner", "analyst"])
def test_an_owners_or_analysts_link_works_only_for_the_invited_address(client, org, owner, role):
    """Forwarded, or opened by a member: a 403 page that says so, nothing changes, the link stays unused."""
    invitation, token, _ = invite_and_send(org, owner, email="dana@example.com", role=role)
    member = MembershipFactory(organization=org, role="respondent", user=UserFactory(username="rick")).user
    for someone in (UserFactory(username="mallory", email="mallory@example.com"), member):
        client.force_login(someone)
        page = client.get(join_url(token))
        assert page.status_code == 403 and "This invitation is for someone else" in page.content.decode()
        assert client.post(join_url(token)).status_code == 403
    assert not Membership.objects.filter(user__username="mallory").exists()
    assert Membership.objects.get(user=member).role == "respondent"
    invitation.refresh_from_db()
    assert (invitation.status, invitation.token_hash) == ("sent", hash_token(token))
    # The invited address's own account joins with it.
    dana = UserFactory(username="dana", email="Dana@example.com")
    client.force_login(dana)
    assert client.post(join_url(token)).status_code == 302
    assert Membership.objects.get(organization=org, user=dana).role == role


def test_the_invited_addresss_own_account_rises_to_the_role_never_falls(client, org, owner):
    member = MembershipFactory(organization=org, role="respondent", user=UserFactory(email="rita@example.com"))
    invitation, token, _ = invite_and_send(org, owner, email="rita@example.com", role="analyst")
    client.force_login(member.user)
    assert "You are now analyst of Acme." in client.post(join_url(token), follow=True).content.decode()
    member.refresh_from_db()
    assert member.role == "analyst" and MemberInvitation.objects.get(pk=invitation.pk).status == "accepted"


def test_an_address_with_an_apostrophe_becomes_an_account(client, org, owner):
    """Django's usernames refuse an apostrophe: the account's username is the address without it (no 500)."""
    invitation, token, _ = invite_and_send(org, owner, email="o'brien@example.org", role="owner")
    page = client.get(join_url(token))
    assert "obrien@example.org" in page.content.decode()
    response = client.post(
        reverse("organizations:join_account", args=[token]), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="o'brien@example.org")
    assert user.username == "obrien@example.org"
    assert Membership.objects.get(organization=org, user=user).role == "owner"


@pytest.mark.parametrize(
    ("email", "why"),
    [
        ("a@localhost", "public one with a dot"),
        ("a@[10.0.0.1]", "IP address"),
        ("аdmin@example.org", "mixes alphabets"),
    ],
)
def test_the_member_invitation_form_refuses_local_ip_and_mixed_script_addresses(client, org, owner, email, why):
    client.force_login(owner)
    page = client.post(reverse("organizations:manage:members", args=[org.slug]), {"email": email, "role": "owner"})
    assert page.status_code == 400 and why in page.content.decode()
    assert not MemberInvitation.objects.exists()


def test_member_invitation_addresses_are_stored_nfkc_with_the_domain_lower_cased(org, owner):
    invitation = member_invitation_create(
        organization=org, email="Ｄana@Example.COM", role="analyst", invited_by=owner, base_url=""
    )
    assert invitation.email == "Dana@example.com"


def test_a_new_person_creates_an_account_named_after_the_address_and_joins(client, org, owner):
    invitation, token, _ = invite_and_send(org, owner, email="New.Person@example.com", role="respondent")
    response = client.post(
        reverse("organizations:join_account", args=[token]), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("assessments:index")
    user = get_user_model().objects.get(username="New.Person@example.com")
    assert user.email == "New.Person@example.com" and user.check_password(PASSWORD)
    assert Membership.objects.get(organization=org, user=user).role == "respondent"
    assert client.get(reverse("assessments:index")).wsgi_request.user == user  # logged in
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    client.logout()
    assert client.login(username="New.Person@example.com", password=PASSWORD)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password1": PASSWORD, "password2": PASSWORD + "!"}, "The two password fields didn’t match."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password1": "", "password2": ""}, "This field is required."),
    ],
)
def test_a_bad_password_is_refused_with_its_reason_and_creates_nothing(client, org, owner, data, message):
    invitation, token, _ = invite_and_send(org, owner)
    response = client.post(reverse("organizations:join_account", args=[token]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="new@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.status == "sent"


def test_the_link_holder_whose_address_is_an_account_is_told_to_log_in(client, org, owner):
    """Only the person who received the e-mail can get this far; they log in instead, and nothing is created."""
    UserFactory(username="NEW@example.com")
    _, token, _ = invite_and_send(org, owner)
    response = client.post(
        reverse("organizations:join_account", args=[token]), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 400
    assert "log in with it to join" in response.content.decode()
    assert get_user_model().objects.filter(username__iexact="new@example.com").count() == 1
    assert not Membership.objects.filter(user__username__iexact="new@example.com").exists()


def test_a_logged_in_visitor_cannot_create_another_account(client, org, owner):
    _, token, _ = invite_and_send(org, owner)
    client.force_login(UserFactory(username="bob"))
    response = client.post(
        reverse("organizations:join_account", args=[token]), {"password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == join_url(token)
    assert not get_user_model().objects.filter(username="new@example.com").exists()


def test_an_anonymous_post_to_join_goes_back_to_the_page(client, org, owner):
    invitation, token, _ = invite_and_send(org, owner)
    response = client.post(join_url(token))
    assert response.status_code == 302 and response["Location"] == join_url(token)
    invitation.refresh_from_db()
    assert invitation.status == "sent"


def test_revoked_resent_expired_and_unknown_links_do_not_work(client, org, owner, mailoutbox):
    invitation, token, _ = invite_and_send(org, owner)
    assert member_invitation_resend(invitation=invitation, base_url="https://hp.example.org")
    assert member_invitation_send(invitation_id=invitation.pk) == "sent"
    new_token = JOIN_LINK.search(mailoutbox[-1].body).group(1)
    assert client.get(join_url(token)).status_code == 404  # replaced by the new e-mail's link
    assert client.get(join_url(new_token)).status_code == 200

    MemberInvitation.objects.filter(pk=invitation.pk).update(claimed_at=timezone.now() - timedelta(days=15))
    assert client.get(join_url(new_token)).status_code == 404  # older than 14 days
    MemberInvitation.objects.filter(pk=invitation.pk).update(claimed_at=timezone.now())
    assert member_invitation_revoke(invitation=invitation)
    assert client.get(join_url(new_token)).status_code == 404
    assert client.post(join_url(new_token)).status_code == 404
    assert client.get(join_url("x" * 43)).status_code == 404


def test_a_revoked_invitation_still_queued_is_never_sent(org, owner, mailoutbox):
    invitation = member_invitation_create(
        organization=org, email="new@example.com", role="analyst", invited_by=owner, base_url=""
    )
    member_invitation_revoke(invitation=invitation)
    assert member_invitation_send(invitation_id=invitation.pk) == "skipped"
    assert mailoutbox == []


def test_a_failing_mail_server_is_retried_then_the_invitation_is_marked_failed(org, owner, settings, mailoutbox):
    settings.EMAIL_BACKEND = "common.mail.UnconfiguredBackend"
    invitation = member_invitation_create(
        organization=org, email="new@example.com", role="analyst", invited_by=owner, base_url=""
    )
    results = [member_invitation_send(invitation_id=invitation.pk) for _ in range(5)]
    assert results == ["retry", "retry", "retry", "retry", "failed"]
    invitation.refresh_from_db()
    assert invitation.status == "failed"
    assert invitation.failed_reason == "SMTPException: no mail server is configured: set EMAIL_URL"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert member_invitation_resend(invitation=invitation, base_url="https://hp.example.org")
    assert member_invitation_send(invitation_id=invitation.pk) == "sent"
    assert len(mailoutbox) == 1


def test_an_address_typed_in_the_admin_is_stored_normalized_too(org):
    """The model's clean (which the admin's form runs) normalizes; a refused address is the field's error."""
    from django.core.exceptions import ValidationError

    invitation = MemberInvitation(organization=org, email="Ｄana@Example.COM", role="analyst")
    invitation.full_clean()
    assert invitation.email == "Dana@example.com"
    with pytest.raises(ValidationError) as exc:
        MemberInvitation(organization=org, email="root@localhost", role="analyst").full_clean()
    assert list(exc.value.message_dict) == ["email"]
