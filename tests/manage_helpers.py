"""Helpers for the owners' pages' tests."""

from __future__ import annotations

from django.urls import reverse


def as_user(client, user):
    client.force_login(user)
    return client


URL_NAMES = {
    "index": "assessments:index",
    "invitation_start": "responses:invitation:start",
    "manage_assessment_create": "assessments:manage:create",
    "manage_assessment_edit": "assessments:manage:edit",
    "manage_assessment_next_round": "assessments:manage:next_round",
    "manage_invitation_revoke": "responses:manage:invitation_revoke",
    "manage_invitations": "responses:manage:invitations",
    "manage_invitations_csv": "responses:manage:invitations_csv",
    "manage_member_remove": "organizations:manage:member_remove",
    "manage_member_role": "organizations:manage:member_role",
    "manage_members": "organizations:manage:members",
    "manage_overview": "responses:overview",
    "report": "reports:report",
}


def url(name: str, *args) -> str:
    return reverse(URL_NAMES[name], args=args)
