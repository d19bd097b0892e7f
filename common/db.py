"""Query helpers shared by the apps."""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.text import slugify


def count_of(queryset: QuerySet, field: str) -> Coalesce:
    """``COUNT(*)`` of ``queryset`` rows whose ``field`` is the outer row: a subquery, so counts never multiply."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def unique_slug(model, base: str, **scope) -> str:
    """``slugify(base)``, suffixed ``-2``, ``-3``… until no ``model`` row within ``scope`` has it."""
    base = slugify(base)[:180] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug
