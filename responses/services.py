"""Writes of invitations, responses and answers.

Every write that touches answers goes through here, in bulk, in one
transaction, so a request or an import either saves everything it was given
or nothing.
"""

from __future__ import annotations

import copy
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation

from assessments.models import Assessment, Audience, Segment, SegmentOption
from assessments.selectors import assessment_segments, segment_option_ids
from assessments.services import (
    assessment_freeze_questions,
    assessment_get_or_create,
    assessment_set_previous_by_title,
    label_from_slug,
    segment_create,
)
from common.tokens import hash_token
from organizations.models import Membership
from organizations.services import organization_get_or_create
from responses.assignment import assignment_make
from responses.models import (
    COMMENT_MAX_LENGTH,
    SEGMENT_COLUMNS,
    Answer,
    Comment,
    Invitation,
    InvitationBatch,
    InvitationEmail,
    InvitationSegmentValue,
    Participation,
    Response,
    ResponseSegmentValue,
)
from responses.redaction import Names, member_names, redact
from taxonomy.scales import SCALE_MAX, SCALE_MIN, Dimension

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser

# Keeps each INSERT under SQLite's 32766-parameter limit (6 columns per row).
BULK_BATCH_SIZE = 5000
# Imported answers are inserted this many at a time (one executemany each).
IMPORT_CHUNK = 20_000


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
    *,
    assessment: Assessment,
    ratings_by_respondent: Mapping[str, Iterable[Rating]],
    submitted: bool = True,
    segment_options: Mapping[str, Iterable[int]] | None = None,
    comments: Mapping[str, Mapping[str, str]] | None = None,
) -> int:
    """Create one response per respondent with its ratings, in bulk; all or nothing.

    Imported responses count as submitted. One INSERT for the responses and
    one per ``IMPORT_CHUNK`` answers, so an import of millions of rows never
    holds them all at once. Returns the number of ratings saved. The caller
    has already checked that no respondent is in the assessment; the unique
    constraint backs that up. ``comments`` ({respondent: {section: text}}) are
    redacted here, with the organization's members' names; an empty text is
    no comment. A closed assessment takes no import: its report may already
    have been read, and new answers would change it.
    """
    if assessment.status == Assessment.Status.CLOSED or assessment.final:
        raise ValidationError(
            f"{assessment} is closed, so it takes no more answers: import into a new assessment instead."
        )
    if assessment.questions_frozen_at is None:
        assessment_freeze_questions(assessment=assessment)
    if not ratings_by_respondent:
        return 0
    # An imported response is submitted on the day of the import and has no times of its own;
    # ``submitted=False`` (demo data, tests) makes drafts that no invitation or member leads to.
    now = timezone.now()
    today = connection.ops.adapt_datefield_value(timezone.localdate(now)) if submitted else None
    started = None if submitted else connection.ops.adapt_datetimefield_value(now)
    _insert_many(
        Response,
        ["assessment", "respondent", "submitted_on", "started_at", "updated_at", "current_section"],
        [(assessment.pk, respondent, today, started, started, 0) for respondent in ratings_by_respondent],
    )
    ids = dict(Response.objects.filter(assessment=assessment).values_list("respondent", "pk"))
    if segment_options:
        # {respondent: option ids}: each option's segment comes from the option.
        segment_of = dict(SegmentOption.objects.filter(segment__assessment=assessment).values_list("pk", "segment_id"))
        _insert_many(
            ResponseSegmentValue,
            ["response", "segment", "option"],
            [
                (ids[respondent], segment_of[option_id], option_id)
                for respondent, option_ids in segment_options.items()
                for option_id in option_ids
            ],
        )
    if comments:
        names = organization_member_names(organization_id=assessment.organization_id)
        rows = []
        for respondent, boxes in comments.items():
            for section, text in boxes.items():
                _check_length(text)
                redacted = redact(text, names).strip()
                if redacted:
                    rows.append((ids[respondent], section, redacted, ""))
        _insert_many(Comment, ["response", "section", "text", "hidden_reason"], rows)
    answers: list[list] = []
    count = 0
    columns = [
        "response",
        "benefit",
        "importance",
        "realization",
        "importance_answered",
        "realization_answered",
        "assessment",
        "submitted",
        *SEGMENT_COLUMNS,
    ]
    # Each respondent's segment options, in the answer columns' order (see Answer).
    options_of: dict[str, list] = {}
    if segment_options and submitted:
        column = segment_columns(assessment_id=assessment.pk)
        for respondent, option_ids in segment_options.items():
            values = [None] * len(SEGMENT_COLUMNS)
            for option_id in option_ids:
                values[column[segment_of[option_id]]] = option_id
            options_of[respondent] = values
    no_options = [None] * len(SEGMENT_COLUMNS)
    importance = Dimension.IMPORTANCE.value
    for respondent, ratings in ratings_by_respondent.items():
        response_id = ids[respondent]
        options = options_of.get(respondent, no_options)
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
                    *options,
                ]
            if rating.dimension == importance:
                row[2], row[4] = rating.value, True
            else:
                row[3], row[5] = rating.value, True
            count += 1
        answers.extend(rows.values())
        if len(answers) >= IMPORT_CHUNK:
            _insert_many(Answer, columns, answers)
            answers = []
    _insert_many(Answer, columns, answers)
    return count


