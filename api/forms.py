from __future__ import annotations

from django import forms

from api.models import ApiToken


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name"]
        labels = {"name": "Name"}
        help_texts = {"name": "What it is for (“dashboard”, “board pack script”), so that you know which to revoke."}
