"""Writes: organizations, assessments, frozen questions, answers, submission.

Every write that touches answers goes through here, in bulk, in one
transaction, so a request or an import either saves everything it was given
or nothing.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.text import slugify

from assessments.models import (
    Answer,
    Assessment,
    AssessmentQuestion,
    Invitation,
    Membership,
    Organization,
    Response,
    hash_token,
)
from assessments.selectors import live_questions
from taxonomy.scales import SCALE_MAX, SCALE_MIN, Dimension

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


def _unique_slug(model, base: str, **scope) -> str:
    base = slugify(base)[:180] or "item"
    slug, n = base, 2
    while model.objects.filter(slug=slug, **scope).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def organization_get_or_create(*, name: str) -> tuple[Organization, bool]:
    name = name.strip()
    if not name:
        raise ValueError("an organization needs a name")
    existing = Organization.objects.filter(name=name).first()
    if existing:
        return existing, False
    return Organization.objects.create(name=name, slug=_unique_slug(Organization, name)), True


@transaction.atomic
def assessment_get_or_create(
    *, organization: Organization, title: str, status: str = Assessment.Status.OPEN
) -> tuple[Assessment, bool]:
    """The organization's assessment with this exact title; a new one is open."""
    title = title.strip()
    if not title:
        raise ValueError("an assessment needs a title")
    existing = Assessment.objects.filter(organization=organization, title=title).first()
    if existing:
        return existing, False
    opens_at = timezone.now() if status == Assessment.Status.OPEN else None
    return assessment_create(organization=organization, title=title, status=status, opens_at=opens_at), True


@transaction.atomic
def assessment_freeze_questions(*, assessment: Assessment) -> bool:
    """Snapshot the live active questions into the assessment, once.

    Called before the first answer is written. The row lock makes two
    first answers arriving together freeze once. Returns True if it froze now.
    """
    locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if locked.questions_frozen_at is not None:
        assessment.questions_frozen_at = locked.questions_frozen_at
        return False
    questions = live_questions()
    AssessmentQuestion.objects.bulk_create(
        AssessmentQuestion(
            assessment=locked,
            question_id=q.pk,
            benefit_id=q.benefit_id,
            dimension=q.dimension,
            text=q.text,
            help_text=q.help_text,
            order=q.order,
        )
        for q in questions
    )
    now = timezone.now()
    Assessment.objects.filter(pk=locked.pk).update(questions_frozen_at=now)
    assessment.questions_frozen_at = now
    return True


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
            answer = rows[rating.benefit_id] = Answer(response=response, benefit_id=rating.benefit_id)
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
        # benefit id -> [response, benefit, importance, realization, importance_answered, realization_answered]
        rows: dict[int, list] = {}
        for rating in ratings:
            row = rows.get(rating.benefit_id)
            if row is None:
                row = rows[rating.benefit_id] = [response_id, rating.benefit_id, None, None, False, False]
            if rating.dimension == importance:
                row[2], row[4] = rating.value, True
            else:
                row[3], row[5] = rating.value, True
            count += 1
        answers.extend(rows.values())
    _insert_many(
        Answer,
        ["response", "benefit", "importance", "realization", "importance_answered", "realization_answered"],
        answers,
    )
    return count


@transaction.atomic
def responses_import_by_name(
    *, organization: str, assessment: str, ratings_by_respondent: Mapping[str, Iterable[Rating]]
) -> tuple[Assessment, int]:
    """``import_responses``: create the organization and assessment when missing, then import; all or nothing."""
    org, _ = organization_get_or_create(name=organization)
    target, _ = assessment_get_or_create(organization=org, title=assessment)
    return target, responses_import(assessment=target, ratings_by_respondent=ratings_by_respondent)