@transaction.atomic(durable=True)
def responses_import_by_name(
    *,
    organization: str,
    assessment: str,
    ratings_by_respondent: Mapping[str, Iterable[Rating]],
    keep_open: bool = False,
    segment_values: Mapping[str, Mapping[str, str]] | None = None,
    new_segments: Mapping[str, list[str]] | None = None,
    previous: str | None = None,
    comments: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[Assessment, int]:
    """``import_responses``: create the organization and assessment when missing, then import; all or nothing.

    An assessment created here is closed, since its answers were collected
    elsewhere, unless ``keep_open``. ``new_segments`` ({key: option values})
    become ``invitation`` segments labelled from their slugs;
    ``segment_values`` ({respondent: {key: value}}) put each respondent in its groups.
    ``previous`` names its previous round (``ValidationError`` on ``previous``
    unless an earlier assessment of the organization).
    """
    org, _ = organization_get_or_create(name=organization)
    target, created = assessment_get_or_create(organization=org, title=assessment)
    if previous is not None:
        assessment_set_previous_by_title(assessment=target, title=previous)
    for key, values in (new_segments or {}).items():
        segment_create(
            assessment=target,
            key=key,
            label=label_from_slug(key),
            source=Segment.Source.INVITATION,
            options=[(value, label_from_slug(value)) for value in values],
        )
    options: dict[str, list[int]] = {}
    if segment_values:
        segments = assessment_segments(assessment=target)
        for respondent, chosen in segment_values.items():
            options[respondent] = list(segment_option_ids(segments, dict(chosen)).values())
    count = responses_import(
        assessment=target, ratings_by_respondent=ratings_by_respondent, segment_options=options, comments=comments
    )
    if created and not keep_open:
        Assessment.objects.filter(pk=target.pk).update(status=Assessment.Status.CLOSED)
        target.status = Assessment.Status.CLOSED
    return target, count


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


NO_QUESTIONS_TO_SUBMIT = (
    "This assessment asks no questions at the moment, so there is nothing to submit. "
    "Your answers are kept; ask the person who sent you the link."
)


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
def _submit_language() -> str:
    """The request's active language as one of ``settings.LANGUAGES`` (the default when it is none of them)."""
    codes = [code for code, _ in settings.LANGUAGES]
    active = (translation.get_language() or "").split("-")[0]
    return active if active in codes else settings.LANGUAGE_CODE


def response_submit(*, response: Response) -> bool:
    """Submit a response, once, and make it anonymous. Returns False if it already was submitted.

    In the same transaction, the invitation or the member is marked as having
    submitted, and the response loses its user, its invitation and its times
    of day: it keeps the day and how many whole minutes it took (see the
    models' docstring). The row locks make two tabs submitting at once submit once.
    An assessment that asks no questions refuses (``ValidationError``).
    """
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
        language=_submit_language(),
        user=None,
        invitation=None,
        started_at=None,
        updated_at=None,
    )
    Answer.objects.filter(response_id=locked.pk).update(submitted=True, **_answer_segments(locked))
    response.submitted_on = timezone.localdate(now)
    response.language = _submit_language()
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


class AssessmentClosedError(ValidationError):
    """The assessment is closed: nobody can answer it any more, so nobody is invited or reminded."""

    def __str__(self) -> str:
        # The sentence itself, for the pages and commands that show it (a ValidationError prints as a list).
        return self.message


CLOSED_MESSAGE = "{assessment} is closed: it takes no more answers, so nobody can be invited or reminded; {advice}."
# Only live results may reopen (the model's rule): the advice must be one that works.
CLOSED_ADVICE = {
    Assessment.Results.AFTER_CLOSE: "it is final, so invite people to the next round instead (Next round on the "
    "owners' overview)",
    Assessment.Results.LIVE: "reopen it (Edit, status Open) before inviting anyone",
}


