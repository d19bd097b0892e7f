"""E-mailed invitations and reminders: queueing, the message, the worker's send.

The request or command only writes :class:`InvitationEmail` rows (the
outbox) and queues a task per row once its transaction commits; the worker
(``manage.py db_worker``, see responses/tasks.py) sends. A send claims the
row (status sending, with the e-mail's token) in one short transaction,
sends, and marks it sent in another, so no lock is held while the mail
server answers; a row that is not queued any more is never sent again, so
a task run twice sends once. A worker killed mid-send leaves its row
sending, and :func:`emails_requeue` queues it again when a worker starts
and the claim is stale.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Segment
from assessments.selectors import assessment_questionnaire, assessment_segments, segment_option_ids
from assessments.services import assessment_get_or_create
from common.mail import MAX_ATTEMPTS, retry_delay, send_or_error
from common.tasks import STALE_TASK, requeue_unsent
from common.tokens import hash_token, new_token
from organizations.services import organization_get_or_create
from responses.models import Invitation, InvitationEmail, InvitationSegmentValue, InvitationToken

# Reminders after the first e-mail, at most (contract §11).
MAX_REMINDERS = 3
DEFAULT_MIN_DAYS = 3
SECONDS_PER_QUESTION = 6


# --- The address file (CSV) and the pasted list ---


class EmailListError(ValueError):
    """A bad row: ``line`` is the file's line number (1 is the header)."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"{line}: {message}")
        self.line = line
        self.message = message


@dataclass(frozen=True)
class Recipient:
    email: str
    segment_values: dict[str, str] = field(default_factory=dict)
    audience: str = ""


def recipients_parse(text: str, *, assessment: Assessment, csv_only: bool = False) -> list[Recipient]:
    """The rows of an address file: header ``email`` then invitation segment keys (and ``audience``).

    A text without the ``email`` header is read as a pasted list, one
    address per line (commas and semicolons also separate). Raises
    :class:`EmailListError` at the first bad row; nothing is created here.
    """
    lines = text.lstrip("\ufeff").splitlines()
    first = lines[0].strip().lower() if lines else ""
    if first.split(",")[0].strip() != "email":
        if csv_only:
            raise EmailListError(1, "the header must start with the column email")
        return _pasted(lines)
    segments = assessment_segments(assessment=assessment, source=Segment.Source.INVITATION)
    reader = csv.reader(io.StringIO("\n".join(lines)))
    header = [h.strip() for h in next(reader)]
    keys = header[1:]
    known = {s.key for s in segments} | {"audience"}
    for key in keys:
        if key not in known:
            expected = ", ".join(sorted(known - {"audience"})) or "none"
            raise EmailListError(1, f"unknown column {key!r}: the assessment's invitation segments are {expected}")
    if len(set(keys)) != len(keys):
        raise EmailListError(1, "a column is repeated")
    seen: dict[str, int] = {}
    recipients = []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise EmailListError(line, f"expected {len(header)} values, found {len(row)}")
        email = _address(row[0], line, seen)
        values = {k: v.strip() for k, v in zip(keys, row[1:], strict=True) if k != "audience"}
        try:
            segment_option_ids(segments, values)
        except ValueError as exc:
            raise EmailListError(line, str(exc)) from None
        audience = dict(zip(keys, row[1:], strict=True)).get("audience", "").strip()
        if audience not in ("", "both", "internal", "external"):
            raise EmailListError(line, f"audience {audience!r} is not internal, external, both or empty")
        recipients.append(Recipient(email, {k: v for k, v in values.items() if v}, audience))
    if not recipients:
        raise EmailListError(1, "no addresses after the header")
    return recipients


def _pasted(lines: list[str]) -> list[Recipient]:
    seen: dict[str, int] = {}
    recipients = []
    for number, text in enumerate(lines, start=1):
        for part in text.replace(";", ",").split(","):
            if part.strip():
                recipients.append(Recipient(_address(part, number, seen)))
    if not recipients:
        raise EmailListError(1, "no addresses: give one per line")
    return recipients


def _address(value: str, line: int, seen: dict[str, int]) -> str:
    email = value.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise EmailListError(line, f"{email!r} is not a valid e-mail address") from None
    key = email.lower()
    if key in seen:
        raise EmailListError(line, f"{email} is repeated (first on line {seen[key]})")
    seen[key] = line
    return email


