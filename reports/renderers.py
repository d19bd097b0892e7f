"""The gap report as JSON, CSV and a text table: the command and the page's downloads render the same bytes."""

from __future__ import annotations

import csv
import io
import json

from django.utils.formats import get_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from reports import maturity as maturity_module
from reports.benchmark import Benchmark, Figure
from reports.l10n import decimal, short, signed
from reports.segments import SegmentReport
from reports.selectors import REASON_NOT_CLOSED, GapReport

# The columns of one group's figures (sections 4 and 5): the whole report's, or a segment group's.
FIGURE_CSV_FIELDS = (
    "path",
    "name",
    "concept",
    "scope",
    "parent",
    "importance_mean",
    "importance_n",
    "importance_sd",
    "importance_rwg",
    "realization_mean",
    "realization_n",
    "realization_sd",
    "realization_rwg",
    "gap",
    "under_realized",
    "quadrant",
    "paired_n",
    "paired_mean",
    "paired_ci95_low",
    "paired_ci95_high",
    "evidence",
    "contested",
    # Section 6: a withheld benefit's row keeps its identifying columns and has no figure.
    "withheld",
    "paired_only",
)
# Section 8: empty without a previous round, or when either round is suppressed.
TREND_CSV_FIELDS = ("trend_change", "trend_ci95_low", "trend_ci95_high", "trend_verdict")
CSV_FIELDS = (*FIGURE_CSV_FIELDS, *TREND_CSV_FIELDS)


def _csv_value(value) -> str:
    # Empty for a missing value (never 0); repr keeps floats unrounded.
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def csv_rows(report) -> list[dict[str, object]]:
    """One flat row per benefit node of a report (or a group's figures), in taxonomy order, keyed by ``CSV_FIELDS``."""
    rows = []
    for b in report.benefits:
        if b.withheld:
            rows.append(
                {
                    **dict.fromkeys(CSV_FIELDS),
                    "path": b.path,
                    "name": b.name,
                    "concept": b.concept,
                    "scope": b.scope,
                    "parent": b.parent,
                    "withheld": True,
                }
            )
            continue
        ci = b.paired.ci95 or (None, None)
        # A segment group's figures have no rounds: their trend columns are not written.
        rounds = getattr(report, "rounds", None)
        trend = rounds.trend_of(b.path) if rounds is not None else None
        trend_ci = (trend.ci95 if trend is not None else None) or (None, None)
        rows.append(
            {
                "path": b.path,
                "name": b.name,
                "concept": b.concept,
                "scope": b.scope,
                "parent": b.parent,
                **{f"importance_{k}": v for k, v in b.importance.to_dict().items()},
                **{f"realization_{k}": v for k, v in b.realization.to_dict().items()},
                "gap": b.gap,
                "under_realized": b.under_realized,
                "quadrant": b.quadrant,
                "paired_n": b.paired.n,
                "paired_mean": b.paired.mean,
                "paired_ci95_low": ci[0],
                "paired_ci95_high": ci[1],
                "evidence": b.evidence,
                "contested": b.contested,
                "withheld": False,
                "paired_only": b.paired_only,
                "trend_change": trend.change if trend is not None else None,
                "trend_ci95_low": trend_ci[0],
                "trend_ci95_high": trend_ci[1],
                "trend_verdict": trend.verdict if trend is not None else None,
            }
        )
    return rows


