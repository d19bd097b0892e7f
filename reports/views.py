"""The gap report page and its downloads, for the whole assessment or one segment's groups.

Each is marked ``private, no-store`` (``never_cache``): a report is for the
people entitled to it, so no shared cache keeps a copy and a browser does not
keep one on disk after they log out.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from assessments.models import Assessment
from assessments.selectors import assessment_segments
from assessments.views import _assessment_or_404
from organizations.selectors import MANAGE_ACCESS, REPORT_ACCESS, organizations_for_user
from reports.charts import report_page
from reports.pdf import render_pdf
from reports.renderers import (
    PAIRED_ONLY_REASON,
    group_status,
    hidden_group_reason,
    render_csv,
    render_json,
    render_segment_csv,
    render_segment_json,
    withheld_reason,
    withheld_sentence,
)
from reports.segment_charts import segment_page
from reports.segments import segment_for_key, segment_report
from reports.selectors import gap_report


@login_required
@never_cache
def report(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    assessment = _assessment_or_404(request, org_slug, assessment_slug, REPORT_ACCESS)
    report = gap_report(assessment=assessment)
    segments = assessment_segments(assessment=assessment)
    # Owners plan actions from the report's findings; analysts read them.
    can_plan = organizations_for_user(user=request.user, access=MANAGE_ACCESS).filter(pk=assessment.organization_id)
    k = assessment.min_group_size
    context = {
        "assessment": assessment,
        "report": report,
        "segments": segments,
        "can_plan": can_plan.exists(),
        "withheld_reason": withheld_reason(k),
        "paired_only_reason": PAIRED_ONLY_REASON,
        "hidden_group_reason": hidden_group_reason(k),
    }
    if report.suppressed:
        context["withheld"] = withheld_sentence(report)
    else:
        context["page"] = report_page(report)
    key = request.GET.get("segment")
    if key:
        chosen = next((s for s in segments if s.key == key), None)
        if chosen is None:
            context["unknown_segment"] = True
        else:
            by_segment = segment_report(assessment=assessment, segment=chosen)
            context["segment"] = chosen
            context["segment_page"] = segment_page(by_segment, report)
            context["group_lines"] = [(g, group_status(by_segment, g)) for g in by_segment.groups]
    return render(request, "reports/report.html", context)


def _segment(assessment: Assessment, request: HttpRequest):
    key = request.GET.get("segment")
    if not key:
        return None
    segment = segment_for_key(assessment=assessment, key=key)
    if segment is None:
        raise Http404("No such segment.")
    return segment


def _download(request, org_slug: str, assessment_slug: str, renderers, extension: str, content_type: str):
    assessment = _assessment_or_404(request, org_slug, assessment_slug, REPORT_ACCESS)
    whole, by_segment = renderers
    segment = _segment(assessment, request)
    # The same bytes as ``manage.py gap_report --format <extension> [--segment KEY]``.
    if segment is None:
        body = whole(gap_report(assessment=assessment))
    else:
        body = by_segment(segment_report(assessment=assessment, segment=segment))
    response = HttpResponse(body, content_type=content_type)
    suffix = f"-by-{segment.key}" if segment else ""
    filename = f"{assessment.organization.slug}-{assessment.slug}-gap-report{suffix}.{extension}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@never_cache
def report_json(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    renderers = (render_json, render_segment_json)
    return _download(request, org_slug, assessment_slug, renderers, "json", "application/json; charset=utf-8")


@login_required
@never_cache
def report_csv(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    renderers = (render_csv, render_segment_csv)
    return _download(request, org_slug, assessment_slug, renderers, "csv", "text/csv; charset=utf-8")


@login_required
@never_cache
def report_pdf(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """The report for paper, with the same access and release rule as the page (``reports.pdf``)."""
    assessment = _assessment_or_404(request, org_slug, assessment_slug, REPORT_ACCESS)
    segment = _segment(assessment, request)
    response = HttpResponse(render_pdf(assessment=assessment, segment=segment), content_type="application/pdf")
    suffix = f"-by-{segment.key}" if segment else ""
    filename = f"{assessment.organization.slug}-{assessment.slug}-gap-report{suffix}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
