"""The taxonomy in other languages than English (contract section 17).

A concept, scope, benefit node or question keeps its English texts in its
own fields and every other language in ``translations``:
``{"de": {"name": ..., "description": ..., "indicators": [...], ...}}``.
English is the language of the fields because it is the site's default
(``settings.LANGUAGE_CODE``) and the language of the article; a text a
translation lacks falls back to it, so a half-translated taxonomy still
reads whole. Adding a language adds a key here, not a column.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import get_language
from django.utils.translation import gettext as _

# What each kind of row may translate; the lists hold one text per item, as the English ones do.
FIELDS = {
    "concept": ("name", "description"),
    "scope": ("name", "description"),
    "benefit": ("name", "description", "indicators", "practices"),
    "question": ("text", "help_text"),
}
LISTS = frozenset({"indicators", "practices"})
NAME_LENGTH = 200


def other_languages() -> list[str]:
    """The languages a translation may be in: every offered one but the default."""
    return [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def translation_errors(value: object, kind: str) -> list[str]:
    """What is wrong with ``value`` as the ``translations`` of a ``kind`` row, in words; empty when nothing is."""
    if not isinstance(value, Mapping):
        return ["translations must be a mapping of language codes (for example de:) to texts"]
    allowed = FIELDS[kind]
    errors = []
    for language, texts in value.items():
        if language not in other_languages():
            errors.append(f"unknown language {language!r} (translations may be in: {', '.join(other_languages())})")
            continue
        if not isinstance(texts, Mapping):
            errors.append(f"the {language} translation must be a mapping of {', '.join(allowed)}")
            continue
        for key, text in texts.items():
            if key not in allowed:
                errors.append(f"unknown key {key!r} in the {language} translation (allowed: {', '.join(allowed)})")
            elif key in LISTS:
                if not isinstance(text, list) or not all(isinstance(item, str) and item.strip() for item in text):
                    errors.append(f"{key} of the {language} translation must be a list of non-empty texts")
            elif not isinstance(text, str):
                errors.append(f"{key} of the {language} translation must be text")
            elif key == "name" and len(text) > NAME_LENGTH:
                errors.append(f"the {language} name is {len(text)} characters long; at most {NAME_LENGTH} fit")
    return errors


@deconstructible
class TranslationsValidator:
    """A model field validator for the ``translations`` of ``kind`` rows (named in migrations by its kind)."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(self, value: object) -> None:
        errors = translation_errors(value, self.kind)
        if errors:
            raise ValidationError(errors)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TranslationsValidator) and other.kind == self.kind

    def __hash__(self) -> int:
        return hash(self.kind)


def translated(translations: Mapping | None, field: str, english, language: str | None = None):
    """``field`` in ``language`` (default: the active one), or ``english`` where there is no translation of it."""
    language = language or get_language() or settings.LANGUAGE_CODE
    if not translations or language == settings.LANGUAGE_CODE:
        return english
    value = translations.get(language, {}).get(field)
    if field in LISTS:
        return tuple(value) if value else english
    return value or english


def in_sentence(name: str, language: str | None = None) -> str:
    """A concept's name inside a sentence: English writes it in lower case; German keeps its nouns as they are."""
    return name.lower() if (language or get_language() or settings.LANGUAGE_CODE) == "en" else name


def cell_title(concept: str, scope: str) -> str:
    """A concept x scope cell's name in the active language: "Internal social media" in English."""
    concept = in_sentence(concept)
    # Translators: a cell of the taxonomy, e.g. "Internal social media"; the names are in the reader's language.
    return _("%(scope)s %(concept)s") % {"concept": concept, "scope": scope}
