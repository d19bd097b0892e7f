"""What a killed worker leaves behind, for the apps that queue e-mail to find and queue again."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

# A task (or a claimed e-mail) older than this is taken for one whose worker was killed.
STALE_TASK = timedelta(minutes=10)


def live_task_ids(task) -> set[int]:
    """The first arguments of ``task``'s runs that a worker will still do: queued, or running and not stale.

    A worker killed mid-run leaves its task "running" for ever; after
    ``STALE_TASK`` it counts as dead, and what it was doing is queued again
    by whoever asks.
    """
    from django_tasks_db.models import DBTaskResult

    live = DBTaskResult.objects.filter(task_path=task.module_path).filter(
        Q(status="READY") | Q(status="RUNNING", started_at__gte=timezone.now() - STALE_TASK)
    )
    ids: set[int] = set()
    for args in live.values_list("args_kwargs", flat=True):
        first = args["args"][0] if args.get("args") else None
        # A task may cover many rows at once (a list of ids): each counts.
        ids.update(first if isinstance(first, list) else [] if first is None else [first])
    return ids


def requeue_unsent(task, rows: QuerySet, *, queued: str, sending: str, also=()) -> int:
    """Queue ``task`` again for each of ``rows`` that waits to be sent and that no live run of it will send.

    A row waits when its status is ``queued``, or ``sending`` with a claim
    older than ``STALE_TASK`` (its worker was killed). Queueing one task more
    than needed is harmless: a run whose row is no longer queued sends nothing.
    ``also`` names tasks that will queue ``task`` for the rows in their first
    argument: those rows are covered too. Returns how many were queued.
    """
    covered = live_task_ids(task)
    for other in also:  # tasks that will queue ``task`` for their rows (a large batch's)
        covered |= live_task_ids(other)
    waiting = rows.filter(Q(status=queued) | Q(status=sending, claimed_at__lt=timezone.now() - STALE_TASK))
    ids = [pk for pk in waiting.values_list("pk", flat=True) if pk not in covered]
    for pk in ids:
        task.enqueue(pk)
    return len(ids)
