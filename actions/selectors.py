"""Reads of actions: the actions page, its roadmap and CSV, and the actions a report lists."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.db.models import F, Prefetch, QuerySet

from actions.models import Action, ActionStatus
from assessments.models import Assessment
from assessments.selectors import round_chain
from common.roadmap import RoadmapCell
from common.validators import formula_safe
from organizations.models import Organization
from taxonomy.models import Benefit

CSV_HEADER = ("title", "benefits", "owner", "due", "status", "assessment", "created", "done")


def organization_actions(*, organization: Organization) -> QuerySet[Action]:
    """The organization's actions with their owner, round and benefits: 2 queries, however many there are."""
    return (
        Action.objects.filter(organization=organization)
        .select_related("owner_user", "assessment")
        .prefetch_related(Prefetch("benefits", queryset=Benefit.objects.order_by("path")))
        # Soonest due first, those without a date last, the same on every database.
        .order_by(F("due").asc(nulls_last=True), "created", "pk")
    )


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def action_fields(action: Action) -> dict[str, object]:
    """One action keyed by ``CSV_HEADER``: benefit paths as a list, dates as dates (None when not set).

    The CSV and the API both read an action through this, so they cannot tell different stories.
    """
    return {
        "title": action.title,
        "benefits": [b.path for b in action.benefits.all()],
        "owner": action.owner_label,
        "due": action.due,
        "status": action.status,
        "assessment": action.assessment.title,
        "created": action.created,
        "done": action.done,
    }


def render_actions_csv(actions: QuerySet[Action] | list[Action]) -> str:
    """The CSV of contract section 10: the page's download and ``export_actions`` write these bytes."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for a in actions:
        fields = action_fields(a)
        fields["benefits"] = ";".join(fields["benefits"])
        # A username is not checked as names are at input: defused here, on the way out.
        fields["owner"] = formula_safe(fields["owner"])
        writer.writerow([_day(v) if k in ("due", "created", "done") else v for k, v in fields.items()])
    return out.getvalue()


@dataclass(frozen=True)
class StatusGroup:
    status: str
    label: str
    actions: tuple[Action, ...]


def actions_by_status(actions) -> list[StatusGroup]:
    """The actions in groups, one per status in the order of their life (planned first)."""
    actions = list(actions)
    return [
        StatusGroup(status=value, label=label, actions=tuple(a for a in actions if a.status == value))
        for value, label in ActionStatus.choices
    ]


@dataclass(frozen=True)
class Quarter:
    key: str  # "2027-Q1", or "" for actions without a due date
    label: str
    actions: tuple[Action, ...]


def roadmap(actions) -> list[Quarter]:
    """The actions still to do or done, by quarter of their due date; those without one last. Dropped ones left out."""
    quarters: dict[str, list[Action]] = {}
    for a in actions:
        if a.status == ActionStatus.DROPPED:
            continue
        key = f"{a.due.year}-Q{(a.due.month - 1) // 3 + 1}" if a.due else ""
        quarters.setdefault(key, []).append(a)
    ordered = sorted(k for k in quarters if k) + ([""] if "" in quarters else [])
    return [
        Quarter(key=k, label=(f"{k[:4]}, quarter {k[-1]}" if k else "No due date"), actions=tuple(quarters[k]))
        for k in ordered
    ]


@dataclass(frozen=True)
class CellPlan:
    """One concept x scope cell of the roadmap: its maturity now and target, and the actions on its benefits."""

    cell: RoadmapCell
    actions: tuple[Action, ...]  # not dropped, soonest due first

    @property
    def open_actions(self) -> int:
        return sum(a.status in (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS) for a in self.actions)

    @property
    def needs_action(self) -> bool:
        """Below its target with nothing planned or in progress: the gap nobody is working on."""
        return self.cell.below_target and self.open_actions == 0


def cell_plans(actions, cells: tuple[RoadmapCell, ...]) -> list[CellPlan]:
    """Each cell with the actions planned on any of its benefits (an action on two cells is under both).

    A benefit's cell is the start of its path (``concept/scope/...``), so no
    query beyond the actions' prefetched benefits.
    """
    by_cell: dict[tuple[str, str], list[Action]] = {}
    for a in actions:
        if a.status == ActionStatus.DROPPED:
            continue
        for key in dict.fromkeys(tuple(b.path.split("/", 2)[:2]) for b in a.benefits.all()):
            by_cell.setdefault(key, []).append(a)
    return [CellPlan(cell=c, actions=tuple(by_cell.get((c.concept, c.scope), ()))) for c in cells]


# --- The actions in a report ----------------------------------------------------------------------


@dataclass(frozen=True)
class ReportAction:
    """One action as the report shows it: planned from the report's assessment or an earlier round of its chain."""

    title: str
    status: str
    status_label: str
    benefits: tuple[str, ...]  # paths
    assessment: str  # title of the round it was planned from
    assessment_id: int
    due: date | None
    overdue: bool

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "status": self.status,
            "benefits": list(self.benefits),
            "assessment": self.assessment,
            "due": self.due.isoformat() if self.due else None,
        }


def report_actions(*, assessment: Assessment, chain_ids: list[int] | None = None) -> tuple[ReportAction, ...]:
    """The actions planned from ``assessment`` or an earlier round of its chain.

    One query, a second for their benefits when there are any, and one more for the chain when it has a
    previous round and ``chain_ids`` (the report's own chain) is not given: a fixed number, whatever the
    number of actions.
    """
    if chain_ids is None:
        chain_ids = [assessment.pk, *(a.pk for a in round_chain(assessment=assessment))]
    actions = organization_actions(organization=assessment.organization).filter(assessment_id__in=chain_ids)
    return tuple(
        ReportAction(
            title=a.title,
            status=a.status,
            status_label=a.get_status_display(),
            benefits=tuple(b.path for b in a.benefits.all()),
            assessment=a.assessment.title,
            assessment_id=a.assessment_id,
            due=a.due,
            overdue=a.is_overdue,
        )
        for a in actions
    )
