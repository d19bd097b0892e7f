"""The respondent's and visitor's pages and e-mails in German (contract section 17)."""

from __future__ import annotations

import html
import re

import polib
import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from assessments.models import Assessment
from assessments.services import assessment_get_or_create
from organizations.services import organization_get_or_create
from responses.invitations.services import invitations_create
from taxonomy.scales import IMPORTANCE_SCALE

pytestmark = pytest.mark.django_db

GERMAN = {"accept-language": "de"}
MY_TEMPLATES = (
    "templates/4",
    "templates/5",
    "templates/account/",
    "templates/registration/",
    "templates/responses/form/",
    "templates/responses/mail/",
    "templates/taxonomy/",
)


def _english_msgids() -> list[str]:
    """The longer English texts of the respondent's and visitor's templates, as a page would show them."""
    catalog = polib.pofile(str(settings.LOCALE_PATHS[0] / "de" / "LC_MESSAGES" / "django.po"))
    out = []
    for entry in catalog:
        if not any(path.startswith(MY_TEMPLATES) for path, _ in entry.occurrences):
            continue
        for msgid, msgstr in ((entry.msgid, entry.msgstr), (entry.msgid_plural, entry.msgstr_plural.get(1, ""))):
            # The text around placeholders and markup, each piece long enough to be telling.
            for piece in re.split(r"%\(\w+\)s|<[^>]+>", msgid):
                piece = html.unescape(piece).strip(" .,:;()")
                # A German text may keep an English term ("Social Collaboration").
                if len(piece) > 12 and piece.lower() not in msgstr.lower():
                    out.append(piece)
    return out


ENGLISH = _english_msgids()


def assert_german(text: str, *german: str) -> None:
    text = html.unescape(text)
    for phrase in german:
        assert phrase in text
    leftover = [msgid for msgid in ENGLISH if msgid in text]
    assert leftover == []


@pytest.fixture
def assessment(taxonomy) -> Assessment:
    org, _ = organization_get_or_create(name="Acme")
    assessment, _ = assessment_get_or_create(organization=org, title="Baseline 2026")
    return assessment


@pytest.fixture
def token(assessment) -> str:
    return invitations_create(assessment=assessment, count=1)[0]


def test_the_catalog_covers_the_respondent_templates():
    assert len(ENGLISH) > 100


def test_the_intro_is_in_german(client, token):
    page = client.get(reverse("responses:invitation:start", kwargs={"token": token}), headers=GERMAN)

    assert_german(page.text, "Was gemessen wird", "Wer Ihre Antworten sieht", "Wichtigkeit", "4</span> Sehr wichtig")


def test_a_section_is_in_german_with_german_rating_labels(client, token):
    client.post(reverse("responses:invitation:start", kwargs={"token": token}), headers=GERMAN)
    url = reverse("responses:invitation:section", kwargs={"token": token, "number": 1})

    page = client.get(url, headers=GERMAN)

    assert_german(page.text, "Abschnitt 1 von", "Speichern und weiter", "Sehr wichtig", "Weiß nicht", "Weitgehend")
    assert "Very important" not in page.text and "Don&#x27;t know" not in page.text


def test_review_withdraw_and_done_are_in_german(client, token):
    start = reverse("responses:invitation:start", kwargs={"token": token})
    client.post(start, headers=GERMAN)

    review = client.get(reverse("responses:invitation:review", kwargs={"token": token}), headers=GERMAN)
    assert_german(review.text, "Ihre Antworten prüfen", "Meine Antworten absenden", "Wichtigkeit")

    refused = client.post(
        reverse("responses:invitation:review", kwargs={"token": token}), {"action": "submit"}, headers=GERMAN
    )
    assert_german(refused.text, "Noch nicht abgesendet", "Fragen brauchen noch eine Antwort")

    withdraw = client.get(reverse("responses:invitation:withdraw", kwargs={"token": token}), headers=GERMAN)
    assert_german(withdraw.text, "Entwurf zurückziehen?", "Meinen Entwurf behalten")


def test_the_thank_you_page_is_in_german(client, assessment, token):
    with translation.override("de"):
        page = render_to_string("responses/form/done.html", {"entry": {"assessment": assessment, "invitation": True}})

    assert_german(page, "Vielen Dank: Ihre Antworten sind abgesendet", "Wann es Ergebnisse gibt")


def test_closed_and_not_yet_open_pages_are_in_german(assessment):
    with translation.override("de"):
        closed = render_to_string("responses/form/closed.html", {"entry": {"assessment": assessment}})
        not_yet = render_to_string("responses/form/closed.html", {"entry": {"assessment": assessment}, "not_yet": True})

    assert_german(closed, "Diese Erhebung ist abgeschlossen")
    assert_german(not_yet, "Diese Erhebung ist noch nicht geöffnet")


def test_a_link_that_does_not_work_is_in_german(client, taxonomy):
    page = client.get(reverse("responses:invitation:start", kwargs={"token": "x" * 43}), headers=GERMAN)

    assert_german(page.text, "Dieser Link funktioniert nicht")


def test_the_opt_out_pages_are_in_german(assessment):
    with translation.override("de"):
        ask = render_to_string("responses/mail/opt_out.html", {"assessment": assessment})
        done = render_to_string("responses/mail/opted_out.html", {"assessment": assessment})

    assert_german(ask, "Keine E-Mails mehr zu", "Bestätigen Sie")
    assert_german(done, "Sie erhalten keine E-Mails mehr zu")


def test_the_invitation_email_is_in_german_in_text_and_html(assessment):
    context = {
        "assessment": assessment,
        "reminder": True,
        "message": "Hallo",
        "link": "https://example.com/r/abc",
        "minutes": 12,
        "closing": "",
        "confidentiality": "",
        "opt_out": "https://example.com/o/abc",
    }
    with translation.override("de"):
        text = render_to_string("responses/mail/invitation.txt", context)
        page = render_to_string("responses/mail/invitation.html", context)

    assert_german(text, "Eine Erinnerung", "Umfrage öffnen (etwa 12 Minuten)", "Bitte leiten Sie ihn nicht weiter")
    assert_german(page, "Eine Erinnerung", "Umfrage öffnen", "abmelden")
    assert '<html lang="de">' in page


def test_the_login_page_is_in_german(client):
    page = client.get(reverse("accounts:login"), headers=GERMAN)

    assert_german(page.text, "Passwort vergessen?", "Teilnehmende brauchen kein Konto")


def test_the_not_found_page_is_in_german(client):
    page = client.get("/no-such-page/", headers=GERMAN)

    assert page.status_code == 404
    assert_german(page.text, "Diese Seite gibt es nicht", "Zur Startseite")


def test_the_server_error_page_is_in_german():
    with translation.override("de"):
        page = render_to_string("500.html")

    assert_german(page, "Bei uns ist etwas schiefgegangen")
    assert '<html lang="de">' in page


def test_the_home_page_shows_the_scales_in_german(client, taxonomy):
    page = client.get(reverse("taxonomy:home"), headers=GERMAN)

    assert_german(page.text, "Wichtigkeit", "Wie sehr die Organisation diesen Nutzen braucht")


def test_the_rating_choices_read_in_the_active_language():
    with translation.override("de"):
        assert ("4", "4 - Sehr wichtig") in IMPORTANCE_SCALE.choices()
        assert IMPORTANCE_SCALE.choices()[-1] == ("dk", "Weiß nicht")
    with translation.override("en"):
        assert ("4", "4 - Very important") in IMPORTANCE_SCALE.choices()
