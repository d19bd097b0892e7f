"""Filters for names that stand inside a sentence of the report."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import stringfilter
from django.utils.translation import get_language

register = template.Library()


@register.filter(is_safe=True)
@stringfilter
def lower_in_sentence(value: str) -> str:
    """A name lowercased inside an English sentence ("(social media, external)"); German keeps its capitals.

    German writes nouns with a capital letter, so "Social Media (Extern)" or "Geringe Priorität"
    lowercased would be misspelled there.
    """
    if (get_language() or "").startswith("de"):
        return value
    return value.lower()
