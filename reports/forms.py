"""The owners' form that sets an assessment's maturity targets (contract section 14)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext

from reports.maturity import LEVEL_LABELS


def target_choices() -> list[tuple[str, str]]:
    """The choices in the active language: built per form, since the level names are translated."""
    return [("", gettext("No target")), *((str(level), f"{level} – {name}") for level, name in LEVEL_LABELS.items())]


def field_name(concept: str, scope: str) -> str:
    return f"{concept}__{scope}"


class TargetsForm(forms.Form):
    """One choice per concept x scope cell: a target level from 1 to 5, or none."""

    def __init__(self, *args, cells: list[tuple[str, str, str]], **kwargs) -> None:
        """``cells``: (concept slug, scope slug, title) in report order."""
        super().__init__(*args, **kwargs)
        self.cells = cells
        for concept, scope, title in cells:
            self.fields[field_name(concept, scope)] = forms.TypedChoiceField(
                label=title,
                choices=target_choices(),
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": gettext("Choose a level from 1 to 5, or no target.")},
            )

    def levels(self) -> dict[tuple[str, str], int | None]:
        """Every cell's chosen target, for ``maturity_targets_set``."""
        return {(c, s): self.cleaned_data[field_name(c, s)] for c, s, _ in self.cells}
