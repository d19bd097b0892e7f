"""The owners' form for an assessment's settings."""

from __future__ import annotations

from crispy_forms.layout import HTML, Column, Row
from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from assessments.length import length_estimate
from assessments.models import LIVE_RESULTS_WARNING, MIN_GROUP_SIZE_DEFAULT, Assessment, Segment
from assessments.selectors import assessment_questionnaire
from common.forms import BelowMinimumConfirmMixin, bare_helper
from common.validators import validate_segment_key
from organizations.models import Organization
from taxonomy.selectors import live_questionnaire


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date and time picker; the value is local time to the minute."""

    input_type = "datetime-local"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


# Opening and closing dates are this century's: far beyond it, converting
# between a local time zone and UTC overflows Python's datetime (year 1, 9999).
FIRST_YEAR, LAST_YEAR = 2000, 2100


class BoundedDateTimeMixin:
    """A local date and time from ``FIRST_YEAR`` to ``LAST_YEAR``, the one rule of both fields below."""

    default_error_messages = {
        "out_of_range": format_lazy(_("Choose a date from {first} to {last}."), first=FIRST_YEAR, last=LAST_YEAR),
    }

    def _bounded(self, convert, value):
        try:
            result = convert(value)
        except OverflowError:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range") from None
        # The local year, as typed: no conversion, so nothing to overflow.
        if result is not None and not FIRST_YEAR <= result.year <= LAST_YEAR:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")
        return result


class BoundedDateTimeField(BoundedDateTimeMixin, forms.DateTimeField):
    """The owners' form's date and time (one ``datetime-local`` input)."""

    def to_python(self, value):
        return self._bounded(super().to_python, value)


class BoundedSplitDateTimeField(BoundedDateTimeMixin, forms.SplitDateTimeField):
    """The admin's date and time (a date input and a time input)."""

    # SplitDateTimeField reads its own messages from this one attribute.
    default_error_messages = {
        **forms.SplitDateTimeField.default_error_messages,
        **BoundedDateTimeMixin.default_error_messages,
    }

    def compress(self, data_list):
        return self._bounded(super().compress, data_list)


class NextRoundForm(forms.Form):
    """The title of the round that follows an assessment (it copies the rest)."""

    title = forms.CharField(
        label=_("Title"), max_length=200, help_text=_("The new round starts as a draft, with the same settings.")
    )


