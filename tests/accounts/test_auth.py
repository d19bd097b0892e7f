"""Log in, log out, change password, and login throttling (django-axes)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "correct horse battery staple"
pytestmark = pytest.mark.django_db


def _login(client, username: str, password: str, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, **extra)


def test_login_page_is_styled_and_protected_by_csrf(client):
    """The login page is ours (base layout, crispy fields) and carries a CSRF token."""
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "csrfmiddlewaretoken" in html
    assert 'id="id_username"' in html and "form-control" in html
    assert "Human Pipeline" in html


def test_login_with_the_right_password_redirects_and_opens_a_session(client):
    """A correct password logs in and lands on LOGIN_REDIRECT_URL (or a safe ?next)."""
    user = UserFactory()
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("assessments:index")
    assert client.session["_auth_user_id"] == str(user.pk)


def test_login_refuses_an_offsite_next(client):
    """?next to another host is ignored: no open redirect after login."""
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": PASSWORD, "next": "https://evil.example/"}
    )
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_wrong_password_shows_a_form_error_without_saying_which_part_was_wrong(client):
    """A failed login re-renders the form with Django's generic message."""
    user = UserFactory()
    response = _login(client, user.username, "nope")
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_client_login_still_works_with_the_throttling_backend(client):
    """Client.login (no request) is not throttled and not broken by axes."""
    user = UserFactory()
    assert client.login(username=user.username, password=PASSWORD)


def test_five_failures_lock_the_username_from_that_address_out(client):
    """After 5 failures even the right password is refused with the friendly lockout page (429)."""
    user = UserFactory()
    for _ in range(5):
        _login(client, user.username, "wrong")
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many failed log-in attempts" in html
    assert "_auth_user_id" not in client.session
    assert AccessAttempt.objects.filter(username=user.username).exists()


def test_lockout_is_per_username_and_address(client):
    """Another user from the same address is not locked out by someone else's failures."""
    victim, other = UserFactory(), UserFactory()
    for _ in range(5):
        _login(client, victim.username, "wrong")
    assert _login(client, other.username, PASSWORD).status_code == 302


def test_x_forwarded_for_cannot_dodge_the_lockout_without_a_trusted_proxy(client):
    """Without DJANGO_PROXY_COUNT the client's own X-Forwarded-For is ignored."""
    user = UserFactory()
    for n in range(5):
        _login(client, user.username, "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = _login(client, user.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429


def test_a_success_resets_the_failure_count(client):
    """Four failures then a success: the next four failures do not lock out."""
    user = UserFactory()
    for _ in range(4):
        _login(client, user.username, "wrong")
    assert _login(client, user.username, PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        _login(client, user.username, "wrong")
    assert _login(client, user.username, PASSWORD).status_code == 302


def test_logout_is_post_only(client):
    """GET /accounts/logout/ is refused (405), so a link or image cannot log anyone out; POST does."""
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert "_auth_user_id" in client.session
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session


def test_password_change_requires_login(client):
    """Anonymous visitors are sent to the login page with ?next."""
    response = client.get(reverse("accounts:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login") + "?next=")


def test_password_change_changes_the_password_and_keeps_this_session(client):
    """The old password must be given; the new one works; this session stays logged in."""
    user = UserFactory()
    client.force_login(user)
    page = client.get(reverse("accounts:password_change"))
    assert page.status_code == 200 and "csrfmiddlewaretoken" in page.content.decode()
    new = "a much longer passphrase 2026"
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("accounts:password_change_done")).status_code == 200
    user.refresh_from_db()
    assert user.check_password(new)


def _change(client, old: str, new: str = "a much longer passphrase 2026"):
    return client.post(
        reverse("accounts:password_change"), {"old_password": old, "new_password1": new, "new_password2": new}
    )


def test_wrong_old_passwords_lock_the_password_change_out_like_the_login(client):
    """5 wrong old passwords: even the right one is refused with the lockout page; the password is unchanged,
    the failures are counted with the login's (the login is locked too) and no password is stored in clear."""
    user = UserFactory()
    client.force_login(user)
    assert "Your old password was entered incorrectly" in _change(client, "wrong guess").content.decode()
    for _ in range(4):
        _change(client, "wrong guess")
    response = _change(client, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert _login(Client(), user.username, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get(username=user.username)
    assert "wrong guess" not in attempt.post_data and "passphrase" not in attempt.post_data


def test_navbar_offers_log_in_or_log_out_and_change_password(client):
    """Anonymous: a Log in link. Logged in: Change password and a POST Log out form."""
    html = client.get("/").content.decode()
    assert reverse("accounts:login") in html
    client.force_login(UserFactory())
    html = client.get("/").content.decode()
    assert reverse("accounts:password_change") in html
    assert f'action="{reverse("accounts:logout")}"' in html
