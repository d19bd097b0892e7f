"""The action form: what an owner fills in to plan an action, or to change one."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from actions.models import MAX_BENEFITS, Action, ActionStatus
from assessments.models import Assessment
from common.forms import bare_helper
from organizations.models import Organization
from taxonomy.models import Benefit
from taxonomy.translations import cell_title


class BenefitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Benefit) -> str:
        return obj.name


class ActionForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5}))
    benefits = BenefitChoiceField(
        label=_("Benefits"),
        queryset=Benefit.objects.none(),
        help_text=format_lazy(
            _("One to {max} benefits this action should help realize. Hold Ctrl (⌘ on a Mac) to choose more than one."),
            max=MAX_BENEFITS,
        ),
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    owner_user = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("Someone else (give a name)"),
    )
    owner_name = forms.CharField(
        label=_("Owner's name"),
        max_length=200,
        required=False,
        help_text=_("Only when the owner is not a member of the organization."),
    )
    due = forms.DateField(label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices, initial=ActionStatus.PLANNED)
    assessment = forms.ModelChoiceField(
        label=_("Planned from"),
        queryset=Assessment.objects.none(),
        empty_label=None,
        help_text=_(
            "The round whose results led to this action; a later round's report shows whether the gap narrowed."
        ),
    )

    def __init__(self, *args, organization: Organization, assessment_ids=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        user_model = get_user_model()
        self.fields["owner_user"].queryset = user_model.objects.filter(memberships__organization=organization).order_by(
            user_model.USERNAME_FIELD
        )
        self.fields["owner_user"].label_from_instance = lambda u: u.get_username()
        self.fields["assessment"].label_from_instance = lambda a: a.title
        self.fields["assessment"].queryset = Assessment.objects.filter(organization=organization).order_by(
            "-created_at"
        )
        self.fields["benefits"].queryset = Benefit.objects.select_related("concept", "scope").order_by(
            "concept__order", "scope__order", "path"
        )
        self.fields["benefits"].widget.choices = self._grouped_benefits()
        self.helper = bare_helper()

    def _grouped_benefits(self):
        groups: dict[str, list] = {}
        for b in self.fields["benefits"].queryset:
            groups.setdefault(cell_title(b.concept.name, b.scope.name), []).append(
                (b.pk, ("  " * (b.path.count("/") - 2)) + b.name)
            )
        return list(groups.items())

    def clean(self):
        data = super().clean()
        # One owner: a member, or a name; the model's constraint says so if neither (or both) is given.
        if data.get("owner_user") is not None:
            data["owner_name"] = ""
        return data

    def service_kwargs(self) -> dict:
        d = self.cleaned_data
        return {
            k: d[k]
            for k in ("title", "description", "benefits", "owner_user", "owner_name", "due", "status", "assessment")
        }

    @classmethod
    def initial_for(cls, action: Action) -> dict:
        return {
            "title": action.title,
            "description": action.description,
            "benefits": list(action.benefits.all()),
            "owner_user": action.owner_user_id,
            "owner_name": action.owner_name,
            "due": action.due,
            "status": action.status,
            "assessment": action.assessment_id,
        }
