"""Reads of the taxonomy: the tree in taxonomy order, and as a spec for export."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, replace
from operator import itemgetter
from typing import TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from taxonomy.loaders import BenefitSpec, ConceptSpec, ScopeSpec, TaxonomySpec
from taxonomy.models import Benefit, Concept, Question, Scope
from taxonomy.translations import cell_title, translated

T = TypeVar("T")


def tree_order(
    nodes: Iterable[T], *, pk: Callable[[T], int], parent: Callable[[T], int | None], sort_key: Callable[[T], tuple]
) -> list[T]:
    """``nodes`` in pre-order: siblings by ``sort_key``, each parent before its children, then any unreachable.

    Works on model instances and on plain rows alike, so hot paths can skip
    building model instances.
    """
    nodes = list(nodes)
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
    if len(ordered) < len(nodes):
        # Nodes no root leads to (a parent cycle written past validation, or a
        # parent left out of ``nodes``) still count: last, rather than lost.
        reached = {pk(node) for node in ordered}
        ordered.extend(sorted((n for n in nodes if pk(n) not in reached), key=sort_key))
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
    concepts = [_in_language(c, description="definition") for c in Concept.objects.all()]
    scopes = [_in_language(s) for s in Scope.objects.all()]
    by_cell: dict[tuple[int, int], list[Benefit]] = {}
    for benefit in benefits_in_tree_order():
        by_cell.setdefault((benefit.concept_id, benefit.scope_id), []).append(_in_language(benefit))
    return [
        MatrixRow(
            concept=c,
            cells=tuple(MatrixCell(c, s, tuple(by_cell.get((c.pk, s.pk), ()))) for s in scopes),
        )
        for c in concepts
    ]


def taxonomy_spec() -> TaxonomySpec:
    """The database's taxonomy (active nodes) as a spec, for export."""
    concepts = tuple(ConceptSpec(c.slug, c.name, c.definition, c.translations) for c in Concept.objects.all())
    scopes = tuple(ScopeSpec(s.slug, s.name, s.description, s.translations) for s in Scope.objects.all())
    nodes = benefits_in_tree_order()
    children: dict[int | None, list[Benefit]] = {}
    for node in nodes:
        children.setdefault(node.parent_id, []).append(node)

    def spec(node: Benefit) -> BenefitSpec:
        return BenefitSpec(
            name=node.name,
            slug=node.slug,
            description=node.description,
            indicators=tuple(node.indicators),
            practices=tuple(node.practices),
            translations=node.translations,
            children=tuple(spec(child) for child in children.get(node.pk, [])),
        )

    benefits: dict[tuple[str, str], tuple[BenefitSpec, ...]] = {}
    for root in children.get(None, []):
        key = (root.concept.slug, root.scope.slug)
        benefits[key] = (*benefits.get(key, ()), spec(root))
    return TaxonomySpec(concepts=concepts, scopes=scopes, benefits=benefits)


def subtree_filter(paths: Iterable[str], *, prefix: str = "") -> Q:
    """Rows whose benefit (``<prefix>``) is at one of ``paths`` or below it; one query, to find those nodes.

    Upper apps use it to answer "is this node, or one of its sub-benefits, in use?".
    The nodes are matched here, on the tree's paths, and the filter is one
    ``IN`` list of ids: an ``OR`` of two conditions per path makes SQLite
    refuse the query ("Expression tree is too large") from about 500 paths.
    """
    roots = set(paths)
    ids = [pk for pk, path in Benefit.objects.values_list("pk", "path") if is_under_any(path, roots)]
    return Q(**{f"{prefix}pk__in": ids})


def is_under_any(path: str, roots: set[str]) -> bool:
    """The node at ``path`` is one of ``roots`` or below one of them."""
    parts = path.split("/")
    # A root is at least <concept>/<scope>/<benefit>: three parts.
    return any("/".join(parts[:i]) in roots for i in range(3, len(parts) + 1))


def is_under(path: str, paths: Iterable[str]) -> bool:
    """The node at ``path`` is one of ``paths`` or an ancestor of one of them."""
    return any(p == path or p.startswith(f"{path}/") for p in paths)


@dataclass(frozen=True)
class QuestionView:
    """One question as an assessment presents it (live or frozen wording)."""

    benefit_id: int
    path: str
    dimension: str
    text: str
    help_text: str


@dataclass(frozen=True)
class BenefitView:
    """One benefit node of an assessment with its questions, in taxonomy order."""

    id: int
    path: str
    name: str
    depth: int
    parent_path: str | None
    concept: str  # slug
    scope: str  # slug
    questions: tuple[QuestionView, ...]  # importance first, then realization
    # Guidance, live from the taxonomy (only the wording of questions is frozen).
    description: str = ""
    indicators: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()

    def question(self, dimension: str) -> QuestionView | None:
        return next((q for q in self.questions if q.dimension == dimension), None)


# Rated benefits on one page of the survey at most: about what fits on a few phone screens.
PAGE_BENEFITS = 20


