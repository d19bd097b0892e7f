"""The report as a PDF (contract section 18): its content, its access and its release rule, page and command."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from pypdf import PdfReader

from actions.services import action_create
from assessments.services import maturity_targets_set
from organizations.models import Membership
from reports.pdf import _svg_rules, _top_level_rules, render_pdf, render_pdf_html
from reports.selectors import gap_report
from taxonomy.models import Benefit
from tests.factories import AssessmentFactory, MembershipFactory, UserFactory
from tests.reports.helpers import EXT_FEEDBACK, FEEDBACK, assessment_with, columns
from tests.reports.test_segments import department_assessment

pytestmark = pytest.mark.django_db


def pdf_url(assessment, query: str = "") -> str:
    return reverse("reports:pdf", args=[assessment.organization.slug, assessment.slug]) + query


def member(client, assessment, role=Membership.Role.ANALYST):
    user = UserFactory()
    MembershipFactory(user=user, organization=assessment.organization, role=role)
    client.force_login(user)
    return user


def pdf_text(body: bytes) -> str:
    assert body.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(body))
    # Words wrap at line ends; joining on spaces keeps a name findable across a break.
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


@pytest.fixture
def assessment(taxonomy):
    return assessment_with(
        {
            FEEDBACK: columns([5, 5, 5, 5, 5], [1, 2, 1, 2, 1]),
            EXT_FEEDBACK: columns([1, 5, 1, 5, 3], [5, 1, 5, 1, 3]),
        },
        status="closed",
    )


def test_the_pdf_holds_the_title_page_the_top_gaps_and_page_numbers(client, assessment):
    member(client, assessment)
    response = client.get(pdf_url(assessment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    filename = f"{assessment.organization.slug}-{assessment.slug}-gap-report.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert "Acme" in text and "Baseline 2026" in text
    assert "Respondents 5" in text
    assert "no figure is shown for any group of fewer than 5 respondents" in text
    report = gap_report(assessment=assessment)
    top = report.ranked[0]
    assert top.path == FEEDBACK
    assert "Where the organization falls shortest" in text
    assert "Improved Feedback" in text and f"{top.gap:.2f}" in text
    low, high = top.paired.ci95
    assert f"{low:.2f} to {high:.2f}" in text
    for heading in ("Gap by concept and scope", "Importance against realization", "Action plan"):
        assert heading in text
    pages = len(PdfReader(io.BytesIO(response.content)).pages)
    assert f"Page 2 of {pages}" in text


def test_the_pdf_opens_with_maturity_levels_targets_and_the_actions_per_cell(assessment):
    # Realization means: internal feedback 7/5 (level 1), external feedback 3 (level 3); overall 11/5 (level 2).
    maturity_targets_set(assessment=assessment, levels={("social-media", "internal"): 3})
    action_create(
        organization=assessment.organization,
        assessment=assessment,
        title="Monthly feedback sessions",
        owner_name="Dana",
        benefits=[Benefit.objects.get(path=FEEDBACK)],
    )
    html = render_pdf_html(assessment=assessment)
    assert 'class="maturity"' in html  # the page's picture
    text = pdf_text(render_pdf(assessment=assessment))
    assert "Maturity: level 2 emerging overall" in text
    assert "Social media, internal: level 1 initial, target 3 defined: not reached; 1.2 to go." in text
    assert "Social media, external: level 3 defined." in text
    assert "Overall: level 2 emerging." in text
    # The roadmap: the action sits on its cell's row, after the level now and the target.
    assert "1 initial 3 defined: not reached Monthly feedback sessions (planned)" in text
    # Maturity comes before the ranked gaps.
    assert text.index("Maturity: level") < text.index("Where the organization falls shortest")


def test_the_pdf_is_made_from_the_pages_charts(assessment):
    html = render_pdf_html(assessment=assessment)
    for chart in ('class="heatmap"', 'class="scatter"', 'class="gap-bar"'):
        assert chart in html
    assert "Since " not in html  # no previous round


@pytest.mark.parametrize("role", [Membership.Role.OWNER, Membership.Role.ANALYST])
def test_owners_and_analysts_get_the_pdf_others_do_not(client, assessment, role):
    response = client.get(pdf_url(assessment))
    assert response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))
    member(client, AssessmentFactory(), Membership.Role.OWNER)
    assert client.get(pdf_url(assessment)).status_code == 404
    member(client, assessment, Membership.Role.RESPONDENT)
    assert client.get(pdf_url(assessment)).status_code == 404
    member(client, assessment, role)
    assert client.get(pdf_url(assessment)).status_code == 200


def test_a_withheld_report_prints_no_figure(client, taxonomy):
    assessment = assessment_with({FEEDBACK: columns([5, 5, 5], [1, 1, 1])}, status="closed")
    member(client, assessment)
    text = pdf_text(client.get(pdf_url(assessment)).content)
    assert "Not enough responses to show results" in text
    assert "3 responses so far; at least 5 are needed, so 2 more" in text
    assert "Gap by concept and scope" not in text and "Improved Feedback" not in text
    assert "Maturity" not in text and "level 1" not in text
    assert 'class="maturity"' not in render_pdf_html(assessment=assessment)


def test_one_segment_prints_its_shown_groups_only(client, taxonomy):
    assessment = department_assessment({"sales": [(5, 1)] * 5, "engineering": [(4, 2)] * 5, "support": [(3, 3)] * 2})
    member(client, assessment)
    response = client.get(pdf_url(assessment, "?segment=department"))
    assert response["Content-Disposition"].endswith('-gap-report-by-department.pdf"')
    text = pdf_text(response.content)
    assert "By group" in text and "Sales: 5 respondents" in text
    # Support has 2 and is hidden; so is the next smallest, so that Support cannot be worked out.
    assert "Support: fewer than 5 respondents" in text
    assert client.get(pdf_url(assessment, "?segment=nope")).status_code == 404


def test_the_command_writes_the_pdf_to_a_file_and_refuses_standard_output(assessment, tmp_path):
    target = tmp_path / "report.pdf"
    err = io.StringIO()
    call_command(
        "gap_report",
        "--organization",
        "Acme",
        "--assessment",
        "Baseline 2026",
        "--format",
        "pdf",
        "-o",
        str(target),
        stdout=io.StringIO(),
        stderr=err,
    )
    assert "Baseline 2026" in pdf_text(target.read_bytes())
    assert f"as a PDF to {target}" in err.getvalue()
    out = io.StringIO()
    with pytest.raises(CommandError, match="--format pdf needs -o FILE"):
        call_command(
            "gap_report",
            "--organization",
            "Acme",
            "--assessment",
            "Baseline 2026",
            "--format",
            "pdf",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert out.getvalue() == ""


def test_the_report_page_links_to_the_pdf_of_what_it_shows(client, taxonomy):
    assessment = department_assessment({"sales": [(5, 1)] * 5, "engineering": [(4, 2)] * 5})
    member(client, assessment)
    page = reverse("reports:report", args=[assessment.organization.slug, assessment.slug])
    assert f'href="{pdf_url(assessment)}" download>Download PDF</a>' in client.get(page).content.decode()
    html = client.get(page, {"segment": "department"}).content.decode()
    assert f'href="{pdf_url(assessment, "?segment=department")}" download>Download PDF (by department)</a>' in html


def test_the_pdf_reads_a_fixed_number_of_queries(assessment, django_assert_num_queries):
    # The report's own queries (no action here, so none for their benefits): nothing per benefit or per chart.
    with django_assert_num_queries(11):
        render_pdf_html(assessment=assessment)


def test_the_svgs_get_the_pages_rules_but_not_a_phones():
    # A media query's rules are for screens: on paper the maturity picture keeps its labels and its text size.
    css = "a { fill: red; }\n@media (max-width: 10px) {\n  a { display: none; }\n}\nb { stroke: blue; }"
    rules = _top_level_rules(css)
    assert rules == ["a { fill: red; }", "b { stroke: blue; }"]
    css = _svg_rules()
    assert ".maturity .mt-summary { fill: #343a40; }" in css
    assert ".mt-summary { display: none" not in css and "font-size: 25px" not in css
