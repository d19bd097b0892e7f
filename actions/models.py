"""What an organization will do about its gaps: actions, each on one to three benefits."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from common.models import ConstraintErrorsByFieldMixin
from common.validators import validate_plain_text
from organizations.models import Organization
from taxonomy.models import Benefit

MIN_BENEFITS, MAX_BENEFITS = 1, 3


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in-progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class Action(ConstraintErrorsByFieldMixin, models.Model):
    Status = ActionStatus

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="actions")
    # Refused at input, so the CSV download and a terminal need not defuse it on the way out.
    title = models.CharField(max_length=200, validators=[validate_plain_text])
    description = models.TextField(blank=True)
    benefits = models.ManyToManyField(Benefit, related_name="actions")
    # A member who answers for it, or just a name (someone without an account here); exactly one.
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    owner_name = models.CharField(max_length=200, blank=True, validators=[validate_plain_text])
    due = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActionStatus.choices, default=ActionStatus.PLANNED)
    # PROTECT: an assessment with actions planned from it is not deleted from under them.
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="actions")
    created = models.DateField(default=timezone.localdate)
    done = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["due", "created", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ActionStatus.values),
                name="action_status_valid",
                violation_error_code="status",
                violation_error_message=_("Choose planned, in progress, done or dropped."),
            ),
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False) & Q(owner_name=""))
                | (Q(owner_user__isnull=True) & ~Q(owner_name="")),
                name="action_one_owner",
                violation_error_code="owner",
                violation_error_message=_("Give the action one owner: a member of the organization, or a name."),
            ),
            models.CheckConstraint(
                # The done date says when it became done, so only a done action has one.
                condition=Q(status=ActionStatus.DONE, done__isnull=False)
                | (~Q(status=ActionStatus.DONE) & Q(done__isnull=True)),
                name="action_done_date_when_done",
                violation_error_code="done",
                violation_error_message=_("Only a done action has a done date, and a done action has one."),
            ),
        ]

    constraint_fields = {"status": "status", "owner": "owner_name", "done": "status"}

    def __str__(self) -> str:
        return self.title

    @property
    def owner_label(self) -> str:
        return self.owner_user.get_username() if self.owner_user_id else self.owner_name

    @property
    def is_overdue(self) -> bool:
        return (
            self.due is not None
            and self.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
            and (self.due < timezone.localdate())
        )
