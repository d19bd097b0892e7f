"""Invitation links: created (one by one or as a named batch), revoked.

And the one rule that a closed assessment takes no invitations, which the
form, the admin, the ``invite`` command and the e-mails all ask here.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from assessments.models import Assessment, Audience, Segment
from assessments.selectors import assessment_segments, segment_option_ids
from assessments.services import (
    assessment_get_or_create,
    assessment_set_previous_by_title,
)
from common.tokens import hash_token
from organizations.services import organization_get_or_create
from responses.models import (
    Invitation,
    InvitationBatch,
    InvitationEmail,
    InvitationSegmentValue,
)
from responses.services import BULK_BATCH_SIZE

# Only live results may reopen (the model's rule): the advice must be one that works.
CLOSED_MESSAGES = {
    Assessment.Results.AFTER_CLOSE: gettext_lazy(
        "%(assessment)s is closed: it takes no more answers, so nobody can be invited or reminded; it is final, "
        "so invite people to the next round instead (Next round on the owners' overview)."
    ),
    Assessment.Results.LIVE: gettext_lazy(
        "%(assessment)s is closed: it takes no more answers, so nobody can be invited or reminded; reopen it "
        "(Edit, status Open) before inviting anyone."
    ),
}

# 32 random bytes: 256 bits, well over the 128 the threat model asks for.
TOKEN_BYTES = 32


class AssessmentClosedError(ValidationError):
    """The assessment is closed: nobody can answer it any more, so nobody is invited or reminded."""

    def __str__(self) -> str:
        # The sentence itself, for the pages and commands that show it (a ValidationError prints as a list).
        return self.message


def is_closed(assessment: Assessment) -> bool:
    """Closed for good: by its status, or by its closing date having passed."""
    return assessment.status == Assessment.Status.CLOSED or bool(
        assessment.closes_at and assessment.closes_at <= timezone.now()
    )


def check_takes_invitations(assessment: Assessment) -> None:
    """:class:`AssessmentClosedError` if ``assessment``, as given, is closed: the rule every way of inviting follows.

    Closed by its status: one open past its closing date may still be given a
    later date (its e-mails, meanwhile, are not sent: see responses/mail/services.py).
    No query: forms and the admin ask it of the assessment they show, before
    asking for anything more; the services ask :func:`refuse_closed`.
    """
    if assessment.status == Assessment.Status.CLOSED:
        message = CLOSED_MESSAGES.get(assessment.results, CLOSED_MESSAGES[Assessment.Results.LIVE])
        raise AssessmentClosedError(str(message) % {"assessment": assessment}, code="closed")


def refuse_closed(assessment: Assessment) -> None:
    """:func:`check_takes_invitations` on the status in the database: the caller's copy may predate a close."""
    row = Assessment.objects.filter(pk=assessment.pk).values_list("status", "results").first()
    if row is not None:
        fresh = copy.copy(assessment)  # the caller's, for its name; its own state stays as it was
        fresh.status, fresh.results = row
        check_takes_invitations(fresh)


@transaction.atomic
def invitations_create(
    *,
    assessment: Assessment,
    count: int,
    label: str = "",
    segment_values: Mapping[str, str] | None = None,
    audience: str = Audience.BOTH,
) -> list[str]:
    """Create ``count`` single-use invitations; return their tokens.

    Only a hash of each token is stored, so the tokens returned here are the
    only copy: the caller hands them out (as links) or loses them.
    ``segment_values`` ({key: option value}) gives every invitation of the
    batch its group in the assessment's ``invitation`` segments
    (``ValueError`` for an unknown key or option). ``audience`` limits the
    sections their respondents see (both, internal or external).
    """
    refuse_closed(assessment)
    if count < 1:
        raise ValueError("the number of invitations must be at least 1")
    if audience not in Audience.values:
        raise ValueError(f"unknown audience {audience!r}: choose {', '.join(Audience.values)}")
    chosen: dict[int, int] = {}
    if segment_values:
        segments = assessment_segments(assessment=assessment, source=Segment.Source.INVITATION)
        chosen = segment_option_ids(segments, dict(segment_values))
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in range(count)]
    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(assessment=assessment, token_hash=hash_token(t), label=label, created_at=now, audience=audience)
            for t in tokens
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    if chosen:
        if any(i.pk is None for i in invitations):  # a backend that returns no ids from a bulk insert
            invitations = list(Invitation.objects.filter(token_hash__in=[hash_token(t) for t in tokens]))
        InvitationSegmentValue.objects.bulk_create(
            [
                InvitationSegmentValue(invitation=i, segment_id=segment_id, option_id=option_id)
                for i in invitations
                for segment_id, option_id in chosen.items()
            ],
            batch_size=BULK_BATCH_SIZE,
        )
    return tokens


