"""Views of the assessments app: thin; forms validate, services write, selectors read.

Sections of this file are owned by different pieces of work; keep each
view in its section.
"""

from __future__ import annotations

# --- Respondent form (issue 4) -------------------------------------------
# Two ways in, one flow: an invitation link (/i/<token>/..., no account) or a
# member's assessment URL (/o/<org>/<assessment>/respond/...). Each step has a
# URL name per way in (``invitation_<step>``, ``respond_<step>``) and the same
# view, which resolves the way in to an :class:`Entry`.
import math
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from assessments.charts import report_page
from assessments.forms import SectionForm, SubmitForm, missing_questions
from assessments.models import Assessment, Invitation
from assessments.models import Response as AssessmentResponse
from assessments.reports import gap_report, render_csv, render_json
from assessments.selectors import REPORT_ROLES, assessment_questionnaire, assessments_for_user, response_answers
from assessments.services import (
    ResponseSubmittedError,
    StaleResponseError,
    invitation_for_token,
    response_revision,
    response_section_save,
    response_start,
    response_submit,
)
from taxonomy.scales import DONT_KNOW_LABEL, SCALES

# A rough reading and clicking pace, for the intro's "how long it takes".
SECONDS_PER_QUESTION = 6
STALE_MESSAGE = (
    "Your answers were changed in another window or tab after this page was opened, so nothing from this page "
    "was saved. The page shows what you chose here: choose “Save and continue” again to keep it, or reload the "
    "page to see the answers saved from the other window."
)


@dataclass
class Entry:
    """Who is answering which assessment, and how they came in."""

    assessment: Assessment
    response: AssessmentResponse | None
    route: str  # "invitation" or "respond": the prefix of the URL names
    kwargs: dict
    invitation: Invitation | None = None
    user: object = None

    def url(self, step: str, **extra) -> str:
        return reverse(f"assessments:{self.route}_{step}", kwargs={**self.kwargs, **extra})

    @property
    def url_start(self) -> str:
        return self.url("start")

    @property
    def url_about(self) -> str:
        return self.url("start") + "?about=1"

    def resume_url(self, section_count: int) -> str:
        index = self.response.current_section if self.response else 0
        if index >= section_count:
            return self.url("review")
        return self.url("section", number=index + 1)


def _entry(request: HttpRequest, kwargs: dict) -> Entry | HttpResponse:
    """The way in named by the URL, or the friendly page that refuses it."""
    if "token" in kwargs:
        invitation = invitation_for_token(kwargs["token"])
        if invitation is None:
            return render(request, "assessments/form/link_invalid.html", status=404)
        assessment = invitation.assessment
        response = AssessmentResponse.objects.filter(invitation=invitation).first()
        entry = Entry(assessment, response, "invitation", {"token": kwargs["token"]}, invitation=invitation)
    else:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assessment = (
            assessments_for_user(user=request.user)
            .filter(organization__slug=kwargs["org_slug"], slug=kwargs["assessment_slug"])
            .first()
        )
        if assessment is None:
            return render(request, "assessments/form/link_invalid.html", {"member": True}, status=404)
        response = AssessmentResponse.objects.filter(assessment=assessment, user=request.user).first()
        entry = Entry(
            assessment,
            response,
            "respond",
            {"org_slug": kwargs["org_slug"], "assessment_slug": kwargs["assessment_slug"]},
            user=request.user,
        )
    if entry.response is not None:
        entry.response.assessment = assessment  # already loaded; saves a query per use
    return entry


