"""The two rating scales, defined once as data.

Ratings are integers 1 to 5. "Don't know" is an explicit answer that is
stored as NULL, never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Lazy: the form shows each label in the reader's language ("4 - Sehr wichtig", "Weiß nicht").
DONT_KNOW_LABEL = _("Don't know")
# The form's value for "Don't know" (a rating's value is its number).
DONT_KNOW_CHOICE = "dk"
SCALE_MIN = 1
SCALE_MAX = 5


class Dimension(models.TextChoices):
    IMPORTANCE = "importance", _("Importance")
    REALIZATION = "realization", _("Realization")


@dataclass(frozen=True)
class Scale:
    dimension: str
    question: str | Promise  # what the scale asks, in a few words
    labels: tuple[tuple[int, str | Promise], ...]

    @property
    def name(self) -> str:
        """The dimension's name in the reader's language ("Importance", "Wichtigkeit")."""
        return str(Dimension(self.dimension).label)

    def label(self, value: int | None) -> str:
        if value is None:
            return str(DONT_KNOW_LABEL)
        return str(dict(self.labels)[value])

    def choices(self) -> list[tuple[str, str]]:
        """Form choices: ``"4" -> "4 - Very important"``, then Don't know (``DONT_KNOW_CHOICE``)."""
        return [(str(v), f"{v} - {label}") for v, label in self.labels] + [(DONT_KNOW_CHOICE, str(DONT_KNOW_LABEL))]


IMPORTANCE_SCALE = Scale(
    dimension=Dimension.IMPORTANCE,
    question=_("How much the organization needs this benefit"),
    labels=(
        (1, _("Not important")),
        (2, _("Slightly important")),
        (3, _("Moderately important")),
        (4, _("Very important")),
        (5, _("Critical")),
    ),
)

REALIZATION_SCALE = Scale(
    dimension=Dimension.REALIZATION,
    question=_("How fully the organization gets this benefit today"),
    labels=(
        (1, _("Not at all")),
        (2, _("Slightly")),
        (3, _("Partly")),
        (4, _("Largely")),
        (5, _("Fully")),
    ),
)

SCALES: dict[str, Scale] = {
    Dimension.IMPORTANCE: IMPORTANCE_SCALE,
    Dimension.REALIZATION: REALIZATION_SCALE,
}
