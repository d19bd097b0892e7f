"""E-mailed invitations: the opt-out page (GET asks, POST opts out; RFC 8058 one-click) and the owners' pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from assessments.access import assessment_for
from assessments.models import Assessment
from common.mail import site_url
from organizations.selectors import MANAGE_ACCESS
from organizations.services import EmailLimitError, email_quota_remaining
from responses.invitations.services import AssessmentClosedError
from responses.mail.forms import EmailInvitationsForm, RemindersForm
from responses.mail.services import (
    MAX_REMINDERS,
    NotRemindableError,
    invitation_opt_out,
    invitation_resend,
    invitation_send_again,
    invitations_email_batch,
    invited_addresses,
    preview_text,
    reminders_due,
    reminders_queue_now,
)
from responses.models import Invitation
from responses.selectors import invitation_for_opt_out_token


# Exempt from CSRF: a mail client's one-click POST carries no CSRF token, and the token in the URL is
# the credential; opting out is all this POST can do, and it is what the address's owner asked for.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation and changes nothing (mail scanners follow links); POST opts out."""
    invitation = invitation_for_opt_out_token(token)
    if invitation is None:
        return render(request, "responses/form/link_invalid.html", status=404)
    if request.method == "POST":
        invitation_opt_out(invitation=invitation)
        return render(request, "responses/mail/opted_out.html", {"assessment": invitation.assessment})
    return render(
        request,
        "responses/mail/opt_out.html",
        {"assessment": invitation.assessment, "already": invitation.opted_out_at is not None},
    )


def _invitations_url(assessment: Assessment) -> str:
    return reverse("responses:manage:invitations", args=[assessment.organization.slug, assessment.slug])


@login_required
@require_http_methods(["GET", "POST"])
def manage_email_invitations(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """Addresses, subject and message; POST "preview" shows the e-mail, POST "send" queues them.

    Bad input comes back with the line that is wrong, and nothing is created.
    The preview carries the text back as a hidden field, so the file need
    not be uploaded twice.
    """
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    context = {
        "organization": assessment.organization,
        "assessment": assessment,
        "held": assessment.status == Assessment.Status.DRAFT,
        "remaining": email_quota_remaining(organization_id=assessment.organization_id),
    }
    if request.method == "GET":
        form = EmailInvitationsForm(assessment=assessment)
        return render(request, "responses/manage/email_invitations.html", {**context, "form": form})
    data = request.POST.copy()
    if "text" in data and "send" in data:
        data["addresses"] = data["text"]
    form = EmailInvitationsForm(data, request.FILES, assessment=assessment)
    if not form.is_valid():
        return render(request, "responses/manage/email_invitations.html", {**context, "form": form}, status=400)
    if "send" not in request.POST:
        already = invited_addresses(assessment=assessment)
        new = [r for r in form.recipients if r.email.lower() not in already]
        preview = preview_text(assessment=assessment, message=form.cleaned_data["message"])
        return render(
            request,
            "responses/manage/email_preview.html",
            {**context, "form": form, "new": new, "skipped": len(form.recipients) - len(new), "preview": preview},
        )
    try:
        created, skipped = invitations_email_batch(
            assessment=assessment,
            recipients=form.recipients,
            subject=form.cleaned_data["subject"],
            message=form.cleaned_data["message"],
            base_url=site_url(request),
        )
    except (EmailLimitError, AssessmentClosedError) as exc:
        form.add_error(None, str(exc))
        return render(request, "responses/manage/email_invitations.html", {**context, "form": form}, status=400)
    if assessment.status == Assessment.Status.DRAFT:
        text = ngettext(
            "%(n)s invitation e-mail queued; it is held, and goes out when you open the assessment.",
            "%(n)s invitation e-mails queued; they are held, and go out when you open the assessment.",
            created,
        )
    else:
        text = ngettext(
            "%(n)s invitation e-mail queued; it goes out in the next minutes.",
            "%(n)s invitation e-mails queued; they go out in the next minutes.",
            created,
        )
    text %= {"n": created}
    if skipped:
        text += " " + ngettext(
            "%(n)s address already invited, skipped.", "%(n)s addresses already invited, skipped.", skipped
        ) % {"n": skipped}
    messages.success(request, text)
    return redirect(_invitations_url(assessment))


@login_required
@require_http_methods(["GET", "POST"])
def manage_reminders(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """GET says how many reminders would go for the days chosen (``?min_days=N``); POST queues them."""
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    form = RemindersForm(request.POST if request.method == "POST" else request.GET or None)
    valid = form.is_valid()
    min_days = form.chosen_days() if valid else RemindersForm.DEFAULT
    if request.method == "POST" and valid:
        try:
            count = reminders_queue_now(assessment=assessment, min_days=min_days, base_url=site_url(request))
        except (EmailLimitError, AssessmentClosedError) as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request, ngettext("%(n)s reminder queued.", "%(n)s reminders queued.", count) % {"n": count}
            )
            return redirect(_invitations_url(assessment))
    due = reminders_due(assessment=assessment, min_days=min_days).count()
    return render(
        request,
        "responses/manage/reminders.html",
        {
            "organization": assessment.organization,
            "assessment": assessment,
            "form": form,
            "due": due,
            "min_days": min_days,
            "max_reminders": MAX_REMINDERS,
        },
        status=200 if valid or not form.is_bound else 400,
    )


@require_POST
@login_required
def manage_invitation_resend(request: HttpRequest, org_slug: str, assessment_slug: str, pk: int) -> HttpResponse:
    """Queue again the e-mail of an invitation that failed."""
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    invitation = get_object_or_404(Invitation.objects.filter(assessment=assessment), pk=pk)
    try:
        resent = invitation_resend(invitation=invitation, base_url=site_url(request))
    except (EmailLimitError, AssessmentClosedError) as exc:
        messages.error(request, str(exc))
        return redirect(_invitations_url(assessment))
    if resent:
        messages.success(request, gettext("The e-mail to %(email)s is queued again.") % {"email": invitation.email})
    else:
        messages.info(request, gettext("Invitation #%(pk)s has not failed: nothing to resend.") % {"pk": invitation.pk})
    return redirect(_invitations_url(assessment))


@require_POST
@login_required
def manage_invitation_send_again(request: HttpRequest, org_slug: str, assessment_slug: str, pk: int) -> HttpResponse:
    """ "Send again": one e-mail with a new link to one e-mailed invitation, now (it counts as a reminder)."""
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    invitation = get_object_or_404(Invitation.objects.filter(assessment=assessment).select_related("assessment"), pk=pk)
    try:
        invitation_send_again(invitation=invitation, base_url=site_url(request))
    except (EmailLimitError, AssessmentClosedError, NotRemindableError) as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            gettext("A new e-mail to %(email)s is queued; it counts as a reminder.") % {"email": invitation.email},
        )
    return redirect(_invitations_url(assessment))
