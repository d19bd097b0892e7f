"""Admin for organizations and their members.

Counts of what an organization's assessments collected are added by the
responses app (see ``responses/admin.py``), which knows about them.
"""

from __future__ import annotations

from django.contrib import admin

from common.admin import RefuseDeleteInUseMixin
from organizations.models import Membership, Organization


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(RefuseDeleteInUseMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]
