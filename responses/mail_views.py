"""The opt-out page of e-mailed invitations: GET asks, POST opts out (also the one-click POST of RFC 8058)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from responses.mail import invitation_opt_out
from responses.selectors import invitation_for_token


# Exempt from CSRF: a mail client's one-click POST carries no CSRF token, and the token in the URL is
# the credential; opting out is all this POST can do, and it is what the address's owner asked for.
@csrf_exempt
@never_cache
@require_http_methods(["GET", "POST"])
def opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a confirmation and changes nothing (mail scanners follow links); POST opts out."""
    invitation = invitation_for_token(token)
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
