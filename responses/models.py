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
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from assessments.models import Assessment
from taxonomy.models import Benefit
from taxonomy.scales import SCALE_MAX, SCALE_MIN


def hash_token(token: str) -> str:
    """Invitation tokens are stored only as their SHA-256 digest."""
    return hashlib.sha256(token.encode()).hexdigest()


class Invitation(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]

    def __str__(self) -> str:
        return self.label or f"Invitation #{self.pk}"


class Response(models.Model):
    """One respondent's answers to one assessment."""

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="responses")
    respondent = models.CharField(max_length=200, help_text="Unique within the assessment.")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.SET_NULL, null=True, blank=True, related_name="response"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="responses"
    )
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # The section to resume at (0-based index into the six concept x scope sections).
    current_section = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "respondent"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "respondent"], name="response_unique_respondent"),
            models.UniqueConstraint(
                fields=["assessment", "user"], condition=Q(user__isnull=False), name="response_unique_user"
            ),
        ]
        indexes = [models.Index(fields=["assessment", "submitted_at"], name="response_submitted_idx")]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.respondent}"

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


def _rating_in_range(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": SCALE_MIN, f"{field}__lte": SCALE_MAX})


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
            # reports/selectors.py and bench/report_bench.py).
            models.Index(
                fields=["assessment", "submitted", "benefit", "importance", "realization"], name="answer_report_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.response} {self.benefit.path}"

    def value(self, dimension: str) -> int | None:
        return getattr(self, dimension)

    def answered(self, dimension: str) -> bool:
        return getattr(self, f"{dimension}_answered")
