"""Invitation links as a CSV download, shared by the admin action and the owner's invitations page.

Tokens exist only in the request that created them (only their hashes are
stored), so every download here is built from tokens the caller holds right
now and is marked never to be cached: a shared proxy or the browser's back
button must not keep a copy of the links.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from assessments.models import Assessment

INVITATION_CSV_COLUMNS = ("organization", "assessment", "link")


def invitation_path(token: str) -> str:
    """The site-relative link a respondent opens."""
    return reverse("responses:invitation:start", kwargs={"token": token})


def invitation_link(request: HttpRequest, token: str) -> str:
    """The absolute link a respondent opens, on the host the request came in on."""
    return request.build_absolute_uri(invitation_path(token))


def invitation_rows(request: HttpRequest, assessment: Assessment, tokens: Iterable[str]) -> list[tuple[str, str, str]]:
    """CSV rows ``(organization, assessment, link)`` for ``tokens`` of one assessment."""
    organization, title = assessment.organization.name, assessment.title
    return [(organization, title, invitation_link(request, t)) for t in tokens]


def invitations_csv_response(rows: Iterable[tuple[str, str, str]]) -> HttpResponse:
    """An attachment ``invitations-<timestamp>.csv`` with the header ``organization,assessment,link``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    response["Content-Disposition"] = f'attachment; filename="invitations-{stamp}.csv"'
    add_never_cache_headers(response)
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(INVITATION_CSV_COLUMNS)
    writer.writerows(rows)
    return response
