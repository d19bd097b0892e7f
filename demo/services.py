"""The demo organization of ``seed_demo``: deterministic synthetic respondents.

The data is meant to look like a real survey, so that a new user's first
report has something to say: each benefit has a latent importance and
realization; about a third are clearly under-realized, a few are contested
(respondents split into camps), everything else sits close to balanced.
Respondents differ in leniency, about 5% of answers are "Don't know", a
couple of respondents answered only part of the questionnaire, and a couple
more are still in progress (not submitted, so reports ignore them).

Rounds: "Baseline 2026" is followed by "Follow-up 2027" (closed, other
people, the same latent benefits except a few whose realization moved: some
gaps narrowed, a few widened, most unchanged), so the trend since the
previous round shows at once; "Pulse 2027", open, follows it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment
from assessments.selectors import assessment_by_name, assessment_questionnaire
from assessments.services import (
    assessment_get_or_create,
    assessment_set_previous,
    maturity_targets_set,
    segment_create,
)
from organizations.services import organization_get_or_create
from responses.imports.services import responses_import
from responses.invitations.services import invitations_create
from responses.respond.services import Rating
from taxonomy.models import Benefit
from taxonomy.scales import SCALE_MAX, SCALE_MIN, Dimension

DEMO_ORGANIZATION = "Demo Organization"
DEMO_ASSESSMENT = "Baseline 2026"  # answered and closed, so its report shows at once
DEMO_FOLLOW_UP = "Follow-up 2027"  # the next round: closed, its report compares with the baseline
DEMO_TARGETS = {
    ("social-media", "external"): 4,
    ("social-collaboration", "internal"): 3,
    ("social-networking", "external"): 4,
}
DEMO_OPEN_ASSESSMENT = "Pulse 2027"  # open, with the demo's invitation links; follows the follow-up
DEMO_SEED = 2026
DEMO_RESPONDENTS = 40
DEMO_PARTIAL = 2  # of the submitted respondents, how many answered only part
DEMO_IN_PROGRESS = 2  # started, not submitted
DEMO_INVITATIONS = 5
DEMO_DEPARTMENTS = ["Sales", "Engineering", "Operations", "Support"]
DEMO_FOLLOW_UP_RESPONDENTS = 44
DEMO_NARROWED = 5  # benefits whose realization rose by a point in the follow-up
DEMO_WIDENED = 3  # benefits whose realization fell by a point
DEMO_SHIFT = 1.1


# What demo respondents wrote in the comment boxes (contract section 15): enough in three boxes
# for them to be shown (at least 10 people each), too few in one, so the report shows both.
DEMO_COMMENTS = {
    "social-media/internal": [
        "Leaders post on the intranet but never answer the replies.",
        "We hear about decisions on the news before we hear them inside.",
        "A weekly short video from the leadership team would help.",
        "Most teams do not know the internal blog exists.",
        "Feedback goes into a form and nothing comes back.",
        "Please make the internal feed searchable.",
        "Managers should be encouraged to share what they learn.",
        "Too many channels; nobody knows which one is official.",
        "The Q&A sessions were good; bring them back.",
        "Posts are too polished; people want honest updates.",
        "Translate the main announcements for the teams abroad.",
        "Some of us never see the feed because we work on the floor.",
    ],
    "social-collaboration/internal": [
        "Files live in five places; one shared space would save hours.",
        "Onboarding should show new people where work happens.",
        "We duplicate work between sites without knowing it.",
        "The wiki is out of date, so nobody trusts it.",
        "Give every project a shared page with its decisions.",
        "Cross-team work depends on knowing the right person.",
        "Document editing at the same time still breaks often.",
        "Training on the collaboration tools was a single slide deck.",
        "More time for reuse instead of starting from scratch.",
        "Meetings replace written updates; notes would help.",
    ],
    "social-networking/external": [
        "Partners would like a direct channel to our experts.",
        "Alumni could be a source of referrals.",
        "Our people are not allowed to speak at events.",
    ],
    "": [
        "Thank you for asking.",
        "I hope the results are shared with everyone.",
        "The survey was long but fair.",
        "Please act on at least one thing this year.",
        "Some questions were hard to answer for my role.",
        "More of this, and less of the yearly engagement survey.",
        "It would help to see what changed since the last survey.",
        "Good initiative.",
        "Ask partners the external questions too.",
        "Keep it anonymous, please.",
        "Shorter next time.",
    ],
}


def demo_comments(respondents: list[str], *, seed: int = DEMO_SEED) -> dict[str, dict[str, str]]:
    """{respondent: {section: text}}: each section's demo comments given to different respondents, at random."""
    rng = random.Random(seed + 15)
    boxes: dict[str, dict[str, str]] = {}
    for section, texts in DEMO_COMMENTS.items():
        for respondent, text in zip(rng.sample(respondents, min(len(texts), len(respondents))), texts, strict=False):
            boxes.setdefault(respondent, {})[section] = text
    return boxes


