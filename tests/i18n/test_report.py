"""The report in German: its words translated, its numbers in German format, its JSON and CSV unchanged."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from organizations.models import Membership
from reports.renderers import render_json, render_text, withheld_sentence
from reports.selectors import gap_report
from tests.factories import MembershipFactory, UserFactory
from tests.reports.helpers import FEEDBACK, assessment_with, columns

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(taxonomy):
    return assessment_with({FEEDBACK: columns([5, 4, 3, 5, 3], [2, 2, 3, 2, 2])}, status="closed")


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(
        "gap_report", "--organization", "Acme", "--assessment", "Baseline 2026", *args, stdout=out, stderr=io.StringIO()
    )
    return out.getvalue()


def test_gap_report_language_de_renders_the_text_in_german(assessment):
    out = run("--format", "text", "--language", "de")
    assert "Lückenbericht: Acme / Baseline 2026" in out
    assert "Rangfolge (größte Lücke zuerst):" in out
    assert "Gap report:" not in out


def test_gap_report_text_stays_english_by_default(assessment):
    with translation.override("de"):
        out = run("--format", "text")
    assert "Gap report: Acme / Baseline 2026" in out


def test_gap_report_json_is_the_same_in_every_language(assessment):
    with translation.override("en"):
        expected = render_json(gap_report(assessment=assessment))
    assert run("--language", "de") == run() == expected


def test_text_renderer_follows_the_active_language(assessment):
    report = gap_report(assessment=assessment)
    with translation.override("de"):
        text = render_text(report)
    assert "Hier ansetzen" in text or "Weiter so" in text or "Geringe Priorität" in text


def test_withheld_sentence_in_german_counts_with_plurals(taxonomy):
    small = assessment_with({FEEDBACK: columns([5, 4], [2, 2])}, status="closed")
    with translation.override("de"):
        sentence = withheld_sentence(gap_report(assessment=small))
    assert "bisher 2 Antworten" in sentence and "also noch 3" in sentence


def test_report_json_download_is_unlocalized_under_accept_language_de(client, assessment):
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=Membership.Role.ANALYST)
    client.force_login(user)
    url = reverse("reports:json", args=[assessment.organization.slug, assessment.slug])
    body = client.get(url, headers={"accept-language": "de"}).content.decode()
    with translation.override("en"):
        expected = render_json(gap_report(assessment=assessment))
    assert json.loads(body) == json.loads(expected)
    assert '"name": "Improved Feedback"' in body  # data for programs: the default language
    assert '"mean": 4.0' in body


def test_report_page_in_german_shows_german_words_and_numbers(client, assessment):
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=Membership.Role.ANALYST)
    client.force_login(user)
    url = reverse("reports:report", args=[assessment.organization.slug, assessment.slug])
    page = client.get(url, headers={"accept-language": "de"}).content.decode()
    assert "Hier ansetzen" in page  # a quadrant's name, from reports/selectors.py
    assert "4,00" in page  # the benefit's importance mean in German format


TRANSLATED_TEMPLATES = ("templates/reports/report.html", "templates/reports/_summary.html")


def english_msgids() -> set[str]:
    """The English texts of the report's translated templates that German must replace."""
    import polib
    from django.conf import settings

    po = polib.pofile(str(settings.BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"))
    return {
        e.msgid
        for e in po
        if not e.msgid_plural
        and "%(" not in e.msgid
        and len(e.msgid) > 12
        and e.msgid != e.msgstr
        and any(path in TRANSLATED_TEMPLATES for path, _ in e.occurrences)
    }


def test_report_page_in_german_has_no_english_text_of_its_templates(client, assessment):
    import html

    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=Membership.Role.ANALYST)
    client.force_login(user)
    url = reverse("reports:report", args=[assessment.organization.slug, assessment.slug])
    page = html.unescape(client.get(url, headers={"accept-language": "de"}).content.decode())
    assert "Lückenbericht" in page and "Kurz gesagt" in page
    leaked = sorted(m for m in english_msgids() if m.replace("%%", "%") in page)
    assert leaked == []


def test_report_json_counts_respondents_per_language_every_language_present(assessment):
    from responses.models import Response

    Response.objects.filter(pk=Response.objects.filter(assessment=assessment).first().pk).update(language="de")
    data = json.loads(render_json(gap_report(assessment=assessment)))
    assert data["languages"] == {"en": 4, "de": 1}


def test_languages_are_counted_even_below_k_and_in_a_suppressed_report(taxonomy):
    # Counts of people, like "respondents": published whatever k, since no answer is split by language.
    small = assessment_with({FEEDBACK: columns([5, 4], [2, 2])}, status="closed")
    data = json.loads(render_json(gap_report(assessment=small)))
    assert data["suppressed"] is True and data["languages"] == {"en": 2, "de": 0}


def test_report_page_says_the_languages_in_one_sentence(client, assessment):
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=Membership.Role.ANALYST)
    client.force_login(user)
    url = reverse("reports:report", args=[assessment.organization.slug, assessment.slug])
    assert "Respondents by language: English 5, German 0." in client.get(url).content.decode()
    german = client.get(url, headers={"accept-language": "de"}).content.decode()
    assert "Teilnehmende nach Sprache: Englisch 5, Deutsch 0." in german


def test_pdf_html_in_german(assessment):
    from reports.pdf import render_pdf_html

    with translation.override("de"):
        body = render_pdf_html(assessment=assessment)
    assert '<html lang="de">' in body
    assert "Lückenbericht" in body and "Teilnehmende nach Sprache" in body
    assert "Where the organization falls shortest" not in body
