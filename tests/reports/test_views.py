"""The report page, its downloads and the assessments index: access, content, empty and thin data."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments.models import Assessment
from organizations.models import Membership
from reports.renderers import render_csv, render_json
from reports.selectors import gap_report
from taxonomy.models import Benefit
from taxonomy.selectors import benefit_paths
from tests.factories import AssessmentFactory, MembershipFactory, ResponseFactory, UserFactory
from tests.reports.helpers import (
    BRAND,
    EXT_FEEDBACK,
    FEEDBACK,
    add_responses,
    assessment_with,
    columns,
)

pytestmark = pytest.mark.django_db


def url(assessment: Assessment, name: str = "report") -> str:
    return reverse(f"reports:{name}", args=[assessment.organization.slug, assessment.slug])


def member(client, assessment: Assessment, role: str = Membership.Role.ANALYST):
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=role)
    client.force_login(user)
    return user


@pytest.fixture
def assessment(taxonomy):
    return assessment_with(
        {
            FEEDBACK: columns([5, 5, 5, 5, 5], [1, 2, 1, 2, 1]),  # strong evidence
            EXT_FEEDBACK: columns([1, 5, 1, 5, 3], [5, 1, 5, 1, 3]),  # contested, no gap
        },
        status="closed",
    )


# --- Access ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["report", "json", "csv"])
def test_anonymous_is_sent_to_log_in(client, assessment, name):
    response = client.get(url(assessment, name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


@pytest.mark.parametrize("name", ["report", "json", "csv"])
def test_other_organizations_and_respondents_get_404(client, assessment, name):
    other = AssessmentFactory()
    member(client, other, Membership.Role.OWNER)
    assert client.get(url(assessment, name)).status_code == 404
    respondent = UserFactory()
    MembershipFactory(user=respondent, organization=assessment.organization, role=Membership.Role.RESPONDENT)
    client.force_login(respondent)
    assert client.get(url(assessment, name)).status_code == 404


@pytest.mark.parametrize("role", [Membership.Role.OWNER, Membership.Role.ANALYST])
def test_owners_and_analysts_see_the_report(client, assessment, role):
    member(client, assessment, role)
    response = client.get(url(assessment))
    assert response.status_code == 200
    assert "Baseline 2026" in response.content.decode()


@pytest.mark.parametrize("name", ["report", "json", "csv"])
def test_report_page_and_downloads_are_never_cached(client, assessment, name):
    """The page and each download say private, no-store: no shared cache or browser disk keeps a copy."""
    member(client, assessment)
    response = client.get(url(assessment, name))
    assert response.status_code == 200
    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_unknown_assessment_is_404(client, assessment):
    member(client, assessment)
    missing = reverse("reports:report", args=[assessment.organization.slug, "nope"])
    assert client.get(missing).status_code == 404


# --- Downloads ------------------------------------------------------------------


def test_downloads_are_byte_identical_to_the_command(client, assessment):
    member(client, assessment)
    for name, fmt, content_type in [
        ("json", "json", "application/json"),
        ("csv", "csv", "text/csv"),
    ]:
        response = client.get(url(assessment, name))
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)
        assert f".{fmt}" in response["Content-Disposition"] and "attachment" in response["Content-Disposition"]
        out = io.StringIO()
        call_command(
            "gap_report", organization="Acme", assessment="Baseline 2026", format=fmt, stdout=out, stderr=io.StringIO()
        )
        assert response.content == out.getvalue().encode()
    report = gap_report(assessment=assessment)
    assert client.get(url(assessment, "json")).content.decode() == render_json(report)
    assert client.get(url(assessment, "csv")).content.decode() == render_csv(report)


# --- Page content ---------------------------------------------------------------


def page_html(client, assessment) -> str:
    member(client, assessment)
    response = client.get(url(assessment))
    assert response.status_code == 200
    return response.content.decode()


def test_page_has_every_part(client, assessment):
    html = page_html(client, assessment)
    for part in ("findings", "heatmap", "scatter", "contested", "scopes", "tables", "method"):
        assert f'id="{part}"' in html, part
    assert "Strong evidence" in html and "Weak evidence" in html
    assert "Where the organization falls shortest" in html
    assert html.count('role="img"') >= 4  # bars, heatmap, scatter, histograms
    assert "<title" in html and "<desc" in html
    assert "Concentrate here" in html and "Keep up the good work" in html
    assert "Possible overkill" in html and "Low priority" in html
    assert "report.json" in html and "report.csv" in html
    assert "js/sort-table.js" in html and "css/report.css" in html


def test_page_has_no_inline_style_or_script(client, assessment):
    html = page_html(client, assessment)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)


def test_page_lists_the_contested_benefit_with_histograms(client, assessment):
    html = page_html(client, assessment)
    contested = html.split('id="contested"')[1].split('<details id="')[0]
    assert "Improved Feedback" in contested
    assert "Importance answers of Improved Feedback (5 rated): 1: 2, 2: 0, 3: 1, 4: 0, 5: 2" in contested


def test_page_shows_internal_and_external_side_by_side(client, assessment):
    html = page_html(client, assessment)
    scopes = html.split('id="scopes"')[1].split('<details id="')[0]
    assert "Improved Feedback" in scopes and "Increased Volume of Perspectives" in scopes
    assert "Improved Sharing of Experience" in scopes  # sub-benefits are matched by their path too
    assert "Increased Brand Control" not in scopes  # external only


# Four respondents who rate another benefit only, so that one rating of Improved Feedback can be shown.
OTHERS = {BRAND: {str(i): (3, 3) for i in range(1, 5)}}


def test_missing_values_show_a_dash_never_zero(client, taxonomy):
    assessment = assessment_with({FEEDBACK: {"0": (4, 2)}, **OTHERS}, status="closed")
    html = page_html(client, assessment)
    table = html.split('id="tables"')[1]
    awareness = table.partition("Improved Organizational Awareness")[2].split("</tr>")[0]
    cells = re.findall(r"<td[^>]*>(.*?)</td>", awareness, re.S)
    assert cells[0] == "–" and cells[1] == "0" and cells[2] == "–"  # mean, n, sd
    assert "0.00" not in awareness
    # One rating, fewer than k: withheld, with the reason and no figure at all.
    feedback = table.partition("Improved Feedback")[2].split("</tr>")[0]
    assert "Withheld" in feedback and "4.00" not in feedback


def test_single_rating(client, taxonomy):
    html = page_html(client, assessment_with({FEEDBACK: {"0": (5, 2)}, **OTHERS}, status="closed"))
    assert "Too few answers to tell" in html
    assert "Improved Feedback" in html.split('id="findings"')[1]


def test_empty_assessment_has_an_empty_state(client, taxonomy):
    assessment = AssessmentFactory(organization__name="Acme", title="Nobody yet")
    add_responses(assessment, {FEEDBACK: {"0": (5, 1)}}, submitted=False)  # a draft does not count
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    html = page_html(client, assessment)
    assert "0 responses so far; at least 5 are needed, so 5 more" in html
    assert 'id="heatmap"' not in html
    assert 'id="method"' in html


def test_demo_data_renders_with_a_fixed_number_of_queries(client, taxonomy, django_assert_max_num_queries):
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    demo = Assessment.objects.select_related("organization").get(title="Baseline 2026")
    member(client, demo)
    with django_assert_max_num_queries(18):
        response = client.get(url(demo))
    assert response.status_code == 200
    html = response.content.decode()
    report = gap_report(assessment=demo)
    assert report.respondents > 20
    assert f"<dd>{report.respondents}</dd>" in html
    # The day it closed, not a planned date.
    assert f"closed {timezone.localtime(demo.closed_at):%-d %b %Y}" in html
    for b in report.benefits:
        assert b.name.replace("'", "&#x27;") in html


def test_response_rate_counts_invited_submissions(client, taxonomy):
    """Four invitations, one submitted through its link: 25%. Imported respondents are not invitations."""
    from responses.invitations.services import invitations_create
    from responses.models import Invitation

    assessment = assessment_with({FEEDBACK: columns([5, 5, 5, 5], [1, 1, 1, 1])})
    invitations_create(assessment=assessment, count=4)  # while open: a closed assessment takes no invitation
    Assessment.objects.filter(pk=assessment.pk).update(status="closed")
    assessment.status = "closed"
    Invitation.objects.filter(pk=Invitation.objects.first().pk).update(submitted=True)
    response = ResponseFactory(assessment=assessment, submitted=True)
    feedback = benefit_paths()[FEEDBACK]
    response.answers.create(
        benefit_id=feedback, importance=3, importance_answered=True, assessment=assessment, submitted=True
    )
    html = page_html(client, assessment)
    assert "<dd>5</dd>" in html  # respondents
    assert "25%" in html and "1 of 4 invitations" in html


# --- Index ----------------------------------------------------------------------


def test_index_lists_only_the_users_assessments(client, assessment):
    other = AssessmentFactory(title="Someone else's")
    member(client, assessment)
    response = client.get(reverse("assessments:index"))
    html = response.content.decode()
    assert "Baseline 2026" in html and url(assessment) in html
    assert "Someone else" not in html and url(other) not in html


def test_index_needs_login(client):
    response = client.get(reverse("assessments:index"))
    assert response.status_code == 302


def test_navbar_links_to_the_index(client, assessment):
    member(client, assessment)
    assert reverse("assessments:index") in client.get(url(assessment)).content.decode()


def test_each_under_realized_benefit_gets_what_to_track_and_what_to_try_folded(client, assessment):
    """The findings give each under-realized benefit its indicators and practices, in closed <details>."""
    html = page_html(client, assessment)
    findings = html.split('id="findings"', 1)[1].split('id="heatmap"', 1)[0]
    benefit = Benefit.objects.get(path=FEEDBACK)
    assert findings.count("<summary>What to track</summary>") == 1  # one under-realized benefit
    assert findings.count("<summary>What to try</summary>") == 1
    assert "<details open" not in findings
    for item in (*benefit.indicators, *benefit.practices):
        assert f"<li>{escape(item)}</li>" in findings
    assert "js/print-details.js" in html  # opens them when printed


def test_guidance_is_not_in_the_downloads(client, assessment):
    """JSON and CSV keep their contract columns: guidance belongs to the page."""
    member(client, assessment)
    indicator = Benefit.objects.get(path=FEEDBACK).indicators[0]
    for name in ("json", "csv"):
        assert indicator not in client.get(url(assessment, name)).content.decode()


# --- Since the previous round (section 8) ---


def test_the_demo_follow_up_shows_what_changed_since_the_baseline(client, taxonomy, django_assert_max_num_queries):
    """Narrowed and widened benefits with dumbbells, six line charts with titles; a fixed number of queries."""
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    follow_up = Assessment.objects.select_related("organization").get(title="Follow-up 2027")
    member(client, follow_up)
    with django_assert_max_num_queries(21):
        response = client.get(url(follow_up))
    html = response.content.decode()
    assert '<h2 id="trend-h" class="h4">Since Baseline 2026</h2>' in html
    trends = gap_report(assessment=follow_up).rounds.trends
    narrowed = sorted((t.change, p) for p, t in trends.items() if t.verdict == "narrowed")
    assert html.count('class="gap-bar dumbbell"') == sum(t.verdict in ("narrowed", "widened") for t in trends.values())
    assert html.count('class="line-chart"') == 6
    assert html.count('<desc id="line-') == 6
    # The largest narrowing comes first in its group.
    first = html.index('class="trend-group trend-narrowed')
    largest = gap_report(assessment=follow_up).by_path[narrowed[0][1]].name
    assert html.index(largest, first) < html.index("</ol>", first)
    assert 'style="' not in html


def test_a_report_without_a_previous_round_has_no_since_part(client, taxonomy):
    """The baseline has no previous round: no "Since" section."""
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    baseline = Assessment.objects.select_related("organization").get(title="Baseline 2026")
    member(client, baseline)
    assert 'id="trend"' not in client.get(url(baseline)).content.decode()


def test_a_suppressed_previous_round_says_why_there_is_no_change(client, taxonomy):
    """A previous round below k: the page says so, and shows no dumbbell."""
    before = AssessmentFactory(organization__name="Acme", title="Before")
    add_responses(before, {FEEDBACK: columns([5, 4], [2, 2])}, prefix="b")
    now = assessment_with({FEEDBACK: columns([5] * 6, [3] * 6)}, status="closed", organization=before.organization)
    Assessment.objects.filter(pk=now.pk).update(previous=before)
    now.refresh_from_db()
    member(client, now)
    html = client.get(url(now)).content.decode()
    assert "Before, the previous round, shows no figures" in html
    assert "gap-bar dumbbell" not in html


# --- The summary first, details folded, statistics terms in the method only ---


def test_the_summary_comes_first_in_plain_words(client, assessment):
    html = page_html(client, assessment)
    summary = html.split('id="summary"')[1].split("</section>")[0]
    assert html.index('id="summary"') < html.index('id="findings"') < html.index('id="method"')
    assert "Improved Feedback" in summary and "A clear shortfall" in summary
    assert "This is the first round" in summary
    assert "Actions planned" in summary and "None yet." in summary


def test_details_are_folded_and_statistics_terms_wait_in_the_method(client, assessment):
    html = page_html(client, assessment)
    for section in ("findings", "heatmap", "scatter", "contested", "scopes", "tables", "method"):
        assert re.search(rf'<details id="{section}" class="report-fold[^"]*"(?! open)', html), section
    # What a reader sees without opening anything on purpose: the method and the explanations left out.
    shown = re.sub(r'<details class="small mb-\d explain">.*?</details>', "", html, flags=re.S)
    shown = shown.split('<details id="method"')[0]
    for term in ("r<sub>wg</sub>", "rwg", "Welch", "Student"):
        assert term not in shown, term
    assert "r<sub>wg</sub>" in html and "Student's t" in html


def test_the_summary_says_what_changed_since_the_previous_round(client, taxonomy):
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    follow_up = Assessment.objects.select_related("organization").get(title="Follow-up 2027")
    summary = page_html(client, follow_up).split('id="summary"')[1].split("</section>")[0]
    assert "Compared with Baseline 2026:" in summary and "narrowed" in summary and "Most improved:" in summary


# --- The figures' parts, rendered once per set of figures -------------------------------------------


def tables_of(html: str) -> str:
    return html.split('id="tables"')[1].split("</details>")[0]


def test_the_page_again_shows_the_same_tables_from_the_kept_rendering(client, assessment):
    first = page_html(client, assessment)

    again = client.get(url(assessment)).content.decode()

    assert tables_of(again) == tables_of(first)
    assert "Improved Feedback" in tables_of(again)


def test_a_new_submission_shows_in_the_tables_at_once(client, taxonomy):
    """Live results: the tables' kept rendering is named by the figures, so a submission renders them anew."""
    assessment = assessment_with({FEEDBACK: columns([5, 5, 5], [1, 1, 1])}, results="live", min_group_size=3)
    before = tables_of(page_html(client, assessment))
    add_responses(assessment, {FEEDBACK: {"x": (1, 5)}}, prefix="new")

    after = tables_of(client.get(url(assessment)).content.decode())

    assert ">5.00<" in before and ">5.00<" not in after
    assert ">4.00<" in after  # importance (5 + 5 + 5 + 1) / 4


def test_each_language_has_its_own_rendering_of_the_tables(client, assessment):
    english = tables_of(page_html(client, assessment))

    german = tables_of(client.get(url(assessment), headers={"accept-language": "de"}).content.decode())

    assert english != german


def test_the_page_explains_the_rules_with_their_own_values(client, assessment, monkeypatch):
    """The contested threshold and the scale the page explains come from the rules, not from the template."""
    monkeypatch.setattr("reports.views.CONTESTED_RWG", 0.25)

    html = page_html(client, assessment)

    assert "Below 0.25 on either scale" in html
    assert "Below 0.3" not in html
    assert "Bars count the answers 1 to 5 on each scale." in html
