"""The trend charts' round names: short, and never two alike."""

from __future__ import annotations

import pytest

from reports.trend_charts import round_labels


@pytest.mark.parametrize(
    ("titles", "labels"),
    [
        (["Baseline", "Pulse Q3"], ["Baseline", "Pulse Q3"]),
        # Cut at the end both would read "Social maturit…": shared words go as needed, the years stay.
        (["Social maturity 2025", "Social maturity 2026"], ["maturity 2025", "maturity 2026"]),
        (
            ["Social maturity review 2025 spring", "Social maturity review 2025 autumn"],
            ["2025 spring", "2025 autumn"],
        ),
        (
            ["Customer listening programme, wave one", "Customer listening programme, wave two"],
            ["wave one", "wave two"],
        ),
        (
            ["A very long assessment title one", "A very long assessment title one (copy)"],
            ["title one", "title one (copy)"],
        ),
    ],
)
def test_round_labels_tell_the_rounds_apart(titles, labels):
    assert round_labels(titles) == labels


def test_rounds_that_stay_alike_are_numbered():
    titles = ["An assessment whose name is long x", "An assessment whose name is long y"]
    titles = [t + " 2026 review of the whole organization" for t in titles]
    labels = round_labels(titles)
    assert len(set(labels)) == 2
    assert all(len(label) <= 16 for label in labels)
