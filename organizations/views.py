"""Owners' pages for an organization's members, and the page an invited person joins from."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from common.mail import site_url
from organizations.access import has_access, organization_for
from organizations.forms import BenchmarkForm, JoinAccountForm, MemberInviteForm, MembershipRoleForm, OrganizationForm
from organizations.mail import LINK_VALID, ROLE_SENTENCES
from organizations.models import MemberInvitation, Membership, Organization
from organizations.selectors import (
    MANAGE_ACCESS,
    granted_everywhere,
    member_invitation_for_token,
    member_invitation_is_for,
    member_invitations_waiting,
    organization_members,
)
from organizations.services import (
    AccountExistsError,
    EmailLimitError,
    InvitationClosedError,
    LastOwnerError,
    WrongAccountError,
    account_username,
    member_invitation_accept,
    member_invitation_accept_new_account,
    member_invitation_create,
    member_invitation_resend,
    member_invitation_revoke,
    membership_change_role,
    membership_remove,
    organization_create,
    organization_set_benchmark,
)

LAST_OWNER_MESSAGE = gettext_lazy("%(organization)s needs at least one owner: make someone else an owner first.")


def _members_url(organization: Organization) -> str:
    return reverse("organizations:manage:members", args=[organization.slug])


def _members_page(request, organization, form, status=200) -> HttpResponse:
    members = list(organization_members(organization=organization))
    context = {
        "organization": organization,
        "members": members,
        "form": form,
        "invitations": list(member_invitations_waiting(organization=organization)),
        "role_choices": Membership.Role.choices,
        "owner_count": sum(1 for m in members if m.role == Membership.Role.OWNER),
        "link_valid_days": LINK_VALID.days,
    }
    return render(request, "organizations/manage/members.html", context, status=status)


def _after_own_change(request: HttpRequest, organization: Organization) -> HttpResponse:
    # Someone who just gave up their own ownership can no longer open these pages.
    if has_access(request.user, organization.pk, access=MANAGE_ACCESS):
        return redirect(_members_url(organization))
    return redirect("assessments:index")


@login_required
@require_http_methods(["GET", "POST"])
def organization_new(request: HttpRequest) -> HttpResponse:
    """Any logged-in user starts an organization and becomes its owner."""
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = organization_create(name=form.cleaned_data["name"], owner=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("%(organization)s is created and you are its owner. Next: create its first assessment.")
                % {"organization": organization.name},
            )
            return redirect("responses:overview", organization.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "organizations/new.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def manage_members(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The members and their roles, and the invitations waiting; POST invites someone by e-mail.

    The answer to a POST is the same whether or not the address has an
    account here: the e-mail goes either way, and its holder logs in or
    creates one.
    """
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    if request.method == "POST":
        form = MemberInviteForm(request.POST)
        if form.is_valid():
            try:
                invitation = member_invitation_create(
                    organization=organization,
                    email=form.cleaned_data["email"],
                    role=form.cleaned_data["role"],
                    invited_by=request.user,
                    base_url=site_url(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Invitation to join as %(role)s e-mailed to %(email)s. They become a member when they accept it.")
                    % {"role": invitation.get_role_display().lower(), "email": invitation.email},
                )
                return redirect(_members_url(organization))
        return _members_page(request, organization, form, status=400)
    return _members_page(request, organization, MemberInviteForm())


@require_POST
@login_required
def manage_member_invitation_resend(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """E-mail a waiting invitation again with a new link; the earlier link stops working."""
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    invitation = get_object_or_404(MemberInvitation, pk=pk, organization=organization)
    try:
        resent = member_invitation_resend(invitation=invitation, base_url=site_url(request))
    except EmailLimitError as exc:
        messages.error(request, str(exc))
        return redirect(_members_url(organization))
    if resent:
        messages.success(
            request,
            _("A new link is on its way to %(email)s; the earlier one no longer works.") % {"email": invitation.email},
        )
    else:
        messages.info(
            request,
            _("The invitation to %(email)s is being sent already, or is no longer waiting.")
            % {"email": invitation.email},
        )
    return redirect(_members_url(organization))


@require_POST
@login_required
def manage_member_invitation_revoke(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Withdraw a waiting invitation: its link stops working."""
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    invitation = get_object_or_404(MemberInvitation, pk=pk, organization=organization)
    if member_invitation_revoke(invitation=invitation):
        messages.success(
            request,
            _("The invitation to %(email)s is revoked: its link no longer works.") % {"email": invitation.email},
        )
    else:
        messages.info(request, _("The invitation to %(email)s was no longer waiting.") % {"email": invitation.email})
    return redirect(_members_url(organization))


@require_POST
@login_required
def manage_member_role(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """Change a member's role; the organization's last owner keeps theirs."""
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organization=organization)
    form = MembershipRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose owner, analyst or respondent."))
        return redirect(_members_url(organization))
    try:
        membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except LastOwnerError:
        messages.error(request, LAST_OWNER_MESSAGE % {"organization": organization.name})
        return redirect(_members_url(organization))
    messages.success(
        request,
        _("%(username)s is now %(role)s.")
        % {"username": membership.user.get_username(), "role": membership.get_role_display().lower()},
    )
    return _after_own_change(request, organization)


@login_required
@require_http_methods(["GET", "POST"])
def manage_member_remove(request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
    """GET asks to confirm; POST removes the member (their responses stay). The last owner stays."""
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=pk, organization=organization)
    if request.method == "POST":
        try:
            membership_remove(membership=membership)
        except LastOwnerError:
            messages.error(request, LAST_OWNER_MESSAGE % {"organization": organization.name})
            return redirect(_members_url(organization))
        messages.success(
            request,
            _("%(username)s removed from %(organization)s.")
            % {"username": membership.user.get_username(), "organization": organization.name},
        )
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


# --- Joining from an e-mailed link ---
#
# The token is the access check, as for survey links. These pages look the
# same to everyone who holds a working link, and say nothing of accounts:
# a logged-in visitor joins as themselves, anyone else logs in or chooses a
# password for an account named after the invited address.

LINK_CLOSED_STATUS = 404


def _join_url(token: str) -> str:
    return reverse("organizations:join", args=[token])


def _join_page(request, invitation, token, form=None, status=200) -> HttpResponse:
    context = {
        "invitation": invitation,
        "token": token,
        "role_sentence": ROLE_SENTENCES[invitation.role],
        "form": form or JoinAccountForm(invitation=invitation),
        "login_url": reverse("accounts:login") + "?next=" + _join_url(token),
        "username": account_username(invitation.email),
    }
    # The site's same-origin referrer policy keeps the token from other sites; "no-referrer" would make
    # browsers send "Origin: null" with the page's forms, which the CSRF check rightly refuses.
    return render(request, "organizations/join/join.html", context, status=status)


def _link_closed(request: HttpRequest) -> HttpResponse:
    return render(
        request, "organizations/join/closed.html", {"link_valid_days": LINK_VALID.days}, status=LINK_CLOSED_STATUS
    )


def _someone_else(request: HttpRequest, invitation: MemberInvitation) -> HttpResponse:
    """An owner's or analyst's link, opened by another account: it says so, and changes nothing."""
    return render(request, "organizations/join/someone_else.html", {"invitation": invitation}, status=403)


def _joined(request: HttpRequest, membership: Membership, outcome: str) -> HttpResponse:
    organization = membership.organization
    if outcome == "joined":
        messages.success(
            request,
            _("You are now a member of %(organization)s (%(role)s).")
            % {"organization": organization.name, "role": membership.get_role_display()},
        )
    elif outcome == "promoted":
        messages.success(
            request,
            _("You are now %(role)s of %(organization)s.")
            % {"role": membership.get_role_display().lower(), "organization": organization.name},
        )
    else:
        messages.info(
            request,
            _("You were already a member of %(organization)s (%(role)s): your role is unchanged.")
            % {"organization": organization.name, "role": membership.get_role_display().lower()},
        )
    return redirect("assessments:index")


@never_cache
@require_http_methods(["GET", "POST"])
def join(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the invitation (and changes nothing); POST, logged in, joins as the visitor."""
    invitation = member_invitation_for_token(token=token)
    if invitation is None:
        return _link_closed(request)
    if request.user.is_authenticated and not member_invitation_is_for(invitation, request.user):
        return _someone_else(request, invitation)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(_join_url(token))
        try:
            membership, outcome = member_invitation_accept(invitation=invitation, user=request.user)
        except InvitationClosedError:
            return _link_closed(request)
        except WrongAccountError:
            return _someone_else(request, invitation)
        return _joined(request, membership, outcome)
    return _join_page(request, invitation, token)


@never_cache
@sensitive_post_parameters("password1", "password2")
@require_POST
def join_new_account(request: HttpRequest, token: str) -> HttpResponse:
    """Create the account named after the invited address, log in, and join."""
    invitation = member_invitation_for_token(token=token)
    if invitation is None:
        return _link_closed(request)
    if request.user.is_authenticated:
        return redirect(_join_url(token))
    form = JoinAccountForm(request.POST, invitation=invitation)
    if not form.is_valid():
        return _join_page(request, invitation, token, form, status=400)
    try:
        user, membership = member_invitation_accept_new_account(
            invitation=invitation, password=form.cleaned_data["password1"]
        )
    except InvitationClosedError:
        return _link_closed(request)
    except AccountExistsError:
        # Only the holder of the link, who received it at this address, can get here.
        form.add_error(None, "This address already has an account here: log in with it to join.")
        return _join_page(request, invitation, token, form, status=400)
    except ValidationError as exc:
        # Its messages only: the account's fields (a username...) are not this form's.
        form.add_error(None, exc.messages)
        return _join_page(request, invitation, token, form, status=400)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if user.get_username() != invitation.email:
        messages.info(
            request, _("Your username is %(username)s: you log in with it.") % {"username": user.get_username()}
        )
    return _joined(request, membership, "joined")


@login_required
@require_http_methods(["GET", "POST"])
def manage_settings(request: HttpRequest, org_slug: str) -> HttpResponse:
    """The organization's settings: taking part in the benchmark across organizations (contract section 16)."""
    organization = organization_for(request.user, org_slug, access=MANAGE_ACCESS)
    # Not ``request.POST or None``: leaving posts an unchecked box, an empty form that is still a submission.
    data = request.POST if request.method == "POST" else None
    form = BenchmarkForm(data, initial={"benchmark": organization.benchmark})
    if request.method == "POST" and form.is_valid():
        taking_part = form.cleaned_data["benchmark"]
        organization_set_benchmark(organization=organization, taking_part=taking_part)
        if taking_part:
            messages.success(
                request, _("%(organization)s takes part in the benchmark.") % {"organization": organization.name}
            )
        else:
            messages.success(
                request,
                _("%(organization)s no longer takes part in the benchmark; its figures have left it.")
                % {"organization": organization.name},
            )
        return redirect("organizations:manage:settings", organization.slug)
    status = 400 if request.method == "POST" else 200
    context = {"organization": organization, "form": form}
    return render(request, "organizations/manage/settings.html", context, status=status)
