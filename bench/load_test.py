#!/usr/bin/env python3
"""Load test: many respondents at once against gunicorn, on SQLite and on PostgreSQL.

For each database it:

1. prepares a database of its own (a fresh SQLite file under bench/, or a new
   PostgreSQL database it creates and drops): migrate, load_taxonomy,
   collectstatic, one open assessment with N invitations and an analyst;
2. starts gunicorn (>= 2 workers) on 127.0.0.1 only, with production
   settings (debug off, HTTPS as if behind a TLS-terminating proxy);
3. releases N respondents at the same moment, one thread each: open the
   invitation, start, save all six sections (every question answered), review,
   submit. Every fifth respondent does what two browser tabs would: starts
   twice at once and submits twice at once. Meanwhile an analyst, logged in
   through the login page, reads the gap report in a loop;
4. prints requests/s, p50/p95 latency and the count of 5xx, and checks in
   the database that every answer sent is stored exactly once, with the value
   sent, and that every response is submitted exactly once.

It exits non-zero on any 5xx, any unexpected status or any difference in
the database. It is bounded: N requests per respondent, a per-request
timeout and an overall deadline, and it stops gunicorn itself.

    python bench/load_test.py                      # 50 respondents, SQLite then PostgreSQL
    python bench/load_test.py --respondents 200 --workers 4
    python bench/load_test.py --db sqlite
    python bench/load_test.py --postgres-url postgres://hp:hp@127.0.0.1:5432/hp

``--postgres-url`` (default: ``DATABASE_URL`` if it is PostgreSQL, else
postgres://hp:hp@127.0.0.1:5432/hp) names a server and a role allowed to
create databases; the test creates ``hp_load_<pid>`` there and drops it.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"  # loopback only: this script never talks to any other address
ANALYST_PASSWORD = "load-test-analyst-" + secrets.token_urlsafe(12)

# Set by main(); a request after the deadline fails fast instead of hanging the run.
DEADLINE = float("inf")


# --- A minimal browser: cookies, CSRF, forms ------------------------------------------


class FormParser(HTMLParser):
    """The POST forms of a page: action, hidden values, radio groups and submit buttons."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._form: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self._form = {"method": a.get("method", "get").lower(), "action": a.get("action", ""), "hidden": {}}
            self._form.update(radios={}, buttons=[])
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind == "hidden":
                self._form["hidden"][a["name"]] = a.get("value", "")
            elif kind == "radio":
                self._form["radios"].setdefault(a["name"], []).append(a.get("value", ""))
            elif kind == "submit":
                self._form["buttons"].append((a["name"], a.get("value", "")))
        elif tag == "button" and a.get("name") and a.get("type", "submit") == "submit":
            self._form["buttons"].append((a["name"], a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None


def post_forms(html: str) -> list[dict]:
    parser = FormParser()
    parser.feed(html)
    return [f for f in parser.forms if f["method"] == "post"]


@dataclass
class Result:
    kind: str
    status: int
    seconds: float


@dataclass
class Browser:
    """One user's cookies; every request is HTTPS as the app sees it (X-Forwarded-Proto from the 'proxy')."""

    port: int
    results: list[Result]
    cookies: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def origin(self) -> str:
        return f"https://{HOST}:{self.port}"

    def request(self, kind: str, method: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        if time.monotonic() > DEADLINE:
            raise TimeoutError("the load test ran past its deadline")
        body = urlencode(data, doseq=True).encode() if data is not None else None
        with self.lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"X-Forwarded-Proto": "https", "Host": f"{HOST}:{self.port}", "Cookie": cookie}
        if body is not None:
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin})
        # gunicorn's sync workers close the connection after each response: one connection per request.
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        finally:
            conn.close()
        elapsed = time.perf_counter() - start
        with self.lock:
            self.results.append(Result(kind, response.status, elapsed))
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        location = response.getheader("Location", "")
        return response.status, text, urlsplit(urljoin(self.origin + path, location)).path if location else ""

    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")


class Unexpected(Exception):
    pass


def expect(status: int, allowed: tuple[int, ...], what: str) -> None:
    if status not in allowed:
        raise Unexpected(f"{what}: HTTP {status}, expected {allowed}")


# --- One respondent -------------------------------------------------------------------


@dataclass
class Respondent:
    index: int
    token: str
    path: str
    sent: dict[tuple[int, str], int | None] = field(default_factory=dict)
    error: str = ""


