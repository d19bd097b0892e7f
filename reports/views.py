"""The gap report page and its downloads, for the whole assessment or one segment's groups.

Each is marked ``private, no-store`` (``never_cache``): a report is for the
people entitled to it, so no shared cache keeps a copy and a browser does not
keep one on disk after they log out.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assessments.access import assessment_for
from assessments.models import Assessment
from assessments.selectors import assessment_maturity_targets, assessment_segments
from assessments.services import maturity_targets_set
from organizations.access import has_access
from organizations.selectors import MANAGE_ACCESS, REPORT_ACCESS
from reports.benchmark import benchmark_page
from reports.charts import report_page
from reports.forms import TargetsForm, field_name
from reports.maturity import sentence_case
from reports.maturity_charts import level_meanings, segment_maturity
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
from reports.statistics import CONTESTED_RWG
from taxonomy.models import Concept, Scope
from taxonomy.scales import SCALE_MAX, SCALE_MIN
from taxonomy.translations import translated

# The page's figures-only parts are kept a few minutes at most, so that an edit of a benefit's
# guidance in the admin shows soon.
FIGURES_CACHE_SECONDS = 300


def actions_key(report, *, assessment: Assessment, can_plan: bool) -> str:
    """Names what the findings show beside their figures: the actions on each benefit and the link to plan one.

    Each action as read (its status and whether it is overdue today included); the link carries the
    slugs, which an owner may change.
    """
    seen = (can_plan, assessment.organization.slug, assessment.slug, report.actions)
    return hashlib.md5(repr(seen).encode(), usedforsecurity=False).hexdigest()


@login_required
@never_cache
def report(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=REPORT_ACCESS)
    report = gap_report(assessment=assessment)
    segments = assessment_segments(assessment=assessment)
    # Owners plan actions from the report's findings; analysts read them.
    can_plan = has_access(request.user, assessment.organization_id, access=MANAGE_ACCESS)
    k = assessment.min_group_size
    context = {
        "assessment": assessment,
        "report": report,
        "segments": segments,
        "can_plan": can_plan,
        "withheld_reason": withheld_reason(k),
        "paired_only_reason": PAIRED_ONLY_REASON,
        "hidden_group_reason": hidden_group_reason(k),
        # The rules' values the page explains, from where the rules live (not written into the template).
        "contested_below": CONTESTED_RWG,
        "scale_min": SCALE_MIN,
        "scale_max": SCALE_MAX,
    }
    if report.suppressed:
        context["withheld"] = withheld_sentence(report)
    else:
        context["page"] = report_page(report)
        context["figures_cache_seconds"] = FIGURES_CACHE_SECONDS if report.figures_key else 0
        context["actions_key"] = actions_key(report, assessment=assessment, can_plan=can_plan)
        context["benchmark"] = benchmark_page(report, taking_part=assessment.organization.benchmark)
    key = request.GET.get("segment")
    if key:
        chosen = next((s for s in segments if s.key == key), None)
        if chosen is None:
            context["unknown_segment"] = True
        else:
            by_segment = segment_report(assessment=assessment, segment=chosen)
            context["segment"] = chosen
            context["segment_page"] = segment_page(by_segment, report)
            context["segment_maturity"] = segment_maturity(by_segment, report)
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
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=REPORT_ACCESS)
    whole, by_segment = renderers
    segment = _segment(assessment, request)
    # The same bytes as ``manage.py gap_report --format <extension> [--segment KEY]``, whatever the
    # reader's language: data for programs, in the site's default language (section 17).
    with translation.override(settings.LANGUAGE_CODE):
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
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=REPORT_ACCESS)
    segment = _segment(assessment, request)
    response = HttpResponse(render_pdf(assessment=assessment, segment=segment), content_type="application/pdf")
    suffix = f"-by-{segment.key}" if segment else ""
    filename = f"{assessment.organization.slug}-{assessment.slug}-gap-report{suffix}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _target_cells() -> list[tuple[str, str, str]]:
    """Every concept x scope cell as (concept slug, scope slug, title), in report order; 2 queries."""
    # The names in the reader's language, as the report's maturity names the cells.
    concepts = [
        (slug, translated(t, "name", name))
        for slug, name, t in Concept.objects.values_list("slug", "name", "translations")
    ]
    scopes = [
        (slug, translated(t, "name", name))
        for slug, name, t in Scope.objects.values_list("slug", "name", "translations")
    ]
    return [(c, s, f"{sentence_case(c_name)}, {s_name.lower()}") for c, c_name in concepts for s, s_name in scopes]


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def targets(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """The owners' form of an assessment's maturity targets, with each cell's level now beside it."""
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    cells = _target_cells()
    if request.method == "POST":
        form = TargetsForm(request.POST, cells=cells)
        if form.is_valid():
            try:
                maturity_targets_set(assessment=assessment, levels=form.levels())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, gettext("Targets saved."))
                report_url = reverse("reports:report", args=[assessment.organization.slug, assessment.slug])
                return redirect(f"{report_url}#maturity")
        status = 400
    else:
        saved = assessment_maturity_targets(assessment=assessment)
        initial = {field_name(c, s): saved.get((c, s)) for c, s, _ in cells}
        form = TargetsForm(initial=initial, cells=cells)
        status = 200
    report = gap_report(assessment=assessment)
    now = report.maturity
    rows = [(form[field_name(c, s)], now.cell(c, s) if now is not None else None) for c, s, _ in cells]
    context = {
        "assessment": assessment,
        "organization": assessment.organization,
        "form": form,
        "rows": rows,
        "report": report,
        "levels": level_meanings(),
    }
    return render(request, "reports/targets.html", context, status=status)
