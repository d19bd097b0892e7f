"""Building assessments with chosen ratings, for the gap report tests."""

from __future__ import annotations

from assessments.models import Assessment
from responses.imports.services import responses_import
from responses.respond.services import Rating
from taxonomy.selectors import benefit_paths
from tests.factories import AssessmentFactory

# Short names for a few benefit paths of the canonical taxonomy.
FEEDBACK = "social-media/internal/improved-feedback"
AWARENESS = "social-media/internal/improved-organizational-awareness"
BRAND = "social-media/external/increased-brand-control"
COMPETITIVE = "social-media/external/improved-competitive-awareness"
SATISFACTION = "social-media/external/improved-customer-satisfaction"
EXT_FEEDBACK = "social-media/external/improved-feedback"
PERSONAL = "social-networking/external/improved-relationships/personal"

SKIP = object()  # "not answered", as opposed to None, "Don't know"


def add_responses(
    assessment: Assessment, ratings: dict[str, dict[str, tuple]], *, submitted: bool = True, prefix: str = "r"
) -> None:
    """``ratings``: {path: {respondent: (importance, realization)}}; a value is 1-5, None (Don't know) or SKIP."""
    ids = benefit_paths()
    by_respondent: dict[str, list[Rating]] = {}
    for path, answers in ratings.items():
        for respondent, pair in answers.items():
            for dimension, value in zip(("importance", "realization"), pair, strict=True):
                if value is not SKIP:
                    by_respondent.setdefault(f"{prefix}{respondent}", []).append(Rating(ids[path], dimension, value))
    responses_import(assessment=assessment, ratings_by_respondent=by_respondent, submitted=submitted)


def columns(importance: list, realization: list) -> dict[str, tuple]:
    """One benefit's answers given as two aligned columns, respondent i answering (importance[i], realization[i])."""
    return {str(i): (imp, real) for i, (imp, real) in enumerate(zip(importance, realization, strict=True))}


def assessment_with(ratings: dict[str, dict[str, tuple]], *, status: str | None = None, **kwargs) -> Assessment:
    """An open assessment of Acme with these answers; then given ``status`` (a closed one takes no import)."""
    assessment = AssessmentFactory(organization__name="Acme", title="Baseline 2026", **kwargs)
    add_responses(assessment, ratings)
    if status is not None:
        Assessment.objects.filter(pk=assessment.pk).update(status=status)
        assessment.status = status
    return assessment
