"""The benefit taxonomy (concepts, scopes, benefit tree) and its questions.

A benefit belongs to one concept and one scope and may have sub-benefits to
any depth. Every node has a stable ``path``
(``<concept>/<scope>/<benefit>[/<sub-benefit>...]``) that the public contract,
the CSV formats and the reports use as its identifier.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from taxonomy.scales import Dimension


class Concept(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    definition = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Scope(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Benefit(models.Model):
    """A node of the benefit tree: a benefit (no parent) or a sub-benefit."""

    concept = models.ForeignKey(Concept, on_delete=models.PROTECT, related_name="benefits")
    scope = models.ForeignKey(Scope, on_delete=models.PROTECT, related_name="benefits")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200)
    description = models.TextField(blank=True)
    order = models.PositiveIntegerField(default=0, help_text="Position among its siblings.")
    # Derived from concept, scope and the slugs of the ancestors; stored so that
    # lookups by path (CSV import, reports) are one indexed query.
    path = models.CharField(max_length=1000, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    # A benefit removed from the YAML that already has answers is kept, inactive.
    is_active = models.BooleanField(default=True)

    class Meta:
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
        self.path = self.compute_path()
        self.depth = self.parent.depth + 1 if self.parent_id else 0
        super().save(*args, **kwargs)

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

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["benefit", "dimension"], name="question_unique_per_dimension"),
            models.CheckConstraint(condition=Q(dimension__in=Dimension.values), name="question_dimension_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.benefit.path} [{self.dimension}]"
