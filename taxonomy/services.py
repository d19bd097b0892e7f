"""Writes to the taxonomy: loading a parsed YAML tree, syncing questions."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from common.usage import in_use
from taxonomy.loaders import TaxonomySpec
from taxonomy.models import Benefit, Concept, Question, Scope
from taxonomy.scales import Dimension
from taxonomy.selectors import benefits_in_tree_order
from taxonomy.translations import in_sentence, other_languages, translated


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
            return _("no changes")
        return _("%(created)d created, %(updated)d updated, %(deleted)d deleted, %(deactivated)d deactivated") % {
            "created": self.created,
            "updated": self.updated,
            "deleted": self.deleted,
            "deactivated": self.deactivated,
        }


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
        concepts[c.slug], outcome = _upsert(
            Concept, c.slug, order, name=c.name, definition=c.definition, translations=c.translations
        )
        _count(counts, outcome)
    scopes = {}
    for order, s in enumerate(spec.scopes):
        scopes[s.slug], outcome = _upsert(
            Scope, s.slug, order, name=s.name, description=s.description, translations=s.translations
        )
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
            "translations": node.translations,
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
        "internal": _("inside the organization (employees and teams)"),
        "external": _("outside the organization (customers, partners and the public)"),
    }.get(scope.slug, _("in the %(scope)s scope") % {"scope": translated(scope.translations, "name", scope.name)})


def question_wording(
    benefit: Benefit, dimension: str, ancestors: list[str] | None = None, language: str | None = None
) -> tuple[str, str]:
    """The template wording ``(text, help_text)`` of a benefit's question, in ``language`` (default: English).

    Sub-benefits read as "Parent: Child" and every question names its scope
    and concept, so a respondent always knows which use it is about. The
    templates are translated like every other text (the .po files), and the
    names come from the taxonomy's translations; ``ancestors`` are names in
    that language.
    """
    language = language or settings.LANGUAGE_CODE
    if ancestors is None:
        ancestors = []
        node = benefit.parent
        while node is not None:
            ancestors.insert(0, translated(node.translations, "name", node.name, language))
            node = node.parent
    with translation.override(language):
        subject = ": ".join([*ancestors, translated(benefit.translations, "name", benefit.name, language)])
        concept = translated(benefit.concept.translations, "name", benefit.concept.name, language)
        scope = translated(benefit.scope.translations, "name", benefit.scope.name, language)
        names = {
            "subject": subject,
            "scope": scope.lower(),
            "concept": in_sentence(concept, language),
        }
        names["scope_phrase"] = _scope_phrase(benefit.scope)
        if dimension == Dimension.IMPORTANCE:
            text = _("How important is “%(subject)s” from %(scope)s %(concept)s to the organization?") % names
            help_text = _("Think of %(concept)s %(scope_phrase)s. 1 = not important, 5 = critical.") % names
        else:
            text = _("How fully does the organization realize “%(subject)s” from %(scope)s %(concept)s today?") % names
            help_text = _("Think of %(concept)s %(scope_phrase)s. 1 = not at all, 5 = fully.") % names
    return text, help_text


def question_translations(benefit: Benefit, dimension: str, ancestors: dict[str, list[str]]) -> dict:
    """The template wording of a question in every other language, as ``Question.translations`` holds it."""
    result = {}
    for language in other_languages():
        text, help_text = question_wording(benefit, dimension, ancestors.get(language), language)
        result[language] = {"text": text, "help_text": help_text}
    return result


@transaction.atomic
def questions_sync() -> SyncResult:
    """Give every active benefit node one question per dimension.

    Idempotent: existing questions keep their (possibly edited) wording and
    order; missing ones are created from the templates; questions of inactive
    benefits are deactivated.
    """
    benefits = benefits_in_tree_order(include_inactive=True)
    existing = {(q.benefit_id, q.dimension): q for q in Question.objects.all()}
    by_pk = {b.pk: b for b in benefits}
    languages = [settings.LANGUAGE_CODE, *other_languages()]
    to_create, to_translate = [], []
    for position, benefit in enumerate(benefits):
        if not benefit.is_active:
            continue
        ancestors: dict[str, list[str]] = {language: [] for language in languages}
        parent_id = benefit.parent_id
        while parent_id is not None:
            parent = by_pk[parent_id]
            for language in languages:
                ancestors[language].insert(0, translated(parent.translations, "name", parent.name, language))
            parent_id = parent.parent_id
        for offset, dimension in enumerate(Dimension.values):
            translations = question_translations(benefit, dimension, ancestors)
            text, help_text = question_wording(benefit, dimension, ancestors[settings.LANGUAGE_CODE])
            question = existing.get((benefit.pk, dimension))
            if question is not None:
                # A question still worded as its template follows the template in every language (so a
                # translated name reaches it); one an admin reworded keeps its translations, which the
                # admin words beside the English, and only gets those it lacks.
                if (question.text, question.help_text) != (text, help_text):
                    translations = {**translations, **question.translations}
                if question.translations != translations:
                    question.translations = translations
                    to_translate.append(question)
                continue
            to_create.append(
                Question(
                    benefit=benefit,
                    dimension=dimension,
                    text=text,
                    help_text=help_text,
                    translations=translations,
                    order=position * 10 + offset,
                )
            )
    Question.objects.bulk_create(to_create)
    Question.objects.bulk_update(to_translate, ["translations"], batch_size=500)
    deactivated = Question.objects.filter(benefit__is_active=False, is_active=True).update(is_active=False)
    return SyncResult(created=len(to_create), updated=len(to_translate), deactivated=deactivated)
