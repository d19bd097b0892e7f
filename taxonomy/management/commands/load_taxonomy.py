"""``manage.py load_taxonomy [FILE]``: load the bundled taxonomy, or FILE."""

from __future__ import annotations

from common.commands import ContractCommand, InputError
from taxonomy.loaders import TaxonomyError, read_taxonomy_file
from taxonomy.services import taxonomy_load


class Command(ContractCommand):
    help = "Load the benefit taxonomy from YAML (the bundled file by default) and sync the questions."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", nargs="?", help="YAML file (default: taxonomy/data/taxonomy.yaml)")

    def handle(self, *args, file: str | None = None, **options) -> None:
        try:
            spec = read_taxonomy_file(file)
        except TaxonomyError as exc:
            raise InputError(str(exc)) from exc
        result = taxonomy_load(spec=spec)
        nodes = len(spec.paths())
        if result.changed:
            self.stderr.write(
                f"Loaded {nodes} benefit nodes: taxonomy {result.taxonomy.summary()}; "
                f"questions {result.questions.summary()}."
            )
        else:
            self.stderr.write(f"Taxonomy already up to date ({nodes} benefit nodes): nothing changed.")