def _refusal(request: HttpRequest, entry: Entry) -> HttpResponse | None:
    """The page for a response that can no longer change, or an assessment not taking answers."""
    if entry.response is not None and entry.response.is_submitted:
        # A POST here is a replay (another tab, the back button): refused, and said so.
        status = 409 if request.method == "POST" else 200
        return render(request, "assessments/form/done.html", {"entry": entry, "already": True}, status=status)
    if not entry.assessment.is_open:
        assessment = entry.assessment
        not_yet = assessment.status == Assessment.Status.DRAFT or (
            assessment.status == Assessment.Status.OPEN and assessment.opens_at and timezone.now() < assessment.opens_at
        )
        return render(request, "assessments/form/closed.html", {"entry": entry, "not_yet": not_yet}, status=403)
    return None


def _progress(questionnaire, answers) -> tuple[list[dict], int, int]:
    """Per section ``{section, answered, total}``, and the answered and total question counts."""
    rows = []
    for section in questionnaire.sections:
        answered = 0
        for benefit in section.benefits:
            answer = answers.get(benefit.id)
            if answer is not None:
                answered += sum(1 for q in benefit.questions if answer.answered(q.dimension))
        rows.append(
            {"section": section, "number": section.index + 1, "answered": answered, "total": section.question_count}
        )
    return rows, sum(r["answered"] for r in rows), sum(r["total"] for r in rows)


@require_http_methods(["GET", "POST"])
def form_start(request: HttpRequest, **kwargs) -> HttpResponse:
    """The intro: what is measured, why, how long, the scales, who sees the answers; POST starts or resumes."""
    entry = _entry(request, kwargs)
    if isinstance(entry, HttpResponse):
        return entry
    refusal = _refusal(request, entry)
    if refusal:
        return refusal
    questionnaire = assessment_questionnaire(assessment=entry.assessment)
    section_count = len(questionnaire.sections)
    if request.method == "POST":
        entry.response, _ = response_start(assessment=entry.assessment, invitation=entry.invitation, user=entry.user)
        return redirect(entry.resume_url(section_count))
    if entry.response is not None and "about" not in request.GET:
        return redirect(entry.resume_url(section_count))
    total = questionnaire.question_count
    return render(
        request,
        "assessments/form/intro.html",
        {
            "entry": entry,
            "assessment": entry.assessment,
            "questionnaire": questionnaire,
            "question_count": total,
            "benefit_count": len(questionnaire.benefits),
            "minutes": max(1, math.ceil(total * SECONDS_PER_QUESTION / 60)),
            "scales": list(SCALES.values()),
            "dont_know": DONT_KNOW_LABEL,
        },
    )


