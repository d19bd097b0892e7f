"""Invitations, responses and answers: how an organization's people answer.

Storage of answers
------------------
An :class:`Answer` row holds one respondent's two ratings of one benefit
node: ``importance`` and ``realization`` side by side. The public contract
still speaks of one question per dimension (and the CSV has one row per
dimension); this table is simply the storage that lets the gap report get
every statistic it needs, including the paired per-respondent differences of
contract §5, from a single ``GROUP BY benefit`` pass over the table with no
self-join. ``<dim>_answered`` tells "not answered yet" (False) from
"Don't know" (True with a NULL value); a value is never stored as 0.

Each answer also carries its response's ``assessment`` and whether that
response is ``submitted`` (set in the same transaction as the response's own
submission). They repeat what the response says, on purpose: with them the
report's rows are one contiguous range of ``answer_report_idx``
(assessment, submitted, benefit, importance, realization), read in group
order with no join, no sort and the same plan whichever assessment is asked,
in a database of one assessment or of thousands.

Anonymity after submit
----------------------
Who took part and what they answered are kept apart. Until it is submitted,
a response is a draft reachable from its invitation or its member (``invitation``
or ``user``), so that it can be resumed. Submitting, in one transaction, marks
the invitation (``Invitation.submitted``) or the member (a
:class:`Participation` row) as having submitted, which is what stops a
second response, and cuts the response loose: no user, no invitation, no
time of day (``submitted_on`` is a date, ``duration_minutes`` whole minutes).
The ``response_submitted_is_anonymous`` constraint makes any other state
impossible to store. The respondent id of a web response is random.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import MAX_SEGMENTS, Assessment, Audience, Segment, SegmentOption
from common.models import AddressField
from common.validators import validate_language, validate_message_text, validate_subject
from taxonomy.models import Benefit
from taxonomy.scales import SCALE_MAX, SCALE_MIN


class Invitation(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # That its response was submitted; never which response that was.
    submitted = models.BooleanField(default=False, editable=False)
    audience = models.CharField(
        max_length=10,
        choices=Audience.choices,
        default=Audience.BOTH,
        help_text=_("The sections its respondent sees: internal, external, or both."),
    )
    # E-mailed invitations (responses/mail/services.py): the address is the invitation's, never the response's.
    email = AddressField(blank=True)
    emails_sent = models.PositiveSmallIntegerField(default=0, editable=False)
    last_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    opted_out_at = models.DateTimeField(null=True, blank=True, editable=False)
    failed_reason = models.CharField(max_length=500, blank=True, editable=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(audience__in=Audience.values),
                name="invitation_audience_valid",
                violation_error_message=_("Choose the audience: both, internal or external."),
            ),
            # A revoked invitation frees its address: the owner may invite it again.
            models.UniqueConstraint(
                fields=["assessment", "email"],
                condition=~Q(email="") & Q(revoked_at__isnull=True),
                name="invitation_unique_email",
                violation_error_message=_("This address is invited already: revoke that invitation first."),
            ),
        ]

    def __str__(self) -> str:
        return self.label or f"Invitation #{self.pk}"


class InvitationBatch(models.Model):
    """The one-time key of an owner's "create invitations" form, once used.

    Recorded in the transaction that creates the batch; the unique
    constraint makes two posts of the same form (a reload, a double click,
    two tabs at once) create one batch between them.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitation_batches")
    key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "key"], name="invitationbatch_unique_key"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: batch {self.key}"


class Response(models.Model):
    """One respondent's answers to one assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="responses")
    respondent = models.CharField(max_length=200, help_text=_("Unique within the assessment."))
    # The way back to a draft; both are cleared when it is submitted.
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    # A draft's times (the form's revision is ``updated_at``); cleared when it is submitted.
    started_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    submitted_on = models.DateField(null=True, blank=True)
    duration_minutes = models.PositiveIntegerField(
        null=True, blank=True, help_text=_("Whole minutes from start to submit (web responses).")
    )
    # The language the respondent answered in, as it was when they submitted (contract section 17); no
    # choices, so that a language added to settings.LANGUAGES needs no migration.
    language = models.CharField(max_length=16, default="en", validators=[validate_language])
    # The section to resume at (0-based index into the sections this response asks).
    current_section = models.PositiveSmallIntegerField(default=0)
    # The top-level benefit ids it asks (each with its sub-benefits), chosen when it
    # started and frozen with it; null asks the whole questionnaire (see responses/respond/assignment.py).
    # A field rather than rows, so every page of the form reads it with the response itself.
    assigned_benefits = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        ordering = ["assessment", "respondent"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "respondent"], name="response_unique_respondent"),
            models.UniqueConstraint(
                fields=["assessment", "user"], condition=Q(user__isnull=False), name="response_unique_user"
            ),
            models.CheckConstraint(
                condition=Q(submitted_on__isnull=True)
                | Q(user__isnull=True, invitation__isnull=True, started_at__isnull=True, updated_at__isnull=True),
                name="response_submitted_is_anonymous",
                violation_error_message=_("A submitted response keeps no user, invitation or time of day."),
            ),
            models.CheckConstraint(
                condition=Q(submitted_on__isnull=False) | Q(started_at__isnull=False, updated_at__isnull=False),
                name="response_draft_has_times",
                violation_error_message=_("A draft response needs its start and last-saved times."),
            ),
        ]
        indexes = [models.Index(fields=["assessment", "submitted_on"], name="response_submitted_on_idx")]

    def __str__(self) -> str:
        # Not the respondent id, which an imported file may have made a name.
        return f"Response #{self.pk} to {self.assessment}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_on is not None


class AssignmentCount(models.Model):
    """How many responses of an assessment have been assigned a top-level benefit, ever.

    A counter, not a count of live rows: a withdrawn draft is deleted, yet its
    assignment still counts in the balance (see responses/respond/assignment.py).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "benefit"], name="assignmentcount_unique")]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.benefit} assigned {self.count} times"


