"""``manage.py export_responses --organization ORG --assessment TITLE [-o FILE]``: contract §3."""

from __future__ import annotations

from assessments.selectors import assessment_by_name
from common.commands import ContractCommand, InputError
from organizations.models import Organization
from responses.loaders import write_responses


class Command(ContractCommand):
    help = "Export an assessment's submitted answers as CSV (the import format), to standard output or -o FILE."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", required=True, metavar="ORG", help="exact organization name")
        parser.add_argument("--assessment", required=True, metavar="TITLE", help="exact assessment title")
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, organization: str, assessment: str, output: str | None = None, **options) -> None:
        target = assessment_by_name(organization=organization, title=assessment)
        if target is None:
            if not Organization.objects.filter(name=organization).exists():
                raise InputError(f"unknown organization {organization!r}")
            raise InputError(f"organization {organization!r} has no assessment {assessment!r}")
        if output:
            try:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    count = write_responses(target, out)
            except OSError as exc:
                raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from exc
            self.stderr.write(f"Exported {count} answers of {target} to {output}.")
        else:
            # The raw stream: the OutputWrapper would add a line ending to every chunk.
            count = write_responses(target, self.stdout._out)
            self.stderr.write(f"Exported {count} answers of {target}.")
