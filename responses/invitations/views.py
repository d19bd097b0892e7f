"""The owners' invitation pages: the overview, creating and downloading links, revoking one.

Each view is an access check (``organization_for``/``assessment_for``), one
action and one response; the writes are in ``responses.invitations.services``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from assessments.access import assessment_for
from assessments.models import Assessment
from common.tokens import hash_token
from organizations.access import organization_for
from organizations.selectors import MANAGE_ACCESS, organization_members
from responses.invitations.exports import invitation_link, invitation_rows, invitations_csv_response
from responses.invitations.forms import InvitationLinksForm, InvitationsCreateForm
from responses.invitations.services import (
    AssessmentClosedError,
    BatchUsedError,
    invitation_batch_create,
    invitation_revoke,
)
from responses.mail.services import MAX_REMINDERS, email_reason_text
from responses.models import Invitation
from responses.selectors import (
    assessment_invitations,
    invitation_status_counts,
    organization_assessments,
)

INVITATIONS_PER_PAGE = 50

# An invitation's status (responses.selectors.INVITATION_STATUSES) as a sentence names it: "... is submitted".
STATUS_IN_SENTENCE = {
    "unused": pgettext_lazy("invitation status, in a sentence", "unused"),
    "started": pgettext_lazy("invitation status, in a sentence", "started"),
    "submitted": pgettext_lazy("invitation status, in a sentence", "submitted"),
    "revoked": pgettext_lazy("invitation status, in a sentence", "revoked"),
    "opted_out": pgettext_lazy("invitation status, in a sentence", "opted out"),
    "failed": pgettext_lazy("invitation status, in a sentence", "failed"),
}


@login_required
@require_http_methods(["GET"])
def manage_overview(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organization's assessments with invitation counts, and its members; a fixed number of queries."""
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    return render(
        request,
        "responses/manage/overview.html",
        {
            "organization": organization,
            "assessments": organization_assessments(organization=organization),
            "members": organization_members(organization=organization),
        },
    )


def _invitations_url(assessment: Assessment) -> str:
    return reverse("responses:manage:invitations", args=[assessment.organization.slug, assessment.slug])


def _invitations_page(request, assessment, form, status=200) -> HttpResponse:
    page = Paginator(assessment_invitations(assessment=assessment), INVITATIONS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    page.object_list = list(page.object_list)
    for invitation in page.object_list:
        invitation.email_reason_display = email_reason_text(invitation.email_reason or "")
    context = {
        "organization": assessment.organization,
        "assessment": assessment,
        "form": form,
        "page": page,
        "counts": invitation_status_counts(assessment=assessment),
        "max_reminders": MAX_REMINDERS,
    }
    return render(request, "responses/manage/invitations.html", context, status=status)


@login_required
@never_cache  # the POST's response holds the only copy of the new links
@require_http_methods(["GET", "POST"])
def manage_invitations(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """The invitations with their status; POST creates a batch and shows its links, this once.

    Only hashes are stored, so the links page is rendered straight from the
    POST (no redirect: there would be nothing to show after it). Its "Download
    CSV" button sends the same tokens back to :func:`manage_invitations_csv`.
    """
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    if request.method == "POST":
        form = InvitationsCreateForm(request.POST, assessment=assessment)
        if not form.is_valid():
            return _invitations_page(request, assessment, form, status=400)
        try:
            tokens = invitation_batch_create(
                assessment=assessment,
                count=form.cleaned_data["count"],
                label=form.cleaned_data["label"],
                segment_values=form.segment_values(),
                key=form.cleaned_data["batch"],
                audience=form.cleaned_data["audience"],
            )
        except AssessmentClosedError as exc:  # closed since the form was checked
            form.add_error(None, exc)
            return _invitations_page(request, assessment, form, status=400)
        except BatchUsedError:
            messages.info(
                request,
                gettext(
                    "Those invitations were already created; reloading the page does not create more. "
                    "Their links were shown once: if you lost them, revoke them and create new ones."
                ),
            )
            return redirect(_invitations_url(assessment))
        return render(
            request,
            "responses/manage/invitations_created.html",
            {
                "organization": assessment.organization,
                "assessment": assessment,
                "links": [invitation_link(request, t) for t in tokens],
                "links_form": InvitationLinksForm(initial={"tokens": " ".join(tokens)}),
                "label": form.cleaned_data["label"],
            },
        )
    return _invitations_page(request, assessment, InvitationsCreateForm(assessment=assessment))


@require_POST
@login_required
def manage_invitations_csv(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """The links just created, as CSV (``organization,assessment,link``), from the tokens the page sends back.

    Every token must open an invitation of this assessment, so the endpoint
    writes nothing and echoes nothing that is not already the owner's.
    """
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    form = InvitationLinksForm(request.POST)
    if form.is_valid():
        tokens = form.cleaned_data["tokens"]
        hashes = {hash_token(t) for t in tokens}
        if Invitation.objects.filter(assessment=assessment, token_hash__in=hashes).count() == len(hashes):
            return invitations_csv_response(invitation_rows(request, assessment, tokens))
    messages.error(
        request, gettext("Those links are not invitations of this assessment, so there is nothing to download.")
    )
    return redirect(_invitations_url(assessment))


def _invitation_name(invitation: Invitation) -> str:
    if invitation.label:
        return gettext("Invitation #%(pk)s (%(label)s)") % {"pk": invitation.pk, "label": invitation.label}
    return gettext("Invitation #%(pk)s") % {"pk": invitation.pk}


@login_required
@require_http_methods(["GET", "POST"])
def manage_invitation_revoke(request: HttpRequest, org_slug: str, assessment_slug: str, pk: int) -> HttpResponse:
    """GET asks to confirm; POST revokes: the link opens nothing from then on."""
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    invitation = get_object_or_404(assessment_invitations(assessment=assessment), pk=pk)
    if request.method == "POST":
        if invitation_revoke(invitation=invitation):
            messages.success(
                request,
                gettext("%(invitation)s revoked: its link no longer opens.")
                % {"invitation": _invitation_name(invitation)},
            )
        else:
            status = STATUS_IN_SENTENCE.get(invitation.status, invitation.status)
            messages.info(
                request,
                gettext("%(invitation)s is %(status)s: nothing to revoke.")
                % {"invitation": _invitation_name(invitation), "status": status},
            )
        return redirect(_invitations_url(assessment))
    return render(
        request,
        "responses/manage/invitation_revoke.html",
        {"organization": assessment.organization, "assessment": assessment, "invitation": invitation},
    )
