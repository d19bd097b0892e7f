"""The gap report as a PDF: the page's templates and SVG charts laid out for paper (contract section 18).

WeasyPrint turns HTML and CSS into PDF with no browser; it needs Pango on
the machine (see the README). It is imported only when a PDF is made, so
nothing else pays for loading it.

The release rule is the page's: a suppressed report prints its participation
and why it shows no figures, and a segment prints only its shown groups,
because the content comes from the same :class:`GapReport` and
:class:`SegmentReport` as the page.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import ActionStatus
from actions.selectors import ReportAction
from assessments.models import Assessment, Segment
from reports.charts import benefit_labels, report_page
from reports.figures import BenefitResult
from reports.maturity import Entry
from reports.renderers import group_status, withheld_sentence
from reports.segment_charts import segment_page
from reports.segments import segment_report
from reports.selectors import GapReport, gap_report
from taxonomy.scales import SCALE_MAX, SCALE_MIN

# The page's chart styles, then the print layout on top of them.
STYLESHEETS = ("css/report.css", "css/report-pdf.css")

# WeasyPrint warns about every CSS property it does not know, such as the page's SVG ``fill`` rules, which it
# does not apply from a document's stylesheet; they are applied another way (``_with_svg_styles``), so the
# warnings are noise in a command's output.
logging.getLogger("weasyprint").setLevel(logging.ERROR)

_SVG_PROPERTY = re.compile(r"\b(fill|stroke|font-[a-z]+|display)\s*:")
_SVG_OPEN = re.compile(r"(<svg\b[^>]*>)")


def _top_level_rules(css: str) -> list[str]:
    """The rules of ``css`` outside any at-rule's block (``@media``, ``@supports``), each ``selector { ... }``."""
    rules, depth, start, in_at_rule = [], 0, 0, False
    for i, char in enumerate(css):
        if char == "{":
            if depth == 0:
                in_at_rule = css[start:i].strip().startswith("@")
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                if not in_at_rule:
                    rules.append(css[start : i + 1].strip())
                start = i + 1
        elif char == ";" and depth == 0:
            start = i + 1  # a statement at-rule such as @import
    return rules


@functools.cache
def _svg_rules() -> str:
    """The rules of the page's report.css that style SVG marks (fills, strokes, text), outside media queries."""
    with open(finders.find("css/report.css"), encoding="utf-8") as f:
        css = re.sub(r"/\*.*?\*/", "", f.read(), flags=re.S)
    # Only top-level rules: a media query's rules (a phone's larger text, its hidden labels) are for screens.
    rules = _top_level_rules(css)
    # A pseudo-class or pseudo-element (``:has()``, ``:hover``, ``::after``) is for the screen, and one that
    # WeasyPrint's SVG styling cannot parse would cost the rules after it.
    return "".join(
        rule for rule in rules if _SVG_PROPERTY.search(rule.split("{", 1)[1]) and ":" not in rule.split("{", 1)[0]
    )


# A trend group's class (``trend-narrowed``) colours its dumbbells from outside the SVG.
_TREND_GROUP = re.compile(r'class="trend-group trend-([a-z-]+)')


def _with_svg_styles(html: str) -> str:
    """Each inline SVG gets the page's SVG rules in its own ``<style>``: WeasyPrint draws an SVG as a document
    of its own, which the HTML's stylesheets do not reach, so the bars' and points' colours would be lost.

    A rule that picks marks by an HTML ancestor's class (``.trend-narrowed .now-mark``) cannot match inside
    that document, so each dumbbell also carries its group's class on its own ``<svg>``.
    """
    parts = _TREND_GROUP.split(html)
    # split() alternates text and captured keys: text, key, text after that group, key, ...
    for i in range(2, len(parts), 2):
        key = parts[i - 1]
        parts[i] = parts[i].replace('class="gap-bar dumbbell"', f'class="gap-bar dumbbell trend-{key}"')
        parts[i - 1] = f'class="trend-group trend-{key}'
    style = f"<style>{_svg_rules()}</style>"
    return _SVG_OPEN.sub(lambda m: m.group(1) + style, "".join(parts))


@dataclass(frozen=True)
class RankedGap:
    rank: int
    benefit: BenefitResult
    label: str
    cell_title: str


def ranked_gaps(report: GapReport) -> tuple[RankedGap, ...]:
    """Every benefit with a gap, largest first, named as on the page."""
    labels = benefit_labels(report)
    titles = {b.path: c.title for c in report.cells for b in c.benefits}
    return tuple(RankedGap(i, b, labels[b.path], titles[b.path]) for i, b in enumerate(report.ranked, 1))


@dataclass(frozen=True)
class CellRoadmap:
    """One concept x scope cell of the actions roadmap: its level now, its target, the actions on its benefits."""

    cell: Entry
    actions: tuple[ReportAction, ...]


def cell_roadmap(report: GapReport) -> tuple[CellRoadmap, ...]:
    """Each cell with the report's actions (dropped ones aside) planned on any of its benefits.

    A benefit's path starts with its cell (``concept/scope/...``), so the
    actions the report already holds are enough: no query.
    """
    if report.maturity is None:
        return ()
    by_cell: dict[tuple[str, str], list[ReportAction]] = {}
    for action in report.actions:
        if action.status == ActionStatus.DROPPED:
            continue
        for key in dict.fromkeys(tuple(path.split("/", 2)[:2]) for path in action.benefits):
            by_cell.setdefault(key, []).append(action)
    return tuple(CellRoadmap(c, tuple(by_cell.get((c.concept, c.scope), ()))) for c in report.maturity.cells)


def pdf_context(*, assessment: Assessment, report: GapReport, segment: Segment | None = None) -> dict:
    """What the PDF's template shows: the page's context, without anything that only works in a browser."""
    context: dict = {
        "assessment": assessment,
        "report": report,
        "segment": segment,
        "can_plan": False,
        "generated": timezone.now(),
        "scale_min": SCALE_MIN,
        "scale_max": SCALE_MAX,
    }
    if report.suppressed:
        context["withheld"] = withheld_sentence(report)
    else:
        context["page"] = report_page(report)
        context["ranked"] = ranked_gaps(report)
        context["roadmap"] = cell_roadmap(report)
    if segment is not None:
        by_segment = segment_report(assessment=assessment, segment=segment)
        context["segment_page"] = segment_page(by_segment, report)
        context["group_lines"] = [(g, group_status(by_segment, g)) for g in by_segment.groups]
    return context


def render_pdf_html(*, assessment: Assessment, segment: Segment | None = None) -> str:
    report = gap_report(assessment=assessment)
    return render_to_string(
        "reports/pdf/report.html", pdf_context(assessment=assessment, report=report, segment=segment)
    )


def render_pdf(*, assessment: Assessment, segment: Segment | None = None) -> bytes:
    """The report of ``assessment`` (one segment's groups added with ``segment``) as PDF bytes."""
    from weasyprint import CSS, HTML

    html = _with_svg_styles(render_pdf_html(assessment=assessment, segment=segment))
    stylesheets = [CSS(filename=finders.find(name)) for name in STYLESHEETS]
    return HTML(string=html).write_pdf(stylesheets=stylesheets)
