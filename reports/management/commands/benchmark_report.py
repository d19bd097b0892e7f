"""``manage.py benchmark_report [--format json|csv]``: the published figures of the benchmark (contract section 16)."""

from __future__ import annotations

from common.commands import ContractCommand, RawStream
from reports.benchmark import benchmark
from reports.renderers import render_benchmark_csv, render_benchmark_json

RENDERERS = {"json": render_benchmark_json, "csv": render_benchmark_csv}


class Command(ContractCommand):
    help = (
        "The benchmark across organizations: per benefit and per maturity cell, the quartiles of the organizations "
        "taking part, where enough of them contribute. No organization is named."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--format", choices=sorted(RENDERERS), default="json", help="default: json")

    def handle(self, *args, format: str, **options) -> None:
        RawStream(self.stdout).write(RENDERERS[format](benchmark()))
