"""Whether the actions worked: the change of each action's benefits' gaps since the round it was planned from.

A round's report compares it with its previous round (``GapReport.rounds``,
contract section 8), so for an action planned from that previous round the
trend of each of its benefits is exactly the change since it was planned.
Without rounds, or for an action planned from this round (nothing to compare
yet) or from an older round (the report compares only with the previous
one), there is no progress to show.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext, gettext_lazy

from actions.selectors import ReportAction

# The trend's verdict, worded for an action.
VERDICT_SINCE_PLANNED = {
    "narrowed": gettext_lazy("narrowed since planned"),
    "widened": gettext_lazy("widened since planned"),
    "unchanged": gettext_lazy("no clear change since planned"),
    "insufficient": gettext_lazy("too few answers to tell"),
}


@dataclass(frozen=True)
class BenefitProgress:
    path: str
    name: str
    gap_before: float | None
    gap_now: float | None
    change: float | None
    verdict: str | None  # the trend's verdict; None when not comparable
    verdict_text: str


def action_progress(report, action: ReportAction) -> tuple[BenefitProgress, ...]:
    """Each benefit of ``action``: its gap then and now and the verdict, if planned from the previous round."""
    rounds = getattr(report, "rounds", None)
    if rounds is None or action.assessment_id != rounds.previous.id:
        return ()
    progress = []
    for path in action.benefits:
        trend = rounds.trend_of(path)
        now = report.by_path.get(path)
        if trend is None:  # either round shows no figures
            continue
        comparable = trend.comparable
        progress.append(
            BenefitProgress(
                path=path,
                name=now.name if now is not None else path,
                gap_before=trend.gap_before,
                gap_now=now.gap if now is not None else None,
                change=trend.change,
                verdict=trend.verdict if comparable else None,
                verdict_text=str(VERDICT_SINCE_PLANNED.get(trend.verdict or "", ""))
                if comparable
                else gettext("not comparable: its questions changed"),
            )
        )
    return tuple(progress)
