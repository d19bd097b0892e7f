#!/usr/bin/env python3
"""Load test: many respondents at once against gunicorn, on SQLite and on PostgreSQL.

For each database it:

1. prepares a database of its own (a fresh SQLite file under bench/, or a new
   PostgreSQL database it creates and drops): migrate, load_taxonomy,
   collectstatic, one open assessment with N invitations and an analyst;
2. starts gunicorn (>= 2 workers) on 127.0.0.1 only, with production
   settings (debug off, HTTPS as if behind a TLS-terminating proxy);
3. releases N respondents at the same moment, one thread each: open the
   invitation, start, save every page (every question answered), review,
   submit. Every fifth respondent does what two browser tabs would: starts
   twice at once and submits twice at once. Meanwhile an analyst, logged in
   through the login page, reads the gap report in a loop;
4. prints requests/s, p50/p95 latency and the count of 5xx, and checks in
   the database that every answer sent is stored exactly once, with the value
   sent, and that every response is submitted exactly once.

It exits non-zero on any 5xx, any unexpected status or any difference in
the database. It is bounded: N requests per respondent, a per-request
timeout and an overall deadline, and it stops gunicorn itself.

With ``--faults`` things break during the run, and nothing may be lost:

- a gunicorn worker is killed (``kill -9``) in the middle of a section save
  (a hook in bench/gunicorn_faults.py says what each worker is handling);
- on PostgreSQL, halfway through, the whole cluster is stopped, left down
  for ``--outage-seconds`` and started again (``pg_ctlcluster``, as root or
  postgres; it refuses while other databases of the cluster are in use,
  and starts the cluster again whatever happens);
- respondents and the analyst try a failed step again (no answer, or a 503)
  as a person reloading the page would: a few times, waiting longer each time.

It then prints the responses by status, the 503s during the outage and how
long the app took to answer again once the database was back, and checks
as above that every respondent submitted exactly once and every answer is
stored exactly once with the value sent (plus ``PRAGMA integrity_check`` on
SQLite). A 5xx other than a 503 during the outage fails the run.

    python bench/load_test.py                      # 50 respondents, SQLite then PostgreSQL
    python bench/load_test.py --respondents 200 --workers 4
    python bench/load_test.py --db sqlite
    python bench/load_test.py --postgres-url postgres://hp:hp@127.0.0.1:5432/hp
    python bench/load_test.py --faults --respondents 20 --workers 2   # as root, for the PostgreSQL restart

``--postgres-url`` (default: ``DATABASE_URL`` if it is PostgreSQL, else
postgres://hp:hp@127.0.0.1:5432/hp) names a server and a role allowed to
create databases; the test creates ``hp_load_<pid>`` there and drops it.
``--pg-cluster`` (default 15/main) names the cluster that serves it, for
the restart of ``--faults``.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import socket
import sqlite3
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
# Set by main() with --faults: how many times a person tries a failed step again. Without faults, never.
RETRIES = 0
# The status recorded for a request that got no HTTP answer: the connection was refused, reset or cut.
NO_ANSWER = 0
# What a client sees of a worker killed mid-request, or of a server not listening.
LOST_CONNECTION = (ConnectionError, http.client.HTTPException, TimeoutError)
# How many tries each step that needed more than one took (list.append is thread-safe).
RETRIED_STEPS: list[int] = []


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
    status: int  # NO_ANSWER when the connection failed
    seconds: float
    at: float  # time.monotonic() when the request was sent


class DeadlinePassed(Exception):
    pass


class Unexpected(Exception):
    pass


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
            raise DeadlinePassed("the load test ran past its deadline")
        body = urlencode(data, doseq=True).encode() if data is not None else None
        with self.lock:
            cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = {"X-Forwarded-Proto": "https", "Host": f"{HOST}:{self.port}", "Cookie": cookie}
        if body is not None:
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin})
        # gunicorn's sync workers close the connection after each response: one connection per request.
        conn = http.client.HTTPConnection(HOST, self.port, timeout=60)
        at = time.monotonic()
        start = time.perf_counter()
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
        except LOST_CONNECTION:
            with self.lock:
                self.results.append(Result(kind, NO_ANSWER, time.perf_counter() - start, at))
            raise
        finally:
            conn.close()
        elapsed = time.perf_counter() - start
        with self.lock:
            self.results.append(Result(kind, response.status, elapsed, at))
            for header in response.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
        location = response.getheader("Location", "")
        return response.status, text, urlsplit(urljoin(self.origin + path, location)).path if location else ""

    def step(
        self,
        what: str,
        kind: str,
        method: str,
        path: str,
        data: dict | None = None,
        allowed: tuple[int, ...] = (200,),
        replayed: tuple[int, ...] = (),
    ) -> tuple[int, str, str, bool]:
        """One step of a person, tried again after no answer or a 503 (up to RETRIES times, waiting longer each time).

        A POST is sent again as it was, as a browser's reload does. ``replayed``
        are the statuses that are also right once an earlier try went unanswered,
        since its effect may have landed (e.g. "already submitted").
        Returns the status, the text, the redirect's path and whether it took more than one try.
        """
        problem = ""
        for attempt in range(RETRIES + 1):
            if attempt:
                time.sleep(min(2.0, 0.25 * 2 ** (attempt - 1)) * random.uniform(0.8, 1.2))
            try:
                status, text, location = self.request(kind, method, path, data)
            except LOST_CONNECTION as exc:
                problem = f"no answer ({type(exc).__name__}: {exc})"
                if not RETRIES:
                    raise Unexpected(f"{what}: {problem}") from exc
                continue
            if status in allowed or (attempt and status in replayed):
                if attempt:
                    RETRIED_STEPS.append(attempt + 1)
                return status, text, location, attempt > 0
            if status != 503 or not RETRIES:
                raise Unexpected(f"{what}: HTTP {status}, expected {allowed}")
            problem = "HTTP 503"
        raise Unexpected(f"{what}: {problem}, {RETRIES + 1} times")

    def csrf(self) -> str:
        return self.cookies.get("csrftoken", "")


# --- One respondent -------------------------------------------------------------------


@dataclass
class Respondent:
    index: int
    token: str
    path: str
    sent: dict[tuple[int, str], int | None] = field(default_factory=dict)
    error: str = ""


def respond(
    r: Respondent, port: int, results: list[Result], two_tabs: bool, start_gate: threading.Barrier, pages: int
) -> None:
    """Open the invitation, start, save every section answering everything, submit."""
    rng = random.Random(r.index)
    b = Browser(port, results)
    try:
        start_gate.wait(timeout=60)
        b.step("open invitation", "open", "GET", r.path)
        start = {"csrfmiddlewaretoken": b.csrf()}
        if two_tabs:
            # Two tabs press "Start" at the same moment: one response, both land on section 1.
            with ThreadPoolExecutor(2) as pool:
                outcomes = list(
                    pool.map(lambda _: b.step("start (two tabs)", "start", "POST", r.path, start, (302,)), range(2))
                )
            location = outcomes[0][2]
        else:
            _, _, location, _ = b.step("start", "start", "POST", r.path, start, (302,))
        sections = 0
        while "/section/" in location:
            _, html, _, _ = b.step(f"section page {location}", "section GET", "GET", location)
            form = next(f for f in post_forms(html) if f["radios"])
            data = dict(form["hidden"])
            data["csrfmiddlewaretoken"] = b.csrf()
            data["action"] = "next"
            for name, values in form["radios"].items():
                value = rng.choice(values)
                data[name] = value
                _, benefit_id, dimension = name.split("-", 2)
                r.sent[(int(benefit_id), dimension)] = None if value == "dk" else int(value)
            # Sent again after no answer, the same page must be harmless: a 302, never "changed in another tab".
            _, _, location, _ = b.step(f"save section {sections + 1}", "section POST", "POST", location, data, (302,))
            sections += 1
            if sections > 20:
                raise Unexpected("more sections than any questionnaire has: the form loops")
        if "/review/" not in location:
            raise Unexpected(f"after the sections, expected the review page, got {location!r}")
        if sections != pages:
            raise Unexpected(f"saved {sections} sections, expected {pages}")
        _, html, _, _ = b.step("review", "review GET", "GET", location)
        form = next(f for f in post_forms(html) if any(n == "action" for n, _ in f["buttons"]))
        data = {**form["hidden"], "csrfmiddlewaretoken": b.csrf(), "action": "submit"}
        if two_tabs:
            # Two tabs press "Submit" at the same moment: one submission; the other tab is told so.
            def submit(_: int) -> tuple[int, str, str, bool]:
                return b.step("submit (two tabs)", "submit", "POST", location, data, (302, 409))

            with ThreadPoolExecutor(2) as pool:
                outcomes = list(pool.map(submit, range(2)))
            statuses = sorted(s for s, _, _, _ in outcomes)
            retried = any(again for _, _, _, again in outcomes)
            # A tab whose first try went unanswered may have submitted: then both are told "already submitted".
            if not retried and (statuses[0] != 302 or statuses[1] not in (302, 409)):
                raise Unexpected(f"double submit: HTTP {statuses}, expected a 302 and a 302 or 409")
        else:
            # Sent again after no answer, a submit that had landed is told so (409, "already submitted").
            status, _, done, _ = b.step("submit", "submit", "POST", location, data, (302,), replayed=(409,))
            if status == 302:
                b.step("done page", "done", "GET", done)
    except Exception as exc:  # reported per respondent; the run fails on any
        r.error = f"{type(exc).__name__}: {exc}"


def read_reports(port: int, results: list[Result], report_path: str, stop: threading.Event, errors: list[str]) -> None:
    """An analyst logs in through the login page and reads the report until the respondents are done."""
    b = Browser(port, results)
    try:
        b.step("login page", "login GET", "GET", "/accounts/login/")
        b.step(
            "analyst login",
            "login POST",
            "POST",
            "/accounts/login/",
            {"username": "load-analyst", "password": ANALYST_PASSWORD, "csrfmiddlewaretoken": b.csrf()},
            (302,),
        )
        while not stop.is_set():
            b.step("report", "report", "GET", report_path)
    except Exception as exc:
        errors.append(f"report reader: {type(exc).__name__}: {exc}")


# --- Databases, gunicorn --------------------------------------------------------------


PREPARE = """
import json, sys
from django.contrib.auth import get_user_model
from django.urls import reverse
from organizations.models import Membership
from assessments.selectors import assessment_questionnaire
from assessments.services import assessment_get_or_create
from organizations.services import organization_get_or_create
from responses.invitations.services import invitations_create
org, _ = organization_get_or_create(name="Load Test Org")
assessment, _ = assessment_get_or_create(organization=org, title="Load test")
tokens = invitations_create(assessment=assessment, count={count}, label="load test")
user = get_user_model().objects.create_user("load-analyst", password={password!r})
Membership.objects.create(user=user, organization=org, role=Membership.Role.ANALYST)
report = reverse("reports:report", kwargs={{"org_slug": org.slug, "assessment_slug": assessment.slug}})
paths = [reverse("responses:invitation:start", kwargs={{"token": t}}) for t in tokens]
# The respondent sees the questionnaire page by page; long sections are split (Questionnaire.paged).
pages = len(assessment_questionnaire(assessment=assessment).paged().sections)
print(json.dumps({{"tokens": tokens, "paths": paths, "report": report, "pages": pages}}))
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


