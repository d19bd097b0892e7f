"""``manage.py erase_organization ORG [--yes]``: contract section 6."""

from __future__ import annotations

from common.commands import ContractCommand, InputError
from organizations.models import Organization
from organizations.services import organization_erase


def _summary(counts: dict[str, int]) -> str:
    return ", ".join(f"{n} {what}" for what, n in counts.items())


class Command(ContractCommand):
    help = (
        "Delete an organization and everything that belongs to it (assessments, invitations, responses, "
        "answers, memberships, actions). Without --yes, say what would be deleted and delete nothing."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("organization", metavar="ORG", help="exact organization name")
        parser.add_argument("--yes", action="store_true", help="really delete")

    def handle(self, *args, organization: str, yes: bool, **options) -> None:
        target = Organization.objects.filter(name=organization).first()
        if target is None:
            raise InputError(f"No organization is called {organization!r}; nothing deleted.")
        counts = organization_erase(organization=target, dry_run=not yes)
        if yes:
            self.stderr.write(f"Erased {target.name}: {_summary(counts)}.")
        else:
            self.stderr.write(f"Would delete from {target.name}: {_summary(counts)}.")
            self.stderr.write("Nothing was deleted. Run again with --yes to delete all of it.")
