"""The demo organization of ``seed_demo``: deterministic synthetic respondents.

The data is meant to look like a real survey, so that a new user's first
report has something to say: each benefit has a latent importance and
realization; about a third are clearly under-realized, a few are contested
(respondents split into camps), everything else sits close to balanced.
Respondents differ in leniency, about 5% of answers are "Don't know", a
couple of respondents answered only part of the questionnaire, and a couple
more are still in progress (not submitted, so reports ignore them).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.db import transaction

from assessments.models import Assessment
from assessments.selectors import assessment_by_name, assessment_questionnaire
from assessments.services import assessment_get_or_create, segment_create
from organizations.services import organization_get_or_create
from responses.services import Rating, invitations_create, responses_import
from taxonomy.models import Benefit
from taxonomy.scales import SCALE_MAX, SCALE_MIN, Dimension

DEMO_ORGANIZATION = "Demo Organization"
DEMO_ASSESSMENT = "Baseline 2026"  # answered and closed, so its report shows at once
DEMO_OPEN_ASSESSMENT = "Pulse 2027"  # open, with the demo's invitation links
DEMO_SEED = 2026
DEMO_RESPONDENTS = 40
DEMO_PARTIAL = 2  # of the submitted respondents, how many answered only part
DEMO_IN_PROGRESS = 2  # started, not submitted
DEMO_INVITATIONS = 5
DEMO_DEPARTMENTS = ["Sales", "Engineering", "Operations", "Support"]


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


def demo_ratings(
    benefit_ids: list[int], *, respondents: int = DEMO_RESPONDENTS, seed: int = DEMO_SEED, partial: int = DEMO_PARTIAL
) -> dict[str, list[Rating]]:
    """Synthetic ratings for ``respondents`` people over ``benefit_ids`` (in taxonomy order).

    The last ``partial`` respondents answered only the first part of the questionnaire.
    """
    rng = random.Random(seed)
    profiles = _profiles(rng, len(benefit_ids))
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
    """Create the demo organization, its closed assessment with respondents, and an open one with invitations.

    Does nothing (``created`` False) when the demo assessment exists already.
    Needs the taxonomy loaded.
    """
    existing = assessment_by_name(organization=DEMO_ORGANIZATION, title=DEMO_ASSESSMENT)
    if existing is not None:
        return DemoResult(assessment=existing, created=False)
    if not Benefit.objects.exists():
        raise ValueError("the taxonomy is empty: run `manage.py load_taxonomy` first")
    organization, _ = organization_get_or_create(name=DEMO_ORGANIZATION)
    assessment, _ = assessment_get_or_create(organization=organization, title=DEMO_ASSESSMENT)
    following, _ = assessment_get_or_create(organization=organization, title=DEMO_OPEN_ASSESSMENT)
    benefit_ids = [b.id for b in assessment_questionnaire(assessment=assessment).benefits]
    submitted = demo_ratings(
        benefit_ids, respondents=respondents, seed=seed, partial=min(DEMO_PARTIAL, respondents - 1)
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
    responses_import(assessment=assessment, ratings_by_respondent=submitted, segment_options=groups)
    segment_create(
        assessment=following, key="role", label="Your role", source="respondent", options=["Manager", "Staff"]
    )
    responses_import(assessment=following, ratings_by_respondent=in_progress, submitted=False)
    # Results are shown after close: the answered round is over.
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.CLOSED)
    assessment.status = Assessment.Status.CLOSED
    tokens = invitations_create(assessment=following, count=DEMO_INVITATIONS, label="Demo invitation")
    return DemoResult(assessment=assessment, created=True, respondents=len(submitted), tokens=tuple(tokens))
