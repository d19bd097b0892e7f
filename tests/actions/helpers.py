"""Building actions for the action plan's tests."""

from __future__ import annotations

from actions.services import action_create
from taxonomy.models import Benefit

FEEDBACK = "social-media/internal/improved-feedback"
BRAND = "social-media/external/increased-brand-control"
PERSONAL = "social-networking/external/improved-relationships/personal"


def benefits(*paths: str) -> list[Benefit]:
    return list(Benefit.objects.filter(path__in=paths))


def plan(assessment, *, title="Run feedback sessions", paths=(FEEDBACK,), owner_name="Dana", **kwargs):
    return action_create(
        organization=assessment.organization,
        assessment=assessment,
        title=title,
        benefits=benefits(*paths),
        owner_name=owner_name if "owner_user" not in kwargs else "",
        **kwargs,
    )
