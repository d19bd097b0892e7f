"""Member invitations by e-mail: the message and the worker's send.

Like the survey invitations (``responses.mail``), nothing is sent in the
request: the owner's page writes a :class:`MemberInvitation` (status
queued) and queues a task once its transaction commits. The worker claims
the row in one short transaction, with a new token, sends, and marks it
sent (or queued again, or failed) in another; a row that is not queued is
never sent again, so a task run twice sends once.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from common.db import retry_while_database_down
from common.mail import MAX_ATTEMPTS, SendError, retry_delay, send_or_error
from common.tasks import STALE_TASK, requeue_unsent
from common.tokens import hash_token, new_token
from organizations.models import MemberInvitation

# How long a link lets its holder join, from the e-mail that carried it.
LINK_VALID = timedelta(days=14)

ROLE_SENTENCES = {
    "owner": gettext_lazy("As an owner you will run assessments, invite people and read the reports."),
    "analyst": gettext_lazy("As an analyst you will read the reports and download them."),
    "respondent": gettext_lazy("As a respondent you will answer the organization's assessments."),
}

# The role as the e-mail's first sentence names it ("... as analyst."): lower case in English.
ROLE_IN_SENTENCE = {
    "owner": pgettext_lazy("role, in a sentence: join as ...", "owner"),
    "analyst": pgettext_lazy("role, in a sentence: join as ...", "analyst"),
    "respondent": pgettext_lazy("role, in a sentence: join as ...", "respondent"),
}


def enqueue_on_commit(invitation_ids: list[int]) -> None:
    """Queue the invitations once the transaction commits, to be written in the language the owner uses now.

    The worker has no request to read a language from, so the task carries it.
    """
    from organizations.tasks import send_member_invitation

    language = translation.get_language() or settings.LANGUAGE_CODE

    def enqueue() -> None:
        for pk in invitation_ids:
            send_member_invitation.enqueue(pk, language)

    transaction.on_commit(enqueue)


def link_expires(invitation: MemberInvitation):
    return invitation.claimed_at + LINK_VALID if invitation.claimed_at else None


def message_render(*, invitation: MemberInvitation, token: str) -> EmailMultiAlternatives:
    """Plain text and HTML with the same words and the one link; no image, no tracking."""
    link = invitation.base_url + reverse("organizations:join", args=[token])
    inviter = invitation.invited_by
    context = {
        "organization": invitation.organization,
        "role": str(ROLE_IN_SENTENCE.get(invitation.role) or invitation.get_role_display().lower()),
        "role_sentence": str(ROLE_SENTENCES[invitation.role]),
        "inviter": (inviter.get_full_name() or inviter.get_username()) if inviter else "",
        "link": link,
        "expires": timezone.localtime(link_expires(invitation)),
    }
    message = EmailMultiAlternatives(
        subject=gettext("You are invited to join %(name)s on Human Pipeline") % {"name": invitation.organization.name},
        body=render_to_string("organizations/mail/member_invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(render_to_string("organizations/mail/member_invitation.html", context), "text/html")
    return message


def _claim(invitation_id: int) -> tuple[MemberInvitation, str] | None:
    """Take a queued invitation for sending, with its new token; None if there is nothing to send."""
    with transaction.atomic():
        # Only the invitation's row is locked; PostgreSQL refuses to lock the optional inviter's side of the join.
        invitation = (
            MemberInvitation.objects.select_for_update(of=("self",))
            .select_related("organization", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if invitation is None:
            return None
        stale = (
            invitation.status == MemberInvitation.Status.SENDING and invitation.claimed_at < timezone.now() - STALE_TASK
        )
        if invitation.status != MemberInvitation.Status.QUEUED and not stale:
            return None
        token = new_token()
        # Stored before the e-mail leaves, so the link in it always works; it replaces any earlier link.
        invitation.token_hash = hash_token(token)
        invitation.status, invitation.claimed_at = MemberInvitation.Status.SENDING, timezone.now()
        invitation.save(update_fields=["token_hash", "status", "claimed_at"])
        return invitation, token


def member_invitation_send(*, invitation_id: int) -> str:
    """Send one queued member invitation, once: sent, retry, failed or skipped (the worker's task).

    A refusal for good (a 5xx reply, a bad header) fails it at once; a
    temporary one is retried, ``MAX_ATTEMPTS`` attempts in all. The write
    after the send waits out a database that went away, so nothing is sent twice.
    """
    claimed = _claim(invitation_id)
    if claimed is None:
        return "skipped"
    invitation, token = claimed
    error = send_or_error(message_render(invitation=invitation, token=token))
    retry_while_database_down(lambda: _record(invitation, error))
    if error is None:
        return "sent"
    if invitation.status == MemberInvitation.Status.FAILED:
        return "failed"
    from organizations.tasks import send_member_invitation

    retry_while_database_down(
        lambda: send_member_invitation.using(run_after=timezone.now() + retry_delay(invitation.attempts)).enqueue(
            invitation.pk, translation.get_language()
        )
    )
    return "retry"


@transaction.atomic
def _record(invitation: MemberInvitation, error: SendError | None) -> None:
    invitation.attempts += 1
    if error is None:
        invitation.status, invitation.sent_at, invitation.failed_reason = (
            MemberInvitation.Status.SENT,
            timezone.now(),
            "",
        )
    elif error.permanent or invitation.attempts >= MAX_ATTEMPTS:
        invitation.status, invitation.failed_reason = MemberInvitation.Status.FAILED, error.reason
    else:
        invitation.status = MemberInvitation.Status.QUEUED
    # Only if nobody revoked it meanwhile: a revocation during the send stands.
    MemberInvitation.objects.filter(pk=invitation.pk, status=MemberInvitation.Status.SENDING).update(
        status=invitation.status,
        sent_at=invitation.sent_at,
        failed_reason=invitation.failed_reason,
        attempts=invitation.attempts,
    )


def member_invitations_requeue() -> int:
    """Queue a task again for every queued invitation no live task will send (a killed worker's); how many."""
    from organizations.tasks import send_member_invitation

    return requeue_unsent(
        send_member_invitation,
        MemberInvitation.objects.all(),
        queued=MemberInvitation.Status.QUEUED,
        sending=MemberInvitation.Status.SENDING,
    )
