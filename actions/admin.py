from __future__ import annotations

from django.contrib import admin

from actions.models import Action


@admin.register(Action)
class ActionAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "status", "due", "assessment")
    list_filter = ("status", "organization")
    search_fields = ("title",)
    autocomplete_fields = ()
    raw_id_fields = ("owner_user", "assessment")
    filter_horizontal = ("benefits",)
    readonly_fields = ("created", "done")