class Participation(models.Model):
    """That a member submitted a response to an assessment: which response is not kept.

    An invitation carries the same fact itself (``Invitation.submitted``).
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "user"], name="participation_unique")]

    def __str__(self) -> str:
        return f"{self.user} took part in {self.assessment}"


def _rating_in_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": SCALE_MIN, f"{field}__lte": SCALE_MAX})


# The columns of an answer that hold its response's segment options (see Answer).
SEGMENT_COLUMNS = tuple(f"segment_{i}" for i in range(1, MAX_SEGMENTS + 1))


class Answer(models.Model):
    """One respondent's ratings of one benefit node, both dimensions side by side."""

    # No key has an index of its own: the (response, benefit) unique index
    # starts with response, answer_report_idx with assessment, and benefits are
    # deleted so rarely that a scan then is cheaper than an index on every write.
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers", db_index=False)
    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="answers", db_index=False)
    # The response's, repeated for the report's index (see the module docstring).
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="+", db_index=False)
    submitted = models.BooleanField(default=False)
    importance = models.PositiveSmallIntegerField(null=True, blank=True)
    realization = models.PositiveSmallIntegerField(null=True, blank=True)
    importance_answered = models.BooleanField(default=False)
    realization_answered = models.BooleanField(default=False)
    # The response's option in each of the assessment's segments (in the order the
    # segments were created; null: "Not stated" or no such segment), written when
    # the response is submitted, like ``submitted``. Segments are fixed once an
    # assessment has answers, so these never change. With them every group of
    # every segment is a filter on the report's own index: no join per answer.
    segment_1 = models.PositiveIntegerField(null=True, blank=True, editable=False)
    segment_2 = models.PositiveIntegerField(null=True, blank=True, editable=False)
    segment_3 = models.PositiveIntegerField(null=True, blank=True, editable=False)
    segment_4 = models.PositiveIntegerField(null=True, blank=True, editable=False)
    segment_5 = models.PositiveIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "benefit"], name="answer_unique_per_benefit"),
            models.CheckConstraint(condition=_rating_in_range("importance"), name="answer_importance_range"),
            models.CheckConstraint(condition=_rating_in_range("realization"), name="answer_realization_range"),
            # A value without the answered flag would be an answer nobody gave.
            models.CheckConstraint(
                condition=Q(importance__isnull=True) | Q(importance_answered=True),
                name="answer_importance_flagged",
            ),
            models.CheckConstraint(
                condition=Q(realization__isnull=True) | Q(realization_answered=True),
                name="answer_realization_flagged",
            ),
            models.CheckConstraint(
                condition=Q(importance_answered=True) | Q(realization_answered=True),
                name="answer_not_empty",
            ),
        ]
        indexes = [
            # Covering index for the gap report: an assessment's submitted answers are
            # one range of it, in (benefit, importance, realization) order, so the
            # report's GROUP BY needs no sort and no table lookups (see
            # reports/aggregates.py and bench/report_bench.py). The segments last,
            # so that a segment's groups are filters read from the index alone.
            models.Index(
                fields=["assessment", "submitted", "benefit", "importance", "realization", *SEGMENT_COLUMNS],
                name="answer_report_idx",
            ),
            # The release rule's counts of raters per benefit and signature (reports/aggregates.py),
            # in group order: without it that GROUP BY sorts every answer of the assessment.
            models.Index(
                fields=["assessment", "submitted", "benefit", *SEGMENT_COLUMNS, "importance", "realization"],
                name="answer_raters_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response} {self.benefit.path}"

    def value(self, dimension: str) -> int | None:
        return getattr(self, dimension)

    def answered(self, dimension: str) -> bool:
        return getattr(self, f"{dimension}_answered")


class InvitationSegmentValue(models.Model):
    """The option of an ``invitation`` segment that an invitation carries (copied onto its response at start)."""

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="segment_values")
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(SegmentOption, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "segment"], name="invitationsegmentvalue_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation}: {self.option}"


class ResponseSegmentValue(models.Model):
    """A response's group in one segment. No row means "Not stated".

    It belongs to the response, not to the person: it survives the anonymity
    cut, and the report groups answers by it.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="segment_values")
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="+")
    option = models.ForeignKey(SegmentOption, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "segment"], name="responsesegmentvalue_unique"),
        ]
        indexes = [
            models.Index(fields=["segment", "option"], name="responsesegment_option_idx"),
            # The option after the unique pair, so that the report by segment (reports/segments.py),
            # which looks up the group of every answer's response, reads it from the index alone.
            models.Index(fields=["response", "segment", "option"], name="responsesegment_response_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.response}: {self.option}"


class InvitationToken(models.Model):
    """A link e-mailed for an invitation: each e-mail carries a new one, and every one stays valid.

    Only the hash is stored. All of an invitation's tokens lead to its one draft.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"{self.invitation}: link of {self.created_at:%Y-%m-%d}"


class InvitationEmail(models.Model):
    """One e-mail to send for an invitation: the outbox the worker reads.

    ``number`` counts the invitation's e-mails (1 the invitation, 2.. the
    reminders); unique with the invitation, so that queueing twice, or a
    task run twice, sends one e-mail (see responses/mail/services.py).
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        # Not sent: the invitation was submitted, revoked or opted out, or the assessment closed, meanwhile.
        CANCELLED = "cancelled", "Not sent"

    # Why an e-mail ended failed or cancelled, as the owner reads it on the invitations page.
    REASON_CLOSED = "assessment closed"
    REASON_REVOKED = "invitation revoked"
    REASON_SUBMITTED = "already answered"
    REASON_OPTED_OUT = "opted out"

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="emails")
    number = models.PositiveSmallIntegerField()
    subject = models.CharField(max_length=200, validators=[validate_subject])
    message = models.TextField(validators=[validate_message_text])
    base_url = models.CharField(max_length=300)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["invitation", "number"], name="invitationemail_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.invitation}: e-mail {self.number} ({self.status})"


# The most a respondent may write in one comment box (contract section 15).
COMMENT_MAX_LENGTH = 2000

# A section's comments are shown once at least this many respondents commented there, or k if larger:
# comments are words, and words identify people more easily than ratings do.
COMMENT_MIN_RESPONDENTS = 10


def comment_release_threshold(min_group_size: int) -> int:
    """How many respondents must have commented in a section before its comments are shown."""
    return max(COMMENT_MIN_RESPONDENTS, min_group_size)


class Comment(models.Model):
    """One respondent's comment in one box: after a concept x scope section, or the last box.

    It belongs to its response: deleted with it when a draft is withdrawn,
    kept through the anonymity cut, when the response loses every link to its
    respondent. So it has no user, no time and no invitation of its own;
    ``text`` is the redacted text (``responses.respond.redaction``), the only one stored.
    """

    # The last box ("Anything else?") is the empty section.
    LAST = ""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="comments")
    # ``concept/scope`` slugs, as in the report's cells; empty for the last box.
    section = models.CharField(max_length=120, blank=True)
    text = models.TextField()
    # An owner's decision, kept with its reason: a hidden comment is not shown, exported or counted.
    hidden_reason = models.CharField(max_length=500, blank=True)
    hidden_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        constraints = [
            models.UniqueConstraint(fields=["response", "section"], name="comment_unique_per_section"),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="comment_not_empty",
                violation_error_message=_("An empty comment is no comment: delete it instead."),
            ),
            models.CheckConstraint(
                condition=Q(hidden_on__isnull=True, hidden_reason="")
                | (Q(hidden_on__isnull=False) & ~Q(hidden_reason="")),
                name="comment_hidden_has_reason",
                violation_error_message=_("A hidden comment needs the reason it was hidden."),
            ),
        ]

    def __str__(self) -> str:
        return f"Comment #{self.pk} on {self.section or 'the last box'}"

    @property
    def hidden(self) -> bool:
        return self.hidden_on is not None


class InvitationOptOutToken(models.Model):
    """The token of an e-mail's opt-out link and ``List-Unsubscribe`` header: it opens the opt-out, nothing else.

    A mail provider acts on the header by itself; a survey token there would
    hand it the respondent's credential. Only the hash is stored.
    """

    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="opt_out_tokens")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return f"{self.invitation}: opt-out link of {self.created_at:%Y-%m-%d}"
