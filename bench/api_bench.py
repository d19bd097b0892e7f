#!/usr/bin/env python
"""Benchmark of the API's report against the report page's JSON download (contract section 18).

    DJANGO_DEBUG=1 .venv/bin/python bench/api_bench.py [--respondents 1000] [--repeat 21]

Builds, in its own SQLite file ``bench/api-bench.sqlite3`` (gitignored), one
closed assessment of ``--respondents`` respondents who each rate all 61
benefit nodes on both scales, then times, as the median of ``--repeat``
rounds (the two requests interleaved, so that load on the machine hits both
alike), through Django's test client and the whole middleware stack:

- ``GET /o/<org>/<assessment>/report.json`` with a logged-in session;
- ``GET /api/v1/organizations/<org>/assessments/<assessment>/report`` with a
  personal token (its lookup and its rate-limit count included).

It prints both and their ratio (the goal: at most 1.2). The two bodies must
be the same bytes, or it stops.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB = ROOT / "bench" / "api-bench.sqlite3"
ORG = "Bench API Org"
GOAL = 1.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    # Every timed request counts against the token's limit; the bench is not about the limit.
    os.environ["API_RATE_LIMIT"] = "1000000"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from api.services import api_token_create
    from assessments.models import Assessment
    from assessments.services import assessment_get_or_create
    from organizations.models import Membership
    from organizations.services import organization_get_or_create
    from responses.imports.services import responses_import
    from responses.respond.services import Rating
    from taxonomy.models import Benefit

    call_command("migrate", verbosity=0)
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    org, _ = organization_get_or_create(name=ORG)
    title = f"Bench {args.respondents}"
    assessment, created = assessment_get_or_create(organization=org, title=title)
    if created or not assessment.responses.exists():
        rng = random.Random(args.respondents)
        benefits = list(Benefit.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
        centres = {pk: (rng.uniform(2.5, 4.5), rng.uniform(1.8, 4.0)) for pk in benefits}
        ratings = {
            f"r{r:06d}": [
                Rating(pk, dim, min(5, max(1, round(rng.gauss(centre, 1.0)))))
                for pk in benefits
                for dim, centre in zip(("importance", "realization"), centres[pk], strict=True)
            ]
            for r in range(args.respondents)
        }
        responses_import(assessment=assessment, ratings_by_respondent=ratings)
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED)
    user, _ = get_user_model().objects.get_or_create(username="api-bench")
    Membership.objects.get_or_create(user=user, organization=org, defaults={"role": Membership.Role.ANALYST})
    _, secret = api_token_create(user=user, name="bench")

    page, api = Client(HTTP_HOST="localhost"), Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {secret}")
    page.force_login(user)
    page_url = f"/o/{org.slug}/{assessment.slug}/report.json"
    api_url = f"/api/v1/organizations/{org.slug}/assessments/{assessment.slug}/report"
    first_page, first_api = page.get(page_url), api.get(api_url)
    assert first_page.status_code == first_api.status_code == 200, (first_page.status_code, first_api.status_code)
    assert first_page.content == first_api.content, "the API's report differs from the page's download"

    times: dict[str, list[float]] = {"page": [], "api": []}
    for _ in range(args.repeat):
        for name, client, url in (("page", page, page_url), ("api", api, api_url)):
            start = time.perf_counter()
            client.get(url)
            times[name].append(time.perf_counter() - start)
    page_ms, api_ms = (statistics.median(times[n]) * 1000 for n in ("page", "api"))
    ratio = api_ms / page_ms
    print(f"Report of {args.respondents} respondents, median of {args.repeat}:")
    print(f"  page's JSON download  {page_ms:8.1f} ms")
    print(f"  API report            {api_ms:8.1f} ms")
    print(f"  ratio                 {ratio:8.2f}x (goal: at most {GOAL}x) {'OK' if ratio <= GOAL else 'OVER'}")


if __name__ == "__main__":
    main()
