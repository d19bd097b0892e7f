"""``manage.py export_taxonomy [-o FILE]``: the taxonomy as YAML."""

from __future__ import annotations

from pathlib import Path

from common.commands import ContractCommand
from taxonomy.loaders import dump_taxonomy
from taxonomy.selectors import taxonomy_spec


class Command(ContractCommand):
    help = "Write the taxonomy as YAML that load_taxonomy reads back (standard output unless -o)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("-o", "--output", help="write to FILE instead of standard output")

    def handle(self, *args, output: str | None = None, **options) -> None:
        text = dump_taxonomy(taxonomy_spec())
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stderr.write(f"Wrote {output}.")
        else:
            self.stdout.write(text, ending="")
