"""E-mailed invitations and reminders: queueing, the message, the worker's send.

The request or command only writes :class:`InvitationEmail` rows (the
outbox) and queues a task per row once its transaction commits; the worker
(``manage.py db_worker``, see responses/tasks.py) sends. A send claims the
row (status sending, with the e-mail's token) in one short transaction,
sends, and marks it sent in another, so no lock is held while the mail
server answers; a row that is not queued any more is never sent again, so
a task run twice sends once. A worker killed mid-send leaves its row
sending, and :func:`emails_requeue` queues it again when a worker starts
(and every half minute after) and the claim is stale.

E-mails to a draft are held: the row stays queued, nothing is sent, and
:func:`emails_requeue` queues them once the assessment takes answers. No
queued e-mail ends without a reason the owner reads (``reason``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext, gettext_lazy, pgettext

from assessments.models import Assessment, Audience, Segment
from assessments.selectors import assessment_questionnaire, assessment_segments, segment_option_ids
from assessments.services import assessment_get_or_create
from common.db import retry_while_database_down
from common.mail import MAX_ATTEMPTS, SendError, retry_delay, send_or_error
from common.tasks import STALE_TASK, requeue_unsent
from common.tokens import hash_token, new_token
from common.validators import validate_message_text, validate_subject
from organizations.services import email_quota_take, organization_get_or_create
from responses.invitations.services import is_closed, refuse_closed
from responses.mail.recipients import Recipient, recipients_parse
from responses.models import (
    Invitation,
    InvitationEmail,
    InvitationOptOutToken,
    InvitationSegmentValue,
    InvitationToken,
    Response,
)
from responses.respond.assignment import respondent_length

# Reminders after the first e-mail, at most (contract §11); "send again" counts as one.
MAX_REMINDERS = 3


DEFAULT_MIN_DAYS = 3


# The reminders page's choice of days since the last e-mail.
MAX_MIN_DAYS = 30


# More e-mails than this are handed to the worker in one task, which queues each: a request stays short.
ENQUEUE_IN_REQUEST = 50


# The stored reasons an e-mail was not sent (``InvitationEmail.reason``), as the owner reads them on the
# invitations page, in the page's language; any other reason shows as it is stored.
EMAIL_REASONS = {
    InvitationEmail.REASON_CLOSED: gettext_lazy("assessment closed"),
    InvitationEmail.REASON_REVOKED: gettext_lazy("invitation revoked"),
    InvitationEmail.REASON_SUBMITTED: gettext_lazy("already answered"),
    InvitationEmail.REASON_OPTED_OUT: gettext_lazy("opted out"),
}


def email_reason_text(reason: str) -> str:
    """A stored reason in the current language ("" stays "")."""
    return str(EMAIL_REASONS.get(reason, reason))


def email_text_check(*, subject: str, message: str) -> None:
    """``ValidationError`` for a subject with a control character or a message with one but line breaks and tabs."""
    validate_subject(subject)
    validate_message_text(message)


def default_subject(assessment: Assessment) -> str:
    return gettext("Your views on %(organization)s's use of social tools: %(title)s") % {
        "organization": assessment.organization.name,
        "title": assessment.title,
    }


def email_minutes(*, assessment: Assessment, invitation: Invitation | None = None) -> int:
    """About how many minutes the survey takes the e-mail's recipient: what their intro page says.

    Without ``invitation`` (the owner's preview), what a respondent of both scopes is told.
    """
    response = None
    audience = Audience.BOTH
    if invitation is not None:
        audience = invitation.audience
        # A draft is linked to its invitation until it is submitted; a submitted one gets no e-mail.
        response = Response.objects.filter(invitation=invitation).only("assigned_benefits").first()
    questionnaire = assessment_questionnaire(assessment=assessment)
    return respondent_length(
        assessment=assessment, response=response, audience=audience, questionnaire=questionnaire
    ).minutes


def closing_sentence(assessment: Assessment) -> str:
    if assessment.closes_at is None:
        return gettext("The survey has no closing date yet; your link works until it closes.")
    day = date_format(
        timezone.localtime(assessment.closes_at), pgettext("date format: weekday day month year", "l d F Y")
    )
    return gettext("The survey closes on %(day)s.") % {"day": day}


# What section 6 guarantees, and no more: the same promise as the intro page's.
CONFIDENTIALITY = gettext_lazy(
    "Your answers are confidential: no page, report or download shows them on their own; every figure is about "
    "at least {k} people, "
    "and figures are withheld wherever comparing them could single out fewer than {k}. Once you submit, nothing "
    "stored links your answers to you or to this e-mail."
)


def default_message(assessment: Assessment) -> str:
    """The owner's starting text, the purpose: the e-mail always adds how long, who sees what, the closing date."""
    return gettext(
        "%(organization)s is measuring how well it gets the benefits of social media, "
        "social collaboration and social networking, to see where it falls short and what to improve. "
        "Your view counts: please give it, whatever your role.\n\nThank you."
    ) % {"organization": assessment.organization.name}


def email_render(*, email: InvitationEmail, token: str, opt_out_token: str) -> EmailMultiAlternatives:
    """The e-mail: plain text and HTML with the same words and links; no image, no tracking, links as they are.

    The opt-out link and ``List-Unsubscribe`` carry the opt-out token: the
    survey token is in the body only, never in a header a mail provider acts on.
    """
    invitation = email.invitation
    assessment = invitation.assessment
    link = email.base_url + reverse("responses:invitation:start", args=[token])
    opt_out = email.base_url + reverse("responses:opt_out", args=[opt_out_token])
    context = {
        "message": email.message,
        "link": link,
        "opt_out": opt_out,
        "assessment": assessment,
        "minutes": email_minutes(assessment=assessment, invitation=invitation),
        "closing": closing_sentence(assessment),
        "confidentiality": str(CONFIDENTIALITY).format(k=assessment.min_group_size),
        "reminder": email.number > 1,
    }
    message = EmailMultiAlternatives(
        subject=gettext("Reminder: %(subject)s") % {"subject": email.subject} if email.number > 1 else email.subject,
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


def _enqueue_on_commit(email_ids: list[int]) -> None:
    from responses.tasks import queue_invitation_emails, send_invitation_email

    # The worker renders the e-mails in the language of whoever queued them (the owner's, for a command: English).
    language = translation.get_language() or settings.LANGUAGE_CODE

    def enqueue() -> None:
        if len(email_ids) > ENQUEUE_IN_REQUEST:
            queue_invitation_emails.enqueue(email_ids, language)
            return
        for pk in email_ids:
            send_invitation_email.enqueue(pk, language)

    transaction.on_commit(enqueue)


# A large batch's sends come after everyone else's: one owner's thousands do not hold up another's few.
BULK_PRIORITY = -10


def emails_enqueue(email_ids: list[int], language: str | None = None) -> None:
    """One send task per e-mail (the worker's side of a large batch), behind the e-mails of small ones."""
    from responses.tasks import send_invitation_email

    bulk = send_invitation_email.using(priority=BULK_PRIORITY)
    for pk in email_ids:
        bulk.enqueue(pk, language)


def _take_quota(assessment: Assessment, count: int) -> None:
    email_quota_take(organization_id=assessment.organization_id, count=count)


@transaction.atomic
def invitations_email(
    *, assessment: Assessment, recipients: Iterable[Recipient], subject: str, message: str, base_url: str
) -> tuple[int, int]:
    """Create one invitation and queue one e-mail per new address; returns (created, skipped).

    An address already invited to the assessment (in any case, unless that
    invitation was revoked) is skipped. The invitation's own ``token_hash``
    is a random one nobody is given: its links are the tokens its e-mails
    carry. A closed assessment (:class:`AssessmentClosedError`), a text the
    e-mail cannot carry (``ValidationError``) or a limit passed
    (:class:`EmailLimitError`) queue nothing. For a draft, the e-mails are
    held until it opens.
    """
    refuse_closed(assessment)
    email_text_check(subject=subject, message=message)
    recipients = list(recipients)
    existing = invited_addresses(assessment=assessment)
    new = [r for r in recipients if r.email.lower() not in existing]
    _take_quota(assessment, len(new))
    segments = assessment_segments(assessment=assessment, source=Segment.Source.INVITATION)
    now = timezone.now()
    invitations = []
    for recipient in new:
        invitation = Invitation(
            assessment=assessment, token_hash=hash_token(new_token()), email=recipient.email, created_at=now
        )
        if recipient.audience:
            invitation.audience = recipient.audience
        invitations.append(invitation)
    invitations = Invitation.objects.bulk_create(invitations, batch_size=500)
    if any(i.pk is None for i in invitations):  # a backend that returns no ids from a bulk insert
        by_hash = {i.token_hash: i.pk for i in Invitation.objects.filter(assessment=assessment, created_at=now)}
        for i in invitations:
            i.pk = by_hash[i.token_hash]
    InvitationSegmentValue.objects.bulk_create(
        [
            InvitationSegmentValue(invitation_id=invitation.pk, segment_id=s, option_id=o)
            for invitation, recipient in zip(invitations, new, strict=True)
            for s, o in segment_option_ids(segments, recipient.segment_values).items()
        ],
        batch_size=500,
    )
    emails = InvitationEmail.objects.bulk_create(
        [
            InvitationEmail(invitation_id=i.pk, number=1, subject=subject, message=message, base_url=base_url)
            for i in invitations
        ],
        batch_size=500,
    )
    if any(e.pk is None for e in emails):
        emails = list(InvitationEmail.objects.filter(invitation__in=invitations, number=1))
    _enqueue_on_commit([e.pk for e in emails])
    return len(new), len(recipients) - len(new)


@transaction.atomic(durable=True)
def invitations_email_batch(**kwargs) -> tuple[int, int]:
    """:func:`invitations_email` as an entry point (the owners' page)."""
    return invitations_email(**kwargs)


def invited_addresses(*, assessment: Assessment) -> set[str]:
    """The assessment's invited addresses, lower-cased, revoked invitations aside; one query."""
    return {
        e.lower()
        for e in Invitation.objects.filter(assessment=assessment, revoked_at__isnull=True)
        .exclude(email="")
        .values_list("email", flat=True)
    }


def preview_text(*, assessment: Assessment, message: str) -> str:
    """The plain-text part as a recipient would read it, with a stand-in for their own link."""
    context = {
        "message": message,
        "link": gettext("(their own link)"),
        "opt_out": gettext("(their own opt-out link)"),
        "assessment": assessment,
        "minutes": email_minutes(assessment=assessment),
        "closing": closing_sentence(assessment),
        "confidentiality": str(CONFIDENTIALITY).format(k=assessment.min_group_size),
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
    refuse_closed(target)
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
    return _remindable(assessment=assessment).filter(last_sent_at__lte=timezone.now() - timedelta(days=min_days))


def _remindable(*, assessment: Assessment) -> QuerySet[Invitation]:
    """E-mailed invitations that may have one more e-mail: not answered, revoked or opted out, none waiting."""
    pending = InvitationEmail.objects.filter(
        invitation=OuterRef("pk"), status__in=[InvitationEmail.Status.QUEUED, InvitationEmail.Status.SENDING]
    )
    return (
        Invitation.objects.filter(
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


def _next_emails(invitations: list[Invitation], assessment: Assessment, base_url: str) -> list[int]:
    """One more e-mail for each invitation, with its last e-mail's subject and message; their ids."""
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
                base_url=base_url or (previous.base_url if previous else settings.SITE_URL),
            ).pk
        )
    return ids


@transaction.atomic
def reminders_queue(*, assessment: Assessment, min_days: int, base_url: str) -> int:
    """Queue one reminder to each invitation :func:`reminders_due`; returns how many.

    Within the limits (:class:`EmailLimitError` queues none of them).
    """
    refuse_closed(assessment)
    invitations = list(reminders_due(assessment=assessment, min_days=min_days).select_for_update())
    _take_quota(assessment, len(invitations))
    ids = _next_emails(invitations, assessment, base_url)
    _enqueue_on_commit(ids)
    return len(ids)


class NotRemindableError(ValueError):
    """This invitation cannot have one more e-mail now (answered, revoked, opted out, waiting, or 3 reminders)."""


@transaction.atomic(durable=True)
def invitation_send_again(*, invitation: Invitation, base_url: str) -> None:
    """ "Send again": one e-mail with a new link to an e-mailed invitation, now; it counts as a reminder.

    :class:`NotRemindableError` when it may not have one, :class:`EmailLimitError` past a limit.
    """
    assessment = invitation.assessment
    refuse_closed(assessment)
    locked = list(_remindable(assessment=assessment).filter(pk=invitation.pk).select_for_update())
    if not locked:
        raise NotRemindableError(
            gettext(
                "%(email)s cannot be e-mailed again now: it has answered, is revoked or opted out, has an "
                "e-mail on its way, or has had %(max)s reminders already."
            )
            % {"email": invitation.email, "max": MAX_REMINDERS}
        )
    _take_quota(assessment, 1)
    _enqueue_on_commit(_next_emails(locked, assessment, base_url))


@transaction.atomic(durable=True)
def invitation_resend(*, invitation: Invitation, base_url: str) -> bool:
    """Queue the failed e-mail of an invitation again; False if it has not failed (or cannot receive mail)."""
    locked = Invitation.objects.select_for_update().select_related("assessment").get(pk=invitation.pk)
    if not locked.failed_reason or locked.submitted or locked.revoked_at or locked.opted_out_at:
        return False
    refuse_closed(locked.assessment)
    _take_quota(locked.assessment, 1)
    ids = _next_emails([locked], locked.assessment, base_url)
    Invitation.objects.filter(pk=locked.pk).update(failed_reason="")
    _enqueue_on_commit(ids)
    return True


def emails_requeue() -> int:
    """Queue a send for every e-mail waiting that no live task will send; how many. The worker's sweep.

    Waiting: held for a draft whose assessment now takes answers, or left by
    a killed worker. The queued e-mails of a closed assessment end cancelled
    with that reason, so the invitations page says why they never went.
    """
    from responses.tasks import queue_invitation_emails, send_invitation_email

    now = timezone.now()
    closed = Q(invitation__assessment__status=Assessment.Status.CLOSED) | Q(invitation__assessment__closes_at__lte=now)
    InvitationEmail.objects.filter(closed, status=InvitationEmail.Status.QUEUED).update(
        status=InvitationEmail.Status.CANCELLED, reason=InvitationEmail.REASON_CLOSED
    )
    taking_answers = (
        Q(invitation__assessment__status=Assessment.Status.OPEN)
        & (Q(invitation__assessment__opens_at__isnull=True) | Q(invitation__assessment__opens_at__lte=now))
        & ~closed
    )
    return requeue_unsent(
        send_invitation_email,
        InvitationEmail.objects.filter(taking_answers),
        queued=InvitationEmail.Status.QUEUED,
        sending=InvitationEmail.Status.SENDING,
        also=(queue_invitation_emails,),
    )


@transaction.atomic(durable=True)
def invitation_opt_out(*, invitation: Invitation) -> bool:
    """No more e-mail to this invitation (its links still open the form); False if it had opted out already."""
    return bool(
        Invitation.objects.filter(pk=invitation.pk, opted_out_at__isnull=True).update(opted_out_at=timezone.now())
    )


def _cancel_reason(invitation: Invitation) -> str:
    """Why an e-mail of this invitation must not go now, for good; "" if it may."""
    if invitation.submitted:
        return InvitationEmail.REASON_SUBMITTED
    if invitation.revoked_at:
        return InvitationEmail.REASON_REVOKED
    if invitation.opted_out_at:
        return InvitationEmail.REASON_OPTED_OUT
    if is_closed(invitation.assessment):
        return InvitationEmail.REASON_CLOSED
    return ""


def _claim(email_id: int) -> tuple[InvitationEmail, EmailMultiAlternatives] | str:
    """Take a queued e-mail for sending, with its new tokens and its message; else why not (skipped, held).

    A short transaction of its own, which also renders the message: what
    follows it, the send, needs no database. No lock is held while the mail
    server answers. A row being sent by another task is left alone unless
    that claim is older than ``STALE_TASK`` (its worker was killed).
    """
    with transaction.atomic():
        email = (
            InvitationEmail.objects.select_for_update()
            .select_related("invitation__assessment__organization")
            .filter(pk=email_id)
            .first()
        )
        if email is None:
            return "skipped"
        stale = email.status == InvitationEmail.Status.SENDING and email.claimed_at < timezone.now() - STALE_TASK
        if email.status != InvitationEmail.Status.QUEUED and not stale:
            return "skipped"
        invitation = email.invitation
        reason = _cancel_reason(invitation)
        if reason:
            email.status, email.reason = InvitationEmail.Status.CANCELLED, reason
            email.save(update_fields=["status", "reason"])
            return "skipped"
        if not invitation.assessment.is_open:
            # A draft (or not yet at its opening date): held, queued, until emails_requeue finds it taking answers.
            if email.status != InvitationEmail.Status.QUEUED:
                email.status = InvitationEmail.Status.QUEUED
                email.save(update_fields=["status"])
            return "held"
        token, opt_out_token = new_token(), new_token()
        # The tokens are stored before the e-mail leaves: a link in an e-mail always works. A send that then
        # fails leaves tokens nobody received, which open nothing for anyone.
        InvitationToken.objects.create(invitation=invitation, token_hash=hash_token(token))
        InvitationOptOutToken.objects.create(invitation=invitation, token_hash=hash_token(opt_out_token))
        message = email_render(email=email, token=token, opt_out_token=opt_out_token)
        email.status, email.claimed_at = InvitationEmail.Status.SENDING, timezone.now()
        email.save(update_fields=["status", "claimed_at"])
        return email, message


def email_send(*, email_id: int) -> str:
    """Send one queued e-mail, once. Returns what happened: sent, retry, failed, held or skipped.

    The row is claimed (status sending) in one short transaction, sent, and
    marked sent in another. A refusal for good (a 5xx reply, a bad header)
    marks it failed at once with the reason; a temporary one is retried with
    a growing delay, ``MAX_ATTEMPTS`` attempts in all. The mark after the send
    waits out a database that went away, so an e-mail sent is never sent
    again. An invitation that submitted, was revoked or opted out meanwhile,
    or whose assessment closed, gets nothing, and its e-mail says why.
    """
    claimed = _claim(email_id)
    if isinstance(claimed, str):
        return claimed
    email, message = claimed
    error = send_or_error(message)
    outcome = retry_while_database_down(lambda: _record(email, error))
    if outcome == "retry":
        from responses.tasks import send_invitation_email

        retry_while_database_down(
            lambda: send_invitation_email.using(run_after=timezone.now() + retry_delay(email.attempts)).enqueue(
                email_id, translation.get_language()
            )
        )
    return outcome


@transaction.atomic
def _record(email: InvitationEmail, error: SendError | None) -> str:
    now = timezone.now()
    attempts = email.attempts + 1
    rows = InvitationEmail.objects.filter(pk=email.pk)
    if error is None:
        rows.update(status=InvitationEmail.Status.SENT, sent_at=now, attempts=attempts)
        Invitation.objects.filter(pk=email.invitation_id).update(
            emails_sent=F("emails_sent") + 1, last_sent_at=now, failed_reason=""
        )
        return "sent"
    if error.permanent or attempts >= MAX_ATTEMPTS:
        rows.update(status=InvitationEmail.Status.FAILED, attempts=attempts, reason=error.reason)
        Invitation.objects.filter(pk=email.invitation_id).update(failed_reason=error.reason)
        return "failed"
    rows.update(status=InvitationEmail.Status.QUEUED, attempts=attempts)
    email.attempts = attempts
    return "retry"
