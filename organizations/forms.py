"""Owners' forms for the members of an organization."""

from __future__ import annotations

from crispy_forms.layout import Column, Row
from django import forms
from django.contrib.auth import get_user_model

from common.forms import bare_helper
from organizations.models import Membership, Organization

NOT_ADDABLE_MESSAGE = (
    "“{username}” cannot be added: check the username, or ask an administrator for an account for this person."
)


class MembershipAddForm(forms.Form):
    username = forms.CharField(
        max_length=150, help_text="Someone who already has an account here. Ask an administrator to create one."
    )
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.RESPONDENT)

    def __init__(self, *args, organization: Organization, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.helper = bare_helper(
            Row(Column("username", css_class="col-sm-7"), Column("role", css_class="col-sm-5")),
        )

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user_model = get_user_model()
        lookup = {user_model.USERNAME_FIELD: username, "is_active": True}
        user = user_model._default_manager.filter(**lookup).first()
        if user is None:
            # One message for "no such account" and "an account that cannot be added" (deactivated),
            # so that this form does not tell an owner which usernames exist.
            raise forms.ValidationError(NOT_ADDABLE_MESSAGE.format(username=username), code="not_addable")
        existing = Membership.objects.filter(organization=self.organization, user=user).first()
        if existing is not None:
            raise forms.ValidationError(
                f"{username} is already a member ({existing.get_role_display().lower()}): "
                "change their role in the list instead.",
                code="member",
            )
        return user


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)
