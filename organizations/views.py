"""Owners' pages for an organization's members."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from organizations.forms import MembershipAddForm, MembershipRoleForm
from organizations.models import Membership, Organization
from organizations.selectors import MANAGE_ACCESS, granted_everywhere, organization_members, organizations_for_user
from organizations.services import LastOwnerError, membership_add, membership_change_role, membership_remove

LAST_OWNER_MESSAGE = "{org} needs at least one owner: make someone else an owner first."


def _managed_organization(request: HttpRequest, org_slug: str) -> Organization:
    return get_object_or_404(organizations_for_user(user=request.user, access=MANAGE_ACCESS), slug=org_slug)


def _members_url(organization: Organization) -> str:
    return reverse("organizations:manage:members", args=[organization.slug])


def _members_page(request, organization, form, status=200) -> HttpResponse:
    members = list(organization_members(organization=organization))
    context = {
        "organization": organization,
        "members": members,
        "form": form,
        "role_choices": Membership.Role.choices,
        "owner_count": sum(1 for m in members if m.role == Membership.Role.OWNER),
    }
    return render(request, "organizations/manage/members.html", context, status=status)


def _after_own_change(request: HttpRequest, organization: Organization) -> HttpResponse:
    # Someone who just gave up their own ownership can no longer open these pages.
    if organizations_for_user(user=request.user, access=MANAGE_ACCESS).filter(pk=organization.pk).exists():
        return redirect(_members_url(organization))
    return redirect("assessments:index")


@login_required
@require_http_methods(["GET", "POST"])
def manage_members(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The members and their roles; POST adds an existing user by username."""
    organization = _managed_organization(request, org_slug)
    if request.method == "POST":
        form = MembershipAddForm(request.POST, organization=organization)
        if form.is_valid():
            try:
                membership = membership_add(
                    organization=organization, user=form.cleaned_data["username"], role=form.cleaned_data["role"]
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, f"{membership.user.get_username()} added as {membership.get_role_display().lower()}."
                )
                return redirect(_members_url(organization))
        return _members_page(request, organization, form, status=400)
    return _members_page(request, organization, MembershipAddForm(organization=organization))


@require_POST
@login_required
def manage_member_role(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Change a member's role; the organization's last owner keeps theirs."""
    organization = _managed_organization(request, org_slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organization=organization)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose owner, analyst or respondent.")
        return redirect(_members_url(organization))
    try:
        membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except LastOwnerError:
        messages.error(request, LAST_OWNER_MESSAGE.format(org=organization.name))
        return redirect(_members_url(organization))
    messages.success(request, f"{membership.user.get_username()} is now {membership.get_role_display().lower()}.")
    return _after_own_change(request, organization)


@login_required
@require_http_methods(["GET", "POST"])
def manage_member_remove(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """GET asks to confirm; POST removes the member (their responses stay). The last owner stays."""
    organization = _managed_organization(request, org_slug)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organization=organization)
    if request.method == "POST":
        try:
            membership_remove(membership=membership)
        except LastOwnerError:
            messages.error(request, LAST_OWNER_MESSAGE.format(org=organization.name))
            return redirect(_members_url(organization))
        messages.success(request, f"{membership.user.get_username()} removed from {organization.name}.")
        return _after_own_change(request, organization)
    return render(
        request,
        "organizations/manage/member_remove.html",
        {
            "organization": organization,
            "membership": membership,
            "loses_own_access": membership.user == request.user and not granted_everywhere(request.user, MANAGE_ACCESS),
        },
    )
