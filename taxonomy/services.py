"""Writes to the taxonomy: loading a parsed YAML tree, syncing questions."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from common.usage import in_use
from taxonomy.loaders import TaxonomySpec
from taxonomy.models import Benefit, Concept, Question, Scope
from taxonomy.scales import Dimension
from taxonomy.selectors import benefits_in_tree_order


@dataclass(frozen=True)
class SyncResult:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    deactivated: int = 0

    @property
    def changed(self) -> bool:
        return any((self.created, self.updated, self.deleted, self.deactivated))

    def __add__(self, other: SyncResult) -> SyncResult:
        return SyncResult(
            self.created + other.created,
            self.updated + other.updated,
            self.deleted + other.deleted,
            self.deactivated + other.deactivated,
        )

    def summary(self) -> str:
        if not self.changed:
            return "no changes"
        return f"{self.created} created, {self.updated} updated, {self.deleted} deleted, {self.deactivated} deactivated"


@dataclass(frozen=True)
class LoadResult:
    taxonomy: SyncResult
    questions: SyncResult

    @property
    def changed(self) -> bool:
        return self.taxonomy.changed or self.questions.changed


def _upsert(model, slug: str, order: int, **values) -> tuple[object, str]:
    """Create or update one row by slug; return it and 'created'/'updated'/''."""
    obj = model.objects.filter(slug=slug).first()
    values["order"] = order
    if obj is None:
        return model.objects.create(slug=slug, **values), "created"
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.save(update_fields=changed)
    return obj, "updated" if changed else ""


def _count(result: dict[str, int], outcome: str) -> None:
    if outcome:
        result[outcome] += 1


@transaction.atomic(durable=True)
def taxonomy_load(*, spec: TaxonomySpec) -> LoadResult:
    """Make the database's taxonomy equal to ``spec``, then sync the questions.

    Nodes are matched by path, so a second load of the same file changes
    nothing. A node missing from ``spec`` is deleted, unless it (or a
    descendant) has answers: then it is kept, deactivated, so that reports of
    past assessments stay whole.
    """
    counts = {"created": 0, "updated": 0, "deleted": 0, "deactivated": 0}
    concepts = {}
    for order, c in enumerate(spec.concepts):
        concepts[c.slug], outcome = _upsert(Concept, c.slug, order, name=c.name, definition=c.definition)
        _count(counts, outcome)
    scopes = {}
    for order, s in enumerate(spec.scopes):
        scopes[s.slug], outcome = _upsert(Scope, s.slug, order, name=s.name, description=s.description)
        _count(counts, outcome)

    existing = {b.path: b for b in Benefit.objects.select_related("concept", "scope")}
    seen: dict[str, Benefit] = {}
    restored: list[int] = []
    sibling_order: dict[str, int] = {}
    for concept_slug, scope_slug, parents, node in spec.walk():
        parent_path = "/".join((concept_slug, scope_slug, *parents))
        path = f"{parent_path}/{node.slug}"
        parent = seen.get(parent_path)
        order = sibling_order.get(parent_path, 0)
        sibling_order[parent_path] = order + 1
        values = {
            "concept": concepts[concept_slug],
            "scope": scopes[scope_slug],
            "parent": parent,
            "name": node.name,
            "slug": node.slug,
            "description": node.description,
            "indicators": list(node.indicators),
            "practices": list(node.practices),
            "order": order,
            "is_active": True,
        }
        benefit = existing.get(path)
        if benefit is None:
            benefit = Benefit.objects.create(**values)
            counts["created"] += 1
        else:
            changed = [name for name, value in values.items() if getattr(benefit, name) != value]
            if "is_active" in changed:
                restored.append(benefit.pk)
            if changed:
                for name in changed:
                    setattr(benefit, name, values[name])
                benefit.save()
                counts["updated"] += 1
        seen[path] = benefit

    removed = [b for path, b in existing.items() if path not in seen]
    if removed:
        # A node in an assessment's frozen questionnaire is kept too, even without
        # answers of its own: the snapshot references it (PROTECT).
        kept = in_use(Benefit, removed)
        # Deepest first, so deleting a parent never cascades into a kept child.
        for benefit in sorted(removed, key=lambda b: b.depth, reverse=True):
            if benefit in kept:
                if benefit.is_active:
                    Benefit.objects.filter(pk=benefit.pk).update(is_active=False)
                    counts["deactivated"] += 1
            else:
                Benefit.objects.filter(pk=benefit.pk).delete()
                counts["deleted"] += 1

    for model, keep in ((Concept, concepts), (Scope, scopes)):
        stale = model.objects.exclude(slug__in=keep).filter(benefits__isnull=True)
        counts["deleted"] += stale.delete()[1].get(model._meta.label, 0)

    # A node back in the file gets back the questions its removal switched off;
    # otherwise it would be active yet silently missing from new assessments.
    reactivated = Question.objects.filter(benefit_id__in=restored, is_active=False).update(is_active=True)
    return LoadResult(taxonomy=SyncResult(**counts), questions=questions_sync() + SyncResult(updated=reactivated))


def _subject(benefit: Benefit, ancestors: list[str]) -> str:
    return ": ".join([*ancestors, benefit.name])


def _scope_phrase(scope: Scope) -> str:
    return {
        "internal": "inside the organization (employees and teams)",
        "external": "outside the organization (customers, partners and the public)",
    }.get(scope.slug, f"in the {scope.name.lower()} scope")


def question_wording(benefit: Benefit, dimension: str, ancestors: list[str] | None = None) -> tuple[str, str]:
    """The template wording ``(text, help_text)`` of a benefit's question.

    Sub-benefits read as "Parent: Child" and every question names its scope
    and concept, so a respondent always knows which use it is about.
    """
    if ancestors is None:
        ancestors = []
        node = benefit.parent
        while node is not None:
            ancestors.insert(0, node.name)
            node = node.parent
    subject = _subject(benefit, ancestors)
    where = f"{benefit.scope.name.lower()} {benefit.concept.name.lower()}"
    if dimension == Dimension.IMPORTANCE:
        text = f"How important is “{subject}” from {where} to the organization?"
        help_text = (
            f"Think of {benefit.concept.name.lower()} {_scope_phrase(benefit.scope)}. 1 = not important, 5 = critical."
        )
    else:
        text = f"How fully does the organization realize “{subject}” from {where} today?"
        help_text = (
            f"Think of {benefit.concept.name.lower()} {_scope_phrase(benefit.scope)}. 1 = not at all, 5 = fully."
        )
    return text, help_text


@transaction.atomic
def questions_sync() -> SyncResult:
    """Give every active benefit node one question per dimension.

    Idempotent: existing questions keep their (possibly edited) wording and
    order; missing ones are created from the templates; questions of inactive
    benefits are deactivated.
    """
    benefits = benefits_in_tree_order(include_inactive=True)
    existing = {(q.benefit_id, q.dimension): q for q in Question.objects.all()}
    names = {b.pk: b.name for b in benefits}
    parents = {b.pk: b.parent_id for b in benefits}
    to_create = []
    for position, benefit in enumerate(benefits):
        if not benefit.is_active:
            continue
        ancestors = []
        parent_id = benefit.parent_id
        while parent_id is not None:
            ancestors.insert(0, names[parent_id])
            parent_id = parents[parent_id]
        for offset, dimension in enumerate(Dimension.values):
            if (benefit.pk, dimension) in existing:
                continue
            text, help_text = question_wording(benefit, dimension, ancestors)
            to_create.append(
                Question(
                    benefit=benefit,
                    dimension=dimension,
                    text=text,
                    help_text=help_text,
                    order=position * 10 + offset,
                )
            )
    Question.objects.bulk_create(to_create)
    deactivated = Question.objects.filter(benefit__is_active=False, is_active=True).update(is_active=False)
    return SyncResult(created=len(to_create), deactivated=deactivated)
