"""Every text a template shows is marked for translation (section 17).

The every-page test can only catch English that the catalogue knows; this one reads the templates
themselves. It walks Django's own lexer over each template and fails on words that stand outside
`{% translate %}`/`{% blocktranslate %}`: in the text between tags, and in the attributes a reader
meets (title, aria-label, placeholder, alt, value of a button). Script and style bodies, HTML
comments and `{% comment %}` blocks are code, not text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Texts that are the same in every language: the product's name, units and symbols.
SAME_IN_EVERY_LANGUAGE = re.compile(r"\b(Human Pipeline|PDF|CSV|JSON|API|HTML|OK|k|n|rwg)\b")
# Django Ninja's API docs page is not ours. The admin's overrides are: Django brings the texts of its
# own blocks, the words the project adds to them are marked like any other.
NOT_OURS = ("ninja/",)
# Blocks whose content is an attribute's value (the admin's `<body class="...">`), not text.
CODE_BLOCKS = {"bodyclass"}
READ_ATTRIBUTES = {"title", "aria-label", "placeholder", "alt", "aria-description", "aria-roledescription"}
WORD = re.compile(r"[A-Za-z][A-Za-z'’]+")


class _Text(HTMLParser):
    """The reader-facing words of a piece of HTML whose template tags were replaced by a marker."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.words: list[str] = []
        self._code = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._code += 1
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value:
                self._take(value)
            if name == "value" and tag in ("button",) and value:
                self._take(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._code = max(0, self._code - 1)

    def handle_data(self, data):
        if not self._code:
            self._take(data)

    def _take(self, text: str) -> None:
        piece = " ".join(text.split())
        if WORD.search(SAME_IN_EVERY_LANGUAGE.sub("", piece)):
            self.words.append(piece)


def unmarked_texts(source: str) -> list[str]:
    """The texts of one template that stand outside translation tags."""
    skip_until: str | None = None
    kept: list[str] = []
    for token in Lexer(source).tokenize():
        content = token.contents
        if skip_until:
            if token.token_type is TokenType.BLOCK and content.split()[0] == skip_until:
                skip_until = None
            continue
        if token.token_type is TokenType.BLOCK:
            head = content.split()[0]
            if head in ("blocktranslate", "blocktrans"):
                skip_until = "endblocktranslate" if head == "blocktranslate" else "endblocktrans"
            elif head == "comment":
                skip_until = "endcomment"
            elif head == "block" and content.split()[1:2] and content.split()[1] in CODE_BLOCKS:
                skip_until = "endblock"
            # A tag may stand inside an HTML tag (`<tr {% if %}class="x"{% endif %}>`): a space keeps
            # the HTML whole and still parts the words on either side.
            kept.append(" ")
        elif token.token_type is TokenType.TEXT:
            kept.append(re.sub(r"<!--.*?-->", " ", content, flags=re.S))
        else:
            kept.append(" ")
    parser = _Text()
    parser.feed("".join(kept))
    parser.close()
    return parser.words


def _templates() -> list[str]:
    return sorted(
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*")
        if path.suffix in (".html", ".txt") and not str(path.relative_to(TEMPLATES)).startswith(NOT_OURS)
    )


def test_the_scanner_finds_unmarked_text_and_passes_marked_text():
    source = (
        '{% load i18n %}<p title="Hover me">Plain words</p><p>{% translate "Marked" %}</p>'
        "{% blocktranslate trimmed %}Also marked{% endblocktranslate %}<script>let x = 'code';</script>"
        "<!-- a note --> {% comment %}not shown{% endcomment %}<span>{{ value }} – 3</span>"
    )
    assert unmarked_texts(source) == ["Hover me", "Plain words"]
    assert unmarked_texts('<title>{{ title }} · Human Pipeline</title><tr {% if x %}class="a"{% endif %}>') == []


@pytest.mark.parametrize("name", _templates())
def test_the_template_marks_every_text_it_shows(name):
    source = (TEMPLATES / name).read_text(encoding="utf-8")
    assert unmarked_texts(source) == [], f"{name} shows text that is not marked for translation"
