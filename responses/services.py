"""Writes of invitations, responses and answers.

Every write that touches answers goes through here, in bulk, in one
transaction, so a request or an import either saves everything it was given
or nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from assessments.models import Assessment
from assessments.services import assessment_freeze_questions, assessment_get_or_create
from organizations.services import organization_get_or_create
from responses.models import Answer, Invitation, Response, hash_token
from taxonomy.scales import SCALE_MAX, SCALE_MIN, Dimension

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

# Keeps each INSERT under SQLite's 32766-parameter limit (6 columns per row).
BULK_BATCH_SIZE = 5000


# ``Dimension.values`` rebuilds its list on every access; a Rating is built per CSV row.
_DIMENSIONS = frozenset(Dimension.values)


@dataclass(frozen=True)
class Rating:
    """One answer to one question: ``value`` None means "Don't know"."""

    benefit_id: int
    dimension: str
    value: int | None

    def __post_init__(self) -> None:
        if self.dimension not in _DIMENSIONS:
            raise ValueError(f"unknown dimension {self.dimension!r}")
        if self.value is not None and not SCALE_MIN <= self.value <= SCALE_MAX:
            raise ValueError(f"rating {self.value!r} is outside {SCALE_MIN}..{SCALE_MAX}")


def _apply(answer: Answer, rating: Rating) -> None:
    setattr(answer, rating.dimension, rating.value)
    setattr(answer, f"{rating.dimension}_answered", True)


@transaction.atomic
def answers_save(*, response: Response, ratings: Iterable[Rating]) -> int:
    """Save one respondent's ratings, merged into what they saved before.

    Three queries whatever the number of ratings: read the existing rows of
    the benefits concerned, one upsert, one update of the response. Only
    the dimensions given are written; nothing else changes.
    """
    ratings = list(ratings)
    if response.submitted_at is not None:
        raise ValueError("this response has been submitted and can no longer change")
    if not ratings:
        return 0
    if response.assessment.questions_frozen_at is None:
        assessment_freeze_questions(assessment=response.assessment)
    benefit_ids = {r.benefit_id for r in ratings}
    rows = {a.benefit_id: a for a in Answer.objects.filter(response=response, benefit_id__in=benefit_ids)}
    for rating in ratings:
        answer = rows.get(rating.benefit_id)
        if answer is None:
            answer = rows[rating.benefit_id] = Answer(
                response=response, benefit_id=rating.benefit_id, assessment_id=response.assessment_id
            )
        _apply(answer, rating)
    # Every row goes through the upsert without its pk: a mix of rows with and without
    # one makes bulk_create split into two INSERTs, and the query count would vary.
    for answer in rows.values():
        answer.pk = None
    Answer.objects.bulk_create(
        rows.values(),
        update_conflicts=True,
        unique_fields=["response", "benefit"],
        update_fields=["importance", "realization", "importance_answered", "realization_answered"],
        batch_size=BULK_BATCH_SIZE,
    )
    response.updated_at = timezone.now()
    Response.objects.filter(pk=response.pk).update(updated_at=response.updated_at)
    return len(ratings)


def _insert_many(model, columns: list[str], rows: list) -> None:
    """One ``executemany`` INSERT of ``rows`` (tuples in ``columns`` order).

    Imports run to hundreds of thousands of answers: building a model
    instance per row, and Django splitting a bulk INSERT into batches of
    ~160 rows on SQLite, would cost more than the writes themselves. One
    ``executemany`` is also one query, whatever the number of rows.
    """
    if not rows:
        return
    opts = model._meta
    qn = connection.ops.quote_name
    names = ", ".join(qn(opts.get_field(c).column) for c in columns)
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {qn(opts.db_table)} ({names}) VALUES ({placeholders})", rows)


@transaction.atomic
def responses_import(
    *, assessment: Assessment, ratings_by_respondent: Mapping[str, Iterable[Rating]], submitted: bool = True
) -> int:
    """Create one response per respondent with its ratings, in bulk; all or nothing.

    Imported responses count as submitted. A fixed number of queries whatever
    the number of respondents. Returns the number of ratings saved. The
    caller has already checked that no respondent is in the assessment; the
    unique constraint backs that up.
    """
    if assessment.questions_frozen_at is None:
        assessment_freeze_questions(assessment=assessment)
    if not ratings_by_respondent:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _insert_many(
        Response,
        ["assessment", "respondent", "started_at", "updated_at", "submitted_at", "current_section"],
        [(assessment.pk, respondent, now, now, now if submitted else None, 0) for respondent in ratings_by_respondent],
    )
    ids = dict(Response.objects.filter(assessment=assessment).values_list("respondent", "pk"))
    answers: list[list] = []
    count = 0
    importance = Dimension.IMPORTANCE.value
    for respondent, ratings in ratings_by_respondent.items():
        response_id = ids[respondent]
        # benefit id -> [response, benefit, importance, realization, importance_answered, realization_answered,
        #                assessment, submitted]
        rows: dict[int, list] = {}
        for rating in ratings:
            row = rows.get(rating.benefit_id)
            if row is None:
                row = rows[rating.benefit_id] = [
                    response_id,
                    rating.benefit_id,
                    None,
                    None,
                    False,
                    False,
                    assessment.pk,
                    submitted,
                ]
            if rating.dimension == importance:
                row[2], row[4] = rating.value, True
            else:
                row[3], row[5] = rating.value, True
            count += 1
        answers.extend(rows.values())
    _insert_many(
        Answer,
        [
            "response",
            "benefit",
            "importance",
            "realization",
            "importance_answered",
            "realization_answered",
            "assessment",
            "submitted",
        ],
        answers,
    )
    return count


@transaction.atomic(durable=True)
def responses_import_by_name(
    *, organization: str, assessment: str, ratings_by_respondent: Mapping[str, Iterable[Rating]]
) -> tuple[Assessment, int]:
    """``import_responses``: create the organization and assessment when missing, then import; all or nothing."""
    org, _ = organization_get_or_create(name=organization)
    target, _ = assessment_get_or_create(organization=org, title=assessment)
    return target, responses_import(assessment=target, ratings_by_respondent=ratings_by_respondent)


@transaction.atomic(durable=True)
def response_submit(*, response: Response) -> bool:
    """Mark a response submitted, once. Returns False if it already was.

    The row lock makes a double submit from two tabs submit once.
    """
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.submitted_at is not None:
        response.submitted_at = locked.submitted_at
        return False
    now = timezone.now()
    Response.objects.filter(pk=locked.pk).update(submitted_at=now, updated_at=now)
    Answer.objects.filter(response_id=locked.pk).update(submitted=True)
    response.submitted_at = now
    return True


# 32 random bytes: 256 bits, well over the 128 the threat model asks for.
TOKEN_BYTES = 32


@transaction.atomic
def invitations_create(*, assessment: Assessment, count: int, label: str = "") -> list[str]:
    """Create ``count`` single-use invitations; return their tokens.

    Only a hash of each token is stored, so the tokens returned here are the
    only copy: the caller hands them out (as links) or loses them.
    """
    if count < 1:
        raise ValueError("the number of invitations must be at least 1")
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in range(count)]
    now = timezone.now()
    Invitation.objects.bulk_create(
        [Invitation(assessment=assessment, token_hash=hash_token(t), label=label, created_at=now) for t in tokens],
        batch_size=BULK_BATCH_SIZE,
    )
    return tokens


class ResponseSubmittedError(Exception):
    """The response was submitted: it can no longer change."""


class StaleResponseError(Exception):
    """The response changed (another tab or window) after the page being saved was loaded."""


def response_revision(response: Response) -> str:
    """An opaque version of a response's answers, carried by each section page.

    ``answers_save`` moves ``updated_at`` on every write, so a page whose
    revision no longer matches was loaded before someone else saved.
    """
    return response.updated_at.isoformat()


def _free_respondent_label(assessment: Assessment, label: str) -> str:
    # An imported respondent may already use the natural label; never collide with it.
    taken = set(
        Response.objects.filter(assessment=assessment, respondent__startswith=label).values_list(
            "respondent", flat=True
        )
    )
    candidate, n = label, 2
    while candidate in taken:
        candidate, n = f"{label}-{n}", n + 1
    return candidate


@transaction.atomic(durable=True)
def response_start(
    *, assessment: Assessment, invitation: Invitation | None = None, user: AbstractBaseUser | None = None
) -> tuple[Response, bool]:
    """The response of an invitation or of a member, created on first start.

    Idempotent: starting twice (two tabs, a reload) returns the same
    response. The respondent label is ``invitation-<id>`` or the username,
    so it names no person who came through a link.
    """
    if (invitation is None) == (user is None):
        raise ValueError("a response starts from exactly one of an invitation or a user")
    if invitation is not None:
        lookup = {"invitation": invitation}
        label = f"invitation-{invitation.pk}"
    else:
        lookup = {"assessment": assessment, "user": user}
        label = user.get_username()
    existing = Response.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    return Response.objects.get_or_create(
        **lookup,
        defaults={
            "assessment": assessment,
            "respondent": _free_respondent_label(assessment, label),
            "started_at": now,
            "updated_at": now,
        },
    )


@transaction.atomic(durable=True)
def response_section_save(
    *, response: Response, ratings: Iterable[Rating], revision: str | None, current_section: int
) -> int:
    """Save one section page's ratings and where to resume; all or nothing.

    The row lock orders two saves of one response. A page loaded before the
    response last changed (``revision`` differs) is refused with
    :class:`StaleResponseError` unless it sends exactly what is stored (a
    double click, a replayed POST), which is then a no-op: an old tab never
    silently overwrites newer answers. A submitted response refuses with
    :class:`ResponseSubmittedError`. A constant number of queries.
    """
    ratings = list(ratings)
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.submitted_at is not None:
        response.submitted_at = locked.submitted_at
        raise ResponseSubmittedError("this response has been submitted and can no longer change")
    response.updated_at = locked.updated_at
    if revision is not None and revision != response_revision(locked) and ratings:
        stored = {
            a.benefit_id: a
            for a in Answer.objects.filter(response=locked, benefit_id__in={r.benefit_id for r in ratings})
        }
        unchanged = all(
            r.benefit_id in stored
            and stored[r.benefit_id].answered(r.dimension)
            and stored[r.benefit_id].value(r.dimension) == r.value
            for r in ratings
        )
        if not unchanged:
            raise StaleResponseError("the response changed after this page was loaded")
        ratings = []
    saved = answers_save(response=response, ratings=ratings)
    if locked.current_section != current_section:
        Response.objects.filter(pk=response.pk).update(current_section=current_section)
    response.current_section = current_section
    return saved


@transaction.atomic(durable=True)
def invitations_create_by_name(*, organization: str, assessment: str, count: int) -> tuple[Assessment, bool, list[str]]:
    """``invite``: create the organization and the (open) assessment when missing, then ``count`` invitations.

    All or nothing. Returns the assessment, whether it was created now, and the tokens.
    """
    org, _ = organization_get_or_create(name=organization)
    target, created = assessment_get_or_create(organization=org, title=assessment)
    return target, created, invitations_create(assessment=target, count=count)


@transaction.atomic
def invitations_revoke(*, invitations: QuerySet[Invitation]) -> int:
    """Revoke ``invitations``: their links open nothing from now on. Returns how many were revoked.

    A revoked invitation stays revoked (the first date is kept); a submitted
    one has done its job and is left alone.
    """
    return (
        invitations.filter(revoked_at__isnull=True)
        .exclude(response__submitted_at__isnull=False)
        .update(revoked_at=timezone.now())
    )


@transaction.atomic(durable=True)
def invitation_revoke(*, invitation: Invitation) -> bool:
    """Revoke one invitation (see :func:`invitations_revoke`); False if there was nothing to revoke."""
    if not invitations_revoke(invitations=Invitation.objects.filter(pk=invitation.pk)):
        return False
    invitation.refresh_from_db(fields=["revoked_at"])
    return True
