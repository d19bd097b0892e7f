"""The assessments a user may see, and the owners' pages that create and edit them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from assessments.forms import AssessmentForm, NextRoundForm, SegmentForm
from assessments.length import length_estimate
from assessments.models import Assessment, Segment
from assessments.selectors import (
    assessment_for_user,
    assessment_questionnaire,
    assessment_segments,
    assessments_for_user,
)
from assessments.services import (
    assessment_create,
    assessment_start_next_round,
    assessment_update,
    next_round_title,
    segment_create,
    segment_delete,
)
from organizations.models import Organization
from organizations.selectors import MANAGE_ACCESS, REPORT_ACCESS, Access, organizations_for_user
from organizations.views import _managed_organization
from taxonomy.selectors import live_questionnaire


def _assessment_or_404(request: HttpRequest, org_slug: str, assessment_slug: str, access: Access) -> Assessment:
    assessment = assessment_for_user(
        user=request.user, org_slug=org_slug, assessment_slug=assessment_slug, access=access
    )
    if assessment is None:
        raise Http404("No such assessment.")
    return assessment


@login_required
def assessment_index(request: HttpRequest) -> HttpResponse:
    """The assessments whose reports the user may read, by organization."""
    assessments = assessments_for_user(user=request.user, access=REPORT_ACCESS).order_by("organization__name", "title")
    managed = organizations_for_user(user=request.user, access=MANAGE_ACCESS).order_by("name")
    return render(request, "assessments/index.html", {"assessments": assessments, "managed_organizations": managed})


def _overview_url(organization: Organization) -> str:
    return reverse("responses:overview", args=[organization.slug])


def _assessment_form_page(request, organization, form, assessment=None, status=200) -> HttpResponse:
    questionnaire = assessment_questionnaire(assessment=assessment) if assessment else live_questionnaire()
    saved = assessment.benefits_per_respondent if assessment else None
    estimate = length_estimate(questionnaire=questionnaire, assessment=assessment, benefits_per_respondent=saved)
    context = {"organization": organization, "form": form, "assessment": assessment, "estimate": estimate}
    return render(request, "assessments/manage/assessment_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def manage_assessment_create(request: HttpRequest, org_slug: str) -> HttpResponse:
    organization = _managed_organization(request, org_slug)
    form = AssessmentForm(request.POST if request.method == "POST" else None, organization=organization)
    if request.method == "POST":
        if form.is_valid():
            try:
                assessment = assessment_create(organization=organization, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"“{assessment.title}” created. Invite respondents when it is ready.")
                return redirect(_overview_url(organization))
        return _assessment_form_page(request, organization, form, status=400)
    return _assessment_form_page(request, organization, form)


@login_required
@require_http_methods(["GET", "POST"])
def manage_assessment_edit(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    assessment = _assessment_or_404(request, org_slug, assessment_slug, MANAGE_ACCESS)
    organization = assessment.organization
    form = AssessmentForm(
        request.POST if request.method == "POST" else None, organization=organization, assessment=assessment
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                assessment_update(assessment=assessment, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"“{assessment.title}” saved ({assessment.get_status_display().lower()}).")
                return redirect(_overview_url(organization))
        return _assessment_form_page(request, organization, form, assessment, status=400)
    return _assessment_form_page(request, organization, form, assessment)


def _segments_page(request, assessment, form, status=200) -> HttpResponse:
    context = {
        "organization": assessment.organization,
        "assessment": assessment,
        "segments": assessment_segments(assessment=assessment),
        "form": form,
        "frozen": assessment.questions_frozen_at is not None,
    }
    return render(request, "assessments/manage/segments.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def manage_segments(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """The assessment's segments; POST adds one (refused once the assessment has answers)."""
    assessment = _assessment_or_404(request, org_slug, assessment_slug, MANAGE_ACCESS)
    if request.method == "POST":
        form = SegmentForm(request.POST)
        if form.is_valid():
            try:
                segment = segment_create(
                    assessment=assessment,
                    key=form.cleaned_data["key"],
                    label=form.cleaned_data["label"],
                    source=form.cleaned_data["source"],
                    options=form.option_lines(),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, f"Segment “{segment.label}” added.")
                return redirect(reverse("assessments:manage:segments", args=[org_slug, assessment_slug]))
        return _segments_page(request, assessment, form, status=400)
    return _segments_page(request, assessment, SegmentForm())


@require_POST
@login_required
def manage_segment_delete(request: HttpRequest, org_slug: str, assessment_slug: str, pk: int) -> HttpResponse:
    assessment = _assessment_or_404(request, org_slug, assessment_slug, MANAGE_ACCESS)
    segment = get_object_or_404(Segment, assessment=assessment, pk=pk)
    try:
        segment_delete(segment=segment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Segment “{segment.label}” removed.")
    return redirect(reverse("assessments:manage:segments", args=[org_slug, assessment_slug]))


@login_required
@require_http_methods(["GET", "POST"])
def manage_assessment_next_round(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """Ask for the next round's title (one is proposed), then create it as a draft with the same settings."""
    assessment = _assessment_or_404(request, org_slug, assessment_slug, MANAGE_ACCESS)
    organization = assessment.organization
    if request.method == "POST":
        form = NextRoundForm(request.POST)
        if form.is_valid():
            try:
                created = assessment_start_next_round(assessment=assessment, title=form.cleaned_data["title"])
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    f"“{created.title}” created as a draft, with “{assessment.title}” as its previous round. "
                    "Check its settings, then open it.",
                )
                return redirect(reverse("assessments:manage:edit", args=[organization.slug, created.slug]))
        status = 400
    else:
        form = NextRoundForm(initial={"title": next_round_title(assessment=assessment)})
        status = 200
    context = {"organization": organization, "assessment": assessment, "form": form}
    return render(request, "assessments/manage/next_round.html", context, status=status)
