"""Form helpers shared by every app's pages."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout
from django import forms
from django.utils.translation import gettext as _


def bare_helper(*layout) -> FormHelper:
    """The template owns <form>, the CSRF token and the buttons; crispy renders only the fields."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    if layout:
        helper.layout = Layout(*layout)
    return helper


class BelowMinimumConfirmMixin:
    """A choice that leaves some figures below the minimum group size is saved only once confirmed.

    Such a choice is allowed (the release rule then withholds those figures),
    but the owner should know before saving, not find out from an empty
    report: the form says what would be withheld and asks for a tick.
    Subclasses give the warnings; the confirmation is not part of
    ``cleaned_data``, so services never see it.
    """

    confirm_field = "save_anyway"

    def add_confirm_field(self) -> None:
        self.fields[self.confirm_field] = forms.BooleanField(
            required=False,
            widget=forms.HiddenInput,
            label=_("Save anyway: I understand that these figures will be withheld"),
        )

    def below_minimum_warnings(self, cleaned: dict) -> list[str]:
        return []

    def check_below_minimum(self, cleaned: dict) -> None:
        accepted = cleaned.pop(self.confirm_field, False)
        if getattr(self, "_errors", None) and any(f != self.confirm_field for f in self._errors):
            return  # fix the errors first; the warnings come with a valid form
        warnings = self.below_minimum_warnings(cleaned)
        if warnings and not accepted:
            # Said once, beside the tick it asks for, rather than among the form's errors.
            self.fields[self.confirm_field].widget = forms.CheckboxInput()
            self.add_error(
                self.confirm_field,
                forms.ValidationError(
                    [*warnings, "Change it, or tick “Save anyway” and save again."], code="below_minimum"
                ),
            )
