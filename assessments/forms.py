"""The owners' form for an assessment's settings."""

from __future__ import annotations

from crispy_forms.layout import Column, Row
from django import forms

from assessments.models import Assessment
from assessments.services import THRESHOLD_MAX, THRESHOLD_MIN
from common.forms import bare_helper
from organizations.models import Organization


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date and time picker; the value is local time to the minute."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class AssessmentForm(forms.Form):
    """Create or edit an assessment; opening and closing it is a change of status."""

    title = forms.CharField(max_length=200)
    status = forms.ChoiceField(
        choices=Assessment.Status.choices,
        initial=Assessment.Status.DRAFT,
        help_text="Only an open assessment takes answers. Close it to stop them.",
    )
    opens_at = forms.DateTimeField(
        label="Opens at",
        required=False,
        widget=DateTimeLocalInput(),
        help_text="Optional. An open assessment takes no answers before this moment.",
    )
    closes_at = forms.DateTimeField(
        label="Closes at",
        required=False,
        widget=DateTimeLocalInput(),
        help_text="Optional. An open assessment takes no answers from this moment on.",
    )
    threshold = forms.FloatField(
        min_value=THRESHOLD_MIN,
        max_value=THRESHOLD_MAX,
        initial=1.0,
        widget=forms.NumberInput(attrs={"step": "0.05"}),
        help_text=(
            f"From {THRESHOLD_MIN:g} to {THRESHOLD_MAX:g}. A benefit is under-realized when its importance "
            "minus its realization is at least this much."
        ),
        error_messages={
            "min_value": f"The threshold must be between {THRESHOLD_MIN:g} and {THRESHOLD_MAX:g}.",
            "max_value": f"The threshold must be between {THRESHOLD_MIN:g} and {THRESHOLD_MAX:g}.",
        },
    )

    def __init__(self, *args, organization: Organization, assessment: Assessment | None = None, **kwargs) -> None:
        if assessment is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(assessment, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.assessment = assessment
        self.helper = bare_helper(
            "title",
            "status",
            Row(Column("opens_at", css_class="col-sm-6"), Column("closes_at", css_class="col-sm-6")),
            "threshold",
        )

    def clean_title(self) -> str:
        title = self.cleaned_data["title"].strip()
        taken = Assessment.objects.filter(organization=self.organization, title=title)
        if self.assessment is not None:
            taken = taken.exclude(pk=self.assessment.pk)
        if taken.exists():
            raise forms.ValidationError(
                f"{self.organization.name} already has an assessment called “{title}”: choose another title.",
                code="duplicate",
            )
        return title

    def clean(self) -> dict:
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at < opens_at:
            self.add_error(
                "closes_at",
                forms.ValidationError(
                    "It would close before it opens: choose a closing date after the opening date.",
                    code="closes_before_opens",
                ),
            )
        return cleaned
