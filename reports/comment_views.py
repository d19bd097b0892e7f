"""The report's comments: their CSV download, and the owners' page that hides a comment (contract section 15).

Both read the comments through :func:`reports.selectors.gap_report`, so
they show exactly what the report page shows: nothing while the report is
suppressed, and only the sections that reached the threshold.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from assessments.access import assessment_for
from organizations.selectors import MANAGE_ACCESS, REPORT_ACCESS
from reports.comments import render_comments_csv
from reports.selectors import gap_report
from responses.models import Comment
from responses.services import comment_hide


@login_required
@never_cache
def comments_csv(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """``section,text`` of the shown comments, the same bytes as ``manage.py export_comments``."""
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=REPORT_ACCESS)
    body = render_comments_csv(gap_report(assessment=assessment).comments)
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    filename = f"{assessment.organization.slug}-{assessment.slug}-comments.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class CommentHideForm(forms.Form):
    comment = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=Comment._meta.get_field("hidden_reason").max_length,
        help_text=gettext_lazy("Kept with the comment, for the owners."),
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def manage_comments(request: HttpRequest, org_slug: str, assessment_slug: str) -> HttpResponse:
    """The shown comments, each with a form to hide it; POST hides one, with its reason."""
    assessment = assessment_for(request.user, org_slug, assessment_slug, access=MANAGE_ACCESS)
    report = gap_report(assessment=assessment)
    comments = report.comments
    status = 200
    failed: tuple[int | None, CommentHideForm] | None = None
    if request.method == "POST":
        form = CommentHideForm(request.POST)
        shown = {c.id for s in comments.sections for c in s.comments} if comments is not None else set()
        if form.is_valid():
            # Only a comment this page shows can be hidden from it: any other id is not the owner's to see.
            if form.cleaned_data["comment"] not in shown:
                raise Http404("No such comment.")
            comment = Comment.objects.get(pk=form.cleaned_data["comment"])
            try:
                comment_hide(comment=comment, reason=form.cleaned_data["reason"])
            except ValidationError as exc:
                form.add_error("reason", exc.messages[0])
            else:
                messages.success(request, gettext("The comment is hidden: it is no longer shown, counted or exported."))
                return redirect(reverse("reports:comments", args=[org_slug, assessment_slug]))
        failed = (form.data.get("comment"), form)
        status = 400
    return render(
        request,
        "reports/comments_manage.html",
        {"assessment": assessment, "report": report, "comments": comments, "failed": failed},
        status=status,
    )
