"""``manage.py export_comments --organization ORG --assessment TITLE [-o FILE]``: contract section 15."""

from __future__ import annotations

from assessments.selectors import assessment_named
from common.commands import ContractCommand, InputError, RawStream
from reports.comments import render_comments_csv
from reports.selectors import gap_report


class Command(ContractCommand):
    help = (
        "The comments an assessment's report shows, as CSV (section,text) in the order shown, "
        "to standard output or -o FILE. Sections below the threshold, hidden comments and a suppressed "
        "report give no rows."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", required=True, metavar="ORG", help="exact organization name")
        parser.add_argument("--assessment", required=True, metavar="TITLE", help="exact assessment title")
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, organization: str, assessment: str, output: str | None = None, **options) -> None:
        target = assessment_named(organization=organization, title=assessment)
        report = gap_report(assessment=target)
        comments = report.comments
        text = render_comments_csv(comments)
        if comments is None:
            why = "asks for no comments" if not target.comments else "has a suppressed report"
            self.stderr.write(f"{target} {why}: no comment is shown.")
        if output:
            try:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    out.write(text)
            except OSError as exc:
                raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from exc
            count = comments.shown_count if comments else 0
            self.stderr.write(f"Wrote {count} comments of {target} to {output}.")
        else:
            RawStream(self.stdout).write(text)
