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
from django.db import transaction
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from assessments.admin import AssessmentAdmin as BaseAssessmentAdmin
from assessments.models import Assessment, Audience
from common.db import count_of
from organizations.admin import OrganizationAdmin as BaseOrganizationAdmin
from organizations.models import Organization
from responses.invitations.exports import invitation_rows, invitations_csv_response
from responses.invitations.forms import MAX_INVITATIONS
from responses.invitations.services import (
    AssessmentClosedError,
    check_takes_invitations,
    invitations_create,
    invitations_revoke,
)
from responses.models import Answer, Invitation, Response
from responses.selectors import INVITATION_STATUSES, invitation_status

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
                    Response.objects.filter(submitted_on__isnull=False), "assessment__organization"
                ),
            )
        )

    @admin.display(description=_("assessments"), ordering="assessment_count")
    def assessment_count(self, obj: Organization) -> int:
        return obj.assessment_count

    @admin.display(description=_("invitations"), ordering="invitation_count")
    def invitation_count(self, obj: Organization) -> int:
        return obj.invitation_count

    @admin.display(description=_("submitted"), ordering="submitted_count")
    def submitted_count(self, obj: Organization) -> int:
        return obj.submitted_count


class CreateInvitationsForm(forms.Form):
    count = forms.IntegerField(
        label=_("Number of invitations per assessment"),
        min_value=1,
        max_value=MAX_INVITATIONS,
        initial=10,
        help_text=_("Each invitation is a single-use link. The links are shown once, in the CSV you download now."),
    )
    audience = forms.ChoiceField(
        label=_("Sections they answer"),
        choices=Audience.choices,
        initial=Audience.BOTH,
        required=False,  # not sent: both, as before audiences existed
        widget=forms.RadioSelect,
    )


@admin.register(Assessment)
class AssessmentAdmin(BaseAssessmentAdmin):
    list_display = [
        "title",
        "organization",
        "status",
        "threshold",
        "min_group_size",
        "results",
        "invitation_count",
        "submitted_count",
        "is_frozen",
    ]
    actions = [*BaseAssessmentAdmin.actions, "create_invitations"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                invitation_count=count_of(Invitation.objects.all(), "assessment"),
                submitted_count=count_of(Response.objects.filter(submitted_on__isnull=False), "assessment"),
            )
        )

    @admin.display(description=_("invitations"), ordering="invitation_count")
    def invitation_count(self, obj: Assessment) -> int:
        return obj.invitation_count

    @admin.display(description=_("submitted"), ordering="submitted_count")
    def submitted_count(self, obj: Assessment) -> int:
        return obj.submitted_count

    def has_create_invitations_permission(self, request) -> bool:
        return request.user.has_perm(f"{Invitation._meta.app_label}.add_{Invitation._meta.model_name}")

    @admin.action(description=_("Create invitations…"), permissions=["create_invitations"])
    def create_invitations(self, request, queryset):
        """Ask how many, then create them and download a CSV of their links (shown only once)."""
        refusals = []
        for assessment in queryset.select_related("organization"):
            try:
                check_takes_invitations(assessment)
            except AssessmentClosedError as exc:
                refusals.append(str(exc))
        if refusals:
            for refusal in refusals:
                self.message_user(request, refusal, level=messages.ERROR)
            return None
        form = CreateInvitationsForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            rows = []
            try:
                # All or nothing: links created and never shown would be lost to their owners.
                with transaction.atomic():
                    for assessment in queryset.select_related("organization"):
                        tokens = invitations_create(
                            assessment=assessment,
                            count=form.cleaned_data["count"],
                            audience=form.cleaned_data["audience"] or Audience.BOTH,
                        )
                        rows.extend(invitation_rows(request, assessment, tokens))
            except AssessmentClosedError as exc:  # closed since the page was shown
                self.message_user(request, str(exc), level=messages.ERROR)
                return None
            return invitations_csv_response(rows)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Create invitations"),
            "subtitle": None,
            "form": form,
            "assessments": queryset.select_related("organization"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/responses/assessment/create_invitations.html", context)


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [(s, s) for s in INVITATION_STATUSES]

    def queryset(self, request, queryset):
        # The changelist's queryset carries the ``status`` annotation (InvitationAdmin.get_queryset).
        return queryset.filter(status=self.value()) if self.value() in INVITATION_STATUSES else queryset


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["__str__", "assessment", "audience", "status", "created_at", "revoked_at"]
    list_filter = [InvitationStatusFilter, "assessment__organization", "assessment"]
    list_select_related = ["assessment__organization"]
    search_fields = ["label", "assessment__title", "assessment__organization__name"]
    fields = [
        "assessment",
        "label",
        "audience",
        "email",
        "status",
        "emails_sent",
        "last_sent_at",
        "failed_reason",
        "created_at",
        "revoked_at",
    ]
    # The audience is fixed when the invitation is made, like what its response is assigned.
    readonly_fields = [
        "assessment",
        "audience",
        "email",
        "status",
        "emails_sent",
        "last_sent_at",
        "failed_reason",
        "created_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(status=invitation_status())

    def has_add_permission(self, request):
        # Tokens exist only when created (the "Create invitations…" action or `invite`): the admin cannot add one.
        return False

    @admin.display(description=_("status"), ordering="status")
    def status(self, obj: Invitation) -> str:
        return obj.status

    @admin.action(description=_("Revoke selected invitations"), permissions=["change"])
    def revoke(self, request, queryset):
        n = invitations_revoke(invitations=queryset)
        message = ngettext(
            "%(n)d invitation revoked: its link no longer opens.",
            "%(n)d invitations revoked: their links no longer open.",
            n,
        )
        self.message_user(request, message % {"n": n}, level=messages.SUCCESS)


class SubmittedFilter(admin.SimpleListFilter):
    title = _("submitted")
    parameter_name = "submitted"

    def lookups(self, request, model_admin):
        return [("yes", _("Submitted")), ("no", _("In progress"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(submitted_on__isnull=self.value() == "no")
        return queryset


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    """Responses listed without their answers, and without whoever gave them.

    No page shows one respondent's answers, this one included: a ratings
    table per response would let staff read a person's candid opinions, and
    for a draft, name the person. What is left is what administering needs:
    which assessment, whether it is submitted, the day, how many answers.
    """

    list_display = ["label", "assessment", "status", "day", "answer_count"]
    list_filter = [SubmittedFilter, "assessment__organization", "assessment"]
    list_select_related = ["assessment__organization"]
    search_fields = ["assessment__title", "assessment__organization__name"]
    fields = ["assessment", "status", "day", "answer_count"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(answer_count=count_of(Answer.objects.all(), "response"))

    @admin.display(description=_("response"), ordering="pk")
    def label(self, obj: Response) -> str:
        # Not the respondent id: an imported file may have used names.
        return gettext("Response #%(number)s") % {"number": obj.pk}

    @admin.display(description=_("status"))
    def status(self, obj: Response) -> str:
        return gettext("submitted") if obj.is_submitted else gettext("in progress")

    @admin.display(description=_("day"), ordering="submitted_on")
    def day(self, obj: Response):
        return obj.submitted_on or (obj.started_at.date() if obj.started_at else None)

    @admin.display(description=_("answers"), ordering="answer_count")
    def answer_count(self, obj: Response) -> int:
        return obj.answer_count

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
