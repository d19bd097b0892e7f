"""The gap report of one segment's groups (contract section 7).

A group is a segment's option, or "Not stated". Its figures are those of
sections 4 and 5 over its own responses. Which groups are shown, and which
benefits each shows, is the release rule of section 6 across every segment
of the assessment together (``reports.release``, applied by
``reports.gate``): a group that would let someone subtract their way to
fewer than k people is hidden, and shows nothing, not even its count.
The figures of every group come from the same tallies per signature as the
whole report's, so the cost does not grow with the number of groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext

from assessments.models import Assessment, Segment
from assessments.selectors import assessment_maturity_targets, assessment_questionnaire
from reports.aggregates import atoms_for, invited_per_option, submitted_facts
from reports.figures import Figures
from reports.gate import released_figures, segment_groups
from reports.maturity import Maturity, figures_maturity
from reports.selectors import suppression_reason

NOT_STATED = "Not stated"


@dataclass(frozen=True)
class Group:
    value: str | None  # the option's slug; None for "Not stated"
    label: str
    suppressed: bool
    respondents: int | None  # None when suppressed
    invited: int | None  # unrevoked invitations of the group (invitation segments, shown groups of k or more)
    invitations_submitted: int | None
    figures: Figures | None  # None when suppressed
    # Section 14 over the group's released benefits, with the assessment's targets; None when suppressed.
    maturity: Maturity | None = None

    @property
    def title(self) -> str:
        """The group's name for people: "Not stated" in the reader's language (the JSON's ``label`` stays as is)."""
        return gettext("Not stated") if self.value is None else self.label

    @property
    def response_rate(self) -> float | None:
        if self.invited is None or self.invitations_submitted is None:
            return None
        return self.invitations_submitted / self.invited

    def to_dict(self) -> dict:
        f = self.figures
        return {
            "value": self.value,
            "label": self.label,
            "suppressed": self.suppressed,
            "respondents": self.respondents,
            "invited": self.invited,
            "response_rate": self.response_rate,
            "benefits": [b.to_dict() for b in f.benefits] if f else [],
            "cells": [c.to_dict() for c in f.cells] if f else [],
            "overall": None
            if f is None
            else {
                "importance": f.overall.importance,
                "realization": f.overall.realization,
                "gap": f.overall.gap,
                "under_realized": f.overall.under_realized,
                "benefits": f.overall.benefits,
                "withheld": f.overall.withheld,
            },
            "maturity": None if self.maturity is None else self.maturity.to_dict(),
        }


@dataclass(frozen=True)
class SegmentReport:
    organization: str
    assessment: str
    min_group_size: int
    key: str
    label: str
    source: str
    reason: str | None  # the whole assessment's suppression, which hides every group
    groups: tuple[Group, ...]

    @property
    def shown(self) -> list[Group]:
        return [g for g in self.groups if not g.suppressed]

    def to_json_dict(self) -> dict:
        return {
            "organization": self.organization,
            "assessment": self.assessment,
            "min_group_size": self.min_group_size,
            "suppressed": self.reason is not None,
            "reason": self.reason,
            "segment": {"key": self.key, "label": self.label},
            "groups": [g.to_dict() for g in self.groups],
        }


def segment_for_key(*, assessment: Assessment, key: str) -> Segment | None:
    """The assessment's segment with this key, its options prefetched in order; 2 queries."""
    return Segment.objects.filter(assessment=assessment, key=key).prefetch_related("options").first()


def segment_report(*, assessment: Assessment, segment: Segment) -> SegmentReport:
    """The report of ``segment``'s groups, through the release rule; a fixed number of queries."""
    k = assessment.min_group_size
    facts = submitted_facts(assessment=assessment)
    reason = suppression_reason(assessment=assessment, respondents=facts.respondents)
    options = [(o.value, o.label) for o in segment.options.all()] + [(None, NOT_STATED)]
    figures: dict[int, Figures] = {}
    sizes: dict[int, int] = {}
    targets: dict[tuple[str, str], int] = {}
    if reason is None:
        atoms = atoms_for(assessment=assessment, facts=facts, whole=False)
        number = atoms.segments.index(segment.pk)
        released = released_figures(
            atoms=atoms,
            k=k,
            questionnaire=assessment_questionnaire(assessment=assessment),
            threshold=float(assessment.threshold),
            segment=number,
        )
        for position, group in enumerate(segment_groups(atoms, number)):
            if released.is_released(group):
                figures[position] = released.figures[group]
                sizes[position] = released.sizes[group]
        if figures:
            targets = assessment_maturity_targets(assessment=assessment)
    invited = (
        invited_per_option(assessment=assessment, segment=segment)
        if figures and segment.source == Segment.Source.INVITATION
        else {}
    )
    option_ids = [o.pk for o in segment.options.all()] + [None]
    groups = []
    for position, ((value, label), option_id) in enumerate(zip(options, option_ids, strict=True)):
        shown = position in figures
        sent, done = invited.get(option_id, (0, 0))
        rate_shown = shown and segment.source == Segment.Source.INVITATION and sent >= k
        groups.append(
            Group(
                value=value,
                label=label,
                suppressed=not shown,
                respondents=sizes[position] if shown else None,
                invited=sent if rate_shown else None,
                invitations_submitted=done if rate_shown else None,
                figures=figures.get(position),
                maturity=figures_maturity(figures[position], targets=targets) if shown else None,
            )
        )
    return SegmentReport(
        organization=assessment.organization.name,
        assessment=assessment.title,
        min_group_size=k,
        key=segment.key,
        label=segment.label,
        source=segment.source,
        reason=reason,
        groups=tuple(groups),
    )
