"""The actions page of an organization, its roadmap and CSV, and the owners' pages that plan and change actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from actions.forms import ActionForm
from actions.models import Action, ActionStatus
from actions.selectors import actions_by_status, cell_plans, organization_actions, render_actions_csv, roadmap
from actions.services import action_create, action_delete, action_set_status, action_update
from assessments.models import Assessment
from common.roadmap import roadmap_maturity
from organizations.access import has_access, organization_for
from organizations.models import Organization
from organizations.selectors import MANAGE_ACCESS, REPORT_ACCESS
from taxonomy.models import Benefit


def _list_url(organization: Organization) -> str:
    return reverse("actions:list", args=[organization.slug])


@login_required
def action_list(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The actions grouped by status; ``?benefit=PATH`` and ``?round=SLUG`` narrow them."""
    organization = organization_for(request.user, org_slug, access=REPORT_ACCESS)
    actions = organization_actions(organization=organization)
    benefit_path, round_slug = request.GET.get("benefit", ""), request.GET.get("round", "")
    if benefit_path:
        actions = actions.filter(benefits__path=benefit_path)
    if round_slug:
        actions = actions.filter(assessment__slug=round_slug)
    actions = list(actions)
    context = {
        "organization": organization,
        "groups": actions_by_status(actions),
        "count": len(actions),
        "rounds": Assessment.objects.filter(organization=organization).order_by("-created_at"),
        "benefits": Benefit.objects.filter(actions__organization=organization).distinct().order_by("path"),
        "benefit_path": benefit_path,
        "round_slug": round_slug,
        "can_manage": has_access(request.user, organization.pk, access=MANAGE_ACCESS),
        "statuses": ActionStatus.choices,
    }
    return render(request, "actions/list.html", context)


@login_required
def action_roadmap(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The maturity of each cell against its target with the actions on its benefits, then the actions by quarter.

    ``?round=SLUG`` chooses the round whose levels are shown (default: the latest with results).
    """
    organization = organization_for(request.user, org_slug, access=REPORT_ACCESS)
    actions = list(organization_actions(organization=organization))
    maturity = roadmap_maturity(organization, request.GET.get("round") or None)
    context = {
        "organization": organization,
        "quarters": roadmap(actions),
        "maturity": maturity,
        "cells": cell_plans(actions, maturity.cells) if maturity is not None else [],
        "rounds": Assessment.objects.filter(organization=organization).order_by("-created_at"),
    }
    return render(request, "actions/roadmap.html", context)


@login_required
@never_cache
def action_csv(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The same bytes as ``manage.py export_actions --organization ORG``."""
    organization = organization_for(request.user, org_slug, access=REPORT_ACCESS)
    body = render_actions_csv(organization_actions(organization=organization))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{organization.slug}-actions.csv"'
    return response


def _form_page(request, organization, form, action=None, status=200) -> HttpResponse:
    context = {"organization": organization, "form": form, "action": action, "practices": []}
    return render(request, "actions/form.html", context, status=status)


def _practices(benefit: Benefit | None) -> list[str]:
    # The taxonomy's guidance: what organizations do to realize the benefit, offered as a starting point.
    return list(benefit.practices or []) if benefit is not None else []


@login_required
@require_http_methods(["GET", "POST"])
def action_create_view(request: HttpRequest, org_slug: str) -> HttpResponse:
    """Plan an action; ``?from=SLUG&benefit=PATH`` (the report's link) chooses the round and the benefit."""
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    if request.method == "POST":
        form = ActionForm(request.POST, organization=organization)
        if form.is_valid():
            try:
                action = action_create(organization=organization, **form.service_kwargs())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("“%(title)s” planned.") % {"title": action.title})
                return redirect(_list_url(organization))
        return _form_page(request, organization, form, status=400)
    initial: dict = {}
    assessment = Assessment.objects.filter(organization=organization, slug=request.GET.get("from", "")).first()
    if assessment is None:
        assessment = Assessment.objects.filter(organization=organization).order_by("-created_at").first()
    if assessment is not None:
        initial["assessment"] = assessment.pk
    benefit = Benefit.objects.filter(path=request.GET.get("benefit", "")).first()
    practices = _practices(benefit)
    if benefit is not None:
        initial["benefits"] = [benefit.pk]
        if practices:
            initial["description"] = "\n".join(f"- {p}" for p in practices)
    form = ActionForm(initial=initial, organization=organization)
    context = {"organization": organization, "form": form, "benefit": benefit, "practices": practices}
    return render(request, "actions/form.html", context)


def _action(organization: Organization, pk: int) -> Action:
    return get_object_or_404(Action.objects.select_related("assessment"), organization=organization, pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    action = _action(organization, pk)
    if request.method == "POST":
        form = ActionForm(request.POST, organization=organization)
        if form.is_valid():
            try:
                action_update(action=action, **form.service_kwargs())
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("“%(title)s” saved.") % {"title": action.title})
                return redirect(_list_url(organization))
        return _form_page(request, organization, form, action, status=400)
    form = ActionForm(initial=ActionForm.initial_for(action), organization=organization)
    return _form_page(request, organization, form, action)


@require_POST
@login_required
def action_status(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    action = _action(organization, pk)
    status = request.POST.get("status", "")
    if status not in ActionStatus.values:
        messages.error(request, _("Choose planned, in progress, done or dropped."))
    else:
        action_set_status(action=action, status=status)
        messages.success(
            request,
            _("“%(title)s” is now %(status)s.")
            % {"title": action.title, "status": action.get_status_display().lower()},
        )
    return redirect(_list_url(organization))


@login_required
@require_http_methods(["GET", "POST"])
def action_delete_view(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """GET asks for confirmation; POST deletes."""
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    action = _action(organization, pk)
    if request.method == "POST":
        action_delete(action=action)
        messages.success(request, _("“%(title)s” deleted.") % {"title": action.title})
        return redirect(_list_url(organization))
    return render(request, "actions/delete.html", {"organization": organization, "action": action})
