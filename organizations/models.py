"""Organizations and who belongs to them, with which role."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import AddressField
from common.validators import validate_plain_text


class Organization(models.Model):
    # Refused at input, so no CSV, text table or terminal has to defuse it on the way out.
    name = models.CharField(max_length=200, unique=True, validators=[validate_plain_text])
    slug = models.SlugField(max_length=200, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Off by default: only an owner's choice shares anything with other organizations (contract section 16).
    benchmark = models.BooleanField(
        "take part in the benchmark",
        default=False,
        help_text=_(
            "Shares the released whole-assessment figures of the latest closed assessment (per benefit the "
            "realization mean and the gap, per cell the maturity score) with the benchmark across organizations, "
            "which names no organization. Never answers, never segments, never comments. Leaving takes effect at once."
        ),
    )

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]
        permissions = [
            # Checked by organizations.selectors, outside the admin; the admin has the model permissions.
            ("manage_organization", "Can manage any organization's assessments, invitations and members"),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ANALYST = "analyst", _("Analyst")
        RESPONDENT = "respondent", _("Respondent")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.RESPONDENT)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_unique_user_org"),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "analyst", "respondent"]), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.organization} ({self.get_role_display()})"


class MemberInvitation(models.Model):
    """An owner's invitation, by e-mail, to join the organization with a role.

    The worker sends it (``organizations.mail``); each send makes a new
    link whose token is stored only as its digest, so a resend replaces the
    earlier link. Whoever opens the link joins by logging in or by creating
    an account. The owner sees only the address and the invitation's state,
    never whether the address already had an account.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    # Invitations that still hold the address: one per address and organization at a time.
    PENDING = (Status.QUEUED, Status.SENDING, Status.SENT, Status.FAILED)

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="member_invitations")
    email = AddressField(max_length=254)
    role = models.CharField(max_length=20, choices=Membership.Role.choices, default=Membership.Role.RESPONDENT)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    base_url = models.CharField(
        max_length=200, blank=True, help_text=_("Where the link points: the site it came from.")
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    failed_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("member invitation")
        verbose_name_plural = _("member invitations")
        ordering = ["organization", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=Q(status__in=["queued", "sending", "sent", "failed"]),
                name="member_invitation_one_pending_per_address",
                violation_error_message=_(
                    "This address already has an invitation waiting: send it again or revoke it in the list."
                ),
            ),
            models.CheckConstraint(
                condition=Q(role__in=["owner", "analyst", "respondent"]),
                name="member_invitation_role_valid",
                violation_error_message=_("Choose owner, analyst or respondent."),
            ),
            models.CheckConstraint(
                condition=Q(status="accepted", accepted_at__isnull=False)
                | (~Q(status="accepted") & Q(accepted_at__isnull=True)),
                name="member_invitation_accepted_has_date",
                violation_error_message=_("An accepted invitation has the date it was accepted, and only it."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} – {self.organization} ({self.get_role_display()}, {self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in self.PENDING


class EmailQuotaUse(models.Model):
    """E-mails an organization queued at one moment: the ledger its daily limit is counted from.

    Every e-mail it causes is written here when it is queued (invitations,
    reminders, "send again", member invitations), whichever table then holds it.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    count = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["organization", "created_at"], name="emailquotause_org_time_idx")]

    def __str__(self) -> str:
        return f"{self.organization}: {self.count} e-mails at {self.created_at:%Y-%m-%d %H:%M}"
