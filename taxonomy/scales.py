"""The two rating scales, defined once as data.

Ratings are integers 1 to 5. "Don't know" is an explicit answer that is
stored as NULL, never as 0.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

DONT_KNOW_LABEL = "Don't know"
# The form's value for "Don't know" (a rating's value is its number).
DONT_KNOW_CHOICE = "dk"
SCALE_MIN = 1
SCALE_MAX = 5


class Dimension(models.TextChoices):
    IMPORTANCE = "importance", "Importance"
    REALIZATION = "realization", "Realization"


@dataclass(frozen=True)
class Scale:
    dimension: str
    question: str  # what the scale asks, in a few words
    labels: tuple[tuple[int, str], ...]

    def label(self, value: int | None) -> str:
        if value is None:
            return DONT_KNOW_LABEL
        return dict(self.labels)[value]

    def choices(self) -> list[tuple[str, str]]:
        """Form choices: ``"4" -> "4 - Very important"``, then Don't know (``DONT_KNOW_CHOICE``)."""
        return [(str(v), f"{v} - {label}") for v, label in self.labels] + [(DONT_KNOW_CHOICE, DONT_KNOW_LABEL)]


IMPORTANCE_SCALE = Scale(
    dimension=Dimension.IMPORTANCE,
    question="How much the organization needs this benefit",
    labels=(
        (1, "Not important"),
        (2, "Slightly important"),
        (3, "Moderately important"),
        (4, "Very important"),
        (5, "Critical"),
    ),
)

REALIZATION_SCALE = Scale(
    dimension=Dimension.REALIZATION,
    question="How fully the organization gets this benefit today",
    labels=(
        (1, "Not at all"),
        (2, "Slightly"),
        (3, "Partly"),
        (4, "Largely"),
        (5, "Fully"),
    ),
)

SCALES: dict[str, Scale] = {
    Dimension.IMPORTANCE: IMPORTANCE_SCALE,
    Dimension.REALIZATION: REALIZATION_SCALE,
}
