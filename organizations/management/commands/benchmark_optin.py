"""``manage.py benchmark_optin --organization ORG [--off]``: contract section 16."""

from __future__ import annotations

from common.commands import ContractCommand, InputError
from organizations.models import Organization
from organizations.services import organization_set_benchmark


class Command(ContractCommand):
    help = (
        "Make an organization take part in the benchmark across organizations (its latest closed assessment's "
        "released whole-assessment figures, never answers, segments or comments), or with --off leave it at once."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", metavar="ORG", required=True, help="exact organization name")
        parser.add_argument("--off", action="store_true", help="leave the benchmark")

    def handle(self, *args, organization: str, off: bool, **options) -> None:
        target = Organization.objects.filter(name=organization).first()
        if target is None:
            raise InputError(f"No organization is called {organization!r}; nothing changed.")
        organization_set_benchmark(organization=target, taking_part=not off)
        if off:
            self.stderr.write(f"{target.name} no longer takes part in the benchmark.")
        else:
            self.stderr.write(f"{target.name} takes part in the benchmark.")
