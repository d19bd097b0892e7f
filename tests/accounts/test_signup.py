"""Sign-up with e-mail confirmation and password reset (django-allauth), open or closed by ``DJANGO_SIGNUP``."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.forms import UNCONFIRMED_MESSAGE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "a long sponsor password 42"
EMAIL = "Sponsor@Example.com"


def _sign_up(client, email: str = EMAIL):
    return client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


def _link(message, pattern: str) -> str:
    match = re.search(rf"https?://[^/\s]+(/accounts/{pattern}[^\s]*)", message.body)
    assert match, message.body
    return match.group(1)


def _login(client, username: str, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_signup_is_closed_unless_set(client, settings):
    """Closed (the default): the page says so, and a POST creates no account and sends nothing."""
    assert settings.SIGNUP == "closed"
    page = client.get(reverse("account_signup"))
    assert page.status_code == 200
    assert "Sign-up is closed" in page.content.decode()
    response = _sign_up(client)
    assert "Sign-up is closed" in response.content.decode()
    assert not get_user_model().objects.exists()
    assert mail.outbox == []
    assert "Create one" not in client.get(reverse("accounts:login")).content.decode()


def test_the_setting_refuses_anything_but_open_or_closed(monkeypatch):
    """A typo in DJANGO_SIGNUP stops the start with a clear message rather than guessing."""
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import config.settings

    monkeypatch.setenv("DJANGO_SIGNUP", "yes")
    with pytest.raises(ImproperlyConfigured, match="DJANGO_SIGNUP"):
        importlib.reload(config.settings)
    monkeypatch.setenv("DJANGO_SIGNUP", "open")
    assert importlib.reload(config.settings).SIGNUP == "open"
    monkeypatch.delenv("DJANGO_SIGNUP")
    assert importlib.reload(config.settings).SIGNUP == "closed"


@override_settings(SIGNUP="open")
def test_open_signup_creates_an_account_that_logs_in_only_once_confirmed(client):
    """The address is the username; the e-mailed link opens a page, and only its POST button confirms."""
    login_page = client.get(reverse("accounts:login")).content.decode()
    assert reverse("account_signup") in login_page
    response = _sign_up(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get()
    assert user.username == user.email
    assert user.email.lower() == EMAIL.lower()

    refused = _login(client, user.username)
    assert refused.status_code == 200
    assert UNCONFIRMED_MESSAGE in refused.content.decode().replace("&#x27;", "'")
    assert "_auth_user_id" not in client.session

    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "[Human Pipeline] Confirm your e-mail address"
    link = _link(mail.outbox[0], "confirm-email/")
    page = client.get(link)
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode() and "Confirm</button>" in page.content.decode()
    # A mail scanner that follows the link confirms nothing.
    assert not EmailAddress.objects.get().verified

    confirmed = client.post(link)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get().verified
    logged_in = _login(client, user.username)
    assert logged_in.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


@override_settings(SIGNUP="open")
def test_signing_up_again_with_a_taken_address_creates_nothing_and_tells_nobody_else(client):
    """The page is the same as for a new address, so nobody probes for accounts; no second account appears."""
    UserFactory(username="sponsor@example.com", email="sponsor@example.com")
    response = _sign_up(client)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert get_user_model().objects.count() == 1


@override_settings(SIGNUP="open")
def test_a_bad_address_or_a_weak_password_is_refused_with_a_message(client):
    response = client.post(reverse("account_signup"), {"email": "nope", "password1": "123", "password2": "123"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "valid email address" in html
    assert not get_user_model().objects.exists()


def test_accounts_made_by_staff_or_invitations_log_in_without_confirmation(client):
    """Only site sign-ups wait for a confirmation: an account with no allauth address logs in as before."""
    user = UserFactory(username="member@example.com", email="member@example.com")
    user.set_password(PASSWORD)
    user.save()
    assert _login(client, user.username).status_code == 302


@pytest.mark.parametrize("signup", ["open", "closed"])
def test_password_reset_by_email_works_with_signup_open_or_closed(client, settings, signup):
    settings.SIGNUP = signup
    user = UserFactory(username="owner@example.com", email="owner@example.com")
    response = client.post(reverse("account_reset_password"), {"email": "OWNER@example.com"})
    assert response["Location"] == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    link = _link(mail.outbox[0], "password/reset/key/")
    # allauth moves the key into the session and redirects to a keyless URL.
    page = client.get(link, follow=True)
    assert "Choose a new password" in page.content.decode()
    new = "another long password 17"
    done = client.post(page.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert done["Location"] == reverse("account_reset_password_from_key_done")
    user.refresh_from_db()
    assert user.check_password(new)


def test_a_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("account_reset_password_done")