@require_http_methods(["GET", "POST"])
def form_section(request: HttpRequest, number: int, **kwargs) -> HttpResponse:
    """One section's matrix. POST saves what was given (partial is fine), then goes on, back, or stays."""
    entry = _entry(request, kwargs)
    if isinstance(entry, HttpResponse):
        return entry
    refusal = _refusal(request, entry)
    if refusal:
        return refusal
    if entry.response is None:
        return redirect(entry.url("start"))
    questionnaire = assessment_questionnaire(assessment=entry.assessment)
    sections = questionnaire.sections
    if not 1 <= number <= len(sections):
        return render(request, "assessments/form/link_invalid.html", {"no_section": True, "entry": entry}, status=404)
    section = sections[number - 1]
    form_kwargs = {"section": section, "questionnaire": questionnaire}
    status = 200
    if request.method == "POST":
        form = SectionForm(request.POST, **form_kwargs)
        if form.is_valid():
            target = {"next": section.index + 1, "back": section.index - 1, "save": section.index}[form.action]
            target = max(0, min(target, len(sections)))
            try:
                response_section_save(
                    response=entry.response,
                    ratings=form.ratings(),
                    revision=form.cleaned_data["revision"],
                    current_section=target,
                )
            except ResponseSubmittedError:
                return _refusal(request, entry)
            except StaleResponseError:
                # Keep what was chosen on this page; the fresh revision lets a second save through.
                data = request.POST.copy()
                data["revision"] = response_revision(entry.response)
                form = SectionForm(data, **form_kwargs)
                form.is_valid()
                form.add_error(None, STALE_MESSAGE)
                status = 409
            else:
                return redirect(entry.resume_url(len(sections)))
        else:
            status = 400
        answers = response_answers(response=entry.response)
    else:
        answers = response_answers(response=entry.response)
        form = SectionForm(answers=answers, revision=response_revision(entry.response), **form_kwargs)
    progress, answered, total = _progress(questionnaire, answers)
    return render(
        request,
        "assessments/form/section.html",
        {
            "entry": entry,
            "assessment": entry.assessment,
            "form": form,
            "section": section,
            "number": number,
            "section_count": len(sections),
            "progress": progress,
            "answered": answered,
            "total": total,
            "page_errors": form.page_errors() if form.is_bound else [],
            "error_summary": form.error_summary() if form.is_bound else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def form_review(request: HttpRequest, **kwargs) -> HttpResponse:
    """What is answered and what is missing, per section; POST submits once everything is answered."""
    entry = _entry(request, kwargs)
    if isinstance(entry, HttpResponse):
        return entry
    refusal = _refusal(request, entry)
    if refusal:
        return refusal
    if entry.response is None:
        return redirect(entry.url("start"))
    questionnaire = assessment_questionnaire(assessment=entry.assessment)
    answers = response_answers(response=entry.response)
    missing = missing_questions(questionnaire, answers)
    status = 200
    if request.method == "POST":
        form = SubmitForm(request.POST, missing=missing)
        if form.is_valid():
            response_submit(response=entry.response)
            return redirect(entry.url("done"))
        status = 400
    else:
        form = SubmitForm(missing=missing)
    progress, answered, total = _progress(questionnaire, answers)
    missing_by_section: dict[int, list] = {}
    for item in missing:
        missing_by_section.setdefault(item.section.index, []).append(item)
    for row in progress:
        row["missing"] = missing_by_section.get(row["section"].index, [])
        row["url"] = entry.url("section", number=row["number"])
        for item in row["missing"]:
            item.url = f"{row['url']}#b-{item.benefit.id}"
    return render(
        request,
        "assessments/form/review.html",
        {
            "entry": entry,
            "assessment": entry.assessment,
            "form": form,
            "progress": progress,
            "answered": answered,
            "total": total,
            "missing": missing,
            "section_count": len(questionnaire.sections),
        },
        status=status,
    )


@require_http_methods(["GET"])
def form_done(request: HttpRequest, **kwargs) -> HttpResponse:
    """Thank-you page after submitting."""
    entry = _entry(request, kwargs)
    if isinstance(entry, HttpResponse):
        return entry
    if entry.response is None or not entry.response.is_submitted:
        return redirect(entry.url("start"))
    return render(request, "assessments/form/done.html", {"entry": entry, "already": False})


# --- Gap report (issues 5 and 7) -------------------------------------------
# Owners and analysts of the assessment's organization (and staff) only:
# anyone else gets a 404, which does not confirm the assessment exists.


def _report_assessment(request: HttpRequest, org_slug: str, assessment_slug: str) -> Assessment:
    visible = assessments_for_user(user=request.user, roles=REPORT_ROLES)
    return get_object_or_404(visible, organization__slug=org_slug, slug=assessment_slug)


@login_required
def assessment_index(request: HttpRequest) -> HttpResponse:
    """The assessments whose reports the user may read, by organization."""
    assessments = assessments_for_user(user=request.user, roles=REPORT_ROLES).order_by("organization__name", "title")
    return render(request, "assessments/index.html", {"assessments": assessments})


@login_required
def report(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    assessment = _report_assessment(request, org_slug, assessment_slug)
    page = report_page(gap_report(assessment=assessment))
    return render(request, "assessments/report.html", {"assessment": assessment, "page": page})


def _download(request, org_slug: str, assessment_slug: str, render_report, extension: str, content_type: str):
    assessment = _report_assessment(request, org_slug, assessment_slug)
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
