"""The comments of a report, as its readers may see them (contract section 15).

Release
-------
Comments are released for the whole assessment only, never per segment
(a reader who could intersect the comments of two small groups would know
who wrote what), and only when the report itself is not suppressed. Then
each section (the six concept x scope cells, and the last box) shows its
comments when at least ``max(10, k)`` respondents commented there, hidden
comments not counted; otherwise it shows none and says only that fewer than
that commented, never how many. Words identify people more easily than
ratings, hence a threshold above k.

Order
-----
Shown in an order that is random but the same every time for an
assessment: by a hash of the assessment's id and the comment's. Never in
the order they came in, which a reader could match with who answered when.

Cost: one query (every comment of the assessment's submitted responses),
whatever their number; nothing when the assessment asks for no comments or
the report is suppressed.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from django.utils.translation import gettext_lazy

from assessments.models import Assessment
from common.validators import FORMULA_STARTS
from responses.models import Comment, comment_release_threshold
from responses.selectors import comment_section_key

LAST_TITLE = gettext_lazy("Anything else")


class Cell(Protocol):
    concept: str
    scope: str

    @property
    def title(self) -> str: ...


@dataclass(frozen=True)
class ShownComment:
    id: int
    text: str


@dataclass(frozen=True)
class SectionComments:
    section: str | None  # ``concept/scope``, or None for the last box
    title: str
    shown: bool
    comments: tuple[ShownComment, ...]  # empty unless shown

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(c.text for c in self.comments)

    @property
    def anchor(self) -> str:
        return "comments-" + (self.section.replace("/", "-") if self.section else "last")

    def to_dict(self) -> dict:
        return {"section": self.section, "shown": self.shown, "texts": list(self.texts)}


@dataclass(frozen=True)
class HiddenComment:
    """A comment an owner hid: where, when and why, never its text."""

    id: int
    section: str | None
    reason: str
    hidden_on: object


@dataclass(frozen=True)
class ReportComments:
    threshold: int  # max(10, k)
    sections: tuple[SectionComments, ...]  # the six cells in order, then the last box
    hidden: tuple[HiddenComment, ...]

    @property
    def shown_count(self) -> int:
        return sum(len(s.comments) for s in self.sections)

    def to_json(self) -> list[dict]:
        return [s.to_dict() for s in self.sections]

    def csv_rows(self) -> list[tuple[str, str]]:
        """``(section, text)`` of the shown comments, in the shown order; the last box's section empty."""
        return [(s.section or "", c.text) for s in self.sections for c in s.comments]


def _order_key(assessment_id: int, comment_id: int) -> bytes:
    return hashlib.sha256(f"{assessment_id}:{comment_id}".encode()).digest()


def report_comments(*, assessment: Assessment, cells: Iterable[Cell], suppressed: bool) -> ReportComments | None:
    """The comments readers may see, by section; None when the assessment asks for none or the report is suppressed.

    ``cells`` are the report's six concept x scope cells, in order. One query.
    """
    if not assessment.comments or suppressed:
        return None
    cells = list(cells)
    rows = Comment.objects.filter(response__assessment=assessment, response__submitted_on__isnull=False).values_list(
        "id", "section", "text", "hidden_on", "hidden_reason"
    )
    visible: dict[str, list[ShownComment]] = {}
    hidden: list[HiddenComment] = []
    for pk, section, text, hidden_on, reason in rows:
        if hidden_on is not None:
            hidden.append(HiddenComment(pk, section or None, reason, hidden_on))
        else:
            visible.setdefault(section, []).append(ShownComment(pk, text))
    threshold = comment_release_threshold(assessment.min_group_size)
    boxes = [(comment_section_key(c.concept, c.scope), c.title) for c in cells] + [(Comment.LAST, str(LAST_TITLE))]
    sections = []
    for key, title in boxes:
        # One comment per respondent and box (a unique constraint), so comments count respondents.
        found = visible.get(key, [])
        shown = len(found) >= threshold
        ordered = sorted(found, key=lambda c: _order_key(assessment.pk, c.id)) if shown else []
        sections.append(SectionComments(key or None, title, shown, tuple(ordered)))
    hidden.sort(key=lambda h: h.id)
    return ReportComments(threshold=threshold, sections=tuple(sections), hidden=tuple(hidden))


def _formula_safe(text: str) -> str:
    # A spreadsheet runs a cell starting with one of these; a leading apostrophe shows it as text.
    return "'" + text if text[:1] in (*FORMULA_STARTS, "\t", "\r") else text


def render_comments_csv(comments: ReportComments | None) -> str:
    """``section,text`` of the shown comments in the shown order (the header alone when none are released)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["section", "text"])
    for section, text in comments.csv_rows() if comments is not None else []:
        writer.writerow([section, _formula_safe(text)])
    return out.getvalue()
