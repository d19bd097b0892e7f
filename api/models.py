"""Personal API tokens: each reads what its user may read on the pages, until it is revoked."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models import ConstraintErrorsByFieldMixin
from common.validators import validate_plain_text


class ApiToken(ConstraintErrorsByFieldMixin, models.Model):
    constraint_fields = {"name": "name"}

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    # What the user calls it ("dashboard"), so they know which one to revoke.
    name = models.CharField(max_length=100, validators=[validate_plain_text])
    # Only the SHA-256 digest (common.tokens.hash_token): a copy of the database opens nothing.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # The rate limit's fixed window: the minute it counts and how many requests came in it. In the
    # database, so that every app server counts the same requests.
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name=""),
                name="api_token_has_name",
                violation_error_code="name",
                violation_error_message=_("Give the token a name, so that you know which one to revoke."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.name}"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