def respond(r: Respondent, port: int, results: list[Result], two_tabs: bool, start_gate: threading.Barrier) -> None:
    """Open the invitation, start, save every section answering everything, submit."""
    rng = random.Random(r.index)
    b = Browser(port, results)
    try:
        start_gate.wait(timeout=60)
        status, html, _ = b.request("open", "GET", r.path)
        expect(status, (200,), "open invitation")
        start = {"csrfmiddlewaretoken": b.csrf()}
        if two_tabs:
            # Two tabs press "Start" at the same moment: one response, both land on section 1.
            with ThreadPoolExecutor(2) as pool:
                outcomes = list(pool.map(lambda _: b.request("start", "POST", r.path, start), range(2)))
            for status, _, _ in outcomes:
                expect(status, (302,), "start (two tabs)")
            location = outcomes[0][2]
        else:
            status, _, location = b.request("start", "POST", r.path, start)
            expect(status, (302,), "start")
        sections = 0
        while "/section/" in location:
            status, html, _ = b.request("section GET", "GET", location)
            expect(status, (200,), f"section page {location}")
            form = next(f for f in post_forms(html) if f["radios"])
            data = dict(form["hidden"])
            data["csrfmiddlewaretoken"] = b.csrf()
            data["action"] = "next"
            for name, values in form["radios"].items():
                value = rng.choice(values)
                data[name] = value
                _, benefit_id, dimension = name.split("-", 2)
                r.sent[(int(benefit_id), dimension)] = None if value == "dk" else int(value)
            status, _, location = b.request("section POST", "POST", location, data)
            expect(status, (302,), f"save section {sections + 1}")
            sections += 1
            if sections > 20:
                raise Unexpected("more sections than any questionnaire has: the form loops")
        if "/review/" not in location:
            raise Unexpected(f"after the sections, expected the review page, got {location!r}")
        if sections != 6:
            raise Unexpected(f"saved {sections} sections, expected 6")
        status, html, _ = b.request("review GET", "GET", location)
        expect(status, (200,), "review")
        form = next(f for f in post_forms(html) if any(n == "action" for n, _ in f["buttons"]))
        data = {**form["hidden"], "csrfmiddlewaretoken": b.csrf(), "action": "submit"}
        if two_tabs:
            # Two tabs press "Submit" at the same moment: one submission; the other tab is told so.
            with ThreadPoolExecutor(2) as pool:
                outcomes = list(pool.map(lambda _: b.request("submit", "POST", location, data), range(2)))
            statuses = sorted(s for s, _, _ in outcomes)
            if statuses[0] != 302 or statuses[1] not in (302, 409):
                raise Unexpected(f"double submit: HTTP {statuses}, expected a 302 and a 302 or 409")
        else:
            status, _, done = b.request("submit", "POST", location, data)
            expect(status, (302,), "submit")
            status, _, _ = b.request("done", "GET", done)
            expect(status, (200,), "done page")
    except Exception as exc:  # reported per respondent; the run fails on any
        r.error = f"{type(exc).__name__}: {exc}"


def read_reports(port: int, results: list[Result], report_path: str, stop: threading.Event, errors: list[str]) -> None:
    """An analyst logs in through the login page and reads the report until the respondents are done."""
    b = Browser(port, results)
    try:
        status, _, _ = b.request("login GET", "GET", "/accounts/login/")
        expect(status, (200,), "login page")
        status, _, _ = b.request(
            "login POST",
            "POST",
            "/accounts/login/",
            {"username": "load-analyst", "password": ANALYST_PASSWORD, "csrfmiddlewaretoken": b.csrf()},
        )
        expect(status, (302,), "analyst login")
        while not stop.is_set():
            status, _, _ = b.request("report", "GET", report_path)
            expect(status, (200,), "report")
    except Exception as exc:
        errors.append(f"report reader: {type(exc).__name__}: {exc}")


# --- Databases, gunicorn --------------------------------------------------------------


PREPARE = """
import json, sys
from django.contrib.auth import get_user_model
from django.urls import reverse
from organizations.models import Membership
from assessments.services import assessment_get_or_create
from organizations.services import organization_get_or_create
from responses.services import invitations_create
org, _ = organization_get_or_create(name="Load Test Org")
assessment, _ = assessment_get_or_create(organization=org, title="Load test")
tokens = invitations_create(assessment=assessment, count={count}, label="load test")
user = get_user_model().objects.create_user("load-analyst", password={password!r})
Membership.objects.create(user=user, organization=org, role=Membership.Role.ANALYST)
report = reverse("reports:report", kwargs={{"org_slug": org.slug, "assessment_slug": assessment.slug}})
paths = [reverse("responses:invitation:start", kwargs={{"token": t}}) for t in tokens]
print(json.dumps({{"tokens": tokens, "paths": paths, "report": report}}))
"""

