"""The language follows the visitor's choice, else the browser (contract section 17)."""

from __future__ import annotations

import polib
import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_browser_language_picks_german(client):
    page = client.get(reverse("taxonomy:home"), headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"})

    assert page.headers["Content-Language"] == "de"
    assert '<html lang="de">' in page.text
    assert "Zum Inhalt springen" in page.text


def test_english_is_the_default(client):
    page = client.get(reverse("taxonomy:home"))

    assert '<html lang="en">' in page.text
    assert "Skip to content" in page.text


def test_a_language_nobody_translated_falls_back_to_english(client):
    page = client.get(reverse("taxonomy:home"), headers={"accept-language": "fr"})

    assert '<html lang="en">' in page.text


def test_the_switcher_keeps_the_choice_for_the_visit_over_the_browser(client):
    home = reverse("taxonomy:home")

    answer = client.post(reverse("set_language"), {"language": "de", "next": home})

    assert answer.status_code == 302
    assert answer.url == home
    cookie = answer.cookies[settings.LANGUAGE_COOKIE_NAME]
    # A session cookie: gone when the browser closes, like the rest of the visit.
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    page = client.get(home, headers={"accept-language": "en"})
    assert '<html lang="de">' in page.text


def test_every_page_offers_the_switcher_with_each_language_in_its_own_name(client):
    page = client.get(reverse("taxonomy:home"))

    assert f'action="{reverse("set_language")}"' in page.text
    assert '<option value="de" lang="de">Deutsch</option>' in page.text
    assert '<option value="en" lang="en" selected>English</option>' in page.text


def test_the_switcher_does_not_send_a_visitor_elsewhere(client):
    answer = client.post(reverse("set_language"), {"language": "de", "next": "https://example.com/"})

    assert answer.url == "/"


@pytest.mark.parametrize("code", [code for code, _ in settings.LANGUAGES if code != settings.LANGUAGE_CODE])
def test_every_text_has_a_translation(code):
    catalog = polib.pofile(str(settings.LOCALE_PATHS[0] / code / "LC_MESSAGES" / "django.po"))

    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert [entry.msgid for entry in catalog.obsolete_entries()] == []
