"""Helpers for the owners' pages' tests."""

from __future__ import annotations


def as_user(client, user):
    client.force_login(user)
    return client
