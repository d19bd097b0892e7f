from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static

from taxonomy.scales import IMPORTANCE_SCALE, REALIZATION_SCALE
from taxonomy.selectors import benefit_page, taxonomy_matrix


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico where a page names no icon (the admin's): send them to ours."""
    # Resolved per request: with hashed static names the URL exists only after collectstatic.
    return redirect(static("favicon.svg"))


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: what is measured and why, and the whole benefit matrix."""
    rows = taxonomy_matrix()
    return render(
        request,
        "taxonomy/home.html",
        {
            "rows": rows,
            "scopes": [cell.scope for cell in rows[0].cells] if rows else [],
            "node_count": sum(len(cell.benefits) for row in rows for cell in row.cells),
            "scales": [IMPORTANCE_SCALE, REALIZATION_SCALE],
        },
    )


def benefit(request: HttpRequest, path: str) -> HttpResponse:
    """One benefit node: what it means in its concept and scope, how to see it, what to do to get it."""
    page = benefit_page(path=path)
    if page is None:
        raise Http404("No benefit at this address.")
    return render(request, "taxonomy/benefit.html", {"page": page, "benefit": page.benefit})
