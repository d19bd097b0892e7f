"""The report page's summary: how sure each of the largest gaps is, in plain words."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from reports.charts import sureness
from reports.statistics import Paired


def _benefit(gap, n=10, ci95=(0.5, 1.5)):
    return SimpleNamespace(gap=gap, paired=Paired(n=n, mean=gap, sd=1.0, ci95=ci95))


@pytest.mark.parametrize(
    ("benefit", "expected"),
    [
        (_benefit(2.0, ci95=(1.2, 2.8)), "clear"),
        (_benefit(1.3, ci95=(0.6, 2.0)), "likely"),
        (_benefit(0.8, ci95=(0.2, 1.4)), "maybe"),
        (_benefit(0.3, ci95=(0.0, 0.6)), "below"),
        (_benefit(2.0, n=4, ci95=(1.5, 2.5)), "unsure"),
        (_benefit(2.0, ci95=None), "unsure"),
        (_benefit(None), "unsure"),
    ],
)
def test_sureness_reads_the_interval_against_the_threshold(benefit, expected):
    assert sureness(benefit, 1.0) == expected
