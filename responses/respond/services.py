"""A respondent's writes: start, save a section, comments, submit, withdraw.

Every write that touches answers goes through here (or, for a CSV, through
``responses.imports.services``), in bulk, in one transaction, so a request
saves everything it was given or nothing.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, Audience, Segment
from assessments.services import (
    assessment_freeze_questions,
)
from common.validators import validate_language
from organizations.models import Membership
from responses.models import (
    COMMENT_MAX_LENGTH,
    SEGMENT_COLUMNS,
    Answer,
    Comment,
    Invitation,
    InvitationSegmentValue,
    Participation,
    Response,
    ResponseSegmentValue,
)
from responses.respond.assignment import assignment_make
from responses.respond.redaction import organization_member_names, redact
from responses.services import BULK_BATCH_SIZE
from taxonomy.scales import SCALE_MAX, SCALE_MIN, Dimension

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

# ``Dimension.values`` rebuilds its list on every access; a Rating is built per CSV row.
_DIMENSIONS = frozenset(Dimension.values)

NO_QUESTIONS_TO_SUBMIT = (
    "This assessment asks no questions at the moment, so there is nothing to submit. "
    "Your answers are kept; ask the person who sent you the link."
)


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
    if response.is_submitted:
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


def _lock_membership(assessment: Assessment, user_id: int) -> None:
    list(Membership.objects.select_for_update().filter(organization_id=assessment.organization_id, user_id=user_id))


def _lock_way_in(response: Response) -> None:
    """Lock the row that says who may answer (the invitation, or the member's membership).

    Start, submit and withdraw of one person's response all take this lock
    first, so two tabs are served one after the other and always in the same
    order of locks.
    """
    if response.invitation_id is not None:
        list(Invitation.objects.select_for_update().filter(pk=response.invitation_id))
    elif response.user_id is not None:
        _lock_membership(response.assessment, response.user_id)


def segment_columns(*, assessment_id: int) -> dict[int, int]:
    """Segment id -> the index, in ``SEGMENT_COLUMNS``, of the answer column that holds its option; 1 query.

    Segments in the order they were created, the order of the release rule.
    """
    ids = Segment.objects.filter(assessment_id=assessment_id).order_by("pk").values_list("pk", flat=True)
    return {pk: i for i, pk in enumerate(ids)}


def _answer_segments(response: Response) -> dict[str, int]:
    """The answer columns of ``response``'s segment options; 1 query, 2 when it has any."""
    values = list(ResponseSegmentValue.objects.filter(response=response).values_list("segment_id", "option_id"))
    if not values:
        return {}
    column = segment_columns(assessment_id=response.assessment_id)
    return {SEGMENT_COLUMNS[column[segment_id]]: option_id for segment_id, option_id in values}


@transaction.atomic(durable=True)
def response_submit(*, response: Response, language: str | None = None) -> bool:
    """Submit a response, once, and make it anonymous. Returns False if it already was submitted.

    In the same transaction, the invitation or the member is marked as having
    submitted, and the response loses its user, its invitation and its times
    of day: it keeps the day, how many whole minutes it took (see the
    models' docstring) and ``language``, the one the respondent used when
    they submitted (default: the site's). The row locks make two tabs
    submitting at once submit once. An assessment that asks no questions, or
    a language the site does not offer, is refused (``ValidationError``).
    """
    language = settings.LANGUAGE_CODE if language is None else language
    validate_language(language)
    _lock_way_in(response)
    locked = Response.objects.select_for_update().filter(pk=response.pk).first()
    if locked is None or locked.is_submitted:
        return False
    if not response.assessment.has_questions():
        # Nothing was asked, so an empty response would count as a respondent who answered nothing.
        raise ValidationError(NO_QUESTIONS_TO_SUBMIT, code="no_questions")
    now = timezone.now()
    if locked.invitation_id is not None:
        Invitation.objects.filter(pk=locked.invitation_id).update(submitted=True)
    if locked.user_id is not None:
        Participation.objects.get_or_create(assessment_id=locked.assessment_id, user_id=locked.user_id)
    minutes = max(0, int((now - locked.started_at).total_seconds() // 60)) if locked.started_at else None
    Response.objects.filter(pk=locked.pk).update(
        submitted_on=timezone.localdate(now),
        duration_minutes=minutes,
        user=None,
        invitation=None,
        started_at=None,
        updated_at=None,
        language=language,
    )
    Answer.objects.filter(response_id=locked.pk).update(submitted=True, **_answer_segments(locked))
    response.submitted_on = timezone.localdate(now)
    response.language = language
    response.user = response.invitation = response.started_at = response.updated_at = None
    return True


@transaction.atomic(durable=True)
def response_withdraw(*, response: Response) -> bool:
    """Delete a draft and its answers, so that its invitation or member may start again.

    A submitted response cannot be withdrawn (nothing links it to its
    respondent any more): :class:`ResponseSubmittedError`. Returns False when
    there was nothing to withdraw (another tab did it).
    """
    _lock_way_in(response)
    locked = Response.objects.select_for_update().filter(pk=response.pk).first()
    if locked is None:
        return False
    if locked.is_submitted:
        raise ResponseSubmittedError("this response has been submitted and can no longer be withdrawn")
    Answer.objects.filter(response_id=locked.pk).delete()
    locked.delete()
    return True


class ResponseSubmittedError(Exception):
    """The response was submitted: it can no longer change."""


class ResponseWithdrawnError(Exception):
    """The response was withdrawn (another tab or window) after the page being saved was loaded."""


class StaleResponseError(Exception):
    """The response changed (another tab or window) after the page being saved was loaded."""


def response_revision(response: Response) -> str:
    """An opaque version of a response's answers, carried by each section page.

    ``answers_save`` moves ``updated_at`` on every write, so a page whose
    revision no longer matches was loaded before someone else saved.
    """
    return response.updated_at.isoformat()


def random_respondent_id() -> str:
    """A web response's respondent id: random, so that it names nobody (64 bits: no collision in practice)."""
    return f"w-{secrets.token_hex(8)}"


class AlreadySubmittedError(Exception):
    """This invitation or member has submitted a response already: there is no second one."""


@transaction.atomic(durable=True)
def response_start(
    *,
    assessment: Assessment,
    invitation: Invitation | None = None,
    user: AbstractBaseUser | None = None,
    stated: Mapping[str, int] | None = None,
) -> tuple[Response, bool]:
    """The draft of an invitation or of a member, created on first start.

    Idempotent: starting twice (two tabs, a reload) returns the same draft.
    An invitation or member that has submitted already gets
    :class:`AlreadySubmittedError`. The respondent id is random. A new draft
    takes its invitation's segment values, and ``stated`` ({segment id:
    option id}) for the segments the respondent answered on the intro page.
    It is assigned the benefits it asks (see responses/respond/assignment.py).
    """
    if (invitation is None) == (user is None):
        raise ValueError("a response starts from exactly one of an invitation or a user")
    if invitation is not None:
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        submitted = locked.submitted
        lookup = {"invitation": invitation}
    else:
        _lock_membership(assessment, user.pk)
        submitted = Participation.objects.filter(assessment=assessment, user=user).exists()
        lookup = {"assessment": assessment, "user": user}
    if submitted:
        raise AlreadySubmittedError("this invitation or member has submitted a response already")
    existing = Response.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    now = timezone.now()
    assigned = assignment_make(
        assessment=assessment, audience=locked.audience if invitation is not None else Audience.BOTH
    )
    response = Response.objects.create(
        **{"assessment": assessment, **lookup},
        respondent=random_respondent_id(),
        started_at=now,
        updated_at=now,
        assigned_benefits=assigned,
    )
    values = dict(stated or {})
    if invitation is not None:
        values.update(
            InvitationSegmentValue.objects.filter(invitation=invitation).values_list("segment_id", "option_id")
        )
    ResponseSegmentValue.objects.bulk_create(
        ResponseSegmentValue(response=response, segment_id=segment_id, option_id=option_id)
        for segment_id, option_id in values.items()
    )
    return response, True


@transaction.atomic(durable=True)
def response_section_save(
    *,
    response: Response,
    ratings: Iterable[Rating],
    revision: str | None,
    current_section: int,
    comments: Mapping[str, str] | None = None,
) -> int:
    """Save one section page's ratings, its comment box and where to resume; all or nothing.

    ``comments`` ({section: text as typed}) is redacted before it is stored
    (see :func:`comments_save`).

    The row lock orders two saves of one response. A page loaded before the
    response last changed (``revision`` differs) is refused with
    :class:`StaleResponseError` unless it sends exactly what is stored (a
    double click, a replayed POST), which is then a no-op: an old tab never
    silently overwrites newer answers. A submitted response refuses with
    :class:`ResponseSubmittedError`. A constant number of queries.
    """
    ratings = list(ratings)
    locked = Response.objects.select_for_update().filter(pk=response.pk).first()
    if locked is None:
        raise ResponseWithdrawnError("this response was withdrawn in another window")
    if locked.is_submitted:
        response.submitted_on = locked.submitted_on
        raise ResponseSubmittedError("this response has been submitted and can no longer change")
    response.updated_at = locked.updated_at
    redacted = _redacted_comments(response, comments)
    if revision is not None and revision != response_revision(locked) and (ratings or redacted):
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
        if not unchanged or _comments_differ(locked, redacted):
            raise StaleResponseError("the response changed after this page was loaded")
        ratings, redacted = [], {}
    if redacted and _comments_differ(locked, redacted):
        _comments_put(response, redacted)
    saved = answers_save(response=response, ratings=ratings)
    if locked.current_section != current_section:
        Response.objects.filter(pk=response.pk).update(current_section=current_section)
    response.current_section = current_section
    return saved


class CommentTooLongError(ValueError):
    """A comment longer than the box allows."""


def comment_length_check(text: str) -> None:
    # Counted as typed, with ``\r\n`` as one line break, as the browser counts it.
    if len(text.replace("\r\n", "\n")) > COMMENT_MAX_LENGTH:
        raise CommentTooLongError(f"a comment holds at most {COMMENT_MAX_LENGTH:,} characters")


def _redacted_comments(response: Response, comments: Mapping[str, str] | None) -> dict[str, str]:
    """{section: redacted text} of what a page sent; an empty text (after redaction's clean-up) deletes."""
    if not comments:
        return {}
    for text in comments.values():
        comment_length_check(text)
    if not any(text.strip() for text in comments.values()):
        return dict.fromkeys(comments, "")
    names = organization_member_names(organization_id=response.assessment.organization_id)
    return {section: redact(text, names).strip() for section, text in comments.items()}


def _comments_differ(response: Response, redacted: Mapping[str, str]) -> bool:
    stored = dict(Comment.objects.filter(response=response, section__in=list(redacted)).values_list("section", "text"))
    return any(stored.get(section, "") != text for section, text in redacted.items())


def _comments_put(response: Response, redacted: Mapping[str, str]) -> None:
    """Store each box's redacted text, or delete the comment whose box was emptied; moves the revision."""
    empty = [section for section, text in redacted.items() if not text]
    kept = {section: text for section, text in redacted.items() if text}
    if empty:
        Comment.objects.filter(response=response, section__in=empty).delete()
    if kept:
        rows = [Comment(response=response, section=section, text=text) for section, text in kept.items()]
        for row in rows:
            row.full_clean(exclude=["response"], validate_unique=False, validate_constraints=False)
        Comment.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["response", "section"], update_fields=["text"]
        )
    response.updated_at = timezone.now()
    Response.objects.filter(pk=response.pk).update(updated_at=response.updated_at)


@transaction.atomic(durable=True)
def response_comments_save(*, response: Response, comments: Mapping[str, str]) -> None:
    """Save comment boxes of a draft (the review page's last box), redacted; an empty box deletes its comment.

    :class:`ResponseSubmittedError` once submitted, :class:`ResponseWithdrawnError`
    once withdrawn, :class:`CommentTooLongError` over the limit (nothing saved).
    """
    locked = Response.objects.select_for_update().filter(pk=response.pk).first()
    if locked is None:
        raise ResponseWithdrawnError("this response was withdrawn in another window")
    if locked.is_submitted:
        raise ResponseSubmittedError("this response has been submitted and can no longer change")
    redacted = _redacted_comments(response, comments)
    if redacted and _comments_differ(locked, redacted):
        _comments_put(response, redacted)
