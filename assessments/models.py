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

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from common.models import ConstraintErrorsByFieldMixin, validate_finite
from common.validators import validate_plain_text, validate_segment_key
from organizations.models import Organization
from taxonomy.models import Benefit, Question
from taxonomy.scales import Dimension
from taxonomy.selectors import live_questions
from taxonomy.translations import TranslationsValidator


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class AssessmentResults(models.TextChoices):
    AFTER_CLOSE = "after-close", _("After the assessment closes")
    LIVE = "live", _("Live, while it is open")


# Said wherever the live setting is offered: what it gives away.
LIVE_RESULTS_WARNING = _(
    "Live results let anyone who reads the report compare it before and after one person submits, "
    "and so work out that person's answers. Choose it only when everyone who answers is told so."
)

MIN_GROUP_SIZE_DEFAULT, MIN_GROUP_SIZE_MIN, MIN_GROUP_SIZE_MAX = 5, 3, 100


class Audience(models.TextChoices):
    """Which scopes' sections a respondent sees (set per invitation, or batch of them)."""

    BOTH = "both", _("Both internal and external")
    INTERNAL = "internal", _("Internal only")
    EXTERNAL = "external", _("External only")

    @property
    def scopes(self) -> frozenset[str] | None:
        """The scope slugs this audience sees, or None for all of them."""
        return None if self == Audience.BOTH else frozenset({self.value})


