"""``manage.py export_responses --organization ORG --assessment TITLE [-o FILE]``: contract §3."""

from __future__ import annotations

from assessments.selectors import assessment_named
from common.commands import ContractCommand, InputError, RawStream
from responses.imports.loaders import write_responses


class Command(ContractCommand):
    help = "Export an assessment's submitted answers as CSV (the import format), to standard output or -o FILE."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", required=True, metavar="ORG", help="exact organization name")
        parser.add_argument("--assessment", required=True, metavar="TITLE", help="exact assessment title")
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, organization: str, assessment: str, output: str | None = None, **options) -> None:
        target = assessment_named(organization=organization, title=assessment)
        if output:
            try:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = write_responses(target, out)
            except OSError as exc:
                raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from exc
            self.stderr.write(f"Exported {count} answers of {target} to {output}.")
        else:
            count = write_responses(target, RawStream(self.stdout))
            self.stderr.write(f"Exported {count} answers of {target}.")
