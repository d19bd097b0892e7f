"""Admin for invitations and (read-only) responses, and what they add to organizations and assessments.

Counts in the changelists come from annotations (subqueries), never from a
query per row. The organization and assessment admins are the lower apps'
own, extended here with what only this app knows: how many invitations and
submitted responses each has, and the "Create invitations…" action.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from assessments.admin import AssessmentAdmin as BaseAssessmentAdmin
from assessments.models import Assessment
from common.db import count_of
from organizations.admin import OrganizationAdmin as BaseOrganizationAdmin
from organizations.models import Organization
from responses.exports import invitation_rows, invitations_csv_response
from responses.forms import MAX_INVITATIONS
from responses.models import Answer, Invitation, Response
from responses.selectors import INVITATION_STATUSES, invitation_status
from responses.services import invitations_create, invitations_revoke
from taxonomy.scales import DONT_KNOW_LABEL, SCALES, Dimension

admin.site.unregister(Organization)
admin.site.unregister(Assessment)


@admin.register(Organization)
class OrganizationAdmin(BaseOrganizationAdmin):
    list_display = ["name", "slug", "assessment_count", "invitation_count", "submitted_count", "created_at"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                assessment_count=count_of(Assessment.objects.all(), "organization"),
                invitation_count=count_of(Invitation.objects.all(), "assessment__organization"),
                submitted_count=count_of(
                    Response.objects.filter(submitted_at__isnull=False), "assessment__organization"
                ),
            )
        )

    @admin.display(description="assessments", ordering="assessment_count")
    def assessment_count(self, obj: Organization) -> int:
        return obj.assessment_count

    @admin.display(description="invitations", ordering="invitation_count")
    def invitation_count(self, obj: Organization) -> int:
        return obj.invitation_count

    @admin.display(description="submitted", ordering="submitted_count")
    def submitted_count(self, obj: Organization) -> int:
        return obj.submitted_count


class CreateInvitationsForm(forms.Form):
    count = forms.IntegerField(
        label="Number of invitations per assessment",
        min_value=1,
        max_value=MAX_INVITATIONS,
        initial=10,
        help_text="Each invitation is a single-use link. The links are shown once, in the CSV you download now.",
    )


@admin.register(Assessment)
class AssessmentAdmin(BaseAssessmentAdmin):
    list_display = ["title", "organization", "status", "threshold", "invitation_count", "submitted_count", "is_frozen"]
    actions = ["create_invitations"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                invitation_count=count_of(Invitation.objects.all(), "assessment"),
                submitted_count=count_of(Response.objects.filter(submitted_at__isnull=False), "assessment"),
            )
        )

    @admin.display(description="invitations", ordering="invitation_count")
    def invitation_count(self, obj: Assessment) -> int:
        return obj.invitation_count

    @admin.display(description="submitted", ordering="submitted_count")
    def submitted_count(self, obj: Assessment) -> int:
        return obj.submitted_count

    def has_create_invitations_permission(self, request) -> bool:
        return request.user.has_perm(f"{Invitation._meta.app_label}.add_{Invitation._meta.model_name}")

    @admin.action(description="Create invitations…", permissions=["create_invitations"])
    def create_invitations(self, request, queryset):
        """Ask how many, then create them and download a CSV of their links (shown only once)."""
        closed = [a for a in queryset if a.status == Assessment.Status.CLOSED]
        if closed:
            for a in closed:
                self.message_user(request, f"“{a}” is closed: reopen it before inviting.", level=messages.ERROR)
            return None
        form = CreateInvitationsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            rows = []
            for assessment in queryset.select_related("organization"):
                tokens = invitations_create(assessment=assessment, count=form.cleaned_data["count"])
                rows.extend(invitation_rows(request, assessment, tokens))
            return invitations_csv_response(rows)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Create invitations",
            "subtitle": None,
            "form": form,
            "assessments": queryset.select_related("organization"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/responses/assessment/create_invitations.html", context)


class InvitationStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(s, s) for s in INVITATION_STATUSES]

    def queryset(self, request, queryset):
        # The changelist's queryset carries the ``status`` annotation (InvitationAdmin.get_queryset).
        return queryset.filter(status=self.value()) if self.value() in INVITATION_STATUSES else queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "assessment", "status", "created_at", "revoked_at"]
    list_filter = [InvitationStatusFilter, "assessment__organization", "assessment"]
    list_select_related = ["assessment__organization"]
    search_fields = ["label", "assessment__title", "assessment__organization__name"]
    fields = ["assessment", "label", "status", "created_at", "revoked_at"]
    readonly_fields = ["assessment", "status", "created_at", "revoked_at"]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(status=invitation_status())

    def has_add_permission(self, request):
        # Tokens exist only when created (the "Create invitations…" action or `invite`): the admin cannot add one.
        return False

    @admin.display(description="status", ordering="status")
    def status(self, obj: Invitation) -> str:
        return obj.status

    @admin.action(description="Revoke selected invitations", permissions=["change"])
    def revoke(self, request, queryset):
        n = invitations_revoke(invitations=queryset)
        self.message_user(request, f"{n} invitation(s) revoked: their links no longer open.", level=messages.SUCCESS)


class AnswerInline(admin.TabularInline):
    model = Answer
    fields = ["benefit_path", "importance_value", "realization_value"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["benefit__path"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("benefit")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="benefit")
    def benefit_path(self, obj: Answer) -> str:
        return obj.benefit.path

    @staticmethod
    def _value(obj: Answer, dimension: str) -> str:
        if not obj.answered(dimension):
            return "—"
        value = obj.value(dimension)
        return DONT_KNOW_LABEL if value is None else f"{value} - {SCALES[dimension].label(value)}"

    @admin.display(description="importance")
    def importance_value(self, obj: Answer) -> str:
        return self._value(obj, Dimension.IMPORTANCE)

    @admin.display(description="realization")
    def realization_value(self, obj: Answer) -> str:
        return self._value(obj, Dimension.REALIZATION)


class SubmittedFilter(admin.SimpleListFilter):
    title = "submitted"
    parameter_name = "submitted"

    def lookups(self, request, model_admin):
        return [("yes", "Submitted"), ("no", "In progress")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(submitted_at__isnull=self.value() == "no")
        return queryset


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Responses are the respondents' own words: viewable, never edited or deleted here."""

    list_display = ["respondent", "assessment", "started_at", "submitted_at", "answer_count"]
    list_filter = [SubmittedFilter, "assessment__organization", "assessment"]
    list_select_related = ["assessment__organization"]
    search_fields = ["respondent", "assessment__title", "assessment__organization__name"]
    fields = ["assessment", "respondent", "invitation", "started_at", "updated_at", "submitted_at"]
    readonly_fields = fields
    inlines = [AnswerInline]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(answer_count=count_of(Answer.objects.all(), "response"))

    @admin.display(description="answers", ordering="answer_count")
    def answer_count(self, obj: Response) -> int:
        return obj.answer_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
