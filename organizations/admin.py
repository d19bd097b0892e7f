"""Admin for organizations and their members.

Counts of what an organization's assessments collected are added by the
responses app (see ``responses/admin.py``), which knows about them.
"""

from __future__ import annotations

from django.contrib import admin

from common.admin import RefuseDeleteInUseMixin
from organizations.models import MemberInvitation, Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(RefuseDeleteInUseMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "benchmark", "created_at"]
    list_filter = ["benchmark"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]


@admin.register(MemberInvitation)
class MemberInvitationAdmin(admin.ModelAdmin):
    """Read-only: invitations are made, sent again and revoked on the owners' members page, where the rules live."""

    list_display = ["email", "organization", "role", "status", "sent_at", "accepted_at"]
    list_filter = ["status", "role"]
    search_fields = ["email", "organization__name"]
    list_select_related = ["organization"]
    exclude = ["token_hash"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
