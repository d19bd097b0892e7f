"""The account page of API tokens, and ``api_token``: a secret shown once, revoked by its owner only."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from api.models import ApiToken
from api.services import api_token_create
from common.tokens import hash_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PAGE = "/accounts/tokens/"


def test_the_page_needs_a_login(client):
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))


def test_a_new_token_is_shown_once_and_works(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(PAGE, {"name": "dashboard"})
    assert response.status_code == 201
    secret = response.context["secret"]
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(user=user)
    assert token.name == "dashboard" and token.token_hash == hash_token(secret)
    again = client.get(PAGE).content.decode()
    assert "dashboard" in again and secret not in again
    api = client.get(reverse("api:v1:organizations"), HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.status_code == 200 and api.json() == []


def test_a_token_without_a_name_is_refused_with_a_message(client):
    client.force_login(UserFactory())
    response = client.post(PAGE, {"name": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_owners_revoke_their_tokens_and_only_theirs(client):
    user, other = UserFactory(), UserFactory()
    mine, secret = api_token_create(user=user, name="mine")
    theirs, _ = api_token_create(user=other, name="theirs")
    client.force_login(user)
    assert client.post(reverse("api:token_revoke", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("api:token_revoke", args=[mine.pk]), follow=True)
    assert "is revoked" in response.content.decode()
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked and not theirs.revoked
    assert client.get(reverse("api:v1:organizations"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert client.get(reverse("api:token_revoke", args=[mine.pk])).status_code == 405


def test_the_command_prints_a_new_token(client):
    user = UserFactory(username="dana")
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", "--user", "dana", "--name", "nightly export", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert ApiToken.objects.get(user=user, name="nightly export").token_hash == hash_token(secret)
    assert "shown only this once" in err.getvalue()
    assert client.get(reverse("api:v1:organizations"), HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_the_command_refuses_an_unknown_or_deactivated_user():
    with pytest.raises(CommandError, match="--user: no user 'nobody'"):
        call_command("api_token", "--user", "nobody", stdout=io.StringIO(), stderr=io.StringIO())
    UserFactory(username="gone", is_active=False)
    with pytest.raises(CommandError, match="deactivated"):
        call_command("api_token", "--user", "gone", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_staff_revoke_a_token_in_the_admin(admin_client):
    token, secret = api_token_create(user=UserFactory(), name="leaked")
    response = admin_client.post(
        reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert "1 token revoked: it opens nothing now." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked
    assert admin_client.get(reverse("admin:api_apitoken_add")).status_code == 403