def is_closed(assessment: Assessment) -> bool:
    """Closed for good: by its status, or by its closing date having passed."""
    return assessment.status == Assessment.Status.CLOSED or bool(
        assessment.closes_at and assessment.closes_at <= timezone.now()
    )


def check_takes_invitations(assessment: Assessment) -> None:
    """:class:`AssessmentClosedError` if ``assessment``, as given, is closed: the rule every way of inviting follows.

    Closed by its status: one open past its closing date may still be given a
    later date (its e-mails, meanwhile, are not sent: see responses/mail.py).
    No query: forms and the admin ask it of the assessment they show, before
    asking for anything more; the services ask :func:`refuse_closed`.
    """
    if assessment.status == Assessment.Status.CLOSED:
        advice = CLOSED_ADVICE.get(assessment.results, CLOSED_ADVICE[Assessment.Results.LIVE])
        raise AssessmentClosedError(CLOSED_MESSAGE.format(assessment=assessment, advice=advice), code="closed")


def refuse_closed(assessment: Assessment) -> None:
    """:func:`check_takes_invitations` on the status in the database: the caller's copy may predate a close."""
    row = Assessment.objects.filter(pk=assessment.pk).values_list("status", "results").first()
    if row is not None:
        fresh = copy.copy(assessment)  # the caller's, for its name; its own state stays as it was
        fresh.status, fresh.results = row
        check_takes_invitations(fresh)


# 32 random bytes: 256 bits, well over the 128 the threat model asks for.
TOKEN_BYTES = 32


@transaction.atomic
def invitations_create(
    *,
    assessment: Assessment,
    count: int,
    label: str = "",
    segment_values: Mapping[str, str] | None = None,
    audience: str = Audience.BOTH,
) -> list[str]:
    """Create ``count`` single-use invitations; return their tokens.

    Only a hash of each token is stored, so the tokens returned here are the
    only copy: the caller hands them out (as links) or loses them.
    ``segment_values`` ({key: option value}) gives every invitation of the
    batch its group in the assessment's ``invitation`` segments
    (``ValueError`` for an unknown key or option). ``audience`` limits the
    sections their respondents see (both, internal or external).
    """
    refuse_closed(assessment)
    if count < 1:
        raise ValueError("the number of invitations must be at least 1")
    if audience not in Audience.values:
        raise ValueError(f"unknown audience {audience!r}: choose {', '.join(Audience.values)}")
    chosen: dict[int, int] = {}
    if segment_values:
        segments = assessment_segments(assessment=assessment, source=Segment.Source.INVITATION)
        chosen = segment_option_ids(segments, dict(segment_values))
    tokens = [secrets.token_urlsafe(TOKEN_BYTES) for _ in range(count)]
    now = timezone.now()
    invitations = Invitation.objects.bulk_create(
        [
            Invitation(assessment=assessment, token_hash=hash_token(t), label=label, created_at=now, audience=audience)
            for t in tokens
        ],
        batch_size=BULK_BATCH_SIZE,
    )
    if chosen:
        if any(i.pk is None for i in invitations):  # a backend that returns no ids from a bulk insert
            invitations = list(Invitation.objects.filter(token_hash__in=[hash_token(t) for t in tokens]))
        InvitationSegmentValue.objects.bulk_create(
            [
                InvitationSegmentValue(invitation=i, segment_id=segment_id, option_id=option_id)
                for i in invitations
                for segment_id, option_id in chosen.items()
            ],
            batch_size=BULK_BATCH_SIZE,
        )
    return tokens


class BatchUsedError(Exception):
    """The form's batch key was already used: its invitations exist."""


@transaction.atomic(durable=True)
def invitation_batch_create(
    *,
    assessment: Assessment,
    count: int,
    label: str = "",
    segment_values: Mapping[str, str] | None = None,
    key: str = "",
    audience: str = Audience.BOTH,
) -> list[str]:
    """:func:`invitations_create`, at most once per form: ``BatchUsedError`` if ``key`` was used already.

    The key is recorded in the same transaction as the invitations, under a
    unique constraint: of two posts of one form at the same moment, one
    creates the batch and the other waits for it, then fails on the
    constraint, creating nothing. An empty key is not checked.
    """
    if key:
        try:
            with transaction.atomic():
                InvitationBatch.objects.create(assessment=assessment, key=key)
        except IntegrityError as exc:
            raise BatchUsedError(key) from exc
    return invitations_create(
        assessment=assessment, count=count, label=label, segment_values=segment_values, audience=audience
    )


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
    It is assigned the benefits it asks (see responses/assignment.py).
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


