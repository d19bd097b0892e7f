from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import ApiToken


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
        labels = {"name": _("Name")}
        help_texts = {"name": _("What it is for (“dashboard”, “board pack script”), so that you know which to revoke.")}
