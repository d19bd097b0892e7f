"""The respondent form: intro, sections, review, withdraw, done.

Two ways in, one flow: an invitation link (/i/<token>/..., no account) or a
member's assessment URL (/o/<org>/<assessment>/respond/...). Each step has the
same URL name in the ``invitation`` and the ``member`` namespace, and the
same view, which resolves the way in to an :class:`Entry`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import asdict, dataclass

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from assessments.models import Assessment, Audience, Segment
from assessments.selectors import assessment_for_user, assessment_questionnaire, assessment_segments
from responses.models import Comment, Invitation, comment_release_threshold
from responses.models import Response as AssessmentResponse
from responses.respond.assignment import respondent_length, response_questionnaire
from responses.respond.forms import RespondentSegmentsForm, SectionForm, SubmitForm, comment_notice, missing_questions
from responses.respond.services import (
    AlreadySubmittedError,
    CommentTooLongError,
    ResponseSubmittedError,
    ResponseWithdrawnError,
    StaleResponseError,
    response_comments_save,
    response_revision,
    response_section_save,
    response_start,
    response_submit,
    response_withdraw,
)
from responses.respond.steps import steps_nav
from responses.selectors import (
    comment_section_key,
    invitation_for_token,
    member_has_submitted,
    response_answers,
    response_comments,
)
from taxonomy.scales import DONT_KNOW_LABEL, SCALES
from taxonomy.selectors import Questionnaire

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
    route: str  # "invitation" or "member": the namespace of the URL names
    kwargs: dict
    invitation: Invitation | None = None
    user: object = None
    # This invitation or member has submitted: its response exists, but nothing leads back to it.
    submitted: bool = False

    def url(self, step: str, **extra) -> str:
        return reverse(f"responses:{self.route}:{step}", kwargs={**self.kwargs, **extra})

    @property
    def url_start(self) -> str:
        return self.url("start")

    @property
    def url_withdraw(self) -> str:
        return self.url("withdraw")

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
            return render(request, "responses/form/link_invalid.html", status=404)
        assessment = invitation.assessment
        try:
            response = invitation.response  # read with the invitation
        except AssessmentResponse.DoesNotExist:
            response = None
        entry = Entry(
            assessment,
            response,
            "invitation",
            {"token": kwargs["token"]},
            invitation=invitation,
            submitted=invitation.submitted,
        )
    else:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        assessment = assessment_for_user(
            user=request.user, org_slug=kwargs["org_slug"], assessment_slug=kwargs["assessment_slug"]
        )
        if assessment is None:
            return render(request, "responses/form/link_invalid.html", {"member": True}, status=404)
        response = AssessmentResponse.objects.filter(assessment=assessment, user=request.user).first()
        entry = Entry(
            assessment,
            response,
            "member",
            {"org_slug": kwargs["org_slug"], "assessment_slug": kwargs["assessment_slug"]},
            user=request.user,
            submitted=response is None and member_has_submitted(assessment=assessment, user=request.user),
        )
    if entry.response is not None:
        entry.response.assessment = assessment  # already loaded; saves a query per use
    return entry


def _refusal(request: HttpRequest, entry: Entry) -> HttpResponse | None:
    """The page for a response that can no longer change, or an assessment not taking answers."""
    if entry.submitted:
        # A POST here is a replay (another tab, the back button): refused, and said so.
        status = 409 if request.method == "POST" else 200
        return render(request, "responses/form/done.html", {"entry": entry, "already": True}, status=status)
    if not entry.assessment.is_open:
        assessment = entry.assessment
        not_yet = assessment.status == Assessment.Status.DRAFT or (
            assessment.status == Assessment.Status.OPEN and assessment.opens_at and timezone.now() < assessment.opens_at
        )
        return render(request, "responses/form/closed.html", {"entry": entry, "not_yet": not_yet}, status=403)
    return None


def respondent_view(*, answering: bool = True, started: bool = True) -> Callable:
    """Resolve the way in (invitation link or membership) and hand the view its ``entry``.

    ``answering``: the view shows or changes an open response, so a submitted
    response or an assessment not taking answers gets its page instead.
    ``started``: the view needs a response; without one, go to the intro.
    """

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, **kwargs) -> HttpResponse:
            entry = _entry(request, kwargs)
            if isinstance(entry, HttpResponse):
                return entry
            if answering and (refusal := _refusal(request, entry)):
                return refusal
            if started and entry.response is None:
                return redirect(entry.url("start"))
            return view(request, entry, **kwargs)

        return wrapper

    return decorator


def _questionnaire(entry: Entry, full: Questionnaire | None = None) -> Questionnaire:
    """What this respondent is asked, page by page: the assessment's questionnaire (``full``), or their part of it.

    A section longer than a page holds is shown in parts (``Questionnaire.paged``);
    the pages are the "sections" of every respondent step.
    """
    if full is None:
        full = assessment_questionnaire(assessment=entry.assessment)
    return response_questionnaire(response=entry.response, questionnaire=full).paged()


def _intro_length(entry: Entry, full: Questionnaire) -> dict:
    """The intro's numbers, from the assessment's ``full`` questionnaire: the same as the e-mails say."""
    audience = entry.invitation.audience if entry.invitation is not None else Audience.BOTH
    length = respondent_length(
        assessment=entry.assessment, response=entry.response, audience=audience, questionnaire=full
    )
    return asdict(length)


def _progress(questionnaire, answers) -> tuple[list[dict], int, int]:
    """Per section ``{section, answered, total}``, and the answered and total question counts."""
    rows = []
    for section in questionnaire.sections:
        answered = 0
        for benefit in section.benefits:
            answer = answers.get(benefit.id)
            if answer is not None:
                answered += sum(1 for q in benefit.questions if answer.answered(q.dimension))
        total = section.question_count
        rows.append(
            {
                "section": section,
                "number": section.index + 1,
                "answered": answered,
                "total": total,
                "done": bool(total) and answered == total,
            }
        )
    return rows, sum(r["answered"] for r in rows), sum(r["total"] for r in rows)


@require_http_methods(["GET", "POST"])
@respondent_view(started=False)
def form_start(request: HttpRequest, entry: Entry, **kwargs) -> HttpResponse:
    """The intro: what is measured, why, how long, the scales, who sees the answers; POST starts or resumes."""
    segments = assessment_segments(assessment=entry.assessment, source=Segment.Source.RESPONDENT)
    segments_form = RespondentSegmentsForm(request.POST if request.method == "POST" else None, segments=segments)
    if request.method == "POST":
        if not segments_form.is_valid():
            return render(request, "400.html", status=400)
        try:
            entry.response, _created = response_start(
                assessment=entry.assessment,
                invitation=entry.invitation,
                user=entry.user,
                stated=segments_form.stated(),
            )
        except AlreadySubmittedError:
            # Another tab submitted between this page's load and its POST.
            entry.submitted = True
            return _refusal(request, entry)
        return redirect(entry.resume_url(len(_questionnaire(entry).sections)))
    full = assessment_questionnaire(assessment=entry.assessment)
    questionnaire = _questionnaire(entry, full)
    if entry.response is not None and "about" not in request.GET:
        return redirect(entry.resume_url(len(questionnaire.sections)))
    return render(
        request,
        "responses/form/intro.html",
        {
            "entry": entry,
            "assessment": entry.assessment,
            "concepts": _concepts(questionnaire),
            **_intro_length(entry, full),
            "scales": list(SCALES.values()),
            # One question per dimension (contract section 2): said, not written into the template.
            "questions_per_benefit": len(SCALES),
            "dont_know": DONT_KNOW_LABEL,
            "segments_form": segments_form if segments and entry.response is None else None,
            "comment_threshold": comment_release_threshold(entry.assessment.min_group_size),
        },
    )


def _concepts(questionnaire) -> list:
    """The concepts the questionnaire asks about, once each, in order."""
    concepts = []
    for section in questionnaire.sections:
        if section.concept not in concepts:
            concepts.append(section.concept)
    return concepts


@require_http_methods(["GET", "POST"])
@respondent_view()
def form_section(request: HttpRequest, entry: Entry, number: int, **kwargs) -> HttpResponse:
    """One section's matrix. POST saves what was given (partial is fine), then goes on, back, or stays."""
    questionnaire = _questionnaire(entry)
    sections = questionnaire.sections
    if not 1 <= number <= len(sections):
        return render(
            request,
            "responses/form/link_invalid.html",
            {"no_section": True, "entry": entry, "section_count": len(sections)},
            status=404,
        )
    section = sections[number - 1]
    # Opened from the review's list of what is missing: its main button leads straight back there.
    to_review = request.GET.get("from") == "review"
    form_kwargs = {"section": section, "questionnaire": questionnaire, "to_review": to_review}
    if entry.assessment.comments:
        form_kwargs["comment_section"] = comment_section_key(section.concept.slug, section.scope.slug)
        form_kwargs["notice"] = comment_notice(entry.assessment)
    status = 200
    if request.method == "POST":
        form = SectionForm(request.POST, **form_kwargs)
        if form.is_valid():
            target = {
                "next": section.index + 1,
                "back": section.index - 1,
                "save": section.index,
                "review": len(sections),
            }[form.action]
            target = max(0, min(target, len(sections)))
            try:
                response_section_save(
                    response=entry.response,
                    ratings=form.ratings(),
                    revision=form.cleaned_data["revision"],
                    current_section=target,
                    comments=form.comments(),
                )
            except ResponseSubmittedError:
                entry.submitted = True
                return _refusal(request, entry)
            except ResponseWithdrawnError:
                return _withdrawn(request, entry)
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
        if "comment_section" in form_kwargs:
            form_kwargs["comment"] = response_comments(response=entry.response).get(form_kwargs["comment_section"], "")
        form = SectionForm(answers=answers, revision=response_revision(entry.response), **form_kwargs)
    progress, answered, total = _progress(questionnaire, answers)
    return render(
        request,
        "responses/form/section.html",
        {
            "entry": entry,
            "assessment": entry.assessment,
            "form": form,
            "section": section,
            "number": number,
            "section_count": len(sections),
            "steps": steps_nav(progress, number),
            "answered": answered,
            "total": total,
            "page_errors": form.page_errors() if form.is_bound else [],
            "error_summary": form.error_summary() if form.is_bound else [],
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@respondent_view()
def form_review(request: HttpRequest, entry: Entry, **kwargs) -> HttpResponse:
    """What is answered and what is missing, per section; POST submits once everything is answered."""
    questionnaire = _questionnaire(entry)
    answers = response_answers(response=entry.response)
    missing = missing_questions(questionnaire, answers)
    form_kwargs = {"missing": missing}
    if entry.assessment.comments:
        form_kwargs["comment"] = response_comments(response=entry.response).get(Comment.LAST, "")
        form_kwargs["notice"] = comment_notice(entry.assessment)
    status = 200
    if request.method == "POST":
        form = SubmitForm(request.POST, **form_kwargs)
        valid = form.is_valid()
        if valid or form.only_missing():
            try:
                # The last box first, saved with the draft even when the response cannot be submitted yet.
                response_comments_save(response=entry.response, comments=form.comments())
                if valid and form.action == "save":
                    messages.success(request, _("Your comment is saved with your draft."))
                    return redirect(entry.url("review"))
                if valid:
                    # The language the page is in is the one the respondent answered in (section 17).
                    response_submit(response=entry.response, language=translation.get_language())
            except ResponseSubmittedError:
                return redirect(entry.url("done"))
            except ResponseWithdrawnError:
                return _withdrawn(request, entry)
            except CommentTooLongError as exc:
                form.add_error("comment", str(exc))
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                if valid:
                    # Submitted by this request or by another tab a moment ago: the same page follows.
                    return redirect(entry.url("done"))
        status = 400
    else:
        form = SubmitForm(**form_kwargs)
    progress, answered, total = _progress(questionnaire, answers)
    missing_by_section: dict[int, list] = {}
    for item in missing:
        missing_by_section.setdefault(item.section.index, []).append(item)
    for row in progress:
        row["missing"] = missing_by_section.get(row["section"].index, [])
        row["url"] = entry.url("section", number=row["number"]) + "?from=review"
        for item in row["missing"]:
            item.url = f"{row['url']}#b-{item.benefit.id}"
    return render(
        request,
        "responses/form/review.html",
        {
            "entry": entry,
            "assessment": entry.assessment,
            "form": form,
            "progress": progress,
            "answered": answered,
            "total": total,
            "missing": missing,
            "section_count": len(questionnaire.sections),
            "comment_errors": form.errors.get("comment", []) if form.is_bound else [],
        },
        status=status,
    )


@require_http_methods(["GET"])
@respondent_view(answering=False, started=False)
def form_done(request: HttpRequest, entry: Entry, **kwargs) -> HttpResponse:
    """Thank-you page after submitting."""
    if not entry.submitted:
        return redirect(entry.url("start"))
    return render(request, "responses/form/done.html", {"entry": entry, "already": False})


def _withdrawn(request: HttpRequest, entry: Entry) -> HttpResponse:
    messages.info(request, _("Your draft was withdrawn: none of its answers are kept. You can start again."))
    return redirect(entry.url("start"))


@require_http_methods(["GET", "POST"])
@respondent_view()
def form_withdraw(request: HttpRequest, entry: Entry, **kwargs) -> HttpResponse:
    """GET asks to confirm; POST deletes the draft and every answer in it, and the way in may start again."""
    if request.method == "POST":
        try:
            response_withdraw(response=entry.response)
        except ResponseSubmittedError:
            entry.submitted = True
            return _refusal(request, entry)
        return _withdrawn(request, entry)
    return render(
        request,
        "responses/form/withdraw.html",
        {"entry": entry, "assessment": entry.assessment, "answered": entry.response.answers.count()},
    )