# --- Faults ---------------------------------------------------------------------------


class PostgresCluster:
    """The PostgreSQL cluster serving the load test's database, stopped and started with pg_ctlcluster.

    It is the whole server, shared by every database on it: the restart is
    refused while another database has clients, and :meth:`ensure_started`
    (called whatever happens) starts it again if this script stopped it.
    """

    def __init__(self, spec: str, admin_url: str) -> None:
        import psycopg

        self.psycopg = psycopg
        self.version, _, self.name = spec.partition("/")
        self.admin_url = admin_url
        self.stopped = False
        self.lock = threading.Lock()

    def check(self) -> None:
        """Refuse early what would fail halfway: no pg_ctlcluster, no right to use it, another port."""
        if not shutil.which("pg_ctlcluster"):
            raise SystemExit("--faults restarts PostgreSQL with pg_ctlcluster, which is not installed")
        if os.geteuid() != 0:
            raise SystemExit("--faults restarts PostgreSQL with pg_ctlcluster: run it as root")
        listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
        ports = {(f[0], f[1]): f[2] for f in (line.split() for line in listing.splitlines()) if len(f) > 2}
        port = str(urlsplit(self.admin_url).port or 5432)
        if ports.get((self.version, self.name)) != port:
            raise SystemExit(f"cluster {self.version}/{self.name} does not serve port {port}: see --pg-cluster")

    def others_in_use(self, database: str) -> list[str]:
        with self.psycopg.connect(self.admin_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT DISTINCT datname FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND datname IS NOT NULL AND datname <> %s AND pid <> pg_backend_pid()",
                [database],
            ).fetchall()
        return sorted(r[0] for r in rows)

    def _ctl(self, action: str) -> None:
        mode = ["--mode", "fast"] if action == "stop" else []  # fast: end the sessions, as a failover does
        subprocess.run(["pg_ctlcluster", self.version, self.name, action, *mode], capture_output=True, timeout=120)

    def stop(self) -> None:
        with self.lock:
            self.stopped = True
            self._ctl("stop")

    def start(self) -> float:
        """Start the cluster; returns when it accepts connections again (time.monotonic())."""
        with self.lock:
            self._ctl("start")
            until = time.monotonic() + 120
            while True:
                try:
                    with self.psycopg.connect(self.admin_url, connect_timeout=2):
                        self.stopped = False
                        return time.monotonic()
                except self.psycopg.OperationalError:
                    if time.monotonic() > until:
                        raise
                    time.sleep(0.05)

    def ensure_started(self) -> None:
        if self.stopped:
            print("   (starting PostgreSQL again)", flush=True)
            self.start()


