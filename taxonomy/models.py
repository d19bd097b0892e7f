"""The benefit taxonomy (concepts, scopes, benefit tree) and its questions.

A benefit belongs to one concept and one scope and may have sub-benefits to
any depth. Every node has a stable ``path``
(``<concept>/<scope>/<benefit>[/<sub-benefit>...]``) that the public contract,
the CSV formats and the reports use as its identifier.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.validators import validate_plain_text
from taxonomy.scales import Dimension
from taxonomy.translations import TranslationsValidator

# Names leave the app in CSV files and terminals (reports, exports): refused at input.
NAME_VALIDATORS = [validate_plain_text]


def validate_text_list(value: object) -> None:
    """A list of non-empty texts: the form of a benefit's indicators and practices."""
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValidationError(_("Give a list of texts, none of them empty."), code="text_list")


class SlugInPathsMixin:
    """A concept or scope: every benefit path starts with its slug, so a new slug moves them all."""

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        stored, self._stored_slug = getattr(self, "_stored_slug", None), self.slug
        if stored and stored != self.slug:
            for root in self.benefits.filter(parent__isnull=True).select_related("concept", "scope"):
                root.rebase()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_slug = instance.__dict__.get("slug")
        return instance


class Concept(SlugInPathsMixin, models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200, validators=NAME_VALIDATORS)
    definition = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    # Other languages than English (taxonomy.translations): {"de": {...}}.
    translations = models.JSONField(default=dict, blank=True, validators=[TranslationsValidator("concept")])

    class Meta:
        verbose_name = _("concept")
        verbose_name_plural = _("concepts")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Scope(SlugInPathsMixin, models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200, validators=NAME_VALIDATORS)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)
    # Other languages than English (taxonomy.translations): {"de": {...}}.
    translations = models.JSONField(default=dict, blank=True, validators=[TranslationsValidator("scope")])

    class Meta:
        verbose_name = _("scope")
        verbose_name_plural = _("scopes")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Benefit(models.Model):
    """A node of the benefit tree: a benefit (no parent) or a sub-benefit."""

    concept = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="benefits")
    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="benefits")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    name = models.CharField(max_length=200, validators=NAME_VALIDATORS)
    slug = models.SlugField(max_length=200)
    # Guidance: what the benefit means here, how to see it, what to do to get it.
    description = models.TextField(blank=True, help_text=_("What this benefit means in its concept and scope."))
    indicators = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_text_list],
        help_text=_("Observable, measurable signs that the benefit is realized."),
    )
    practices = models.JSONField(
        default=list,
        blank=True,
        validators=[validate_text_list],
        help_text=_("What organizations do to realize it."),
    )
    # Other languages than English (taxonomy.translations): {"de": {...}}.
    translations = models.JSONField(default=dict, blank=True, validators=[TranslationsValidator("benefit")])
    order = models.PositiveIntegerField(default=0, help_text=_("Position among its siblings."))
    # Derived from concept, scope and the slugs of the ancestors; stored so that
    # lookups by path (CSV import, reports) are one indexed query.
    path = models.CharField(max_length=1000, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # A benefit removed from the YAML that already has answers is kept, inactive.
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["concept__order", "scope__order", "path"]
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "scope", "slug"],
                condition=Q(parent__isnull=True),
                name="benefit_unique_root_slug",
            ),
            models.UniqueConstraint(
                fields=["parent", "slug"],
                condition=Q(parent__isnull=False),
                name="benefit_unique_child_slug",
            ),
            models.CheckConstraint(condition=~Q(slug=""), name="benefit_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return self.path

    def save(self, *args, **kwargs) -> None:
        stored = getattr(self, "_stored_path", None)
        self.path = self.compute_path()
        self.depth = self.parent.depth + 1 if self.parent_id else 0
        super().save(*args, **kwargs)
        if stored and stored != self.path:
            self._move_descendants(stored)
        self._stored_path = self.path

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # The path as stored: a save that changes it moves the whole subtree.
        instance._stored_path = instance.__dict__.get("path")
        return instance

    def clean(self) -> None:
        super().clean()
        if self.parent_id is None:
            return
        parent = self.parent
        # A sub-benefit added under a parent takes the parent's concept and scope.
        if self.concept_id is None:
            self.concept_id = parent.concept_id
        if self.scope_id is None:
            self.scope_id = parent.scope_id
        if self.pk is not None:
            node, seen = parent, set()
            while node is not None and node.pk not in seen:
                if node.pk == self.pk:
                    raise ValidationError(
                        {"parent": "A benefit cannot be its own parent, nor sit under one of its own sub-benefits."},
                        code="parent_cycle",
                    )
                seen.add(node.pk)
                node = node.parent
        if (parent.concept_id, parent.scope_id) != (self.concept_id, self.scope_id):
            raise ValidationError(
                {
                    "parent": (
                        f"“{parent.name}” belongs to {parent.scope.name.lower()} {parent.concept.name.lower()}: "
                        "a sub-benefit sits in its parent's concept and scope."
                    )
                },
                code="parent_elsewhere",
            )

    def _move_descendants(self, old_path: str) -> None:
        """Give the subtree that was under ``old_path`` this node's new path, depth, concept and scope.

        Paths are stored (lookups by path are one indexed query), so a renamed
        slug or a new parent must reach every descendant, or they would keep
        paths that no longer lead to them.
        """
        descendants = list(Benefit.objects.filter(path__startswith=f"{old_path}/").order_by("depth"))
        for node in descendants:
            node.path = self.path + node.path[len(old_path) :]
            node.depth = self.depth + node.path.count("/") - self.path.count("/")
            node.concept_id, node.scope_id = self.concept_id, self.scope_id
            node._stored_path = node.path
        Benefit.objects.bulk_update(descendants, ["path", "depth", "concept", "scope"], batch_size=200)

    def rebase(self) -> None:
        """Recompute the stored path of this node and its subtree (after its concept's or scope's slug changed)."""
        self._stored_path = self.path
        self.save(update_fields=["path", "depth"])

    @property
    def is_sub_benefit(self) -> bool:
        return self.parent_id is not None

    def compute_path(self) -> str:
        prefix = self.parent.path if self.parent_id else f"{self.concept.slug}/{self.scope.slug}"
        return f"{prefix}/{self.slug}"


class Question(models.Model):
    """The live wording of one question: one per benefit node and dimension.

    Editing a question affects assessments that have no answers yet only:
    an assessment freezes a snapshot of its questions at its first answer
    (see ``assessments.models.AssessmentQuestion``).
    """

    benefit = models.ForeignKey(Benefit, on_delete=models.CASCADE, related_name="questions")
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    text = models.CharField(max_length=500)
    help_text = models.CharField(max_length=500, blank=True)
    order = models.PositiveIntegerField(default=0)
    is_active = models.BooleanField(default=True)
    # Other languages than English (taxonomy.translations): {"de": {...}}.
    translations = models.JSONField(default=dict, blank=True, validators=[TranslationsValidator("question")])

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["benefit", "dimension"], name="question_unique_per_dimension"),
            models.CheckConstraint(condition=Q(dimension__in=Dimension.values), name="question_dimension_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.benefit.path} [{self.dimension}]"
