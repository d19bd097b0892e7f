"""Writes shared by every way answers come in, and the owners' moderation and erasure.

The ways in have their own rooms: ``respond`` (the form), ``invitations``,
``mail`` and ``imports``. What they share stays here.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from responses.models import (
    Answer,
    Comment,
    Invitation,
    Participation,
    Response,
)

# Keeps each INSERT under SQLite's 32766-parameter limit (6 columns per row).
BULK_BATCH_SIZE = 5000


# Not durable: the admin's change page calls it inside its own transaction.
@transaction.atomic
def comment_hide(*, comment: Comment, reason: str) -> bool:
    """Hide a comment from the report, its downloads and its counts, with the owner's reason (kept).

    ``ValidationError`` on ``hidden_reason`` for an empty reason; False when it was hidden already.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"hidden_reason": "Say why the comment is hidden: the reason is kept with it."})
    locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
    if locked is None or locked.hidden:
        return False
    locked.hidden_reason = reason
    locked.hidden_on = timezone.localdate()
    locked.full_clean()
    locked.save(update_fields=["hidden_reason", "hidden_on"])
    comment.hidden_reason, comment.hidden_on = locked.hidden_reason, locked.hidden_on
    return True


def responses_erase(organization, dry_run: bool) -> dict[str, int]:
    """Answers, responses, participations and invitations of the organization (an eraser for ``organization_erase``)."""
    scope = {"assessment__organization": organization}
    querysets = {
        "answers": Answer.objects.filter(**scope),
        "comments": Comment.objects.filter(response__assessment__organization=organization),
        "responses": Response.objects.filter(**scope),
        "participations": Participation.objects.filter(**scope),
        "invitations": Invitation.objects.filter(**scope),
    }
    counts = {name: qs.count() for name, qs in querysets.items()}
    if not dry_run:
        # In this order, each delete finds nothing left that depends on its rows.
        for qs in querysets.values():
            qs.delete()
    return counts