@dataclass
class FaultLog:
    """What the fault thread did, and when (time.monotonic())."""

    killed: str = ""  # "worker <pid> during POST .../section/N/"
    db_stopped_at: float | None = None
    db_ready_at: float | None = None
    errors: list[str] = field(default_factory=list)
    health: list[tuple[float, int]] = field(default_factory=list)


def saves_done(results: list[Result]) -> int:
    return sum(1 for r in list(results) if r.kind == "section POST" and r.status == 302)


def wait_for_saves(results: list[Result], count: int, stop: threading.Event) -> bool:
    while saves_done(results) < count:
        if stop.is_set() or time.monotonic() > DEADLINE:
            return False
        time.sleep(0.02)
    return True


def kill_worker_mid_save(busy_dir: Path, master_pid: int, seconds: float = 30) -> str:
    """kill -9 a worker of this gunicorn while it handles a section save; what was killed, or ""."""
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        for marker in busy_dir.iterdir():
            try:
                doing = marker.read_text()
                if not (doing.startswith("POST ") and "/section/" in doing):
                    continue
                # Into the request rather than at its first instruction, if it is still that one.
                time.sleep(random.uniform(0.0, 0.02))
                if marker.read_text() != doing:
                    continue
                pid = int(marker.name)
                # Only ever a worker of the gunicorn started here.
                if int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) != master_pid:
                    continue
            except (FileNotFoundError, ValueError, IndexError):
                continue
            os.kill(pid, signal.SIGKILL)
            marker.unlink(missing_ok=True)
            return f"worker {pid} during POST …/section/{doing.rstrip('/').rsplit('/', 1)[-1]}/"
        time.sleep(0.002)
    return ""


