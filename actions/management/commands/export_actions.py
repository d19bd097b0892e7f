"""``manage.py export_actions --organization ORG [-o FILE]``: contract section 10."""

from __future__ import annotations

from actions.selectors import organization_actions, render_actions_csv
from common.commands import ContractCommand, InputError, RawStream
from organizations.models import Organization


class Command(ContractCommand):
    help = (
        "The organization's actions as CSV (the bytes of the actions page's download), to standard output or -o FILE."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", required=True, metavar="ORG", help="exact organization name")
        parser.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")

    def handle(self, *args, organization: str, output: str | None = None, **options):
        target = Organization.objects.filter(name=organization).first()
        if target is None:
            raise InputError(f"unknown organization {organization!r}")
        actions = list(organization_actions(organization=target))
        text = render_actions_csv(actions)
        if output:
            try:
                with open(output, "w", encoding="utf-8", newline="") as out:
                    out.write(text)
            except OSError as exc:
                raise InputError(f"{output}: cannot write: {exc.strerror or exc}") from exc
            self.stderr.write(f"Wrote {len(actions)} actions of {target} to {output}.")
        else:
            RawStream(self.stdout).write(text)