# --- The message ---


def default_subject(assessment: Assessment) -> str:
    return f"Your views on {assessment.organization.name}'s use of social tools: {assessment.title}"


def estimated_minutes(assessment: Assessment) -> int:
    questionnaire = assessment_questionnaire(assessment=assessment)
    return max(1, math.ceil(questionnaire.question_count * SECONDS_PER_QUESTION / 60))


def closing_sentence(assessment: Assessment) -> str:
    if assessment.closes_at is None:
        return "The survey has no closing date yet; your link works until it closes."
    return f"The survey closes on {timezone.localtime(assessment.closes_at):%A %d %B %Y}."


# What section 6 guarantees, and no more: the same promise as the intro page's.
CONFIDENTIALITY = (
    "Your answers are confidential: no page, report or download shows them on their own; every figure is about "
    "at least {k} people, "
    "and figures are withheld wherever comparing them could single out fewer than {k}. Once you submit, nothing "
    "stored links your answers to you or to this e-mail."
)


def default_message(assessment: Assessment) -> str:
    """The owner's starting text, the purpose: the e-mail always adds how long, who sees what, the closing date."""
    return (
        f"{assessment.organization.name} is measuring how well it gets the benefits of social media, "
        "social collaboration and social networking, to see where it falls short and what to improve. "
        "Your view counts: please give it, whatever your role.\n\nThank you."
    )


