"""Numbers inside sentences for people, in the active language's format ("3.5" in English, "3,5" in German).

Only for words (page, PDF, text): the JSON and CSV write numbers unlocalized.
Python's own formatting rounds (Django's ``number_format`` would cut a float's
digits off), then the decimal point becomes the language's separator.
"""

from __future__ import annotations

from django.utils.formats import get_format


def _localized(text: str) -> str:
    return text.replace(".", get_format("DECIMAL_SEPARATOR"))


def decimal(value: float, digits: int = 2) -> str:
    """``value`` with ``digits`` decimals, rounded: ``f"{value:.2f}"`` in the reader's format."""
    return _localized(f"{value:.{digits}f}")


def signed(value: float, digits: int = 2) -> str:
    """``f"{value:+.2f}"`` in the reader's format."""
    return _localized(f"{value:+.{digits}f}")


def short(value: float) -> str:
    """The shortest form (``f"{value:g}"``: 1.8, 5) in the reader's format."""
    return _localized(f"{value:g}")
