"""Writes of API tokens: create one (its secret shown once), revoke one, count a request against the limit."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from api.models import ApiToken
from common.tokens import hash_token, new_token

# Tokens start with this, so that a leaked one is recognisable (by a person or a secret scanner) for what it is.
TOKEN_PREFIX = "hp_"
RATE_WINDOW = timedelta(minutes=1)


def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token of ``user`` and its secret, which is not stored and so cannot be shown again."""
    secret = TOKEN_PREFIX + new_token()
    token = ApiToken(user=user, name=name.strip(), token_hash=hash_token(secret))
    token.full_clean()
    with transaction.atomic(durable=True):
        token.save()
    return token, secret


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke ``token``: it opens nothing from now on. Revoking a revoked token changes nothing."""
    if token.revoked_at is None:
        with transaction.atomic(durable=True):
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
    return token


def api_token_hit(*, token: ApiToken, limit: int, now: datetime | None = None) -> int | None:
    """Count one request of ``token`` in the current minute: None when it is allowed, else the seconds to wait.

    A fixed window kept on the token's row, counted by one conditional
    ``UPDATE``: it starts a new window at 1, or adds one to the current
    window while it holds fewer than ``limit``, and matches no row when the
    window is full. One statement is atomic on every database, so any number
    of app servers count together without a lost update or a transaction.
    """
    now = now or timezone.now()
    window = now.replace(second=0, microsecond=0)
    counted = (
        ApiToken.objects.filter(pk=token.pk)
        .filter(~Q(window_start=window) | Q(window_count__lt=limit))
        .update(
            # Every right-hand side reads the row as it was before this update.
            window_count=Case(When(window_start=window, then=F("window_count") + 1), default=Value(1)),
            window_start=window,
            last_used_at=now,
        )
    )
    if counted:
        return None
    return max(1, math.ceil((window + RATE_WINDOW - now).total_seconds()))
