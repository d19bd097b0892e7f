"""Admin for assessments.

The responses app extends this admin with invitation and response counts
and the "Create invitations…" action (see ``responses/admin.py``).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from assessments.forms import BoundedSplitDateTimeField
from assessments.length import length_estimate
from assessments.models import Assessment, MaturityTarget, Segment, SegmentOption
from assessments.selectors import assessment_questionnaire
from assessments.services import assessment_start_next_round
from common.admin import RefuseDeleteInUseMixin
from taxonomy.selectors import live_questionnaire


class MaturityTargetInline(admin.TabularInline):
    """The owners' target level per concept x scope cell (contract section 14)."""

    model = MaturityTarget
    fields = ["concept", "scope", "level"]
    extra = 0


@admin.register(Assessment)
class AssessmentAdmin(RefuseDeleteInUseMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "organization",
        "status",
        "threshold",
        "min_group_size",
        "results",
        "comments",
        "is_frozen",
    ]
    list_editable = ["status", "threshold"]
    list_filter = ["status", "organization"]
    list_select_related = ["organization"]
    search_fields = ["title", "organization__name"]
    prepopulated_fields = {"slug": ["title"]}
    # Opening and closing dates in the owners' form's range (far dates overflow the time zone conversion).
    formfield_overrides = {models.DateTimeField: {"form_class": BoundedSplitDateTimeField}}
    fields = [
        "organization",
        "title",
        "slug",
        "status",
        "opens_at",
        "closes_at",
        "threshold",
        "min_group_size",
        "results",
        "benefits_per_respondent",
        "survey_length",
        "comments",
        "previous",
    ]
    readonly_fields = ["survey_length", "created_at", "questions_frozen_at", "closed_at"]
    autocomplete_fields = ["organization", "previous"]
    actions = ["start_next_round"]
    inlines = [MaturityTargetInline]

    class Media:
        css = {"all": ["css/admin.css"]}
        js = ["js/length.js"]

    def save_model(self, request, obj: Assessment, form, change) -> None:
        # A status changed here (in the form or the list) dates the close like the owners' pages do.
        if obj.status != Assessment.Status.CLOSED:
            obj.closed_at = None
        elif obj.closed_at is None:
            obj.closed_at = timezone.now()
        super().save_model(request, obj, form, change)

    def get_fields(self, request, obj=None):
        return [*self.fields, *(f for f in self.readonly_fields if f not in self.fields)] if obj else self.fields

    @admin.display(description=_("survey length"))
    def survey_length(self, obj: Assessment | None) -> str:
        """The estimate for the saved number; ``length.js`` follows the field as it changes."""
        saved = obj.benefits_per_respondent if obj and obj.pk else None
        questionnaire = assessment_questionnaire(assessment=obj) if obj and obj.pk else live_questionnaire()
        estimate = length_estimate(questionnaire=questionnaire, assessment=obj, benefits_per_respondent=saved)
        return render_to_string("assessments/manage/_length_estimate.html", {"estimate": estimate, "bare": True})

    @admin.action(description=_("Start the next round"), permissions=["add"])
    def start_next_round(self, request, queryset):
        """A draft assessment after each selected one, with the same settings and this one as its previous round."""
        for assessment in queryset.select_related("organization"):
            try:
                created = assessment_start_next_round(assessment=assessment)
            except ValidationError as exc:
                self.message_user(request, f"“{assessment}”: {' '.join(exc.messages)}", level=messages.ERROR)
                continue
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[created.pk])
            self.message_user(
                request,
                format_html(
                    gettext('Started “<a href="{url}">{title}</a>” (a draft) after “{previous}”.'),
                    url=url,
                    title=created.title,
                    previous=assessment.title,
                ),
                level=messages.SUCCESS,
            )

    @admin.display(description=_("wording frozen"), boolean=True, ordering="questions_frozen_at")
    def is_frozen(self, obj: Assessment) -> bool:
        return obj.questions_frozen_at is not None


class SegmentOptionInline(admin.TabularInline):
    model = SegmentOption
    fields = ["value", "label", "order"]
    extra = 0


@admin.register(Segment)
class SegmentAdmin(admin.ModelAdmin):
    """Segments with their options; fixed, like the questions, once their assessment has answers."""

    list_display = ["label", "key", "assessment", "source", "order"]
    list_filter = ["source", "assessment__organization"]
    list_select_related = ["assessment__organization"]
    search_fields = ["label", "key", "assessment__title"]
    fields = ["assessment", "key", "label", "source", "order"]
    autocomplete_fields = ["assessment"]
    inlines = [SegmentOptionInline]

    def _frozen(self, obj: Segment | None) -> bool:
        return obj is not None and obj.assessment.questions_frozen_at is not None

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._frozen(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._frozen(obj)