# Submitted responses are anonymous: nothing leads from an invitation to its response. So the check is
# that each invitation is marked submitted once, and that the submitted responses' answers are, as a
# multiset, exactly the answer sets that the respondents sent (each one random, so a match is one person's).
VERIFY = """
import json
from django.db.models import Count
from responses.models import Answer, Invitation, Response
invitations = {inv.token_hash: inv.submitted for inv in Invitation.objects.filter(label="load test")}
assessment = Invitation.objects.filter(label="load test").values_list("assessment_id", flat=True).first()
submitted = Response.objects.filter(assessment_id=assessment, submitted_on__isnull=False)
rows = {}
for response_id, *answer in Answer.objects.filter(response__in=submitted).values_list(
        "response_id", "benefit_id", "importance", "realization", "importance_answered", "realization_answered"):
    rows.setdefault(response_id, []).append(answer)
dupes = Answer.objects.values("response_id", "benefit_id").annotate(n=Count("id")).filter(n__gt=1).count()
print(json.dumps({"invitations": invitations, "responses": submitted.count(), "answers": list(rows.values()),
                  "drafts": Response.objects.filter(assessment_id=assessment, submitted_on__isnull=True).count(),
                  "duplicate_rows": dupes}))
"""


def django_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS=HOST,
        # As behind a TLS-terminating load balancer: HTTPS is what the app sees.
        DJANGO_SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https",
        DJANGO_CONN_MAX_AGE="60",
        DJANGO_LOG_LEVEL="ERROR",
        # Each respondent is a distinct person here, all from 127.0.0.1.
        DJANGO_LOGIN_FAILURE_LIMIT="1000",
    )
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    out = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if out.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args[:2])} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def wait_until_up(port: int, proc: subprocess.Popen, seconds: float = 30) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if proc.poll() is not None:
            raise SystemExit(f"gunicorn exited with {proc.returncode}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/", headers={"X-Forwarded-Proto": "https", "Host": f"{HOST}:{port}"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 30 s")


class PostgresDatabase:
    """A throwaway database on the given server, dropped afterwards."""

    def __init__(self, admin_url: str) -> None:
        import psycopg

        self.psycopg = psycopg
        parts = urlsplit(admin_url)
        if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit(f"refusing a non-loopback PostgreSQL host: {parts.hostname}")
        self.admin_url = admin_url
        self.name = f"hp_load_{os.getpid()}"
        self.url = parts._replace(path=f"/{self.name}").geturl()

    def __enter__(self) -> str:
        with self.psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            conn.execute(f'CREATE DATABASE "{self.name}"')
        return self.url

    def __exit__(self, *exc) -> None:
        with self.psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class SqliteDatabase:
    def __init__(self) -> None:
        self.path = ROOT / "bench" / f"load-{os.getpid()}.sqlite3"

    def _remove(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def __enter__(self) -> str:
        self._remove()
        return f"sqlite:///{self.path}"

    def __exit__(self, *exc) -> None:
        self._remove()


# --- One run --------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def run(label: str, database_url: str, respondents: int, workers: int) -> bool:
    env = django_env(database_url)
    print(f"== {label}: preparing (migrate, load_taxonomy, collectstatic, {respondents} invitations)", flush=True)
    manage(env, "migrate", "--no-input")
    manage(env, "load_taxonomy")
    manage(env, "collectstatic", "--no-input")
    prepared = json.loads(
        manage(env, "shell", "-c", PREPARE.format(count=respondents, password=ANALYST_PASSWORD))
        .strip()
        .splitlines()[-1]
    )
    people = [Respondent(i, t, p) for i, (t, p) in enumerate(zip(prepared["tokens"], prepared["paths"], strict=True))]

    port = free_port()
    cmd = [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"{HOST}:{port}", "--workers", str(workers)]
    cmd += ["--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"]
    # The server's log goes to a file, shown only if something failed.
    log_path = Path(tempfile.gettempdir()) / f"hp-load-{os.getpid()}-gunicorn.log"
    log = log_path.open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    results: list[Result] = []
    errors: list[str] = []
    try:
        wait_until_up(port, proc)
        print(f"== {label}: gunicorn {workers} workers on {HOST}:{port}; {respondents} respondents at once", flush=True)
        stop = threading.Event()
        reader = threading.Thread(target=read_reports, args=(port, results, prepared["report"], stop, errors))
        gate = threading.Barrier(respondents)
        started = time.perf_counter()
        reader.start()
        with ThreadPoolExecutor(respondents) as pool:
            for person in people:
                pool.submit(respond, person, port, results, person.index % 5 == 0, gate)
        stop.set()
        reader.join(timeout=70)
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        server_log = log_path.read_text(errors="replace")
        log_path.unlink()

    statuses = Counter(r.status for r in results)
    server_errors = sum(n for s, n in statuses.items() if s >= 500)
    latencies = [r.seconds for r in results]
    reports = [r.seconds for r in results if r.kind == "report"]
    print(f"   requests: {len(results)} in {elapsed:.1f} s = {len(results) / elapsed:.0f} requests/s")
    print(
        f"   latency: p50 {percentile(latencies, 0.5) * 1000:.0f} ms, p95 {percentile(latencies, 0.95) * 1000:.0f} ms"
    )
    if reports:
        print(
            f"   report reads: {len(reports)}, p50 {statistics.median(reports) * 1000:.0f} ms, "
            f"p95 {percentile(reports, 0.95) * 1000:.0f} ms"
        )
    print(f"   statuses: {dict(sorted(statuses.items()))}; 5xx: {server_errors}")
    failures = [f"respondent {p.index}: {p.error}" for p in people if p.error] + errors
    if not reports:
        failures.append("the analyst never read the report")

    # The database must hold exactly what was sent: one submitted response per respondent, one row per benefit.
    verified = json.loads(manage(env, "shell", "-c", VERIFY).strip().splitlines()[-1])
    if verified["duplicate_rows"]:
        failures.append(f"{verified['duplicate_rows']} duplicate answer rows")
    finished = [p for p in people if not p.error]
    for person in finished:
        if not verified["invitations"].get(hashlib.sha256(person.token.encode()).hexdigest()):
            failures.append(f"respondent {person.index}: invitation not marked submitted")
    if verified["responses"] != len(finished) or verified["drafts"]:
        failures.append(
            f"{verified['responses']} submitted responses and {verified['drafts']} drafts "
            f"for {len(finished)} respondents"
        )

    def answer_set(rows) -> frozenset:
        got = set()
        for benefit_id, importance, realization, imp_answered, real_answered in rows:
            if imp_answered:
                got.add((benefit_id, "importance", importance))
            if real_answered:
                got.add((benefit_id, "realization", realization))
        return frozenset(got)

    stored_sets = Counter(answer_set(rows) for rows in verified["answers"])
    sent_sets = Counter(frozenset((b, d, v) for (b, d), v in p.sent.items()) for p in finished)
    expected_answers = sum(len(p.sent) for p in finished)
    stored_total = sum(len(s) * n for s, n in stored_sets.items())
    if stored_sets != sent_sets:
        unmatched = sum((sent_sets - stored_sets).values())
        failures.append(f"{unmatched} respondents' answers are not stored exactly as sent")
    print(
        f"   database: {expected_answers} answers sent, {stored_total} stored, each exactly once: "
        f"{'yes' if not failures and stored_total == expected_answers else 'NO'}"
    )
    if stored_total != expected_answers:
        failures.append(f"{stored_total} answers stored, {expected_answers} sent")
    if server_errors:
        failures.append(f"{server_errors} responses with a 5xx status")
    for failure in failures[:20]:
        print(f"   FAIL {failure}")
    if failures or server_errors:
        print("   gunicorn log (last 40 lines):")
        print("\n".join("   | " + line for line in server_log.splitlines()[-40:]))
    return not failures


def main() -> int:
    global DEADLINE
    default_pg = os.environ.get("DATABASE_URL", "")
    if not default_pg.startswith("postgres"):
        default_pg = "postgres://hp:hp@127.0.0.1:5432/hp"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=50, help="concurrent respondents (default 50)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, at least 2 (default 4)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=default_pg, help="a loopback server and a role that may create DBs")
    parser.add_argument("--deadline", type=float, default=600, help="seconds before the whole run gives up")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers must be at least 2")
    if args.respondents < 1:
        parser.error("--respondents must be at least 1")
    DEADLINE = time.monotonic() + args.deadline

    ok = True
    if args.db in ("sqlite", "both"):
        with SqliteDatabase() as url:
            ok &= run("SQLite", url, args.respondents, args.workers)
    if args.db in ("postgres", "both"):
        with PostgresDatabase(args.postgres_url) as url:
            ok &= run("PostgreSQL", url, args.respondents, args.workers)
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
