"""API tokens: created with a secret shown once and stored hashed, revoked, counted against the rate limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from api.models import ApiToken
from api.selectors import api_token_for_secret
from api.services import api_token_create, api_token_hit, api_token_revoke
from common.tokens import hash_token
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 12, 3, 8, 15, 0, tzinfo=UTC)


def test_a_token_is_stored_only_as_its_digest():
    token, secret = api_token_create(user=UserFactory(), name="dashboard")
    assert secret.startswith("hp_") and len(secret) > 40
    token.refresh_from_db()
    assert token.token_hash == hash_token(secret)
    assert not ApiToken.objects.filter(token_hash=secret).exists()
    assert api_token_for_secret(secret=secret) == token
    assert api_token_for_secret(secret=secret + "x") is None


def test_a_token_needs_a_name_and_nothing_is_saved_without_one():
    with pytest.raises(ValidationError, match="name"):
        api_token_create(user=UserFactory(), name="  ")
    assert not ApiToken.objects.exists()


def test_a_revoked_token_opens_nothing_and_revoking_twice_keeps_the_first_date():
    token, secret = api_token_create(user=UserFactory(), name="script")
    api_token_revoke(token=token)
    first = token.revoked_at
    api_token_revoke(token=token)
    token.refresh_from_db()
    assert token.revoked_at == first
    assert api_token_for_secret(secret=secret) is None


def test_the_rate_limit_counts_per_minute_and_says_how_long_to_wait():
    token, _ = api_token_create(user=UserFactory(), name="script")
    for second in (0, 10, 20):
        assert api_token_hit(token=token, limit=3, now=T0 + timedelta(seconds=second)) is None
    assert api_token_hit(token=token, limit=3, now=T0 + timedelta(seconds=45, microseconds=1)) == 15
    assert api_token_hit(token=token, limit=3, now=T0 + timedelta(seconds=59, microseconds=900)) == 1
    # A new minute, a new count.
    assert api_token_hit(token=token, limit=3, now=T0 + timedelta(minutes=1)) is None
    token.refresh_from_db()
    assert (token.window_start, token.window_count) == (T0 + timedelta(minutes=1), 1)
    assert token.last_used_at == T0 + timedelta(minutes=1)


def test_a_refused_request_is_not_counted():
    token, _ = api_token_create(user=UserFactory(), name="script")
    for _ in range(5):
        api_token_hit(token=token, limit=2, now=T0)
    token.refresh_from_db()
    assert token.window_count == 2
