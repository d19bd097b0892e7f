#!/usr/bin/env python
"""Benchmark of the respondent form: a section GET and a section POST.

    DJANGO_DEBUG=1 .venv/bin/python bench/form_bench.py [--repeat 50]

Through Django's test client (the whole request: URL routing, middleware,
the invitation lookup, the questionnaire, the crispy-forms matrix, the
template, and for the POST validation and the bulk save), on the largest
section (social networking, external: 22 nodes, 44 questions). Prints the
median, and the 90th percentile, of ``--repeat`` timed requests after a
warm-up. Each POST changes every answer, so every one really writes.

It runs in a throwaway test database (SQLite in memory by default; with
``DATABASE_URL`` set, a ``test_<name>_formbench_<pid>`` database beside the
one named there, created and dropped), so it never touches real data nor
another test run's database. Target on the
project's 2-core machine: under 50 ms each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

TARGET_MS = 50.0
# A section's GET against the cheapest page there is (the health check, through the same middleware).
HEALTHZ_RATIO = 12.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=50, help="timed requests of each kind (default 50)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    # As the test runner does: DEBUG off (no query log), a throwaway database.
    setup_test_environment(debug=False)
    if connection.vendor != "sqlite":
        # Its own database name: never clobber the test database of a test run going on beside it.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = (
            f"test_{connection.settings_dict['NAME']}_formbench_{os.getpid()}"
        )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from assessments.selectors import assessment_questionnaire
        from assessments.services import assessment_get_or_create
        from organizations.services import organization_get_or_create
        from responses.invitations.services import invitations_create
        from responses.models import Response
        from responses.respond.services import response_revision

        call_command("load_taxonomy", verbosity=0)
        org, _ = organization_get_or_create(name="Bench Org")
        assessment, _ = assessment_get_or_create(organization=org, title="Form bench")
        token = invitations_create(assessment=assessment, count=1)[0]
        client = Client()
        client.post(f"/i/{token}/")
        response = Response.objects.get()
        # The pages the form shows (a long section is split), as bench/load_test.py takes them.
        sections = assessment_questionnaire(assessment=assessment).paged().sections
        largest = max(sections, key=lambda s: len(s.benefits))
        number = largest.index + 1
        url = f"/i/{token}/section/{number}/"
        fields = [f"q-{b.id}-{q.dimension}" for b in largest.benefits for q in b.questions]

        def post_data(i: int) -> dict[str, str]:
            response.refresh_from_db(fields=["updated_at"])
            value = "dk" if i % 6 == 5 else str(i % 6 + 1)
            data = dict.fromkeys(fields, value)
            data.update(section=str(number), revision=response_revision(response), action="save")
            return data

        def timed(fn) -> float:
            start = time.perf_counter()
            result = fn()
            elapsed = (time.perf_counter() - start) * 1000
            assert result.status_code in (200, 302), result.status_code
            return elapsed

        for i in range(5):  # warm-up: template and URL caches, the one-off question snapshot
            client.get(url)
            client.post(url, post_data(i))
        for _ in range(5):
            client.get("/healthz")
        # Interleaved, so that load on the machine hits both alike.
        gets, health = [], []
        for _ in range(args.repeat):
            gets.append(timed(lambda: client.get(url)))
            health.append(timed(lambda: client.get("/healthz")))
        posts = []
        for i in range(args.repeat):
            data = post_data(i)
            posts.append(timed(lambda data=data: client.post(url, data)))

        vendor = connection.vendor
        print(
            f"form bench ({vendor}, section {number} {largest.concept.slug}/{largest.scope.slug}: "
            f"{len(largest.benefits)} nodes, {len(fields)} questions, {args.repeat} requests each)"
        )
        ok = True
        for name, times in (("GET ", gets), ("POST", posts)):
            median = statistics.median(times)
            p90 = statistics.quantiles(times, n=10)[-1]
            verdict = "ok" if median < TARGET_MS else f"SLOWER than the {TARGET_MS:.0f} ms target"
            ok = ok and median < TARGET_MS
            print(f"  section {name} median {median:6.1f} ms   p90 {p90:6.1f} ms   {verdict}")
        ratio = statistics.median(gets) / statistics.median(health)
        verdict = "ok" if ratio <= HEALTHZ_RATIO else f"SLOWER than the {HEALTHZ_RATIO:.0f}x goal"
        ok = ok and ratio <= HEALTHZ_RATIO
        print(
            f"  /healthz GET median {statistics.median(health):6.2f} ms; "
            f"section GET / healthz: {ratio:.1f}x   {verdict}"
        )
        return 0 if ok else 1
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    sys.exit(main())
