"""Admin for organizations, assessments, invitations and (read-only) responses.

Counts in the changelists come from annotations (subqueries), never from a
query per row. Deleting an organization or an assessment that has answers is
refused with a message (see ``taxonomy.admin.RefuseDeleteInUseMixin``).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

from assessments.exports import invitation_rows, invitations_csv_response
from assessments.forms import MAX_INVITATIONS
from assessments.models import Answer, Assessment, Invitation, Membership, Organization, Response
from assessments.selectors import INVITATION_STATUSES, count_of, invitation_status
from assessments.services import invitations_create, invitations_revoke
from taxonomy.admin import RefuseDeleteInUseMixin
from taxonomy.scales import DONT_KNOW_LABEL, SCALES, Dimension


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ["user", "role"]
    autocomplete_fields = ["user"]
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(RefuseDeleteInUseMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "assessment_count", "invitation_count", "submitted_count", "created_at"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]

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

    def delete_blockers(self, objs):
        answered = set(
            Answer.objects.filter(response__assessment__organization__in=objs)
            .values_list("response__assessment__organization", flat=True)
            .distinct()
        )
        return {o: "its assessments have answers; close its assessments instead" for o in objs if o.pk in answered}


class CreateInvitationsForm(forms.Form):
    count = forms.IntegerField(
        label="Number of invitations per assessment",
        min_value=1,
        max_value=MAX_INVITATIONS,
        initial=10,
        help_text="Each invitation is a single-use link. The links are shown once, in the CSV you download now.",
    )


@admin.register(Assessment)
class AssessmentAdmin(RefuseDeleteInUseMixin, admin.ModelAdmin):
    list_display = ["title", "organization", "status", "threshold", "invitation_count", "submitted_count", "is_frozen"]
    list_editable = ["status", "threshold"]
    list_filter = ["status", "organization"]
    list_select_related = ["organization"]
    search_fields = ["title", "organization__name"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["organization", "title", "slug", "status", "opens_at", "closes_at", "threshold"]
    readonly_fields = ["created_at", "questions_frozen_at"]
    autocomplete_fields = ["organization"]
    actions = ["create_invitations"]

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_fields(self, request, obj=None):
        return [*self.fields, *self.readonly_fields] if obj else self.fields

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

    @admin.display(description="wording frozen", boolean=True, ordering="questions_frozen_at")
    def is_frozen(self, obj: Assessment) -> bool:
        return obj.questions_frozen_at is not None

    def delete_blockers(self, objs):
        answered = set(
            Answer.objects.filter(response__assessment__in=objs).values_list("response__assessment", flat=True)
        )
        responded = set(Response.objects.filter(assessment__in=objs).values_list("assessment", flat=True))
        blockers = {}
        for a in objs:
            if a.pk in answered:
                blockers[a] = "it has answers; close it instead"
            elif a.pk in responded:
                blockers[a] = "respondents have started it; close it instead"
        return blockers

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
        return TemplateResponse(request, "admin/assessments/assessment/create_invitations.html", context)


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
