"""``manage.py gap_report --organization ORG --assessment TITLE [--format json|csv|text|pdf] [-o FILE]``: §4-5, 18.

``--language de`` renders the text and the PDF in German (section 17); JSON
and CSV are data for programs and stay the same in every language.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from assessments.selectors import assessment_named
from common.commands import ContractCommand, InputError, RawStream
from reports.pdf import render_pdf
from reports.renderers import (
    render_csv,
    render_json,
    render_maturity_csv,
    render_maturity_json,
    render_maturity_text,
    render_segment_csv,
    render_segment_json,
    render_segment_text,
    render_text,
)
from reports.segments import segment_for_key, segment_report
from reports.selectors import gap_report

RENDERERS = {"json": render_json, "csv": render_csv, "text": render_text}
MATURITY_RENDERERS = {"json": render_maturity_json, "csv": render_maturity_csv, "text": render_maturity_text}
SEGMENT_RENDERERS = {"json": render_segment_json, "csv": render_segment_csv, "text": render_segment_text}


class Command(ContractCommand):
    help = (
        "The gap report of an assessment (importance against realization per benefit), "
        "as JSON, CSV or a text table, to standard output or -o FILE, or as a PDF to -o FILE."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", required=True, metavar="ORG", help="exact organization name")
        parser.add_argument("--assessment", required=True, metavar="TITLE", help="exact assessment title")
        parser.add_argument("--format", choices=[*sorted(RENDERERS), "pdf"], default="json", help="default: json")
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
        parser.add_argument("--segment", metavar="KEY", help="the report of each group of this segment")
        parser.add_argument(
            "--maturity", action="store_true", help="only the maturity levels: overall, per concept, scope and cell"
        )
        languages = [code for code, _ in settings.LANGUAGES]
        parser.add_argument(
            "--language",
            choices=languages,
            default=settings.LANGUAGE_CODE,
            help=f"the language of the text and the PDF: {', '.join(languages)} (default: {settings.LANGUAGE_CODE})",
        )

    def handle(
        self,
        *args,
        organization: str,
        assessment: str,
        format: str,
        output: str | None = None,
        segment: str | None = None,
        maturity: bool = False,
        language: str | None = None,
        **options,
    ):
        # Text and PDF are for people, in their language; JSON and CSV are data, in the default one.
        chosen = language if format in ("text", "pdf") and language else settings.LANGUAGE_CODE
        with translation.override(chosen):
            self._handle(organization, assessment, format, output, segment, maturity)

    def _handle(self, organization, assessment, format, output, segment, maturity) -> None:
        if format == "pdf" and not output:
            # A PDF is binary: written to a terminal it is noise, and through a pipe it is easily mangled.
            raise InputError("--format pdf needs -o FILE: a PDF is not written to standard output")
        if maturity and segment is not None:
            raise InputError("--maturity: not with --segment (each group of the segment report carries its maturity)")
        target = assessment_named(organization=organization, title=assessment)
        chosen = None
        if segment is not None:
            chosen = segment_for_key(assessment=target, key=segment)
            if chosen is None:
                keys = ", ".join(target.segments.values_list("key", flat=True)) or "none"
                raise InputError(f"--segment: {target} has no segment {segment!r} (its segments: {keys})")
        if format == "pdf":
            self._write_pdf(target, chosen, output)
            return
        report = gap_report(assessment=target)
        if chosen is not None:
            text = SEGMENT_RENDERERS[format](segment_report(assessment=target, segment=chosen))
        else:
            text = (MATURITY_RENDERERS if maturity else RENDERERS)[format](report)
        if output:
            try:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    out.write(text)
            except OSError as exc:
                raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from exc
            self.stderr.write(f"Wrote the gap report of {target} ({report.respondents} respondents) to {output}.")
        else:
            # The raw stream: the same bytes as the page's downloads, no extra line ending.
            RawStream(self.stdout).write(text)
            if report.respondents == 0:
                self.stderr.write(f"{target} has no submitted responses yet: the report is empty.")

    def _write_pdf(self, target, segment, output: str) -> None:
        body = render_pdf(assessment=target, segment=segment)
        try:
            with open(output, "wb") as out:
                out.write(body)
        except OSError as exc:
            raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from exc
        self.stderr.write(f"Wrote the gap report of {target} as a PDF to {output}.")
