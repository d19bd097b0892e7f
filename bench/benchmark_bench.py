#!/usr/bin/env python
"""Benchmark of the benchmark across organizations (contract section 16).

    DJANGO_DEBUG=1 .venv/bin/python bench/benchmark_bench.py [--organizations 200] [--respondents 10] [--repeat 5]

Builds, in ``bench/benchmark.sqlite3`` (gitignored; or the database of
``DATABASE_URL``, where it first deletes its own earlier organizations), that
many organizations taking part, each with one closed assessment of
``--respondents`` respondents rating all 61 benefit nodes on both scales, and
times (the median of ``--repeat`` runs) with the number of queries of each:

- the pool computed afresh (``reports.benchmark.benchmark_pool`` after
  ``cache.clear()``): the release rule over every contributing assessment;
- the pool from the cache (what every report of a taking-part organization pays);
- the report of one taking-part organization, against the same report of an
  organization that does not take part;
- ``benchmark_report`` (``reports.benchmark.benchmark``) from the cache.

The query counts must not grow with ``--organizations``: run it with 20 and
with 200 and compare.
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
PREFIX = "Bench benchmark "


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organizations", type=int, default=200)
    parser.add_argument("--respondents", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'bench' / 'benchmark.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from assessments.models import Assessment
    from organizations.models import Organization
    from reports.benchmark import benchmark, benchmark_pool
    from reports.selectors import gap_report
    from responses.imports.services import responses_import
    from responses.models import Answer, Response
    from responses.respond.services import Rating
    from taxonomy.models import Benefit
    from tests.factories import AssessmentFactory, OrganizationFactory

    call_command("migrate", verbosity=0)
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    mine = Organization.objects.filter(name__startswith=PREFIX)
    Answer.objects.filter(response__assessment__organization__in=mine).delete()
    Response.objects.filter(assessment__organization__in=mine).delete()
    Assessment.objects.filter(organization__in=mine).delete()
    mine.delete()

    benefits = list(Benefit.objects.filter(is_active=True).values_list("pk", flat=True))
    rng = random.Random(16)
    start = time.perf_counter()
    assessments = []
    for o in range(args.organizations + 1):
        # The last one does not take part: the report without the benchmark, to compare with.
        taking_part = o < args.organizations
        organization = OrganizationFactory(
            name=f"{PREFIX}{o:04d}", slug=f"bench-benchmark-{o:04d}", benchmark=taking_part
        )
        assessment = AssessmentFactory(organization=organization, title="Baseline", slug="baseline")
        centres = {pk: (rng.uniform(2.5, 4.5), rng.uniform(1.8, 4.0)) for pk in benefits}
        ratings = {
            f"r{r:03d}": [
                Rating(pk, dim, None if rng.random() < 0.04 else min(5, max(1, round(rng.gauss(centre, 1.0)))))
                for pk in benefits
                for dim, centre in zip(("importance", "realization"), centres[pk], strict=True)
            ]
            for r in range(args.respondents)
        }
        responses_import(assessment=assessment, ratings_by_respondent=ratings)
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED, closed_at=timezone.now())
        assessments.append(assessment)
    build_s = time.perf_counter() - start
    answers = args.organizations * args.respondents * len(benefits) * 2
    print(
        f"{connection.vendor}: {args.organizations} organizations taking part, {args.respondents} respondents each, "
        f"{answers} answers; built in {build_s:.0f} s"
    )

    def queries(fn) -> int:
        with CaptureQueriesContext(connection) as captured:
            fn()
        return len(captured.captured_queries)

    def cold():
        cache.clear()
        return benchmark_pool()

    taking = Assessment.objects.select_related("organization").get(pk=assessments[0].pk)
    plain = Assessment.objects.select_related("organization").get(pk=assessments[-1].pk)
    assert len(cold().contributions) == args.organizations
    rows = [
        ("pool, computed afresh", cold),
        ("pool, from the cache", benchmark_pool),
        ("report, organization taking part", lambda: gap_report(assessment=taking)),
        ("report, organization not taking part", lambda: gap_report(assessment=plain)),
        ("benchmark_report figures (cached pool)", benchmark),
    ]
    benchmark_pool()
    for name, fn in rows:
        n = queries(fn)
        seconds = median_time(fn, args.repeat)
        print(f"  {name:<42} {seconds * 1000:9.1f} ms  {n:3d} queries")


if __name__ == "__main__":
    main()
