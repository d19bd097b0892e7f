"""Query helpers shared by the apps."""

from __future__ import annotations

import contextlib

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.text import slugify


def count_of(queryset: QuerySet, field: str) -> Coalesce:
    """``COUNT(*)`` of ``queryset`` rows whose ``field`` is the outer row: a subquery, so counts never multiply."""
    counted = queryset.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def unique_slug(model, base: str, **scope) -> str:
    """``slugify(base)``, suffixed ``-2``, ``-3``… until no ``model`` row within ``scope`` has it."""
    base = slugify(base)[:180] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


# --- When the database goes away ---

# The longest wait between two tries: the database is found again within this of its return.
MAX_BACKOFF_SECONDS = 10.0
# A write after a sent e-mail is given this long; the e-mail is not sent twice meanwhile.
MAX_WAIT_SECONDS = 3600.0


def database_gone(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached (down, restarting, connection dropped)."""
    from django.db import InterfaceError, OperationalError

    if not isinstance(exc, OperationalError | InterfaceError):
        return False
    # SQLite's "database is locked" is busy, not gone: the caller's own retry handles it.
    return "locked" not in str(exc)


def close_connections() -> None:
    """Drop every database connection, broken ones included, so the next query opens a new one."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        # A broken connection may fail to close; it is dropped all the same.
        with contextlib.suppress(Exception):
            connection.close()
        connection.connection = None
        connection.closed_in_transaction = False
        connection.needs_rollback = False


def backoff(attempt: int) -> float:
    """Seconds to wait before try ``attempt + 1``: 0.5, 1, 2, 4... up to ``MAX_BACKOFF_SECONDS``."""
    return min(MAX_BACKOFF_SECONDS, 0.5 * 2**attempt)


def retry_while_database_down(fn, *, max_wait: float = MAX_WAIT_SECONDS, sleep=None):
    """``fn()``, tried again while the database is unreachable, until ``max_wait`` seconds have passed.

    For the write that must follow an action done outside the database (an
    e-mail sent): given up, the action would be done again later. Inside a
    transaction nothing can be retried, so the error goes up as it is.
    """
    import time

    from django.db import connection

    sleep = sleep or time.sleep
    start, attempt = time.monotonic(), 0
    while True:
        try:
            return fn()
        except Exception as exc:
            if not database_gone(exc) or connection.in_atomic_block or time.monotonic() - start > max_wait:
                raise
        close_connections()
        sleep(backoff(attempt))
        attempt += 1