def render_csv(report: GapReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for row in csv_rows(report):
        writer.writerow([_csv_value(row[f]) for f in CSV_FIELDS])
    return out.getvalue()


def render_json(report: GapReport) -> str:
    return json.dumps(report.to_json_dict(), indent=2, ensure_ascii=False) + "\n"


def withheld_count(n: int) -> str:
    return _("%(n)s withheld, ") % {"n": n} if n else ""


# --- Maturity (contract section 14) ----------------------------------------------------------


def render_maturity_csv(report: GapReport) -> str:
    """One row per maturity entry in JSON order; a suppressed report's is its header alone."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    fields = maturity_module.CSV_FIELDS
    writer.writerow(fields)
    for row in maturity_module.csv_rows(report.maturity):
        writer.writerow([_csv_value(row[f]) for f in fields])
    return out.getvalue()


def render_maturity_json(report: GapReport) -> str:
    return json.dumps({"maturity": report.to_json_dict()["maturity"]}, indent=2, ensure_ascii=False) + "\n"


def render_maturity_text(report: GapReport) -> str:
    """Each entry in words, one a line, cells first (they carry the targets), then the overall level."""
    m = report.maturity
    lines = [_("Maturity: %(organization)s / %(assessment)s") % _names(report)]
    if m is None:
        lines.append(withheld_sentence(report))
    else:
        lines.extend(e.sentence for e in (*m.cells, *m.concepts, *m.scopes, m.overall))
    return "\n".join(lines) + "\n"


def _fmt(value: float | None, digits: int = 2) -> str:
    """A figure as the reader writes numbers (3.50, or 3,50 in German), "-" for none."""
    return "-" if value is None else decimal(value, digits)


def _names(report: GapReport) -> dict[str, str]:
    return {"organization": report.organization, "assessment": report.assessment}


def languages_line(report: GapReport) -> str:
    """How many answered in each language the site offers (section 17), in the same words as the page."""
    return report.languages_sentence


def withheld_sentence(report: GapReport) -> str:
    """Why a suppressed report shows no figures, and what would change that, in plain words."""
    count = ngettext("%(n)s response so far", "%(n)s responses so far", report.respondents) % {"n": report.respondents}
    needed = (
        _("; at least %(k)s are needed, so %(more)s more") % {"k": report.min_group_size, "more": report.needed}
        if report.needed
        else ""
    )
    if report.reason == REASON_NOT_CLOSED:
        return _("Results are shown once the assessment is closed (%(count)s%(needed)s).") % {
            "count": count,
            "needed": needed,
        }
    return _(
        "Results are shown only for at least %(k)s respondents, so that no one's answers "
        "can be picked out (%(count)s%(needed)s)."
    ) % {"k": report.min_group_size, "count": count, "needed": needed}


# The text table's change column: the change, then a word for the verdict.
TEXT_VERDICTS = {
    "narrowed": pgettext_lazy("gap change, text table", "narrower"),
    "widened": pgettext_lazy("gap change, text table", "wider"),
    "unchanged": pgettext_lazy("gap change, text table", "same"),
    "insufficient": pgettext_lazy("gap change, text table", "few"),
}


def _change_cell(report: GapReport, path: str) -> str:
    if report.rounds is None:
        return ""
    trend = report.rounds.trend_of(path)
    if trend is None or not trend.comparable:
        text = "-" if trend is None else _("not comparable")
    else:
        change = "-" if trend.change is None else signed(trend.change)
        text = f"{change} {TEXT_VERDICTS[trend.verdict]}"
    return f" {text:>16}"


def _previous_line(report: GapReport) -> str:
    previous = report.rounds.previous
    line = ngettext(
        "Previous round: %(title)s (%(n)s respondents)",
        "Previous round: %(title)s (%(n)s respondents)",
        previous.respondents,
    ) % {"title": previous.title, "n": previous.respondents}
    if previous.suppressed:
        line += _("; it shows no figures, so there is no change to show")
    elif report.rounds.trends is not None:
        counts = dict.fromkeys(TEXT_VERDICTS, 0)
        for trend in report.rounds.trends.values():
            if trend is not None and trend.comparable:
                counts[trend.verdict] += 1
        line += (
            _(
                "; since then %(narrowed)s gaps narrowed, %(widened)s widened, %(unchanged)s unchanged, "
                "%(insufficient)s with too few answers to tell"
            )
            % counts
        )
    return line


# What the text table says of a withheld benefit (section 6), in place of its figures.
WITHHELD_TEXT = gettext_lazy("withheld: too few answers to show without identifying someone")


def withheld_reason(min_group_size: int) -> str:
    """Why a benefit shows no figures here, in words that name no count below k."""
    return _(
        "Too few people answered it here, or showing it would let someone work out the answers of "
        "fewer than %(minimum)s people."
    ) % {"minimum": min_group_size}


# Why a paired-only benefit's figures are over fewer people than rated it.
PAIRED_ONLY_REASON = gettext_lazy(
    "Its figures are over the people who rated both its importance and its realization, so that the "
    "few who rated only one cannot be worked out."
)


def hidden_group_reason(min_group_size: int) -> str:
    """Why a group is hidden, in one sentence a sponsor understands."""
    return _(
        "A group is shown only when it has at least %(minimum)s respondents, and only when showing it "
        "would not let someone subtract their way to fewer than %(minimum)s people, across all the "
        "ways of splitting the respondents together."
    ) % {"minimum": min_group_size}


# The text table's evidence column, in words.
EVIDENCE_WORDS = {
    "strong": gettext_lazy("strong"),
    "weak": gettext_lazy("weak"),
    "insufficient": gettext_lazy("insufficient"),
}


def _evidence_words(b) -> str:
    words = str(EVIDENCE_WORDS[b.evidence]) if b.evidence else ""
    return words + (" " + _("contested") if b.contested else "")


def render_text(report: GapReport) -> str:
    """A readable, aligned table per cell, for a terminal."""
    if report.suppressed:
        return (
            "\n".join(
                [
                    _("Gap report: %(organization)s / %(assessment)s") % _names(report),
                    _("Respondents: %(n)s   Minimum group size: %(k)s")
                    % {"n": report.respondents, "k": report.min_group_size},
                    languages_line(report),
                    withheld_sentence(report),
                    *([_previous_line(report)] if report.rounds is not None else []),
                ]
            )
            + "\n"
        )
    lines = [
        _("Gap report: %(organization)s / %(assessment)s") % _names(report),
        _(
            "Respondents: %(n)s   Threshold: %(threshold)s   "
            "Overall importance %(importance)s, realization %(realization)s, gap %(gap)s"
        )
        % {
            "n": report.respondents,
            "threshold": short(report.threshold),
            "importance": _fmt(report.overall.importance),
            "realization": _fmt(report.overall.realization),
            "gap": _fmt(report.overall.gap),
        },
        languages_line(report),
        *(
            [_("Median time taken: %(minutes)s min") % {"minutes": report.median_minutes}]
            if report.median_minutes is not None
            else []
        ),
        "",
    ]
    rounds = report.rounds
    if rounds is not None:
        lines.insert(-1, _previous_line(report))
    if report.maturity is not None:
        # Section 14 in words: the overall level, then each cell against its target.
        m = report.maturity
        lines[-1:-1] = [_("Maturity: %(level)s") % {"level": m.overall.sentence}, *(f"  {c.sentence}" for c in m.cells)]
    # Column headings, short enough for a terminal's table.
    benefit, imp, real, gap = _("Benefit"), _("Imp"), _("Real"), _("Gap")
    ci_of_gap, flag_heading, evidence, quadrant = _("95% CI of gap"), _("Flag"), _("Evidence"), _("Quadrant")
    change = _("Change")
    change_header = f" {change:>16}" if rounds is not None else ""
    header = (
        f"{benefit:<46} {imp:>5} {'n':>5} {'sd':>5} {real:>5} {'n':>5} {'sd':>5} "
        f"{gap:>6} {ci_of_gap:>15}{change_header} {flag_heading:<6} {evidence:<12} {quadrant}"
    )
    for cell in report.cells:
        s = cell.summary
        lines.append(
            _("== %(cell)s (%(benefits)s benefits, %(under)s under-realized, %(withheld)sgap %(gap)s) ==")
            % {
                "cell": cell.title,
                "benefits": s.benefits,
                "under": s.under_realized,
                "withheld": withheld_count(s.withheld),
                "gap": _fmt(s.gap),
            }
        )
        lines.append(header)
        for b in cell.benefits:
            name = ("  " * b.depth + b.name)[:46]
            if b.withheld:
                lines.append(f"{name:<46} {WITHHELD_TEXT}")
                continue
            ci = f"[{_fmt(b.paired.ci95[0])}; {_fmt(b.paired.ci95[1])}]" if b.paired.ci95 else "-"
            if get_format("DECIMAL_SEPARATOR") == ".":
                ci = ci.replace(";", ",")
            flag = _("UNDER") if b.under_realized else ""
            lines.append(
                f"{name:<46} {_fmt(b.importance.mean):>5} {b.importance.n:>5} {_fmt(b.importance.sd):>5} "
                f"{_fmt(b.realization.mean):>5} {b.realization.n:>5} {_fmt(b.realization.sd):>5} "
                f"{_fmt(b.gap):>6} {ci:>15}{_change_cell(report, b.path)} {flag:<6} "
                f"{_evidence_words(b):<12} {b.quadrant_label or '-'}"
            )
        lines.append("")
    lines.append(_("Ranking (largest gap first):"))
    for i, b in enumerate(report.ranked, 1):
        lines.append(f"{i:>3}. {_fmt(b.gap):>6}  {b.path}")
    return "\n".join(lines).rstrip() + "\n"


# --- The segment report (contract section 7) ----------------------------------------------------------

SEGMENT_CSV_FIELDS = ("segment_value", *FIGURE_CSV_FIELDS)


def render_segment_json(report: SegmentReport) -> str:
    return json.dumps(report.to_json_dict(), indent=2, ensure_ascii=False) + "\n"


def render_segment_csv(report: SegmentReport) -> str:
    """One row per shown group and benefit; a hidden group has no row at all."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SEGMENT_CSV_FIELDS)
    for group in report.shown:
        for row in csv_rows(group.figures):
            writer.writerow([_csv_value(group.value), *(_csv_value(row[f]) for f in FIGURE_CSV_FIELDS)])
    return out.getvalue()


def group_status(report: SegmentReport, group) -> str:
    """A group's line: its size and headline figures, or that it is too small to show (never its count)."""
    if group.suppressed:
        return _(
            "fewer than %(minimum)s respondents, or hidden because showing it would let someone "
            "subtract their way to fewer than %(minimum)s people"
        ) % {"minimum": report.min_group_size}
    o = group.figures.overall
    figures = {"n": group.respondents, "gap": _fmt(o.gap), "under": o.under_realized}
    if group.response_rate is None:
        return _("%(n)s respondents, gap %(gap)s, %(under)s under-realized") % figures
    return _("%(n)s respondents, gap %(gap)s, %(under)s under-realized, response rate %(rate)s%%") % {
        **figures,
        "rate": f"{group.response_rate * 100:.0f}",
    }


def render_segment_text(report: SegmentReport) -> str:
    """Each group's size and figures, then every benefit's gap per shown group."""
    lines = [
        _("Gap report by %(segment)s: %(organization)s / %(assessment)s")
        % {"segment": report.label, "organization": report.organization, "assessment": report.assessment},
        _("Minimum group size: %(k)s") % {"k": report.min_group_size},
    ]
    if report.reason is not None:
        lines.append(_("No group is shown: the whole assessment's report is withheld."))
        return "\n".join(lines) + "\n"
    lines.append("")
    for group in report.groups:
        lines.append(f"{group.title}: {group_status(report, group)}")
    shown = report.shown
    if shown:
        lines.append("")
        heading, withheld = _("Gap per benefit"), _("withheld")
        lines.append(f"{heading:<46} " + " ".join(f"{g.title[:12]:>12}" for g in shown))
        for i, benefit in enumerate(shown[0].figures.benefits):
            name = ("  " * benefit.depth + benefit.name)[:46]
            gaps = " ".join(
                f"{withheld if g.figures.benefits[i].withheld else _fmt(g.figures.benefits[i].gap):>12}" for g in shown
            )
            lines.append(f"{name:<46} {gaps}")
    return "\n".join(lines).rstrip() + "\n"


BENCHMARK_CSV_FIELDS = ["kind", "path", "concept", "scope", "figure", "organizations", "p25", "p50", "p75"]


def render_benchmark_json(result: Benchmark) -> str:
    return json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render_benchmark_csv(result: Benchmark) -> str:
    """One row per published figure of the benchmark, benefits then cells, in taxonomy order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(BENCHMARK_CSV_FIELDS)

    def row(kind: str, path: str, concept: str, scope: str, name: str, fig: Figure | None) -> None:
        if fig is not None:
            writer.writerow([kind, path, concept, scope, name, fig.organizations, fig.p25, fig.p50, fig.p75])

    for b in result.benefits:
        concept, scope = b.path.split("/")[:2]
        row("benefit", b.path, concept, scope, "realization", b.realization)
        row("benefit", b.path, concept, scope, "gap", b.gap)
    for c in result.cells:
        row("cell", "", c.concept, c.scope, "score", c.score)
    return out.getvalue()