class BatchUsedError(Exception):
    """The form's batch key was already used: its invitations exist."""


@transaction.atomic(durable=True)
def invitation_batch_create(
    *,
    assessment: Assessment,
    count: int,
    label: str = "",
    segment_values: Mapping[str, str] | None = None,
    key: str = "",
    audience: str = Audience.BOTH,
) -> list[str]:
    """:func:`invitations_create`, at most once per form: ``BatchUsedError`` if ``key`` was used already.

    The key is recorded in the same transaction as the invitations, under a
    unique constraint: of two posts of one form at the same moment, one
    creates the batch and the other waits for it, then fails on the
    constraint, creating nothing. An empty key is not checked.
    """
    if key:
        try:
            with transaction.atomic():
                InvitationBatch.objects.create(assessment=assessment, key=key)
        except IntegrityError as exc:
            raise BatchUsedError(key) from exc
    return invitations_create(
        assessment=assessment, count=count, label=label, segment_values=segment_values, audience=audience
    )


@transaction.atomic(durable=True)
def invitations_create_by_name(
    *,
    organization: str,
    assessment: str,
    count: int,
    segment_values: Mapping[str, str] | None = None,
    audience: str = Audience.BOTH,
    previous: str | None = None,
) -> tuple[Assessment, bool, list[str]]:
    """``invite``: create the organization and the (open) assessment when missing, then ``count`` invitations.

    All or nothing. ``previous`` names the assessment's previous round, as for
    :func:`responses_import_by_name`. Returns the assessment, whether it was
    created now, and the tokens.
    """
    org, _ = organization_get_or_create(name=organization)
    target, created = assessment_get_or_create(organization=org, title=assessment)
    if previous is not None:
        assessment_set_previous_by_title(assessment=target, title=previous)
    tokens = invitations_create(assessment=target, count=count, segment_values=segment_values, audience=audience)
    return target, created, tokens


@transaction.atomic
def invitations_revoke(*, invitations: QuerySet[Invitation]) -> int:
    """Revoke ``invitations``: their links open nothing from now on. Returns how many were revoked.

    A revoked invitation stays revoked (the first date is kept); a submitted
    one has done its job and is left alone.
    """
    revoked = invitations.filter(revoked_at__isnull=True, submitted=False)
    ids = list(revoked.values_list("pk", flat=True))
    # Its e-mails still waiting never go, and say why on the invitations page.
    InvitationEmail.objects.filter(invitation_id__in=ids, status=InvitationEmail.Status.QUEUED).update(
        status=InvitationEmail.Status.CANCELLED, reason=InvitationEmail.REASON_REVOKED
    )
    return Invitation.objects.filter(pk__in=ids).update(revoked_at=timezone.now())


@transaction.atomic(durable=True)
def invitation_revoke(*, invitation: Invitation) -> bool:
    """Revoke one invitation (see :func:`invitations_revoke`); False if there was nothing to revoke."""
    if not invitations_revoke(invitations=Invitation.objects.filter(pk=invitation.pk)):
        return False
    invitation.refresh_from_db(fields=["revoked_at"])
    return True
