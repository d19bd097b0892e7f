"""Admin form fields for the taxonomy."""

from __future__ import annotations

from django import forms

from taxonomy.models import Benefit


class LinesField(forms.CharField):
    """A list of texts edited as a textarea, one item per line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 5, "cols": 100})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            return [str(item).strip() for item in value if str(item).strip()]
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial or []) != self.to_python(data or "")


class BenefitAdminForm(forms.ModelForm):
    indicators = LinesField(
        required=False,
        help_text="Observable, measurable signs that the benefit is realized: one per line, each naming what to "
        "count or measure and where.",
    )
    practices = LinesField(
        required=False,
        help_text="What organizations do to realize it (processes, roles, habits, kinds of tools): one per line.",
    )

    class Meta:
        model = Benefit
        fields = [
            "concept",
            "scope",
            "parent",
            "name",
            "slug",
            "description",
            "indicators",
            "practices",
            "order",
            "is_active",
        ]
        help_texts = {
            "slug": "Part of the path of this node and of its sub-benefits: changing it changes those paths too "
            "(CSV files name benefits by path).",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "cols": 100})}