class Assessment(ConstraintErrorsByFieldMixin, models.Model):
    Status = AssessmentStatus
    Results = AssessmentResults

    # The settings "Start the next round" copies, so that two rounds are measured alike.
    # A setting added to the model that shapes what a round measures belongs here.
    round_settings = ("threshold", "min_group_size", "results", "benefits_per_respondent", "comments")

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="assessments")
    # Refused at input, so no CSV, text table or terminal has to defuse it on the way out.
    title = models.CharField(max_length=200, validators=[validate_plain_text])
    slug = models.SlugField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opens_at = models.DateTimeField(null=True, blank=True)
    closes_at = models.DateTimeField(null=True, blank=True)
    threshold = models.FloatField(
        default=1.0,
        validators=[validate_finite],
        help_text=_(
            "From 0 to 4. A benefit is under-realized when its importance minus its realization is at least this much."
        ),
    )
    min_group_size = models.PositiveSmallIntegerField(
        "minimum group size",
        default=MIN_GROUP_SIZE_DEFAULT,
        help_text=format_lazy(
            _(
                "From {min} to {max}. No figure is shown for a group of fewer "
                "respondents than this, the whole assessment included."
            ),
            min=MIN_GROUP_SIZE_MIN,
            max=MIN_GROUP_SIZE_MAX,
        ),
    )
    results = models.CharField(
        "results shown",
        max_length=12,
        choices=Results.choices,
        default=Results.AFTER_CLOSE,
        help_text=format_lazy(
            _("After close (recommended): the report shows figures once the assessment is closed. {warning}"),
            warning=LIVE_RESULTS_WARNING,
        ),
    )
    # Not "positive": the constraint below is the one rule, with its own message, for 0 and below alike.
    benefits_per_respondent = models.SmallIntegerField(
        "benefits per respondent",
        null=True,
        blank=True,
        help_text=_(
            "Empty: every respondent rates every benefit. A number: each respondent rates only that many "
            "benefits (with their sub-benefits), chosen so that every benefit is rated about equally often."
        ),
    )
    comments = models.BooleanField(
        "ask for comments",
        default=True,
        help_text=_(
            "Offer an optional comment box after each section and at the end. Comments are shown word for word, "
            "with addresses, numbers, links and members' names removed, and only where at least ten people "
            "(or the minimum group size, if larger) have commented; never by group."
        ),
    )
    previous = models.ForeignKey(
        "self",
        verbose_name=_("previous round"),
        # Deleting a round unlinks its next one rather than deleting it; a round with answers cannot be deleted.
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_rounds",
        help_text=_(
            "Optional. An earlier assessment of the same organization: the report then shows what changed since."
        ),
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    questions_frozen_at = models.DateTimeField(null=True, blank=True, editable=False)
    # What the assessment has been, not what it is: the locks of section 6 rest on
    # them, so they are set on save and never cleared. ``final``: closed while its
    # results were shown after close, so it never opens again.
    ever_closed = models.BooleanField(default=False, editable=False)
    final = models.BooleanField(default=False, editable=False)
    # When it actually closed (set by assessment_update), not the planned ``closes_at``; None while not closed.
    closed_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["organization__name", "-created_at"]
        permissions = [
            # Checked by organizations.selectors, outside the admin, where no model permission reaches reports.
            ("view_report", "Can read any organization's reports"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "title"],
                name="assessment_unique_title",
                violation_error_code="duplicate_title",
                violation_error_message=_(
                    "%%(organization)s already has an assessment called “%%(title)s”: choose another title."
                ),
            ),
            models.UniqueConstraint(
                fields=["organization", "slug"],
                name="assessment_unique_slug",
                violation_error_code="duplicate_slug",
                violation_error_message=_("%%(organization)s already has an assessment at this address."),
            ),
            models.CheckConstraint(
                condition=Q(status__in=AssessmentStatus.values),
                name="assessment_status_valid",
                violation_error_code="status",
                violation_error_message=_("Choose draft, open or closed."),
            ),
            models.CheckConstraint(
                # NaN fails it too: no comparison with NaN is true on both sides.
                condition=Q(threshold__gte=0) & Q(threshold__lte=4),
                name="assessment_threshold_range",
                violation_error_code="threshold_range",
                violation_error_message=_("The threshold must be between 0 and 4."),
            ),
            models.CheckConstraint(
                condition=Q(min_group_size__gte=MIN_GROUP_SIZE_MIN) & Q(min_group_size__lte=MIN_GROUP_SIZE_MAX),
                name="assessment_min_group_size_range",
                violation_error_code="min_group_size_range",
                violation_error_message=format_lazy(
                    _("The minimum group size must be a whole number from {min} to {max}."),
                    min=MIN_GROUP_SIZE_MIN,
                    max=MIN_GROUP_SIZE_MAX,
                ),
            ),
            models.CheckConstraint(
                condition=Q(results__in=AssessmentResults.values),
                name="assessment_results_valid",
                violation_error_code="results",
                violation_error_message=_("Choose when results are shown: after close or live."),
            ),
            models.CheckConstraint(
                condition=Q(benefits_per_respondent__isnull=True) | Q(benefits_per_respondent__gte=1),
                name="assessment_benefits_per_respondent_min",
                violation_error_code="benefits_per_respondent_min",
                violation_error_message=_(
                    "Each respondent needs at least 1 benefit to rate: give a whole number of 1 or more, "
                    "or leave it empty to ask every benefit."
                ),
            ),
            models.CheckConstraint(
                condition=Q(opens_at__isnull=True) | Q(closes_at__isnull=True) | Q(closes_at__gte=F("opens_at")),
                name="assessment_closes_after_opens",
                violation_error_code="closes_before_opens",
                violation_error_message=_(
                    "It would close before it opens: choose a closing date after the opening date."
                ),
            ),
        ]

    constraint_fields = {
        "duplicate_title": "title",
        "duplicate_slug": "title",
        "status": "status",
        "threshold_range": "threshold",
        "closes_before_opens": "closes_at",
        "min_group_size_range": "min_group_size",
        "results": "results",
        "benefits_per_respondent_min": "benefits_per_respondent",
    }

    def __str__(self) -> str:
        return f"{self.organization} – {self.title}"

    def save(self, *args, **kwargs) -> None:
        if self.status == AssessmentStatus.CLOSED:
            self.ever_closed = True
            if self.results == AssessmentResults.AFTER_CLOSE:
                self.final = True
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "ever_closed", "final"}
        super().save(*args, **kwargs)

    def has_questions(self) -> bool:
        """Asks at least one question: its frozen ones once it has answers, else the live active ones."""
        if self.questions_frozen_at is not None:
            return self.frozen_questions.exists()
        return live_questions().exists()

    def constraint_params(self) -> dict[str, object]:
        organization = self.organization.name if self.organization_id else ""
        return {"organization": organization, "title": self.title}

    def clean(self) -> None:
        errors = {}
        stored = self._stored()
        checks = (
            ("previous", self._previous_error),
            ("status", lambda: self._status_error(stored)),
            ("results", lambda: self._results_error(stored)),
            ("min_group_size", lambda: self._min_group_size_error(stored)),
        )
        for field, check in checks:
            error = check()
            if error is not None:
                errors[field] = error
        if errors:
            raise ValidationError(errors)

    def _stored(self) -> dict | None:
        """The saved row's values that the locks compare with; None for a new assessment."""
        if not self.pk:
            return None
        return (
            Assessment.objects.filter(pk=self.pk)
            .values("status", "results", "min_group_size", "ever_closed", "final")
            .first()
        )

    def has_submitted(self) -> bool:
        """Whether a response to it has been submitted (the locks of section 6 start then)."""
        return bool(self.pk) and self.responses.filter(submitted_on__isnull=False).exists()

    @staticmethod
    def is_final_row(stored: dict | None) -> bool:
        """Closed while results were shown after close: final, whatever was changed since."""
        if stored is None:
            return False
        closed_after_close = (stored["status"], stored["results"]) == (
            AssessmentStatus.CLOSED,
            AssessmentResults.AFTER_CLOSE,
        )
        return stored["final"] or closed_after_close

    def _results_error(self, stored: dict | None) -> ValidationError | None:
        # Live results let a report be compared before and after one person submits;
        # once someone has answered on the promise of results after close, or the
        # assessment has closed, that promise cannot be taken back.
        if stored is None or self.results != AssessmentResults.LIVE or stored["results"] == AssessmentResults.LIVE:
            return None
        if stored["ever_closed"] or stored["status"] == AssessmentStatus.CLOSED:
            return ValidationError(
                _(
                    "This assessment has been closed, so its results stay after close: start a new assessment "
                    "for live results."
                ),
                code="results_locked",
            )
        if self.has_submitted():
            return ValidationError(
                _(
                    "Responses were submitted on the promise that results are shown only after close, so "
                    "results cannot become live now."
                ),
                code="results_locked",
            )
        return None

    def _min_group_size_error(self, stored: dict | None) -> ValidationError | None:
        # A lower k would show groups that were hidden when people answered.
        if stored is None or self.min_group_size is None or self.min_group_size >= stored["min_group_size"]:
            return None
        if self.has_submitted():
            return ValidationError(
                _(
                    "Responses have been submitted, so the minimum group size can be raised but not lowered "
                    "below %(size)s."
                )
                % {"size": stored["min_group_size"]},
                code="min_group_size_lowered",
            )
        return None

    def _previous_error(self) -> ValidationError | None:
        # Not a constraint: a check constraint cannot compare two rows. The
        # "earlier" rule also makes a chain of rounds that never loops back.
        previous = self.previous
        if previous is None:
            return None
        if previous.organization_id != self.organization_id:
            message = _("The previous round must be an assessment of the same organization.")
        elif previous.pk is not None and previous.pk == self.pk:
            message = _("An assessment cannot be its own previous round.")
        elif previous.created_at >= self.created_at:
            message = _("“%(title)s” was created after this assessment: the previous round must be an earlier one.") % {
                "title": previous.title
            }
        else:
            return None
        return ValidationError(message, code="previous")

    def _status_error(self, stored: dict | None) -> ValidationError | None:
        # Reopening would let the report be compared before and after the new
        # answers, which is what showing results only after close prevents; the
        # results setting since then does not matter (it may have been switched).
        if self.pk and self.status != AssessmentStatus.CLOSED and self.is_final_row(stored):
            return ValidationError(
                _(
                    "This assessment is closed and shows its results after close, so it cannot be "
                    "reopened: start a new assessment for the next round."
                ),
                code="reopen",
            )
        if self.status == AssessmentStatus.OPEN and not self.has_questions():
            return ValidationError(
                _(
                    "It has no questions, so nobody could answer it: load the taxonomy "
                    "(manage.py load_taxonomy) or activate questions in the admin, then open it."
                ),
                code="no_questions",
            )
        return None

    @property
    def is_final(self) -> bool:
        """Closed for good: it takes no answer, import or invitation again (section 6)."""
        return self.final or (self.status == AssessmentStatus.CLOSED and self.results == AssessmentResults.AFTER_CLOSE)

    @property
    def results_withheld(self) -> bool:
        """The report shows participation only: results after close, and not closed yet."""
        return self.results == AssessmentResults.AFTER_CLOSE and self.status != AssessmentStatus.CLOSED

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
    # The wording in other languages, frozen with the English (taxonomy.translations).
    translations = models.JSONField(default=dict, blank=True, validators=[TranslationsValidator("question")])

    class Meta:
        ordering = ["assessment", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "benefit", "dimension"], name="assessmentquestion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.text}"