def email_render(*, email: InvitationEmail, token: str) -> EmailMultiAlternatives:
    """The e-mail: plain text and HTML with the same words and links; no image, no tracking, links as they are."""
    invitation = email.invitation
    assessment = invitation.assessment
    link = email.base_url + reverse("responses:invitation:start", args=[token])
    opt_out = email.base_url + reverse("responses:opt_out", args=[token])
    context = {
        "message": email.message,
        "link": link,
        "opt_out": opt_out,
        "assessment": assessment,
        "minutes": estimated_minutes(assessment),
        "closing": closing_sentence(assessment),
        "confidentiality": CONFIDENTIALITY.format(k=assessment.min_group_size),
        "reminder": email.number > 1,
    }
    message = EmailMultiAlternatives(
        subject=("Reminder: " if email.number > 1 else "") + email.subject,
        body=render_to_string("responses/mail/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
        headers={
            "List-Unsubscribe": f"<{opt_out}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(render_to_string("responses/mail/invitation.html", context), "text/html")
    return message


# --- Queueing ---


def _enqueue_on_commit(email_ids: list[int]) -> None:
    from responses.tasks import send_invitation_email

    def enqueue() -> None:
        for pk in email_ids:
            send_invitation_email.enqueue(pk)

    transaction.on_commit(enqueue)


@transaction.atomic
def invitations_email(
    *, assessment: Assessment, recipients: Iterable[Recipient], subject: str, message: str, base_url: str
) -> tuple[int, int]:
    """Create one invitation and queue one e-mail per new address; returns (created, skipped).

    An address already invited to the assessment (in any case) is skipped.
    The invitation's own ``token_hash`` is a random one nobody is given: its
    links are the tokens its e-mails carry.
    """
    recipients = list(recipients)
    existing = invited_addresses(assessment=assessment)
    new = [r for r in recipients if r.email.lower() not in existing]
    segments = assessment_segments(assessment=assessment, source=Segment.Source.INVITATION)
    now = timezone.now()
    email_ids = []
    for recipient in new:
        invitation = Invitation(
            assessment=assessment,
            token_hash=hash_token(new_token()),
            email=recipient.email,
            created_at=now,
        )
        if recipient.audience:
            invitation.audience = recipient.audience
        invitation.save()
        chosen = segment_option_ids(segments, recipient.segment_values)
        InvitationSegmentValue.objects.bulk_create(
            InvitationSegmentValue(invitation=invitation, segment_id=s, option_id=o) for s, o in chosen.items()
        )
        email_ids.append(
            InvitationEmail.objects.create(
                invitation=invitation, number=1, subject=subject, message=message, base_url=base_url
            ).pk
        )
    _enqueue_on_commit(email_ids)
    return len(new), len(recipients) - len(new)


@transaction.atomic(durable=True)
def invitations_email_batch(**kwargs) -> tuple[int, int]:
    """:func:`invitations_email` as an entry point (the owners' page)."""
    return invitations_email(**kwargs)


def invited_addresses(*, assessment: Assessment) -> set[str]:
    """The assessment's invited addresses, lower-cased; one query."""
    return {
        e.lower()
        for e in Invitation.objects.filter(assessment=assessment).exclude(email="").values_list("email", flat=True)
    }


def preview_text(*, assessment: Assessment, message: str) -> str:
    """The plain-text part as a recipient would read it, with a stand-in for their own link."""
    context = {
        "message": message,
        "link": "(their own link)",
        "opt_out": "(their own opt-out link)",
        "assessment": assessment,
        "minutes": estimated_minutes(assessment),
        "closing": closing_sentence(assessment),
        "confidentiality": CONFIDENTIALITY.format(k=assessment.min_group_size),
        "reminder": False,
    }
    return render_to_string("responses/mail/invitation.txt", context)


@transaction.atomic(durable=True)
def invitations_email_by_name(
    *, organization: str, assessment: str, text: str, subject: str | None, message: str | None, base_url: str
) -> tuple[Assessment, bool, int, int]:
    """``invite --emails``: the organization and (open) assessment when missing, then :func:`invitations_email`.

    All or nothing: a bad row (:class:`EmailListError`) creates nothing, not even the assessment.
    """
    org, _ = organization_get_or_create(name=organization)
    target, created = assessment_get_or_create(organization=org, title=assessment)
    recipients = recipients_parse(text, assessment=target, csv_only=True)
    new, skipped = invitations_email(
        assessment=target,
        recipients=recipients,
        subject=subject or default_subject(target),
        message=message or default_message(target),
        base_url=base_url,
    )
    return target, created, new, skipped


def reminders_due(*, assessment: Assessment, min_days: int = DEFAULT_MIN_DAYS) -> QuerySet[Invitation]:
    """E-mailed invitations a reminder goes to now (contract §11)."""
    pending = InvitationEmail.objects.filter(
        invitation=OuterRef("pk"), status__in=[InvitationEmail.Status.QUEUED, InvitationEmail.Status.SENDING]
    )
    return (
        Invitation.objects.filter(
            Q(last_sent_at__lte=timezone.now() - timedelta(days=min_days)),
            assessment=assessment,
            submitted=False,
            revoked_at__isnull=True,
            opted_out_at__isnull=True,
            emails_sent__gte=1,
            emails_sent__lte=MAX_REMINDERS,
        )
        .exclude(email="")
        .exclude(Exists(pending))
    )


@transaction.atomic(durable=True)
def reminders_queue_now(*, assessment: Assessment, min_days: int, base_url: str) -> int:
    """:func:`reminders_queue` as an entry point (the owners' page)."""
    return reminders_queue(assessment=assessment, min_days=min_days, base_url=base_url)


@transaction.atomic
def reminders_queue(*, assessment: Assessment, min_days: int, base_url: str) -> int:
    """Queue one reminder to each invitation :func:`reminders_due`; returns how many."""
    invitations = list(reminders_due(assessment=assessment, min_days=min_days).select_for_update())
    last = {
        e.invitation_id: e
        for e in InvitationEmail.objects.filter(invitation__in=invitations).order_by("invitation", "number")
    }
    ids = []
    for invitation in invitations:
        previous = last.get(invitation.pk)
        ids.append(
            InvitationEmail.objects.create(
                invitation=invitation,
                number=(previous.number + 1) if previous else invitation.emails_sent + 1,
                subject=previous.subject if previous else default_subject(assessment),
                message=previous.message if previous else default_message(assessment),
                base_url=base_url,
            ).pk
        )
    _enqueue_on_commit(ids)
    return len(ids)


@transaction.atomic(durable=True)
def invitation_resend(*, invitation: Invitation, base_url: str) -> bool:
    """Queue the failed e-mail of an invitation again; False if it has not failed (or cannot receive mail)."""
    locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not locked.failed_reason or locked.submitted or locked.revoked_at or locked.opted_out_at:
        return False
    previous = InvitationEmail.objects.filter(invitation=locked).order_by("-number").first()
    email = InvitationEmail.objects.create(
        invitation=locked,
        number=(previous.number + 1) if previous else 1,
        subject=previous.subject if previous else default_subject(locked.assessment),
        message=previous.message if previous else default_message(locked.assessment),
        base_url=base_url or (previous.base_url if previous else settings.SITE_URL),
    )
    Invitation.objects.filter(pk=locked.pk).update(failed_reason="")
    _enqueue_on_commit([email.pk])
    return True


def emails_requeue() -> int:
    """Queue a task again for every queued e-mail that no live task will send (a killed worker's); how many."""
    from responses.tasks import send_invitation_email

    return requeue_unsent(
        send_invitation_email,
        InvitationEmail.objects.all(),
        queued=InvitationEmail.Status.QUEUED,
        sending=InvitationEmail.Status.SENDING,
    )


@transaction.atomic(durable=True)
def invitation_opt_out(*, invitation: Invitation) -> bool:
    """No more e-mail to this invitation (its links still open the form); False if it had opted out already."""
    return bool(
        Invitation.objects.filter(pk=invitation.pk, opted_out_at__isnull=True).update(opted_out_at=timezone.now())
    )


# --- The worker's send ---


def _claim(email_id: int) -> tuple[InvitationEmail, str] | None:
    """Take a queued e-mail for sending, with its new token; None if there is nothing to send.

    A short transaction of its own: no lock is held while the mail server
    answers. A row being sent by another task is left alone unless that
    claim is older than ``STALE_TASK`` (its worker was killed).
    """
    with transaction.atomic():
        email = (
            InvitationEmail.objects.select_for_update()
            .select_related("invitation__assessment__organization")
            .filter(pk=email_id)
            .first()
        )
        if email is None:
            return None
        stale = email.status == InvitationEmail.Status.SENDING and email.claimed_at < timezone.now() - STALE_TASK
        if email.status != InvitationEmail.Status.QUEUED and not stale:
            return None
        invitation = email.invitation
        if (
            invitation.submitted
            or invitation.revoked_at
            or invitation.opted_out_at
            or not invitation.assessment.is_open
        ):
            email.status = InvitationEmail.Status.CANCELLED
            email.save(update_fields=["status"])
            return None
        token = new_token()
        # The token is stored before the e-mail leaves: a link in an e-mail always works. A send that then
        # fails leaves a token nobody received, which opens nothing for anyone.
        InvitationToken.objects.create(invitation=invitation, token_hash=hash_token(token))
        email.status, email.claimed_at = InvitationEmail.Status.SENDING, timezone.now()
        email.save(update_fields=["status", "claimed_at"])
        return email, token


def email_send(*, email_id: int) -> str:
    """Send one queued e-mail, once. Returns what happened: sent, retry, failed or skipped.

    The row is claimed (status sending) in one short transaction, sent, and
    marked sent in another. An SMTP or network error is retried
    ``MAX_ATTEMPTS`` times with a growing delay, then the invitation is
    marked failed with the reason. An invitation that submitted, was revoked
    or opted out meanwhile gets nothing.
    """
    claimed = _claim(email_id)
    if claimed is None:
        return "skipped"
    email, token = claimed
    error = send_or_error(email_render(email=email, token=token))
    now = timezone.now()
    with transaction.atomic():
        email.attempts += 1
        if error is None:
            email.status, email.sent_at = InvitationEmail.Status.SENT, now
            email.save(update_fields=["status", "sent_at", "attempts"])
            Invitation.objects.filter(pk=email.invitation_id).update(
                emails_sent=F("emails_sent") + 1, last_sent_at=now, failed_reason=""
            )
            return "sent"
        if email.attempts >= MAX_ATTEMPTS:
            email.status = InvitationEmail.Status.FAILED
            email.save(update_fields=["status", "attempts"])
            Invitation.objects.filter(pk=email.invitation_id).update(failed_reason=error)
            return "failed"
        email.status = InvitationEmail.Status.QUEUED
        email.save(update_fields=["status", "attempts"])
        delay = retry_delay(email.attempts)
    from responses.tasks import send_invitation_email

    send_invitation_email.using(run_after=timezone.now() + delay).enqueue(email_id)
    return "retry"
