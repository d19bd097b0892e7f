"""Reads of the taxonomy: tree order, and what a questionnaire carries."""

from __future__ import annotations

import pytest

from taxonomy.models import Benefit
from taxonomy.selectors import live_questionnaire, tree_order

pytestmark = pytest.mark.django_db

RELATIONSHIPS = "social-networking/external/improved-relationships"


def test_tree_order_keeps_nodes_that_no_root_leads_to():
    """A parent loop (1 -> 2 -> 1) is not reachable from a root: its nodes come last, none is lost."""
    rows = [(10, None, 0), (1, 2, 0), (2, 1, 1), (11, 10, 0)]
    ordered = tree_order(rows, pk=lambda r: r[0], parent=lambda r: r[1], sort_key=lambda r: (r[2], r[0]))
    assert [r[0] for r in ordered] == [10, 11, 1, 2]


def test_a_questionnaire_keeps_every_node_even_in_a_broken_tree(taxonomy):
    """A loop written past validation: the form and the report still see all 61 nodes."""
    parent = Benefit.objects.get(path=RELATIONSHIPS)
    child = Benefit.objects.get(path=f"{RELATIONSHIPS}/personal")
    Benefit.objects.filter(pk=parent.pk).update(parent=child)
    assert len(live_questionnaire().benefits) == 61


def test_a_questionnaire_carries_each_node_s_guidance(taxonomy):
    """Description, indicators and practices ride on the questionnaire's own query (no extra one)."""
    by_path = live_questionnaire().by_path()
    node = Benefit.objects.get(path=RELATIONSHIPS)
    view = by_path[RELATIONSHIPS]
    assert (view.description, view.indicators, view.practices) == (
        node.description,
        tuple(node.indicators),
        tuple(node.practices),
    )
