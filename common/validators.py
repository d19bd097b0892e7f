"""Validators for text that leaves the app in files and terminals."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@")

# Control characters (Cc), format characters (Cf: zero-width joiners and the
# bidi overrides that make a name read differently from how it sorts),
# line and paragraph separators and lone surrogates.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def validate_plain_text(value: str) -> None:
    """Refuse text that a spreadsheet would run or a terminal would interpret.

    Refusing it where it comes in, once, means that no CSV, text table or log
    line has to defuse it on the way out.
    """
    if value[:1] in FORMULA_STARTS:
        raise ValidationError(
            "It cannot start with “%(start)s”: a spreadsheet would run it as a formula.",
            code="formula",
            params={"start": value[0]},
        )
    for character in value:
        if unicodedata.category(character) in REFUSED_CATEGORIES:
            raise ValidationError(
                "It holds an invisible or control character (U+%(code)s): remove it.",
                code="control_character",
                params={"code": f"{ord(character):04X}"},
            )


def plain_text_field(field: str, value: str) -> None:
    """:func:`validate_plain_text` as an error of ``field``: for a value about to be looked up.

    PostgreSQL refuses a NUL in a query parameter, so a lookup by such a
    value must be refused before it reaches the database.
    """
    try:
        validate_plain_text(value)
    except ValidationError as exc:
        raise ValidationError({field: exc}) from None
