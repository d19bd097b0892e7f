"""The account page of personal API tokens: list them, create one (shown once), revoke one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from api.forms import ApiTokenForm
from api.selectors import api_tokens_of
from api.services import api_token_create, api_token_revoke


def _page(request: HttpRequest, form: ApiTokenForm, secret: str | None = None, status: int = 200) -> HttpResponse:
    context = {"form": form, "tokens": api_tokens_of(user=request.user), "secret": secret}
    return render(request, "api/tokens.html", context, status=status)


@login_required
@never_cache
def token_list(request: HttpRequest) -> HttpResponse:
    """GET: the user's tokens. POST: a new one, whose secret this one response shows (it is stored hashed)."""
    if request.method != "POST":
        return _page(request, ApiTokenForm())
    form = ApiTokenForm(request.POST)
    if form.is_valid():
        try:
            _, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _page(request, ApiTokenForm(), secret=secret, status=201)
    return _page(request, form, status=400)


@require_POST
@login_required
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # Only the user's own tokens: another's is a 404, as anything not theirs.
    token = get_object_or_404(api_tokens_of(user=request.user), pk=pk)
    api_token_revoke(token=token)
    messages.success(
        request, _("The token “%(name)s” is revoked: it opens nothing from now on.") % {"name": token.name}
    )
    return redirect("api:tokens")