@transaction.atomic
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


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation a token opens, or None. Revoked invitations open nothing.

    The lookup is by the token's SHA-256, so timing reveals nothing about
    stored tokens; the final comparison is constant-time all the same.
    """
    if not token or len(token) > 200:
        return None
    digest = hash_token(token)
    invitation = Invitation.objects.select_related("assessment__organization").filter(token_hash=digest).first()
    if invitation is None or not hmac.compare_digest(invitation.token_hash, digest):
        return None
    if invitation.revoked_at is not None:
        return None
    return invitation


# --- Respondent form (issue 4) ---------------------------------------------


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


@transaction.atomic
def response_start(*, assessment: Assessment, invitation: Invitation | None = None, user=None) -> tuple[Response, bool]:
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


@transaction.atomic
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


@transaction.atomic
def invitations_create_by_name(*, organization: str, assessment: str, count: int) -> tuple[Assessment, bool, list[str]]:
    """``invite``: create the organization and the (open) assessment when missing, then ``count`` invitations.

    All or nothing. Returns the assessment, whether it was created now, and the tokens.
    """
    org, _ = organization_get_or_create(name=organization)
    target, created = assessment_get_or_create(organization=org, title=assessment)
    return target, created, invitations_create(assessment=target, count=count)


# --- Owner management (issue 6) ---------------------------------------------
# Validation errors are ``ValidationError``s keyed by form field, so a view
# adds them to its form as they are; the forms check the same things first,
# and the database constraints back both up against concurrent requests.

THRESHOLD_MIN, THRESHOLD_MAX = 0.0, 4.0  # the assessment_threshold_range constraint


def _assessment_errors(
    *,
    organization: Organization,
    title: str,
    status: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    threshold: float,
    exclude_pk: int | None = None,
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "An assessment needs a title."
    elif Assessment.objects.filter(organization=organization, title=title).exclude(pk=exclude_pk).exists():
        errors["title"] = f"{organization.name} already has an assessment called “{title}”: choose another title."
    if status not in Assessment.Status.values:
        errors["status"] = "Choose draft, open or closed."
    # ``not a <= x <= b`` also refuses NaN.
    if not THRESHOLD_MIN <= threshold <= THRESHOLD_MAX:
        errors["threshold"] = f"The threshold must be between {THRESHOLD_MIN:g} and {THRESHOLD_MAX:g}."
    if opens_at and closes_at and closes_at < opens_at:
        errors["closes_at"] = "It would close before it opens: choose a closing date after the opening date."
    return errors


def _duplicate_title() -> ValidationError:
    # Reached only when another request took the title between the check and the write.
    return ValidationError({"title": "An assessment with this title was just created: choose another title."})


@transaction.atomic
def assessment_create(
    *,
    organization: Organization,
    title: str,
    status: str = Assessment.Status.DRAFT,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    threshold: float = 1.0,
) -> Assessment:
    """A new assessment of ``organization``; its slug comes from the title and never changes afterwards.

    Raises ``ValidationError`` (by field) for an empty or duplicate title, an
    unknown status, a threshold outside 0..4 or a closing date before the opening date.
    """
    title = title.strip()
    errors = _assessment_errors(
        organization=organization,
        title=title,
        status=status,
        opens_at=opens_at,
        closes_at=closes_at,
        threshold=threshold,
    )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Assessment.objects.create(
                organization=organization,
                title=title,
                slug=_unique_slug(Assessment, title, organization=organization),
                status=status,
                opens_at=opens_at,
                closes_at=closes_at,
                threshold=threshold,
            )
    except IntegrityError as exc:
        raise _duplicate_title() from exc


@transaction.atomic
def assessment_update(
    *,
    assessment: Assessment,
    title: str,
    status: str,
    opens_at: datetime | None,
    closes_at: datetime | None,
    threshold: float,
) -> Assessment:
    """Change an assessment's title, status (opening or closing it), dates and threshold.

    The slug stays as it was, so report URLs keep working. Same errors as
    :func:`assessment_create`; on error nothing changes, ``assessment`` included.
    """
    title = title.strip()
    errors = _assessment_errors(
        organization=assessment.organization,
        title=title,
        status=status,
        opens_at=opens_at,
        closes_at=closes_at,
        threshold=threshold,
        exclude_pk=assessment.pk,
    )
    if errors:
        raise ValidationError(errors)
    values = {"title": title, "status": status, "opens_at": opens_at, "closes_at": closes_at, "threshold": threshold}
    try:
        with transaction.atomic():
            Assessment.objects.filter(pk=assessment.pk).update(**values)
    except IntegrityError as exc:
        raise _duplicate_title() from exc
    for field, value in values.items():
        setattr(assessment, field, value)
    return assessment


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


@transaction.atomic
def invitation_revoke(*, invitation: Invitation) -> bool:
    """Revoke one invitation (see :func:`invitations_revoke`); False if there was nothing to revoke."""
    if not invitations_revoke(invitations=Invitation.objects.filter(pk=invitation.pk)):
        return False
    invitation.refresh_from_db(fields=["revoked_at"])
    return True


class LastOwnerError(ValueError):
    """The change would leave the organization without an owner."""


def _role_errors(role: str) -> dict[str, str]:
    return {} if role in Membership.Role.values else {"role": "Choose owner, analyst or respondent."}


def _lock_owner_ids(organization_id: int) -> set[int]:
    """The organization's owner memberships, locked, so two owners cannot demote each other at once.

    Always taken before the membership being changed, in one order, so two such requests queue instead of deadlocking.
    """
    return set(
        Membership.objects.select_for_update()
        .filter(organization_id=organization_id, role=Membership.Role.OWNER)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def membership_add(*, organization: Organization, user, role: str) -> Membership:
    """Make an existing user a member of ``organization`` with ``role``; ``ValidationError`` if already one."""
    errors = _role_errors(role)
    existing = Membership.objects.filter(organization=organization, user=user).first()
    if existing is not None:
        errors["username"] = (
            f"{user.get_username()} is already a member ({existing.get_role_display().lower()}): "
            "change their role in the list instead."
        )
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return Membership.objects.create(organization=organization, user=user, role=role)
    except IntegrityError as exc:
        raise ValidationError({"username": f"{user.get_username()} was just added by someone else."}) from exc


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    """Give a member another role; ``LastOwnerError`` if they are the organization's only owner."""
    errors = _role_errors(role)
    if errors:
        raise ValidationError(errors)
    owners = _lock_owner_ids(membership.organization_id)
    if role != Membership.Role.OWNER and owners == {membership.pk}:
        raise LastOwnerError("an organization needs at least one owner: make someone else an owner first")
    Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Remove a member from the organization; ``LastOwnerError`` if they are its only owner.

    Their responses stay (they are the assessment's data); only the access goes.
    """
    owners = _lock_owner_ids(membership.organization_id)
    if owners == {membership.pk}:
        raise LastOwnerError("an organization needs at least one owner: make someone else an owner first")
    Membership.objects.filter(pk=membership.pk).delete()
