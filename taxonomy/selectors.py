"""Reads of the taxonomy: the tree in taxonomy order, and as a spec for export."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db.models import Q

from taxonomy.loaders import BenefitSpec, ConceptSpec, ScopeSpec, TaxonomySpec
from taxonomy.models import Benefit, Concept, Scope

T = TypeVar("T")


def tree_order(
    nodes: Iterable[T], *, pk: Callable[[T], int], parent: Callable[[T], int | None], sort_key: Callable[[T], tuple]
) -> list[T]:
    """``nodes`` in pre-order: siblings by ``sort_key``, each parent before its children.

    Works on model instances and on plain rows alike, so hot paths can skip
    building model instances.
    """
    children: dict[int | None, list[T]] = {}
    for node in nodes:
        children.setdefault(parent(node), []).append(node)
    for siblings in children.values():
        siblings.sort(key=sort_key)
    ordered: list[T] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(pk(node), [])))
    return ordered


def benefits_in_tree_order(*, include_inactive: bool = False) -> list[Benefit]:
    """Every benefit node in taxonomy order, in one query.

    Taxonomy order: concept order, scope order, then sibling order, each
    parent before its children (a pre-order walk).
    """
    qs = Benefit.objects.select_related("concept", "scope")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return tree_order(
        qs,
        pk=lambda b: b.pk,
        parent=lambda b: b.parent_id,
        sort_key=lambda b: (b.concept.order, b.scope.order, b.order, b.pk),
    )


@dataclass(frozen=True)
class BenefitUsage:
    """Which nodes are in use, among some subtrees: the paths that have answers, and
    the paths in an assessment's frozen questionnaire (which references them)."""

    answered: frozenset[str]
    frozen: frozenset[str]

    def answered_under(self, path: str) -> bool:
        """The node at ``path`` or one of its descendants has answers."""
        return _under(path, self.answered)

    def frozen_under(self, path: str) -> bool:
        return _under(path, self.frozen)

    def in_use_under(self, path: str) -> bool:
        """Deleting the node at ``path`` would take answers or frozen questions with it."""
        return self.answered_under(path) or self.frozen_under(path)


def _under(path: str, paths: frozenset[str]) -> bool:
    return any(p == path or p.startswith(f"{path}/") for p in paths)


def benefit_usage(paths: Iterable[str]) -> BenefitUsage:
    """:class:`BenefitUsage` of the subtrees rooted at ``paths``; two queries."""
    subtree = Q(pk__in=[])
    for path in paths:
        subtree |= Q(path=path) | Q(path__startswith=f"{path}/")
    nodes = Benefit.objects.filter(subtree)
    return BenefitUsage(
        answered=frozenset(nodes.filter(answers__isnull=False).values_list("path", flat=True)),
        frozen=frozenset(nodes.filter(questions__snapshots__isnull=False).values_list("path", flat=True)),
    )


@dataclass(frozen=True)
class MatrixCell:
    concept: Concept
    scope: Scope
    benefits: tuple[Benefit, ...]  # in tree order; ``depth`` tells the nesting


@dataclass(frozen=True)
class MatrixRow:
    concept: Concept
    cells: tuple[MatrixCell, ...]


def taxonomy_matrix() -> list[MatrixRow]:
    """The concept x scope matrix with every active benefit, in three queries."""
    concepts = list(Concept.objects.all())
    scopes = list(Scope.objects.all())
    by_cell: dict[tuple[int, int], list[Benefit]] = {}
    for benefit in benefits_in_tree_order():
        by_cell.setdefault((benefit.concept_id, benefit.scope_id), []).append(benefit)
    return [
        MatrixRow(
            concept=c,
            cells=tuple(MatrixCell(c, s, tuple(by_cell.get((c.pk, s.pk), ()))) for s in scopes),
        )
        for c in concepts
    ]


def taxonomy_spec() -> TaxonomySpec:
    """The database's taxonomy (active nodes) as a spec, for export."""
    concepts = tuple(ConceptSpec(c.slug, c.name, c.definition) for c in Concept.objects.all())
    scopes = tuple(ScopeSpec(s.slug, s.name, s.description) for s in Scope.objects.all())
    nodes = benefits_in_tree_order()
    children: dict[int | None, list[Benefit]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def spec(node: Benefit) -> BenefitSpec:
        return BenefitSpec(
            name=node.name,
            slug=node.slug,
            description=node.description,
            children=tuple(spec(child) for child in children.get(node.pk, [])),
        )

    benefits: dict[tuple[str, str], tuple[BenefitSpec, ...]] = {}
    for root in children.get(None, []):
        key = (root.concept.slug, root.scope.slug)
        benefits[key] = (*benefits.get(key, ()), spec(root))
    return TaxonomySpec(concepts=concepts, scopes=scopes, benefits=benefits)
