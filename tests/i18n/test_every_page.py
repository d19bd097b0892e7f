"""Every page a person opens, in German: none of the English texts of the templates is left on it (section 17).

The pages are those of the access matrix (tests/test_access_matrix.py), each opened by a role that may
see it, with the browser asking for German. The English texts are the catalogue's own msgids from the
templates, cut at placeholders and markup, each piece long enough to be telling.
"""

from __future__ import annotations

import html
import re

import polib
import pytest
from django.conf import settings

from tests.test_access_matrix import MATRIX, ROLES, _url, world  # noqa: F401  (world is a fixture)

pytestmark = pytest.mark.django_db

GERMAN = {"accept-language": "de"}
# Django's admin and the API's own documentation page bring their own texts and translations.
NOT_OURS = ("admin:", "api:v1:openapi", "api:v1:docs", "api:openapi", "api:docs")


def english_pieces() -> list[str]:
    catalog = polib.pofile(str(settings.LOCALE_PATHS[0] / "de" / "LC_MESSAGES" / "django.po"))
    pieces = set()
    for entry in catalog:
        if not any(path.startswith("templates/") for path, _ in entry.occurrences):
            continue
        pairs = [(entry.msgid, entry.msgstr)]
        if entry.msgid_plural:
            pairs = [
                (entry.msgid, entry.msgstr_plural.get(0, "")),
                (entry.msgid_plural, entry.msgstr_plural.get(1, "")),
            ]
        for msgid, msgstr in pairs:
            for piece in re.split(r"%\(\w+\)s|<[^>]+>", msgid):
                piece = html.unescape(piece).strip(" .,:;()–-")
                # A German text may keep an English term ("Social Collaboration", "Dashboard").
                if len(piece) > 15 and piece.lower() not in html.unescape(msgstr).lower():
                    pieces.add(piece)
    return sorted(pieces)


ENGLISH = english_pieces()
PAGES = sorted(
    (name, next(role for role in ROLES if outcomes[role] == "200"))
    for name, (_, outcomes) in MATRIX.items()
    if "200" in outcomes.values() and not name.startswith(NOT_OURS)
)


@pytest.mark.parametrize(("name", "role"), PAGES)
def test_the_page_shows_no_english_text_to_a_german_reader(world, name, role):  # noqa: F811
    kwargs, _ = MATRIX[name]
    response = world.clients[role].get(_url(name, kwargs, world), headers=GERMAN)
    assert response.status_code == 200
    if not response["Content-Type"].startswith("text/html"):
        return  # downloads and JSON: keys and values stay as the contract fixes them
    text = html.unescape(response.content.decode())
    assert '<html lang="de">' in text
    assert [piece for piece in ENGLISH if piece in text] == []
