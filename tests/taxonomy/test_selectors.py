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


# --- Pages of the survey ---


def _benefits(counts: list[int]) -> tuple:
    """Top-level benefits with ``n - 1`` sub-benefits each, as BenefitViews of one section."""
    from taxonomy.selectors import BenefitView

    views = []
    for i, n in enumerate(counts):
        root = f"c/s/b{i}"
        views.append(BenefitView(len(views), root, f"B{i}", 0, None, "c", "s", ()))
        views.extend(
            BenefitView(len(views), f"{root}/sub{j}", f"B{i}.{j}", 1, root, "c", "s", ()) for j in range(n - 1)
        )
    return tuple(views)


@pytest.mark.parametrize(
    ("counts", "sizes"),
    [
        ([1] * 20, [20]),
        ([1] * 22, [11, 11]),
        ([1] * 44, [15, 15, 14]),
        ([3] * 8, [12, 12]),
        ([19, 3], [19, 3]),
        ([25], [20, 5]),
    ],
)
def test_split_keeps_a_benefit_with_its_sub_benefits_in_parts_of_at_most_20(counts, sizes):
    from taxonomy.selectors import _split

    parts = _split(_benefits(counts), 20)
    assert [len(p) for p in parts] == sizes
    assert [b for p in parts for b in p] == list(_benefits(counts))


def test_paged_titles_the_parts_and_numbers_the_pages(taxonomy):
    from taxonomy.selectors import live_questionnaire

    questionnaire = live_questionnaire()
    pages = questionnaire.paged()
    assert pages.question_count == questionnaire.question_count
    assert [s.index for s in pages.sections] == list(range(len(pages.sections)))
    assert all(len(s.benefits) <= 20 for s in pages.sections)
    titles = [s.title for s in pages.sections]
    assert "External social networking, part 2 of 2" in titles
    assert "Internal social media" in titles
