"""The assessments a user may see, and the owners' pages that create and edit them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from assessments.access import assessment_for
from assessments.forms import AssessmentForm, NextRoundForm, SegmentForm
from assessments.length import length_estimate
from assessments.models import Assessment, Segment
from assessments.selectors import (
    assessment_questionnaire,
    assessment_segments,
    assessments_for_user,
)
from assessments.services import (
    assessment_close,
    assessment_create,
    assessment_start_next_round,
    assessment_update,
    next_round_title,
    segment_create,
    segment_delete,
)
from organizations.access import organization_for
from organizations.models import Organization
from organizations.selectors import MANAGE_ACCESS, REPORT_ACCESS, organizations_for_user
from taxonomy.selectors import live_questionnaire


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
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    form = AssessmentForm(request.POST if request.method == "POST" else None, organization=organization)
    if request.method == "POST":
        if form.is_valid():
            try:
                assessment = assessment_create(organization=organization, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("“%(title)s” created. Invite respondents when it is ready.") % {"title": assessment.title},
                )
                return redirect(_overview_url(organization))
        return _assessment_form_page(request, organization, form, status=400)
    return _assessment_form_page(request, organization, form)


@login_required
@require_http_methods(["GET", "POST"])
def manage_assessment_edit(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    organization = assessment.organization
    was_open = assessment.status != Assessment.Status.CLOSED
    form = AssessmentForm(
        request.POST if request.method == "POST" else None, organization=organization, assessment=assessment
    )
    if request.method == "POST":
        if form.is_valid() and _closing_unconfirmed(request, assessment, form):
            return _close_confirmation_page(request, assessment, from_form=True)
        if form.is_valid():
            try:
                assessment_update(assessment=assessment, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if assessment.status == Assessment.Status.CLOSED and assessment.closed_at and was_open:
                    messages.success(request, _closed_message(assessment))
                else:
                    messages.success(
                        request,
                        _("“%(title)s” saved (%(status)s).")
                        % {"title": assessment.title, "status": assessment.get_status_display().lower()},
                    )
                return redirect(_overview_url(organization))
        return _assessment_form_page(request, organization, form, assessment, status=400)
    return _assessment_form_page(request, organization, form, assessment)


def _closing_unconfirmed(request: HttpRequest, assessment: Assessment, form: AssessmentForm) -> bool:
    """The form closes an open or draft assessment, and the owner has not yet said yes on the confirmation page."""
    closing = form.cleaned_data["status"] == Assessment.Status.CLOSED and assessment.status != Assessment.Status.CLOSED
    return closing and request.POST.get("confirm_close") != "yes"


def _close_confirmation_page(request: HttpRequest, assessment: Assessment, *, from_form: bool) -> HttpResponse:
    """What closing means, before it happens.

    From the edit form, its button posts the same form again, confirmed; else it posts to the close page.
    """
    fields = (
        [(name, value) for name, values in request.POST.lists() if name != "csrfmiddlewaretoken" for value in values]
        if from_form
        else []
    )
    organization = assessment.organization
    context = {
        "organization": organization,
        "assessment": assessment,
        "fields": fields,
        "action": reverse(
            "assessments:manage:edit" if from_form else "assessments:manage:close",
            args=[organization.slug, assessment.slug],
        ),
        "final": assessment.results == Assessment.Results.AFTER_CLOSE,
    }
    return render(request, "assessments/manage/close_confirm.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def manage_assessment_close(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """GET says what closing means; POST closes the assessment now."""
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    if request.method == "GET":
        if assessment.status == Assessment.Status.CLOSED:
            messages.info(request, _("“%(title)s” is closed already.") % {"title": assessment.title})
            return redirect(_overview_url(assessment.organization))
        return _close_confirmation_page(request, assessment, from_form=False)
    try:
        closed = assessment_close(assessment=assessment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if closed:
            messages.success(request, _closed_message(assessment))
        else:
            messages.info(request, _("“%(title)s” was closed already.") % {"title": assessment.title})
    return redirect(_overview_url(assessment.organization))


def _closed_message(assessment: Assessment) -> str:
    if assessment.results == Assessment.Results.AFTER_CLOSE:
        return _("“%(title)s” is closed: nobody can answer any more, and its report shows the results.") % {
            "title": assessment.title
        }
    return _("“%(title)s” is closed: nobody can answer any more.") % {"title": assessment.title}


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
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
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
                messages.success(request, _("Segment “%(label)s” added.") % {"label": segment.label})
                return redirect(reverse("assessments:manage:segments", args=[org_slug, assessment_slug]))
        return _segments_page(request, assessment, form, status=400)
    return _segments_page(request, assessment, SegmentForm())


@require_POST
@login_required
def manage_segment_delete(request: HttpRequest, org_slug: str, assessment_slug: str, pk: int) -> HttpResponse:
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    segment = get_object_or_404(Segment, assessment=assessment, pk=pk)
    try:
        segment_delete(segment=segment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Segment “%(label)s” removed.") % {"label": segment.label})
    return redirect(reverse("assessments:manage:segments", args=[org_slug, assessment_slug]))


@login_required
@require_http_methods(["GET", "POST"])
def manage_assessment_next_round(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """Ask for the next round's title (one is proposed), then create it as a draft with the same settings."""
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
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
                    _(
                        "“%(title)s” created as a draft, with “%(previous)s” as its previous round. "
                        "Check its settings, then open it."
                    )
                    % {"title": created.title, "previous": assessment.title},
                )
                return redirect(reverse("assessments:manage:edit", args=[organization.slug, created.slug]))
        status = 400
    else:
        form = NextRoundForm(initial={"title": next_round_title(assessment=assessment)})
        status = 200
    context = {"organization": organization, "assessment": assessment, "form": form}
    return render(request, "assessments/manage/next_round.html", context, status=status)