def inject_faults(
    log: FaultLog,
    results: list[Result],
    total_saves: int,
    busy_dir: Path,
    master_pid: int,
    cluster: PostgresCluster | None,
    database: str,
    outage_seconds: float,
    stop: threading.Event,
) -> None:
    """A fifth of the way in, kill a worker mid-save; halfway, restart PostgreSQL (if given)."""
    try:
        if not wait_for_saves(results, total_saves // 5, stop):
            log.errors.append("the respondents finished before a worker could be killed")
            return
        log.killed = kill_worker_mid_save(busy_dir, master_pid)
        if not log.killed:
            log.errors.append("no section save in flight to kill within 30 s")
        if cluster is None:
            return
        if not wait_for_saves(results, total_saves // 2, stop):
            log.errors.append("the respondents finished before PostgreSQL could be restarted")
            return
        others = cluster.others_in_use(database)
        if others:
            log.errors.append(f"not restarting PostgreSQL: other databases have clients ({', '.join(others)})")
            return
        log.db_stopped_at = time.monotonic()
        cluster.stop()
        time.sleep(outage_seconds)
        log.db_ready_at = cluster.start()
    except Exception as exc:
        log.errors.append(f"fault injection: {type(exc).__name__}: {exc}")
    finally:
        if cluster is not None:
            cluster.ensure_started()


def probe_health(port: int, log: FaultLog, stop: threading.Event) -> None:
    """GET /healthz every 0.1 s, as a load balancer would: over plain HTTP, no cookie."""
    while not stop.is_set():
        at = time.monotonic()
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": f"{HOST}:{port}"})
            response = conn.getresponse()
            response.read()
            status = response.status
            conn.close()
        except LOST_CONNECTION:
            status = NO_ANSWER
        log.health.append((at, status))
        time.sleep(0.1)


def sqlite_integrity(database_url: str) -> str:
    path = "/" + urlsplit(database_url).path.lstrip("/")
    # Read-only: a wrong path fails instead of checking a new, empty database.
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "; ".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


# --- One run --------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    if not values:
        return 0.0
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


@dataclass
class Faults:
    """What ``--faults`` breaks in one run: always a worker; the PostgreSQL cluster when given."""

    cluster: PostgresCluster | None
    outage_seconds: float


def run(label: str, database_url: str, respondents: int, workers: int, faults: Faults | None = None) -> bool:
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
    cmd += ["--logger-class", "config.gunicorn_logging.RedactingLogger"]
    busy_dir = Path(tempfile.mkdtemp(prefix="hp-load-busy-"))
    if faults:
        cmd += ["--config", str(ROOT / "bench" / "gunicorn_faults.py")]
        env["HP_FAULTS_BUSY_DIR"] = str(busy_dir)
    # The server's log goes to a file, shown only if something failed.
    log_path = Path(tempfile.gettempdir()) / f"hp-load-{os.getpid()}-gunicorn.log"
    log = log_path.open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    results: list[Result] = []
    errors: list[str] = []
    fault_log = FaultLog()
    RETRIED_STEPS.clear()
    try:
        wait_until_up(port, proc)
        print(f"== {label}: gunicorn {workers} workers on {HOST}:{port}; {respondents} respondents at once", flush=True)
        stop = threading.Event()
        reader = threading.Thread(target=read_reports, args=(port, results, prepared["report"], stop, errors))
        background = [reader]
        if faults:
            database = urlsplit(database_url).path.lstrip("/")
            saves = respondents * prepared["pages"]
            fault_args = (fault_log, results, saves, busy_dir, proc.pid, faults.cluster, database)
            background += [
                threading.Thread(target=inject_faults, args=(*fault_args, faults.outage_seconds, stop), daemon=True),
                threading.Thread(target=probe_health, args=(port, fault_log, stop), daemon=True),
            ]
        gate = threading.Barrier(respondents)
        started = time.perf_counter()
        for thread in background:
            thread.start()
        with ThreadPoolExecutor(respondents) as pool:
            for person in people:
                pool.submit(respond, person, port, results, person.index % 5 == 0, gate, prepared["pages"])
        stop.set()
        for thread in background:
            thread.join(timeout=150)
        elapsed = time.perf_counter() - started
    finally:
        if faults and faults.cluster:
            faults.cluster.ensure_started()
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()
        server_log = log_path.read_text(errors="replace")
        log_path.unlink()
        shutil.rmtree(busy_dir, ignore_errors=True)

    statuses = Counter(r.status for r in results)
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
    shown = ", ".join(f"{'no answer' if s == NO_ANSWER else s}: {n}" for s, n in sorted(statuses.items()))
    failures = [f"respondent {p.index}: {p.error}" for p in people if p.error] + errors
    if faults:
        failures += fault_log.errors
        server_errors = report_faults(fault_log, results, faults, failures)
    else:
        server_errors = sum(n for s, n in statuses.items() if s >= 500)
    print(f"   statuses: {shown}; 5xx: {server_errors}")
    if not reports:
        failures.append("the analyst never read the report")

    # The database must hold exactly what was sent: one submitted response per respondent, one row per benefit.
    db_failures: list[str] = []
    verified = json.loads(manage(env, "shell", "-c", VERIFY).strip().splitlines()[-1])
    if verified["duplicate_rows"]:
        db_failures.append(f"{verified['duplicate_rows']} duplicate answer rows")
    finished = [p for p in people if not p.error]
    for person in finished:
        if not verified["invitations"].get(hashlib.sha256(person.token.encode()).hexdigest()):
            db_failures.append(f"respondent {person.index}: invitation not marked submitted")
    if verified["responses"] != len(finished) or verified["drafts"]:
        db_failures.append(
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
    # Answers of a set sent but not stored as sent, and of a set stored but not sent (or stored twice).
    lost = sum(len(s) * n for s, n in (sent_sets - stored_sets).items())
    duplicated = sum(len(s) * n for s, n in (stored_sets - sent_sets).items()) + verified["duplicate_rows"]
    if stored_sets != sent_sets:
        unmatched = sum((sent_sets - stored_sets).values())
        db_failures.append(f"{unmatched} respondents' answers are not stored exactly as sent")
    submitted = sum(1 for done in verified["invitations"].values() if done)
    print(
        f"   database: {expected_answers} answers sent, {stored_total} stored, each exactly once: "
        f"{'yes' if not db_failures and stored_total == expected_answers else 'NO'}; "
        f"{submitted} of {len(people)} invitations submitted, {verified['responses']} submitted responses"
    )
    print(f"   lost {lost}, duplicated {duplicated}")
    if stored_total != expected_answers:
        db_failures.append(f"{stored_total} answers stored, {expected_answers} sent")
    failures += db_failures
    if server_errors:
        outside = " other than the outage's 503s" if faults else ""
        failures.append(f"{server_errors} responses with a 5xx status{outside}")
    if faults and urlsplit(database_url).scheme == "sqlite":
        integrity = sqlite_integrity(database_url)
        print(f"   PRAGMA integrity_check: {integrity}")
        if integrity != "ok":
            failures.append(f"SQLite integrity check: {integrity}")
    for failure in failures[:20]:
        print(f"   FAIL {failure}")
    if failures or server_errors:
        print("   gunicorn log (last 40 lines):")
        print("\n".join("   | " + line for line in server_log.splitlines()[-40:]))
    return not failures


def report_faults(log: FaultLog, results: list[Result], faults: Faults, failures: list[str]) -> int:
    """Print what broke and how the app took it; returns the 5xx that count against it (all but the outage's 503s)."""
    print(f"   killed: {log.killed or 'nothing'} (kill -9)")
    outage: tuple[float, float] | None = None
    if faults.cluster is not None and log.db_stopped_at is not None and log.db_ready_at is not None:
        # Back when /healthz answers 200 after its last failure since the stop (probes every 0.1 s).
        probes = [(at, status) for at, status in log.health if at >= log.db_stopped_at]
        failed = [i for i, (_, status) in enumerate(probes) if status != 200]
        back = probes[failed[-1] + 1][0] if failed and failed[-1] + 1 < len(probes) else None
        if back is None:
            failures.append("/healthz never answered 200 again after the database was back")
            back = max(r.at + r.seconds for r in results)
        outage = (log.db_stopped_at, back + 0.2)
        during = [r for r in results if r.at <= outage[1] and r.at + r.seconds >= outage[0]]
        print(
            f"   PostgreSQL: stopped (fast), left down {faults.outage_seconds:g} s, started again: "
            f"{log.db_ready_at - log.db_stopped_at:.1f} s from stop to accepting connections"
        )
        print(
            f"   recovery: /healthz 200 again {max(0.0, back - log.db_ready_at):.1f} s after the database accepted "
            f"connections (probed every 0.1 s), gunicorn not restarted"
        )
        print(
            f"   requests during the outage: {len(during)}: {sum(r.status == 503 for r in during)} answered 503, "
            f"{sum(r.status == NO_ANSWER for r in during)} without an answer, the rest served; "
            f"/healthz {dict(sorted(Counter(s for at, s in probes if at <= back).items()))}"
        )
    elif faults.cluster is not None:
        failures.append("PostgreSQL was not restarted")
    if RETRIED_STEPS:
        print(f"   steps tried again: {len(RETRIED_STEPS)}, at most {max(RETRIED_STEPS)} tries")

    def of_the_outage(r: Result) -> bool:
        return outage is not None and r.status == 503 and r.at <= outage[1] and r.at + r.seconds >= outage[0]

    return sum(1 for r in results if r.status >= 500 and not of_the_outage(r))


def main() -> int:
    global DEADLINE, RETRIES
    default_pg = os.environ.get("DATABASE_URL", "")
    if not default_pg.startswith("postgres"):
        default_pg = "postgres://hp:hp@127.0.0.1:5432/hp"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--respondents", type=int, default=50, help="concurrent respondents (default 50)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, at least 2 (default 4)")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--postgres-url", default=default_pg, help="a loopback server and a role that may create DBs")
    parser.add_argument("--deadline", type=float, default=600, help="seconds before the whole run gives up")
    parser.add_argument("--faults", action="store_true", help="kill a worker mid-save and restart PostgreSQL")
    parser.add_argument("--outage-seconds", type=float, default=3, help="how long PostgreSQL stays down (default 3)")
    parser.add_argument("--pg-cluster", default="15/main", help="VERSION/NAME of the cluster to restart (15/main)")
    parser.add_argument("--retries", type=int, default=10, help="with --faults, tries again per step (default 10)")
    args = parser.parse_args()
    if args.workers < 2:
        parser.error("--workers must be at least 2")
    if args.respondents < (5 if args.faults else 1):
        parser.error("--respondents must be at least 1 (5 with --faults)")
    DEADLINE = time.monotonic() + args.deadline
    if args.faults:
        RETRIES = args.retries
    # A SIGTERM (a CI timeout) unwinds like Ctrl-C, so a stopped PostgreSQL is started again on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    cluster = None
    if args.faults and args.db in ("postgres", "both"):
        cluster = PostgresCluster(args.pg_cluster, args.postgres_url)
        cluster.check()
    ok = True
    try:
        if args.db in ("sqlite", "both"):
            with SqliteDatabase() as url:
                ok &= run("SQLite", url, args.respondents, args.workers, Faults(None, 0) if args.faults else None)
        if args.db in ("postgres", "both"):
            with PostgresDatabase(args.postgres_url) as url:
                try:
                    faults = Faults(cluster, args.outage_seconds) if args.faults else None
                    ok &= run("PostgreSQL", url, args.respondents, args.workers, faults)
                finally:
                    if cluster is not None:
                        cluster.ensure_started()  # before the database is dropped
    finally:
        if cluster is not None:
            cluster.ensure_started()
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