@dataclass(frozen=True)
class Section:
    """One concept x scope cell of the questionnaire."""

    index: int
    concept: Concept
    scope: Scope
    benefits: tuple[BenefitView, ...]
    # A long cell is shown on several pages (Questionnaire.paged): this is part ``part`` of ``parts``.
    part: int = 1
    parts: int = 1

    @property
    def title(self) -> str:
        title = cell_title(self.concept.name, self.scope.name)
        if self.parts > 1:
            return _("%(title)s, part %(part)s of %(parts)s") % {"title": title, "part": self.part, "parts": self.parts}
        return title

    @property
    def question_count(self) -> int:
        return sum(len(b.questions) for b in self.benefits)


@dataclass(frozen=True)
class Questionnaire:
    sections: tuple[Section, ...]

    @property
    def benefits(self) -> tuple[BenefitView, ...]:
        return tuple(b for s in self.sections for b in s.benefits)

    @property
    def question_count(self) -> int:
        return sum(s.question_count for s in self.sections)

    def by_path(self) -> dict[str, BenefitView]:
        return {b.path: b for b in self.benefits}

    def top_level(self, *, scopes: Collection[str] | None = None) -> tuple[BenefitView, ...]:
        """The top-level benefits (no parent), of ``scopes`` only when given (scope slugs)."""
        return tuple(b for b in self.benefits if b.depth == 0 and (scopes is None or b.scope in scopes))

    def only(self, top_level_ids: Collection[int]) -> Questionnaire:
        """The questionnaire of these top-level benefits, each with its sub-benefits.

        Sections left empty are dropped and the others numbered again from 0,
        so a respondent's pages are 1..n with no empty one in between.
        """
        keep = {b.path for b in self.benefits if b.depth == 0 and b.id in top_level_ids}
        sections = []
        for section in self.sections:
            benefits = tuple(b for b in section.benefits if _root_path(b.path) in keep)
            if benefits:
                sections.append(Section(len(sections), section.concept, section.scope, benefits))
        return Questionnaire(sections=tuple(sections))

    def paged(self, max_benefits: int = PAGE_BENEFITS) -> Questionnaire:
        """The same questions on pages of at most ``max_benefits`` rated benefits (sub-benefits count).

        A longer section becomes parts of about equal size; a benefit stays on
        one page with its sub-benefits unless they alone are more than a page.
        Pages are numbered again from 0. No query.
        """
        pages: list[Section] = []
        for section in self.sections:
            parts = _split(section.benefits, max_benefits)
            for number, benefits in enumerate(parts, start=1):
                pages.append(replace(section, index=len(pages), benefits=benefits, part=number, parts=len(parts)))
        return Questionnaire(sections=tuple(pages))


