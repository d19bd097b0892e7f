"""The gap report page and its downloads."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from assessments.views import _assessment_or_404
from organizations.selectors import REPORT_ROLES
from reports.charts import report_page
from reports.renderers import render_csv, render_json, withheld_sentence
from reports.selectors import gap_report


@login_required
def report(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    assessment = _assessment_or_404(request, org_slug, assessment_slug, REPORT_ROLES)
    report = gap_report(assessment=assessment)
    context = {"assessment": assessment, "report": report}
    if report.suppressed:
        context["withheld"] = withheld_sentence(report)
    else:
        context["page"] = report_page(report)
    return render(request, "reports/report.html", context)


def _download(request, org_slug: str, assessment_slug: str, render_report, extension: str, content_type: str):
    assessment = _assessment_or_404(request, org_slug, assessment_slug, REPORT_ROLES)
    # The same bytes as ``manage.py gap_report --format <extension>``.
    response = HttpResponse(render_report(gap_report(assessment=assessment)), content_type=content_type)
    filename = f"{assessment.organization.slug}-{assessment.slug}-gap-report.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def report_json(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    return _download(request, org_slug, assessment_slug, render_json, "json", "application/json; charset=utf-8")


@login_required
def report_csv(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    return _download(request, org_slug, assessment_slug, render_csv, "csv", "text/csv; charset=utf-8")
