"""The levels the actions roadmap shows per cell (contract section 14), given to ``actions`` by ``common.roadmap``."""

from __future__ import annotations

from assessments.models import Assessment
from common.roadmap import RoadmapCell, RoadmapMaturity
from reports.renderers import withheld_sentence
from reports.selectors import gap_report


def _chosen_round(organization, round_slug: str | None) -> Assessment | None:
    """The named round, or the latest one whose results may be shown (else the latest); 1 query."""
    rounds = list(Assessment.objects.filter(organization=organization).select_related("organization"))
    rounds.sort(key=lambda a: a.created_at, reverse=True)
    if round_slug:
        return next((a for a in rounds if a.slug == round_slug), None)
    return next((a for a in rounds if not a.results_withheld), rounds[0] if rounds else None)


def roadmap_maturity(organization, round_slug: str | None = None) -> RoadmapMaturity | None:
    """Each cell's level now and target in the chosen round of ``organization``; None without such a round.

    The levels come from :func:`reports.selectors.gap_report`, so they pass
    the release rule like every other figure of the report.
    """
    assessment = _chosen_round(organization, round_slug)
    if assessment is None:
        return None
    report = gap_report(assessment=assessment)
    cells = ()
    if report.maturity is not None:
        cells = tuple(
            RoadmapCell(
                concept=e.concept,
                scope=e.scope,
                title=e.title,
                level=e.level,
                level_name=e.level_label,  # for people: in the active language
                score=e.score,
                low=e.low,
                high=e.high,
                target=e.target,
                target_name=e.target_label,
                target_status=e.target_status,
                distance=e.distance,
                below_target=e.below_target,
                sentence=e.sentence,
            )
            for e in report.maturity.cells
        )
    return RoadmapMaturity(
        assessment_id=assessment.pk,
        assessment_title=assessment.title,
        assessment_slug=assessment.slug,
        cells=cells,
        withheld=withheld_sentence(report) if report.suppressed else None,
    )
