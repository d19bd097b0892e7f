"""The admin's comments page: the release rule of contract section 15 holds here too.

Registered by ``reports`` rather than ``responses``, because only the report
knows which comments are released. The list gives no text at all; a
comment's page shows its text only when the report shows it (its section
reached the threshold and the report is not suppressed). Staff hide a
comment with a reason, as owners do; nothing is added or deleted here (a
comment goes with its response).
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reports.selectors import gap_report
from responses.models import Comment
from responses.services import comment_hide

NOT_RELEASED = _("Not shown: the report does not release this comment (too few commented here, or no figures yet).")


class CommentHideForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Hide it, because"),
        max_length=Comment._meta.get_field("hidden_reason").max_length,
        required=False,
        help_text=_("Kept with the comment. A hidden comment is no longer shown, exported or counted."),
    )

    class Meta:
        model = Comment
        fields: list[str] = []


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    form = CommentHideForm
    list_display = ["label", "assessment", "section_name", "hidden_on", "hidden_reason"]
    list_filter = ["response__assessment__organization"]
    list_select_related = ["response__assessment__organization"]
    search_fields = ["response__assessment__title", "response__assessment__organization__name"]
    readonly_fields = ["assessment", "section_name", "released_text", "hidden_on", "hidden_reason"]

    def get_fields(self, request, obj=None):
        shown = ["assessment", "section_name", "released_text"]
        return [*shown, "hidden_on", "hidden_reason"] if obj is not None and obj.hidden else [*shown, "reason"]

    @admin.display(description=_("comment"), ordering="pk")
    def label(self, obj: Comment) -> str:
        return gettext("Comment #%(number)s") % {"number": obj.pk}

    @admin.display(description=_("assessment"))
    def assessment(self, obj: Comment) -> str:
        return str(obj.response.assessment)

    @admin.display(description=_("section"))
    def section_name(self, obj: Comment) -> str:
        return obj.section or gettext("Anything else (the last box)")

    @admin.display(description=_("text"))
    def released_text(self, obj: Comment) -> str:
        comments = gap_report(assessment=obj.response.assessment).comments
        if comments is not None:
            for section in comments.sections:
                for shown in section.comments:
                    if shown.id == obj.pk:
                        return shown.text
        return gettext("Hidden by the owners.") if obj.hidden else str(NOT_RELEASED)

    def save_model(self, request, obj: Comment, form, change: bool) -> None:
        reason = form.cleaned_data.get("reason", "")
        if not reason.strip():
            return
        try:
            comment_hide(comment=obj, reason=reason)
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), level=messages.ERROR)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
