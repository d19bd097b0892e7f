"""Secret link tokens: handed out once, stored only as a digest."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    """A fresh unguessable token for a link (43 URL-safe characters)."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    """Tokens are stored only as their SHA-256 digest, so a copy of the database opens no link."""
    return hashlib.sha256(token.encode()).hexdigest()
