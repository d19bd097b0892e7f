"""Dates read in the reader's language (contract section 17): the pages name a format, each language writes it."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.utils import translation

WHEN = datetime.datetime(2026, 12, 4, 9, 5, tzinfo=datetime.UTC)
SHOWN = {
    "en": {
        "DATE_FORMAT": "4 December 2026",
        "SHORT_DATE_FORMAT": "4 Dec 2026",
        "SHORT_DATETIME_FORMAT": "4 Dec 2026 09:05",
        "MONTH_DAY_FORMAT": "4 Dec",
    },
    "de": {
        "DATE_FORMAT": "4. Dezember 2026",
        "SHORT_DATE_FORMAT": "4. Dez 2026",
        "SHORT_DATETIME_FORMAT": "4. Dez 2026, 09:05",
        "MONTH_DAY_FORMAT": "4. Dez",
    },
}


@pytest.mark.parametrize("language", sorted(SHOWN))
def test_each_named_format_writes_the_date_the_languages_way(language, settings):
    settings.TIME_ZONE = "UTC"
    for name, expected in SHOWN[language].items():
        with translation.override(language):
            shown = Template(f'{{{{ when|date:"{name}" }}}}').render(Context({"when": WHEN}))
        assert shown == expected, name


def test_no_template_writes_a_date_pattern_of_its_own():
    """A pattern such as "j M Y" would read English in German; the templates name a format instead.

    Patterns a person does not read as a date in words ("Ymd" to compare two days, "c" for a
    ``datetime`` attribute) are left alone: they hold no month name and no word order."""
    import re
    from pathlib import Path

    templates = Path(__file__).resolve().parents[2] / "templates"
    pattern = re.compile(r'\|date:"(?![A-Z_]+")[^"]*[jFMNlDEb]')
    found = [
        str(path.relative_to(templates))
        for path in templates.rglob("*.*")
        if path.suffix in {".html", ".txt"} and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
