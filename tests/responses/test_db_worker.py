"""``db_worker`` when its database goes away (contract §11): it waits, reconnects and goes on, losing nothing.

Nothing is sent twice either.

The outage is simulated on the connection itself: while it lasts, every
query fails as PostgreSQL's do when the server is stopped ("server closed
the connection unexpectedly"), wherever the worker is (polling, claiming an
e-mail, recording a send). A test against a real PostgreSQL stopped and
started under the worker runs only when DATABASE_URL points at one (see
test_a_real_postgresql_restart...).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import threading
import time

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection

from common.db import close_connections
from responses.models import Invitation, InvitationEmail
from tests.responses.mail_helpers import run_worker
from tests.responses.test_mail import invite, survey  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db(transaction=True)

ADDRESSES = ["ann@example.org", "bob@example.org", "cid@example.org"]


class Outage:
    """Fail every query from the moment ``starts(sql)`` is true, for ``length`` queries, then let them through."""

    def __init__(self, starts, length: int = 8) -> None:
        self.starts, self.length = starts, length
        self.active, self.over, self.refused = False, False, 0

    def __call__(self, execute, sql, params, many, context):
        if not self.active and not self.over and self.starts(sql):
            self.active = True
        if self.active:
            self.refused += 1
            if self.refused >= self.length:
                self.active, self.over = False, True
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


@pytest.fixture
def no_waits(monkeypatch):
    """The worker's and the send's waits take no time here (they are 0.5 s doubling to 10 s)."""
    import common.db
    import responses.management.commands.db_worker as worker

    monkeypatch.setattr(common.db, "backoff", lambda attempt: 0)
    monkeypatch.setattr(worker, "backoff", lambda attempt: 0)


def each_sent_once(smtp) -> None:
    assert sorted(m["To"] for m in smtp.messages) == ADDRESSES
    assert set(InvitationEmail.objects.values_list("status", flat=True)) == {"sent"}
    assert set(Invitation.objects.values_list("emails_sent", flat=True)) == {1}


def queue_three(tmp_path) -> None:
    invite(tmp_path, "email\n" + "\n".join(ADDRESSES) + "\n")


@pytest.mark.parametrize(
    "moment",
    ["polling", "claiming", "after-send"],
    ids=["while-polling", "while-claiming-an-email", "between-send-and-record"],
)
def test_the_worker_waits_out_a_database_outage_and_sends_each_email_once(tmp_path, survey, smtp, no_waits, moment):  # noqa: F811
    queue_three(tmp_path)
    starts = {
        "polling": lambda sql: "django_tasks_database_dbtaskresult" in sql and sql.lstrip().startswith("SELECT"),
        "claiming": lambda sql: sql.startswith('INSERT INTO "responses_invitationtoken"'),
        # The first e-mail has left: the database goes away before the worker records it.
        "after-send": lambda sql: len(smtp.messages) == 1,
    }[moment]
    outage = Outage(starts)
    with connection.execute_wrapper(outage):
        run_worker()
    assert outage.over, "the outage happened"
    each_sent_once(smtp)
    run_worker()
    assert len(smtp.messages) == 3


def test_an_outage_that_outlasts_the_task_leaves_it_to_the_next_sweep(tmp_path, survey, smtp, no_waits):  # noqa: F811
    """A long outage while claiming: the worker keeps waiting (many tries) and, once back, sends everything once."""
    queue_three(tmp_path)
    outage = Outage(lambda sql: sql.startswith('INSERT INTO "responses_invitationtoken"'), length=40)
    with connection.execute_wrapper(outage):
        run_worker()
    each_sent_once(smtp)


def test_an_error_that_is_not_an_outage_still_stops_the_worker(monkeypatch, tmp_path, survey):  # noqa: F811
    """Only an unreachable database is waited out: a bug is not hidden behind retries."""
    import responses.management.commands.db_worker as worker

    def broken():
        raise RuntimeError("a bug")

    monkeypatch.setattr(worker, "sweep", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        run_worker()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    or not shutil.which("pg_ctlcluster"),
    reason="needs DATABASE_URL at a PostgreSQL this test may stop and start (pg_ctlcluster, as root)",
)
def test_a_real_postgresql_restart_under_a_running_worker_loses_and_repeats_nothing(
    tmp_path,
    survey,  # noqa: F811
    smtp,
    monkeypatch,
):
    """PostgreSQL stopped for 15 s under a running worker: it goes on within a minute of the return, each sent once."""
    from django_tasks_db.management.commands.db_worker import Worker

    # The worker runs in a thread here, where Python allows no signal handlers; the process's own stay.
    monkeypatch.setattr(Worker, "configure_signals", lambda self: None)
    cluster = os.environ.get("PG_CLUSTER", "15/main").split("/")
    queue_three(tmp_path)
    err = io.StringIO()
    worker = threading.Thread(
        target=call_command,
        # --batch: it waits the outage out, then sends what is queued and exits.
        args=("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0.2"),
        kwargs={"stderr": err},
        daemon=True,
    )
    subprocess.run(["pg_ctlcluster", *cluster, "stop", "-m", "fast"], check=True)
    worker.start()
    time.sleep(15)
    subprocess.run(["pg_ctlcluster", *cluster, "start"], check=True)
    worker.join(timeout=60)
    assert not worker.is_alive(), "the worker went on within a minute of the database's return"
    close_connections()  # this thread's own connection died with the server
    each_sent_once(smtp)
