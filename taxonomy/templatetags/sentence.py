"""Names that stand inside a sentence: ``{{ name|lower_in_sentence }}``.

English writes a concept, a role or a status in lower case inside a sentence
("as analyst", "(social media, external)"); German writes its nouns with a
capital letter, so lowercasing them there would misspell them. One rule for
every page, the same as the report's text (taxonomy.translations.in_sentence).
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import stringfilter

from taxonomy.translations import in_sentence

register = template.Library()


@register.filter(is_safe=True)
@stringfilter
def lower_in_sentence(value: str) -> str:
    return in_sentence(value)