@dataclass(frozen=True)
class BenefitProfile:
    importance: float
    realization: float
    contested: bool


def _clamp(x: float) -> int:
    return max(SCALE_MIN, min(SCALE_MAX, round(x)))


def _profiles(rng: random.Random, count: int) -> list[BenefitProfile]:
    # Exact shares rather than a coin per benefit, so the story holds whatever the seed.
    under = round(count * 0.3)
    contested = min(4, max(1, count // 12)) if count > 2 else 0
    kinds = ["under"] * under + ["contested"] * contested + ["balanced"] * (count - under - contested)
    rng.shuffle(kinds)
    profiles = []
    for kind in kinds:
        importance = rng.uniform(2.6, 4.6)
        if kind == "under":  # clearly under-realized
            realization = importance - rng.uniform(1.3, 2.2)
        elif kind == "contested":  # the mean hides a split
            realization = importance - rng.uniform(0.3, 1.2)
        else:  # roughly balanced, sometimes over-served
            realization = importance - rng.uniform(-0.6, 0.7)
        profiles.append(BenefitProfile(importance, max(1.2, min(4.8, realization)), kind == "contested"))
    return profiles


def round_shifts(count: int, *, seed: int = DEMO_SEED) -> dict[int, float]:
    """How the next round's realization moves, by benefit index: the largest gaps close, a few balanced ones open.

    Deterministic: the profiles ``demo_ratings`` draws first with this seed.
    """
    profiles = _profiles(random.Random(seed), count)
    steady = [i for i, p in enumerate(profiles) if not p.contested]
    by_gap = sorted(steady, key=lambda i: profiles[i].realization - profiles[i].importance)
    narrowed, widened = by_gap[:DEMO_NARROWED], by_gap[-DEMO_WIDENED:] if DEMO_WIDENED else []
    return {**dict.fromkeys(narrowed, DEMO_SHIFT), **dict.fromkeys(widened, -DEMO_SHIFT)}


def demo_ratings(
    benefit_ids: list[int],
    *,
    respondents: int = DEMO_RESPONDENTS,
    seed: int = DEMO_SEED,
    partial: int = DEMO_PARTIAL,
    respondent_seed: int | None = None,
    realization_shifts: dict[int, float] | None = None,
) -> dict[str, list[Rating]]:
    """Synthetic ratings for ``respondents`` people over ``benefit_ids`` (in taxonomy order).

    The last ``partial`` respondents answered only the first part of the
    questionnaire. ``seed`` draws the benefits' profiles, then the people
    unless ``respondent_seed`` is given: another round of the same
    organization keeps the profiles and asks other people, with
    ``realization_shifts`` (benefit index -> points) moving some benefits.
    """
    rng = random.Random(seed)
    profiles = _profiles(rng, len(benefit_ids))
    for i, shift in (realization_shifts or {}).items():
        p = profiles[i]
        profiles[i] = BenefitProfile(p.importance, max(1.2, min(4.8, p.realization + shift)), p.contested)
    if respondent_seed is not None:
        rng = random.Random(respondent_seed)
    result: dict[str, list[Rating]] = {}
    for n in range(1, respondents + 1):
        leniency = rng.gauss(0, 0.35)
        full = n <= respondents - partial
        answered = len(benefit_ids) if full else rng.randint(min(8, len(benefit_ids)), max(8, len(benefit_ids) // 2))
        ratings = []
        for benefit_id, profile in zip(benefit_ids[:answered], profiles, strict=False):
            if profile.contested:
                camp = 1.6 if rng.random() < 0.5 else 4.5
                importance = camp + rng.gauss(0, 0.5)
            else:
                importance = profile.importance + leniency + rng.gauss(0, 0.7)
            realization = profile.realization + leniency + rng.gauss(0, 0.75)
            for dimension, value, dont_know in (
                (Dimension.IMPORTANCE, importance, 0.03),
                (Dimension.REALIZATION, realization, 0.07),
            ):
                ratings.append(Rating(benefit_id, dimension, None if rng.random() < dont_know else _clamp(value)))
        result[f"r{n:03d}"] = ratings
    return result


@dataclass(frozen=True)
class DemoResult:
    assessment: Assessment
    created: bool
    respondents: int = 0
    tokens: tuple[str, ...] = ()


@transaction.atomic(durable=True)
def demo_seed(*, respondents: int = DEMO_RESPONDENTS, seed: int = DEMO_SEED) -> DemoResult:
    """Create the demo organization, its two closed rounds with respondents, and an open one with invitations.

    Does nothing (``created`` False) when the demo assessment exists already.
    Needs the taxonomy loaded.
    """
    existing = assessment_by_name(organization=DEMO_ORGANIZATION, title=DEMO_ASSESSMENT)
    if existing is not None:
        return DemoResult(assessment=existing, created=False)
    if not Benefit.objects.exists():
        raise ValueError("the taxonomy is empty: run `manage.py load_taxonomy` first")
    organization, _ = organization_get_or_create(name=DEMO_ORGANIZATION)
    # Created in this order: each round's previous one is an earlier assessment.
    assessment, _ = assessment_get_or_create(organization=organization, title=DEMO_ASSESSMENT)
    follow_up, _ = assessment_get_or_create(organization=organization, title=DEMO_FOLLOW_UP)
    following, _ = assessment_get_or_create(organization=organization, title=DEMO_OPEN_ASSESSMENT)
    assessment_set_previous(assessment=follow_up, previous=assessment)
    assessment_set_previous(assessment=following, previous=follow_up)
    benefit_ids = [b.id for b in assessment_questionnaire(assessment=assessment).benefits]
    submitted = demo_ratings(
        benefit_ids, respondents=respondents, seed=seed, partial=min(DEMO_PARTIAL, respondents - 1)
    )
    next_round = demo_ratings(
        benefit_ids,
        respondents=DEMO_FOLLOW_UP_RESPONDENTS,
        seed=seed,
        respondent_seed=seed + 2027,
        realization_shifts=round_shifts(len(benefit_ids), seed=seed),
    )
    # Started, not submitted: a few first answers each, which reports must ignore.
    in_progress = {
        f"p{n:03d}": ratings[:12]
        for n, ratings in enumerate(demo_ratings(benefit_ids, respondents=DEMO_IN_PROGRESS, seed=seed + 1).values(), 1)
    }
    # Departments of unequal size: Support's three stay hidden (fewer than five), with the two who
    # did not say, so the report by department shows what a sponsor would see.
    department = segment_create(
        assessment=assessment, key="department", label="Department", source="invitation", options=DEMO_DEPARTMENTS
    )
    options = [o.pk for o in department.options.all()]
    shares = [14, 12, 9, 3]
    plan = [i for i, n in enumerate(shares) for _ in range(n)]
    groups = {respondent: [options[plan[i]]] for i, respondent in enumerate(submitted) if i < len(plan)}
    responses_import(
        assessment=assessment,
        ratings_by_respondent=submitted,
        segment_options=groups,
        comments=demo_comments(list(submitted), seed=seed),
    )
    segment_create(
        assessment=following, key="role", label="Your role", source="respondent", options=["Manager", "Staff"]
    )
    responses_import(assessment=follow_up, ratings_by_respondent=next_round)
    responses_import(assessment=following, ratings_by_respondent=in_progress, submitted=False)
    # Results are shown after close: the answered rounds are over.
    closed_at = timezone.now()
    Assessment.objects.filter(pk__in=[assessment.pk, follow_up.pk]).update(
        status=Assessment.Status.CLOSED, closed_at=closed_at
    )
    assessment.status, assessment.closed_at = Assessment.Status.CLOSED, closed_at
    # Targets an owner might set, so the report's maturity picture shows where each round stands against them.
    for round_ in (assessment, follow_up, following):
        maturity_targets_set(assessment=round_, levels=DEMO_TARGETS)
    tokens = invitations_create(assessment=following, count=DEMO_INVITATIONS, label="Demo invitation")
    return DemoResult(assessment=assessment, created=True, respondents=len(submitted), tokens=tuple(tokens))