def organization_member_names(*, organization_id: int) -> Names:
    """Who a comment must not name: the organization's members (one query)."""
    rows = Membership.objects.filter(organization_id=organization_id).values_list(
        "user__first_name", "user__last_name", "user__username"
    )
    return member_names(rows)


def _check_length(text: str) -> None:
    # Counted as typed, with ``\r\n`` as one line break, as the browser counts it.
    if len(text.replace("\r\n", "\n")) > COMMENT_MAX_LENGTH:
        raise CommentTooLongError(f"a comment holds at most {COMMENT_MAX_LENGTH:,} characters")


def _redacted_comments(response: Response, comments: Mapping[str, str] | None) -> dict[str, str]:
    """{section: redacted text} of what a page sent; an empty text (after redaction's clean-up) deletes."""
    if not comments:
        return {}
    for text in comments.values():
        _check_length(text)
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


# Not durable: the admin's change page calls it inside its own transaction.
@transaction.atomic
def comment_hide(*, comment: Comment, reason: str) -> bool:
    """Hide a comment from the report, its downloads and its counts, with the owner's reason (kept).

    ``ValidationError`` on ``hidden_reason`` for an empty reason; False when it was hidden already.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"hidden_reason": "Say why the comment is hidden: the reason is kept with it."})
    locked = Comment.objects.select_for_update().filter(pk=comment.pk).first()
    if locked is None or locked.hidden:
        return False
    locked.hidden_reason = reason
    locked.hidden_on = timezone.localdate()
    locked.full_clean()
    locked.save(update_fields=["hidden_reason", "hidden_on"])
    comment.hidden_reason, comment.hidden_on = locked.hidden_reason, locked.hidden_on
    return True


@transaction.atomic(durable=True)
def invitations_create_by_name(
    *,
    organization: str,
    assessment: str,
    count: int,
    segment_values: Mapping[str, str] | None = None,
    audience: str = Audience.BOTH,
    previous: str | None = None,
) -> tuple[Assessment, bool, list[str]]:
    """``invite``: create the organization and the (open) assessment when missing, then ``count`` invitations.

    All or nothing. ``previous`` names the assessment's previous round, as for
    :func:`responses_import_by_name`. Returns the assessment, whether it was
    created now, and the tokens.
    """
    org, _ = organization_get_or_create(name=organization)
    target, created = assessment_get_or_create(organization=org, title=assessment)
    if previous is not None:
        assessment_set_previous_by_title(assessment=target, title=previous)
    tokens = invitations_create(assessment=target, count=count, segment_values=segment_values, audience=audience)
    return target, created, tokens


@transaction.atomic
def invitations_revoke(*, invitations: QuerySet[Invitation]) -> int:
    """Revoke ``invitations``: their links open nothing from now on. Returns how many were revoked.

    A revoked invitation stays revoked (the first date is kept); a submitted
    one has done its job and is left alone.
    """
    revoked = invitations.filter(revoked_at__isnull=True, submitted=False)
    ids = list(revoked.values_list("pk", flat=True))
    # Its e-mails still waiting never go, and say why on the invitations page.
    InvitationEmail.objects.filter(invitation_id__in=ids, status=InvitationEmail.Status.QUEUED).update(
        status=InvitationEmail.Status.CANCELLED, reason=InvitationEmail.REASON_REVOKED
    )
    return Invitation.objects.filter(pk__in=ids).update(revoked_at=timezone.now())


@transaction.atomic(durable=True)
def invitation_revoke(*, invitation: Invitation) -> bool:
    """Revoke one invitation (see :func:`invitations_revoke`); False if there was nothing to revoke."""
    if not invitations_revoke(invitations=Invitation.objects.filter(pk=invitation.pk)):
        return False
    invitation.refresh_from_db(fields=["revoked_at"])
    return True


def responses_erase(organization, dry_run: bool) -> dict[str, int]:
    """Answers, responses, participations and invitations of the organization (an eraser for ``organization_erase``)."""
    scope = {"assessment__organization": organization}
    querysets = {
        "answers": Answer.objects.filter(**scope),
        "comments": Comment.objects.filter(response__assessment__organization=organization),
        "responses": Response.objects.filter(**scope),
        "participations": Participation.objects.filter(**scope),
        "invitations": Invitation.objects.filter(**scope),
    }
    counts = {name: qs.count() for name, qs in querysets.items()}
    if not dry_run:
        # In this order, each delete finds nothing left that depends on its rows.
        for qs in querysets.values():
            qs.delete()
    return counts