def _split(benefits: tuple[BenefitView, ...], size: int) -> list[tuple[BenefitView, ...]]:
    """``benefits`` in as few parts of at most ``size`` as the grouping allows, as equal as possible."""
    if len(benefits) <= size:
        return [benefits]
    groups: list[list[BenefitView]] = []
    for benefit in benefits:
        if groups and _root_path(benefit.path) == _root_path(groups[-1][0].path):
            groups[-1].append(benefit)
        else:
            groups.append([benefit])
    # A top-level benefit with more sub-benefits than a page holds is cut into pieces of ``size``.
    pieces = [group[i : i + size] for group in groups for i in range(0, len(group), size)]
    wanted = -(-len(benefits) // size)
    best: list[list[BenefitView]] = []
    for cap in range(-(-len(benefits) // wanted), size + 1):
        parts: list[list[BenefitView]] = []
        for piece in pieces:
            if parts and len(parts[-1]) + len(piece) <= cap:
                parts[-1].extend(piece)
            else:
                parts.append(list(piece))
        best = parts
        if len(parts) <= wanted:
            break
    return [tuple(part) for part in best]


def _root_path(path: str) -> str:
    """The path of a node's top-level benefit: ``<concept>/<scope>/<benefit>``."""
    return "/".join(path.split("/", 3)[:3])


def live_questions() -> QuerySet[Question]:
    """The questions a new assessment asks: active questions of active benefits."""
    return Question.objects.filter(is_active=True, benefit__is_active=True)


QUESTION_ROW = ("benefit_id", "dimension", "text", "help_text", "translations")


def _in_language(row, *, description: str = "description"):
    """``row``, read for display only (nothing saves it), with its texts in the active language.

    A concept's ``definition`` is translated as ``description``; a benefit's guidance lists too.
    """
    row.name = translated(row.translations, "name", row.name)
    setattr(row, description, translated(row.translations, "description", getattr(row, description)))
    if isinstance(row, Benefit):
        row.indicators = list(translated(row.translations, "indicators", row.indicators))
        row.practices = list(translated(row.translations, "practices", row.practices))
    return row


def questionnaire_from(rows: Iterable[tuple[int, str, str, str, dict]]) -> Questionnaire:
    """Question rows (``QUESTION_ROW``) grouped as respondents see them, in the active language; 3 queries.

    Sections are the six concept x scope cells in contract order, empty
    cells included; benefits are in taxonomy order. Every text is in the
    active language where the taxonomy or the question has it, else in
    English (``taxonomy.translations``).
    """
    by_benefit: dict[int, dict[str, tuple[str, str]]] = {}
    for benefit_id, dimension, text, help_text, translations in rows:
        by_benefit.setdefault(benefit_id, {})[dimension] = (
            translated(translations, "text", text),
            translated(translations, "help_text", help_text),
        )

    # Fetched here for this questionnaire alone, so their names can be put in the active language
    # for display; nothing saves them.
    concepts = {c.pk: _in_language(c, description="definition") for c in Concept.objects.all()}
    scopes = {s.pk: _in_language(s) for s in Scope.objects.all()}
    # Plain rows, not model instances: this runs on every form page and report.
    rows = Benefit.objects.values_list(
        "pk",
        "parent_id",
        "concept_id",
        "scope_id",
        "order",
        "name",
        "path",
        "depth",
        "description",
        "indicators",
        "practices",
        "translations",
    )
    tree = tree_order(
        rows,
        pk=itemgetter(0),
        parent=itemgetter(1),
        sort_key=lambda r: (concepts[r[2]].order, scopes[r[3]].order, r[4], r[0]),
    )
    paths = {row[0]: row[6] for row in tree}
    views: dict[tuple[int, int], list[BenefitView]] = {}
    for pk, parent_id, concept_id, scope_id, _order, name, path, depth, description, indicators, practices, tr in tree:
        if pk not in by_benefit:
            continue
        questions = tuple(
            QuestionView(pk, path, dim, *by_benefit[pk][dim])
            for dim in ("importance", "realization")
            if dim in by_benefit[pk]
        )
        views.setdefault((concept_id, scope_id), []).append(
            BenefitView(
                id=pk,
                path=path,
                name=translated(tr, "name", name),
                depth=depth,
                parent_path=paths.get(parent_id) if parent_id else None,
                concept=concepts[concept_id].slug,
                scope=scopes[scope_id].slug,
                questions=questions,
                description=translated(tr, "description", description),
                indicators=translated(tr, "indicators", tuple(indicators or ())),
                practices=translated(tr, "practices", tuple(practices or ())),
            )
        )
    cells = [(concept, scope) for concept in concepts.values() for scope in scopes.values()]
    sections = tuple(
        Section(index, concept, scope, tuple(views.get((concept.pk, scope.pk), ())))
        for index, (concept, scope) in enumerate(cells)
    )
    return Questionnaire(sections=sections)


def live_questionnaire() -> Questionnaire:
    """The live, active questions as the next new assessment will show them (the admin preview)."""
    return questionnaire_from(live_questions().values_list(*QUESTION_ROW))


def benefit_paths() -> dict[str, int]:
    """Every benefit path (active or not) to its id, in one query."""
    return dict(Benefit.objects.values_list("path", "pk"))


@dataclass(frozen=True)
class BenefitLink:
    """Another node a benefit page points to: enough to name and link it."""

    path: str
    name: str
    description: str


@dataclass(frozen=True)
class BenefitPage:
    """What ``/benefits/<path>/`` shows about one active node."""

    benefit: Benefit
    concept: Concept
    scope: Scope
    ancestors: tuple[BenefitLink, ...]  # from the top-level benefit down to the parent
    children: tuple[BenefitLink, ...]  # active sub-benefits, in sibling order
    twins: tuple[tuple[Scope, BenefitLink], ...]  # the same benefit in the concept's other scopes

    @property
    def title(self) -> str:
        return cell_title(self.concept.name, self.scope.name)


def _link(node: Benefit) -> BenefitLink:
    return BenefitLink(path=node.path, name=node.name, description=node.description)


def benefit_page(*, path: str) -> BenefitPage | None:
    """The active node at ``path`` with its ancestors, sub-benefits and other-scope twins; 3 queries. None if unknown.

    The twin of a node is the node at the same place (the same slugs below the
    concept and scope) in another scope of the same concept: the article lists
    "Improved Feedback" under both internal and external social media.
    """
    benefit = Benefit.objects.select_related("concept", "scope").filter(path=path, is_active=True).first()
    if benefit is None:
        return None
    benefit = _in_language(benefit)
    concept, scope = _in_language(benefit.concept, description="definition"), _in_language(benefit.scope)
    key = benefit.path.split("/", 2)[2]
    parts = benefit.path.split("/")
    ancestor_paths = ["/".join(parts[:i]) for i in range(3, len(parts))]
    others = [_in_language(s) for s in Scope.objects.all() if s.pk != scope.pk]
    twin_paths = {f"{concept.slug}/{s.slug}/{key}": s for s in others}
    related = Benefit.objects.filter(
        Q(path__in=ancestor_paths) | Q(parent_id=benefit.pk) | Q(path__in=list(twin_paths)), is_active=True
    ).order_by("order", "pk")
    by_path = {node.path: _in_language(node) for node in related}
    return BenefitPage(
        benefit=benefit,
        concept=concept,
        scope=scope,
        ancestors=tuple(_link(by_path[p]) for p in ancestor_paths if p in by_path),
        children=tuple(_link(by_path[node.path]) for node in related if node.parent_id == benefit.pk),
        twins=tuple((s, _link(by_path[p])) for p, s in twin_paths.items() if p in by_path),
    )
