#!/usr/bin/env python
"""Benchmark of the gap report against the floor, and of import and export.

    DJANGO_DEBUG=1 .venv/bin/python bench/report_bench.py [--sizes 1000 10000] [--repeat 11]

For each size it builds, in its own SQLite file ``bench/report-<size>.sqlite3``
(gitignored), one assessment of <size> respondents who each rate all 61
benefit nodes on both scales (122 answers each, about 4% "Don't know"), then
times, as the median of ``--repeat`` runs (the report and the floors
interleaved, round after round, so that load on the machine hits them alike):

- the report computation (``reports.selectors.gap_report``, every key of
  contract sections 4 and 5), as served (its tallies kept since the last
  submission, ``reports.aggregates.atoms_for``), as the first request after a
  submission (nothing kept), and rendered as JSON;
- the report by segment (``reports.segments.segment_report``) of
  ``SEGMENT_GROUPS`` teams, timed in the same rounds as the floor;
- ``export_responses`` (when that command exists);
- the report of a 40-respondent assessment added to the same database, to
  compare with the 40-respondent size alone (the plan must not depend on
  which assessment is asked);
- the floor: the fastest way the same database computes a per-question
  ``COUNT`` and ``AVG`` over the answers table (on SQLite both the plain
  ``GROUP BY`` and a full scan with ``NOT INDEXED``; the faster counts);
- the report of a second round of <size> respondents whose previous round is
  the first (contract section 8: the trend and the cells' gaps over the
  chain), against the floor over both rounds' answers, which is what it reads.

Each size runs in a child process so each has its own database and the floor
covers exactly that assessment's answers. With ``DATABASE_URL`` set, that
database is used instead (its answers table is emptied of earlier bench data
first; use a throwaway database).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
ORG = "Bench Org"
# The size of the small assessment timed beside each big one (and alone, as a size of its own).
SMALL = 40
# The segments every respondent is in (key: number of groups), so that the
# release rule works across four segments together; the team report is the
# one with SEGMENT_GROUPS groups.
SEGMENTS = {"team": 8, "site": 3, "role": 2, "tenure": 3}
SEGMENT_GROUPS = SEGMENTS["team"]


def median_time(fn, repeat: int) -> float:
    return median_times({"": fn}, repeat)[""]


def median_times(fns: dict, repeat: int) -> dict[str, float]:
    """Median time of each function, run in turn round after round.

    Interleaving makes a burst of load on the machine hit every function
    alike, so ratios between them (report / floor) stay fair.
    """
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def child(size: int, repeat: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "1")
    import django

    django.setup()
    from django.core.management import call_command, get_commands
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from assessments.models import Assessment
    from assessments.services import assessment_create, assessment_get_or_create
    from organizations.models import Organization
    from organizations.services import organization_get_or_create
    from reports.aggregates import atoms_forget
    from reports.renderers import render_json, render_segment_json
    from reports.segments import segment_for_key, segment_report
    from reports.selectors import gap_report
    from reports.statistics import t_quantile_975
    from responses.imports.services import responses_import
    from responses.models import Answer, Response
    from responses.respond.services import Rating
    from taxonomy.models import Benefit

    call_command("migrate", verbosity=0)
    call_command("load_taxonomy", verbosity=0, stdout=io.StringIO(), stderr=io.StringIO())
    # A previous run against DATABASE_URL: start from an empty answers table.
    Answer.objects.filter(response__assessment__organization__name=ORG).delete()
    Response.objects.filter(assessment__organization__name=ORG).delete()
    Assessment.objects.filter(organization__name=ORG).delete()
    Organization.objects.filter(name=ORG).delete()

    title = f"Bench {size}"
    benefits = list(Benefit.objects.filter(is_active=True).order_by("pk").values_list("pk", "path"))
    rng = random.Random(size)
    # Each benefit gets a typical importance and realization; respondents vary around them.
    centres = {pk: (rng.uniform(2.5, 4.5), rng.uniform(1.8, 4.0)) for pk, _ in benefits}

    def make_ratings(count: int, prefix: str = "r") -> dict[str, list]:
        made: dict[str, list] = {}
        for r in range(count):
            rows = []
            for pk, _ in benefits:
                ci, cr = centres[pk]
                for dim, centre in (("importance", ci), ("realization", cr)):
                    value = None if rng.random() < 0.04 else min(5, max(1, round(rng.gauss(centre, 1.0))))
                    rows.append(Rating(pk, dim, value))
            made[f"{prefix}{r:06d}"] = rows
        return made

    ratings = make_ratings(size)
    values = size * len(benefits) * 2
    commands = get_commands()

    org, _ = organization_get_or_create(name=ORG)
    if "import_responses" in commands:
        paths = dict(benefits)
        csv_path = BENCH / f"responses-{size}.csv"
        with csv_path.open("w", encoding="utf-8") as f:
            f.write("respondent,benefit,dimension,value\n")
            for respondent, rows in ratings.items():
                for x in rows:
                    f.write(f"{respondent},{paths[x.benefit_id]},{x.dimension},{'' if x.value is None else x.value}\n")
        # Every respondent in a group of each of the SEGMENTS, drawn at random.
        seg_path = BENCH / f"segments-{size}.csv"
        with seg_path.open("w", encoding="utf-8") as f:
            f.write(f"respondent,{','.join(SEGMENTS)}\n")
            for respondent in ratings:
                groups = [f"{key}-{rng.randrange(n) + 1}" for key, n in SEGMENTS.items()]
                f.write(f"{respondent},{','.join(groups)}\n")
        start = time.perf_counter()
        call_command(
            "import_responses",
            str(csv_path),
            organization=ORG,
            assessment=title,
            segments=str(seg_path),
            stdout=io.StringIO(),
            stderr=io.StringIO(),
        )
        import_s = time.perf_counter() - start
        csv_path.unlink()
        seg_path.unlink()
        how = "import_responses (CSV file)"
    else:
        assessment, _ = assessment_get_or_create(organization=org, title=title)
        start = time.perf_counter()
        responses_import(assessment=assessment, ratings_by_respondent=ratings)
        import_s = time.perf_counter() - start
        Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED)
        how = "responses_import service"
    del ratings
    assessment = Assessment.objects.select_related("organization").get(organization__name=ORG, title=title)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor != "postgresql" else "ANALYZE responses_answer")
    t_quantile_975(size - 1)  # import scipy once, outside the timings

    def report():
        return gap_report(assessment=assessment)

    floor_sql = (
        "SELECT benefit_id, COUNT(importance), AVG(importance), COUNT(realization), AVG(realization) "
        "FROM responses_answer{} GROUP BY benefit_id"
    )
    floors = {"GROUP BY": floor_sql.format("")}
    if connection.vendor == "sqlite":
        floors["full scan (NOT INDEXED)"] = floor_sql.format(" NOT INDEXED")

    def run(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchall()

    def first(fn):
        """``fn`` as the first request after a submission: no tallies kept (``reports.aggregates.atoms_for``)."""

        def cold():
            atoms_forget()
            return fn()

        return cold

    timed = {
        "report": report,
        "json": lambda: render_json(report()),
        **{name: (lambda sql=sql: run(sql)) for name, sql in floors.items()},
    }
    # Each segment's report (the release rule over all four), in the same rounds as the floor.
    team = segment_for_key(assessment=assessment, key="team")
    by_segment = team is not None and size >= SEGMENT_GROUPS * assessment.min_group_size
    if by_segment:
        for key in SEGMENTS:
            chosen = segment_for_key(assessment=assessment, key=key)
            timed[f"segment:{key}"] = lambda chosen=chosen: segment_report(assessment=assessment, segment=chosen)
        timed["segment-json:team"] = lambda: render_segment_json(segment_report(assessment=assessment, segment=team))
    for fn in timed.values():
        fn()  # warm the caches
    medians = median_times(timed, repeat)
    # Apart, since each of them drops what the others keep.
    cold = {"report": first(report)}
    if by_segment:
        cold["segment"] = first(lambda: segment_report(assessment=assessment, segment=team))
    cold_medians = median_times(cold, repeat)
    report_first_s, segment_first_s = cold_medians["report"], cold_medians.get("segment")
    report_s = medians.pop("report")
    json_s = medians.pop("json")
    segment_json_s = medians.pop("segment-json:team", None)
    segment_times = {k.split(":", 1)[1]: medians.pop(k) for k in list(medians) if k.startswith("segment:")}
    segment_s = segment_times.get("team")
    floor_times = medians
    with CaptureQueriesContext(connection) as ctx:
        result = report()
    report_queries = len(ctx.captured_queries)
    assert result.respondents == size and not result.suppressed, (result.respondents, result.reason)

    segment_queries = None
    if by_segment:
        with CaptureQueriesContext(connection) as ctx:
            by_team = segment_report(assessment=assessment, segment=team)
        segment_queries = len(ctx.captured_queries)
        assert any(g.respondents for g in by_team.groups)

    floor_name = min(floor_times, key=floor_times.get)
    floor_s = floor_times[floor_name]

    # What an analyst gets through the whole request (session, access, the report, the template or
    # the encoder), against the same floor, timed in its own rounds beside it.
    pages = pages_timed(assessment, team if by_segment else None)
    page_medians = median_times({**pages, "floor": lambda: run(floors[floor_name])}, repeat)
    page_floor_s = page_medians.pop("floor")

    # A small assessment beside the big one: its report must not pay for its neighbour.
    small_s = None
    if size > SMALL:
        small, _ = assessment_get_or_create(organization=org, title=f"Small {SMALL}")
        responses_import(assessment=small, ratings_by_respondent=make_ratings(SMALL, "s"))
        # Closed, so that its report shows figures (results are shown after close).
        Assessment.objects.filter(pk=small.pk).update(status=Assessment.Status.CLOSED)
        small = Assessment.objects.select_related("organization").get(pk=small.pk)
        gap_report(assessment=small)
        small_s = median_time(lambda: gap_report(assessment=small), repeat)

    export_s = None
    if "export_responses" in commands:

        def export():
            out = io.StringIO()
            call_command("export_responses", organization=ORG, assessment=title, stdout=out, stderr=io.StringIO())
            return out

        export_rows = export().getvalue().count("\n") - 1
        export_s = median_time(export, repeat)

    # The next round: as many respondents again, some benefits better realized, some worse.
    for pk in list(centres)[::7]:
        ci, cr = centres[pk]
        centres[pk] = (ci, cr + rng.choice((-0.6, 0.6)))
    following = assessment_create(organization=org, title=f"{title} next", previous=assessment)
    responses_import(assessment=following, ratings_by_respondent=make_ratings(size, "n"))
    Assessment.objects.filter(pk=following.pk).update(status=Assessment.Status.CLOSED)
    following = Assessment.objects.select_related("organization").get(pk=following.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE" if connection.vendor != "postgresql" else "ANALYZE responses_answer")

    def trend_report():
        return gap_report(assessment=following)

    trend_timed = {"trend": trend_report, **{name: (lambda sql=sql: run(sql)) for name, sql in floors.items()}}
    for fn in trend_timed.values():
        fn()
    trend_medians = median_times(trend_timed, repeat)
    trend_s = trend_medians.pop("trend")
    both_floor_name = min(trend_medians, key=trend_medians.get)
    both_floor_s = trend_medians[both_floor_name]
    with CaptureQueriesContext(connection) as ctx:
        trend_result = trend_report()
    trend_queries = len(ctx.captured_queries)
    assert trend_result.rounds is not None and trend_result.rounds.trends is not None

    print(f"\n== {size:,} respondents x {len(benefits) * 2} questions = {values:,} answer values ==")
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"import ({how}): {import_s:.2f} s, {values / import_s:,.0f} rows/s")
    for name, t in floor_times.items():
        print(f"floor, {name}: {t * 1000:.1f} ms")
    print(f"floor (fastest, {floor_name}): {floor_s * 1000:.1f} ms, 1 query")
    print(f"report (sections 4 and 5): {report_s * 1000:.1f} ms, {report_queries} queries")
    print(f"report / floor: {report_s / floor_s:.2f}x")
    print(
        f"report, first after a submission (no tallies kept): {report_first_s * 1000:.1f} ms, "
        f"{report_first_s / floor_s:.2f}x the floor"
    )
    print(f"report as JSON (computed and rendered): {json_s * 1000:.1f} ms, {json_s / floor_s:.2f}x the floor")
    if segment_s is not None:
        print(
            f"report by segment ({SEGMENT_GROUPS} groups, {len(SEGMENTS)} segments): {segment_s * 1000:.1f} ms, "
            f"{segment_queries} queries, {segment_s / floor_s:.2f}x the floor"
        )
        print(
            f"  first after a submission (no tallies kept): {segment_first_s * 1000:.1f} ms, "
            f"{segment_first_s / floor_s:.2f}x the floor"
        )
        print(
            f"  as JSON (computed and rendered): {segment_json_s * 1000:.1f} ms, "
            f"{segment_json_s / floor_s:.2f}x the floor"
        )
        for key, t in segment_times.items():
            print(f"  report by {key} ({SEGMENTS[key]} groups): {t * 1000:.1f} ms, {t / floor_s:.2f}x the floor")
    for name, t in page_medians.items():
        print(f"{name} as an analyst: {t * 1000:.1f} ms, {t / page_floor_s:.2f}x the floor")
    if small_s is not None:
        print(f"report of a {SMALL}-respondent assessment in this database: {small_s * 1000:.2f} ms")
    print(f"floor over both rounds' answers ({both_floor_name}): {both_floor_s * 1000:.1f} ms")
    print(
        f"report with a previous round of {size:,} respondents (section 8): {trend_s * 1000:.1f} ms, "
        f"{trend_queries} queries; / floor over both rounds: {trend_s / both_floor_s:.2f}x; "
        f"/ floor of one round: {trend_s / floor_s:.2f}x"
    )
    if export_s is None:
        print("export_responses: skipped (the command does not exist yet)")
    else:
        print(f"export_responses: {export_s:.2f} s, {export_rows / export_s:,.0f} rows/s ({export_rows:,} rows)")


def pages_timed(assessment, segment) -> dict:
    """GETs of the report page and its JSON (and the segment's) by a logged-in analyst, as the browser sends them."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from organizations.models import Membership

    analyst = get_user_model().objects.create_user(username=f"analyst-{assessment.pk}")
    Membership.objects.create(organization=assessment.organization, user=analyst, role=Membership.Role.ANALYST)
    # A host the settings allow (the test client's own "testserver" is only for the test runner).
    client = Client(SERVER_NAME="localhost")
    client.force_login(analyst)
    kwargs = {"org_slug": assessment.organization.slug, "assessment_slug": assessment.slug}
    urls = {
        "report page": reverse("reports:report", kwargs=kwargs),
        "report JSON download": reverse("reports:json", kwargs=kwargs),
    }
    if segment is not None:
        urls["report page by segment"] = reverse("reports:report", kwargs=kwargs) + f"?segment={segment.key}"
        urls["segment JSON download"] = reverse("reports:json", kwargs=kwargs) + f"?segment={segment.key}"

    def get(url):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    for url in urls.values():
        get(url)
    return {name: (lambda url=url: get(url)) for name, url in urls.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[SMALL, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=11)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.repeat)
        return
    for size in args.sizes:
        env = dict(os.environ)
        env.setdefault("DJANGO_DEBUG", "1")
        if not env.get("DATABASE_URL"):
            db = BENCH / f"report-{size}.sqlite3"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            env["DATABASE_URL"] = f"sqlite:///{db}"
        cmd = [sys.executable, __file__, "--child", str(size), "--repeat", str(args.repeat)]
        subprocess.run(cmd, env=env, check=True)


if __name__ == "__main__":
    main()
