"""Owners' forms for the members of an organization, and the invited person's account form."""

from __future__ import annotations

from crispy_forms.layout import Column, Row
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordMixin
from django.utils.translation import gettext_lazy as _

from common.forms import bare_helper
from common.validators import email_normalize
from organizations.models import MemberInvitation, Membership


class OrganizationForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the organization"),
        max_length=200,
        help_text=_("As its people know it: it appears on the survey and in the e-mails they receive."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs.update({"autocomplete": "organization"})
        self.helper = bare_helper("name")


class MemberInviteForm(forms.Form):
    # Checked by the one address rule (common.validators.email_normalize), whose messages say what is wrong.
    email = forms.CharField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput,
        help_text=_("They receive a link to join: they log in, or create an account if they have none."),
    )
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, initial=Membership.Role.RESPONDENT)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update({"autocomplete": "off", "inputmode": "email"})
        self.helper = bare_helper(
            Row(Column("email", css_class="col-sm-7"), Column("role", css_class="col-sm-5")),
        )

    def clean_email(self) -> str:
        return email_normalize(self.cleaned_data["email"])


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class JoinAccountForm(SetPasswordMixin, forms.Form):
    """A password for the new account; its username is the invited address."""

    password1, password2 = SetPasswordMixin.create_password_fields(label2=_("Password again"))

    def __init__(self, *args, invitation: MemberInvitation, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        self.helper = bare_helper("password1", "password2")

    def clean(self):
        self.validate_passwords()
        # The validators compare the password with the account's names, as they will be.
        user_model = get_user_model()
        self.validate_password_for_user(
            user_model(**{user_model.USERNAME_FIELD: self.invitation.email}, email=self.invitation.email)
        )
        return super().clean()


class BenchmarkForm(forms.Form):
    benchmark = forms.BooleanField(
        label=_("Take part in the benchmark across organizations"),
        required=False,
        help_text=_("Off unless an owner ticks it. Saving with the box unticked takes your figures out at once."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = bare_helper("benchmark")
