"""Assessments: what an organization asks, when, and with which wording.

Frozen wording
--------------
When an assessment receives its first answer, the exact set and wording of
its active questions is copied into :class:`AssessmentQuestion` rows
(a snapshot). From then on the assessment reads only its snapshot, so editing
or deactivating a ``taxonomy.Question`` changes assessments without answers
only. Snapshots are cheap (122 short rows), self-contained and need no
versioning scheme on the live questions.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from organizations.models import Organization
from taxonomy.models import Benefit, Question
from taxonomy.scales import Dimension


class Assessment(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments")
    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    threshold = models.FloatField(
        default=1.0,
        help_text="A benefit is under-realized when importance minus realization is at least this much.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    questions_frozen_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["organization__name", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "title"], name="assessment_unique_title"),
            models.UniqueConstraint(fields=["organization", "slug"], name="assessment_unique_slug"),
            models.CheckConstraint(condition=Q(status__in=["draft", "open", "closed"]), name="assessment_status_valid"),
            models.CheckConstraint(
                condition=Q(threshold__gte=0) & Q(threshold__lte=4), name="assessment_threshold_range"
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gte=F("opens_at")),
                name="assessment_closes_after_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organization} – {self.title}"

    @property
    def is_open(self) -> bool:
        """Accepting answers: status open and, if dates are set, within them."""
        if self.status != self.Status.OPEN:
            return False
        now = timezone.now()
        if self.opens_at and now < self.opens_at:
            return False
        return not (self.closes_at and now >= self.closes_at)


class AssessmentQuestion(models.Model):
    """The frozen wording of one question as an assessment's respondents saw it."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="frozen_questions")
    # PROTECT: a question whose wording some assessment froze cannot be deleted.
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="snapshots")
    benefit = models.ForeignKey(Benefit, on_delete=models.PROTECT, related_name="+")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["assessment", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "benefit", "dimension"], name="assessmentquestion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.text}"