class AssessmentForm(BelowMinimumConfirmMixin, forms.Form):
    """Create or edit an assessment; opening and closing it is a change of status."""

    title = forms.CharField(label=_("Title"), max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=Assessment.Status.choices,
        initial=Assessment.Status.DRAFT,
        help_text=_("Only an open assessment takes answers. Closing stops them; you confirm it on the next page."),
    )
    opens_at = BoundedDateTimeField(
        label=_("Opens at"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Optional. An open assessment takes no answers before this moment."),
    )
    closes_at = BoundedDateTimeField(
        label=_("Closes at"),
        required=False,
        widget=DateTimeLocalInput(),
        help_text=_("Optional. An open assessment takes no answers from this moment on."),
    )
    threshold = forms.FloatField(
        label=_("Threshold"),
        initial=Assessment._meta.get_field("threshold").default,
        widget=forms.NumberInput(attrs={"step": "0.05"}),
        help_text=Assessment._meta.get_field("threshold").help_text,
    )

    min_group_size = forms.IntegerField(
        label=_("Minimum group size"),
        initial=MIN_GROUP_SIZE_DEFAULT,
        help_text=Assessment._meta.get_field("min_group_size").help_text,
    )
    results = forms.ChoiceField(
        label=_("Results shown"),
        choices=Assessment.Results.choices,
        initial=Assessment.Results.AFTER_CLOSE,
        widget=forms.RadioSelect,
        help_text=format_lazy(_("After close is the safe choice. {warning}"), warning=LIVE_RESULTS_WARNING),
    )

    benefits_per_respondent = forms.IntegerField(
        label=_("Benefits per respondent"),
        required=False,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_(
            "Optional. Empty: everyone rates every benefit. A number: each respondent rates only that many "
            "benefits (with their sub-benefits), drawn so that every benefit is rated about equally often. "
            "Each benefit's average stays fair; it comes from fewer people, so it is less precise."
        ),
    )
    comments = forms.BooleanField(
        label=_("Ask for comments"),
        required=False,
        initial=Assessment._meta.get_field("comments").default,
        help_text=Assessment._meta.get_field("comments").help_text,
    )
    previous = forms.ModelChoiceField(
        label=_("Previous round"),
        queryset=Assessment.objects.none(),
        required=False,
        empty_label=_("None (a first round)"),
        help_text=Assessment._meta.get_field("previous").help_text,
    )

    def __init__(self, *args, organization: Organization, assessment: Assessment | None = None, **kwargs) -> None:
        if assessment is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(assessment, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.assessment = assessment
        # The organization's other assessments; which of them may be the previous round is the model's rule.
        rounds = Assessment.objects.filter(organization=organization).order_by("-created_at")
        self.fields["previous"].queryset = rounds.exclude(pk=assessment.pk) if assessment is not None else rounds
        self.fields["previous"].label_from_instance = lambda a: a.title
        self.add_confirm_field()
        self.helper = bare_helper(
            "title",
            "status",
            Row(Column("opens_at", css_class="col-sm-6"), Column("closes_at", css_class="col-sm-6")),
            Row(Column("threshold", css_class="col-sm-6"), Column("min_group_size", css_class="col-sm-6")),
            "results",
            Row(
                Column("benefits_per_respondent", css_class="col-sm-5"),
                Column(HTML('{% include "assessments/manage/_length_estimate.html" %}'), css_class="col-sm-7"),
            ),
            "comments",
            "previous",
            self.confirm_field,
        )

    def clean(self) -> dict:
        cleaned = super().clean()
        self.check_below_minimum(cleaned)
        return cleaned

    def below_minimum_warnings(self, cleaned: dict) -> list[str]:
        m, k = cleaned.get("benefits_per_respondent"), cleaned.get("min_group_size")
        if m is None or k is None:
            return []
        if self.assessment is not None and m == self.assessment.benefits_per_respondent:
            return []  # said when it was chosen; saving other settings does not ask again
        questionnaire = (
            assessment_questionnaire(assessment=self.assessment) if self.assessment else live_questionnaire()
        )
        estimate = length_estimate(questionnaire=questionnaire, assessment=self.assessment, benefits_per_respondent=m)
        warning = estimate.below_minimum_warning(k)
        return [warning] if warning else []


class SegmentForm(forms.Form):
    """A new segment: what it is called, where its value comes from, its options one per line."""

    label = forms.CharField(
        label=_("Label"), max_length=100, help_text=_("What respondents or readers see, e.g. “Department”.")
    )
    key = forms.CharField(
        label=_("Key"),
        max_length=50,
        validators=[validate_segment_key],
        help_text=_("A short name for scripts and CSV columns: lowercase letters, digits and dashes, e.g. department."),
    )
    source = forms.ChoiceField(
        label=_("Where the value comes from"),
        choices=Segment.Source.choices,
        initial=Segment.Source.INVITATION,
        widget=forms.RadioSelect,
        help_text=_(
            "Set on the invitation: you choose each batch's group; respondents do not see it. "
            "Asked on the intro page: respondents choose, or “Prefer not to say”."
        ),
    )
    options = forms.CharField(
        label=_("Options"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One option per line, in the order the report lists them (at least two)."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = bare_helper(
            Row(Column("label", css_class="col-sm-6"), Column("key", css_class="col-sm-6")), "source", "options"
        )

    def option_lines(self) -> list[str]:
        return self.cleaned_data["options"].splitlines()