MAX_SEGMENTS = 5


class SegmentSource(models.TextChoices):
    INVITATION = "invitation", _("Set on the invitation")
    RESPONDENT = "respondent", _("Asked on the intro page")


class Segment(models.Model):
    """A way to split an assessment's respondents into groups (department, role, stakeholder group).

    Like the questions, an assessment's segments are fixed once it has
    answers: the groups of a report must mean what they meant when people
    answered.
    """

    Source = SegmentSource

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="segments")
    key = models.SlugField(
        max_length=50,
        validators=[validate_segment_key],
        help_text=_("A short name for scripts and CSV columns, e.g. department."),
    )
    label = models.CharField(max_length=100, validators=[validate_plain_text])
    source = models.CharField(max_length=12, choices=Source.choices, default=Source.INVITATION)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("segment")
        verbose_name_plural = _("segments")
        ordering = ["assessment", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "key"],
                name="segment_unique_key",
                violation_error_code="duplicate_key",
                violation_error_message=_("This assessment has a segment with this key already: choose another."),
            ),
            models.CheckConstraint(
                condition=Q(source__in=SegmentSource.values),
                name="segment_source_valid",
                violation_error_code="source",
                violation_error_message=_("Choose where the value comes from: the invitation or the respondent."),
            ),
        ]

    def __str__(self) -> str:
        return self.label


