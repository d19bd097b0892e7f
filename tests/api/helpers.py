"""Tokens and requests for the API's tests."""

from __future__ import annotations

from api.services import api_token_create
from organizations.models import Membership
from tests.factories import MembershipFactory, UserFactory


def member_with_token(organization, role=Membership.Role.ANALYST, **user_fields):
    """A new member of ``organization`` in ``role`` and the Authorization header of a fresh token of theirs."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organization=organization, role=role)
    return user, bearer(user)


def bearer(user) -> dict[str, str]:
    _, secret = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
