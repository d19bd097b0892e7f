"""``manage.py db_worker [--batch]``: django-tasks-db's worker, kept going when the database goes away.

Before its first task, and every ``SWEEP_SECONDS`` after, it queues again
what no task will send: e-mails a killed worker left, and e-mails held for a
draft whose assessment now takes answers. When the database cannot be
reached (stopped, restarting, a dropped connection), the worker drops its
connections, waits (0.5 s doubling to 10 s) and tries again, so it goes on
within seconds of the database's return; what it was doing stays in the
database, queued or claimed, and is sent once (see responses/mail/services.py).
"""

from __future__ import annotations

import functools
import logging
import random
import time

from django_tasks_db.management.commands import db_worker as upstream

from common.db import backoff, close_connections, database_gone
from organizations.mail import member_invitations_requeue
from responses.mail.services import emails_requeue

logger = logging.getLogger("django_tasks_db")

# How often a running worker looks for e-mails that no task will send.
SWEEP_SECONDS = 30.0


def sweep() -> int:
    return emails_requeue() + member_invitations_requeue()


class Worker(upstream.Worker):
    """The upstream worker, with a sweep every ``SWEEP_SECONDS`` and a wait, not an exit, on a database error.

    The loop is upstream's (``Worker.run``) one step at a time, so that both
    fit between two steps; running the tasks is left to upstream.
    """

    def __init__(self, *args, sleep=time.sleep, report=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.sleep = sleep
        self.report = report or (lambda text: logger.warning("%s", text))
        self.last_sweep: float | None = None
        self.outages = 0
        # The task an outage cut off: its end was never recorded, so it is handed back once the database is.
        self.cut_off = None

    def run(self) -> None:
        logger.info("Starting worker worker_id=%s queues=%s", self.worker_id, ",".join(self.queue_names))
        if self.startup_delay and self.interval:
            self.sleep(random.random())  # noqa: S311 (a thundering herd's spread, as upstream)
        failures = 0
        while self.running:
            try:
                if self.cut_off is not None:
                    self.hand_back(self.cut_off)
                    self.cut_off = None
                if self.last_sweep is None or time.monotonic() - self.last_sweep >= SWEEP_SECONDS:
                    requeued = sweep()
                    self.last_sweep = time.monotonic()
                    if requeued:
                        self.report(
                            f"Queued {requeued} e-mail{'s' if requeued != 1 else ''} again that no task was sending."
                        )
                done, ran = self.step()
                failures = 0
            except Exception as exc:
                if not database_gone(exc):
                    raise
                self.outages += 1
                logger.warning("The database cannot be reached (%s); trying again.", exc)
                close_connections()
                self.running_task = False
                self.sleep(backoff(failures))
                failures += 1
                # Swept as soon as it is back: what the outage cut off is found when its claim goes stale.
                self.last_sweep = None
                continue
            if done:
                return
            if self.running and not ran:
                self.sleep(self.interval)

    def run_task(self, db_task_result) -> None:
        self.cut_off = db_task_result.pk
        super().run_task(db_task_result)
        self.cut_off = None

    def hand_back(self, task_id) -> None:
        """Make a task the outage cut off ready again: running it twice sends nothing twice (responses/mail)."""
        upstream.DBTaskResult.objects.filter(pk=task_id, status="RUNNING").update(status="READY")

    def step(self) -> tuple[bool, bool]:
        """One turn of upstream's loop: (whether the worker is done, whether it ran a task)."""
        upstream.close_old_connections()
        tasks = upstream.DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        retrieved = True
        with upstream.exclusive_transaction(tasks.db):
            try:
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
            except upstream.OperationalError as exc:
                if not upstream.is_locked_database_exception(exc):
                    raise
                task_result, retrieved = None, False
        if task_result is not None:
            self.run_task(task_result)
            # Upstream records a task's end in the database: gone meanwhile, the error comes up here.
        if self.batch and retrieved and task_result is None:
            return True, False
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return True, task_result is not None
        upstream.close_old_connections()
        return False, task_result is not None


class Command(upstream.Command):
    help = (
        upstream.Command.help
        + ". Queued e-mails that no task will send (a killed worker's, a draft's once it opens) are queued again;"
        " the worker waits out a database that goes away."
    )

    def handle(self, *args, **options):
        # The upstream command builds its own Worker: this one takes its place for the command's run.
        original = upstream.Worker
        upstream.Worker = functools.partial(Worker, report=self.stderr.write)
        try:
            return super().handle(*args, **options)
        finally:
            upstream.Worker = original