class SegmentOption(models.Model):
    """One group of a segment, in the order the report lists them."""

    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="options")
    value = models.SlugField(max_length=50)
    label = models.CharField(max_length=100, validators=[validate_plain_text])
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("segment option")
        verbose_name_plural = _("segment options")
        ordering = ["segment", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["segment", "value"],
                name="segmentoption_unique_value",
                violation_error_message=_("This segment has an option with this value already."),
            ),
        ]

    def __str__(self) -> str:
        return self.label


MATURITY_LEVEL_MIN, MATURITY_LEVEL_MAX = 1, 5


class MaturityTarget(ConstraintErrorsByFieldMixin, models.Model):
    """The maturity level an owner aims at for one concept x scope cell of an assessment (contract section 14).

    No row: no target for that cell. "Start the next round" copies them, so
    that the next round is measured against the same aims.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="maturity_targets")
    concept = models.ForeignKey("taxonomy.Concept", on_delete=models.CASCADE, related_name="+")
    scope = models.ForeignKey("taxonomy.Scope", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(
        "target level", help_text=_("From 1 (initial) to 5 (optimizing): the level this cell should reach.")
    )

    class Meta:
        verbose_name = _("maturity target")
        verbose_name_plural = _("maturity targets")
        ordering = ["assessment", "concept__order", "scope__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "concept", "scope"],
                name="maturitytarget_unique_cell",
                violation_error_code="duplicate_cell",
                violation_error_message=_("This assessment has a target for this cell already."),
            ),
            models.CheckConstraint(
                condition=Q(level__gte=MATURITY_LEVEL_MIN) & Q(level__lte=MATURITY_LEVEL_MAX),
                name="maturitytarget_level_range",
                violation_error_code="level_range",
                violation_error_message=format_lazy(
                    _("A target level is a whole number from {min} to {max}."),
                    min=MATURITY_LEVEL_MIN,
                    max=MATURITY_LEVEL_MAX,
                ),
            ),
        ]

    constraint_fields = {"duplicate_cell": "scope", "level_range": "level"}

    def __str__(self) -> str:
        return f"{self.assessment}: {self.concept} {self.scope} → {self.level}"
