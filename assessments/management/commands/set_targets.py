"""``manage.py set_targets --organization ORG --assessment TITLE CONCEPT/SCOPE=LEVEL...``: contract section 14."""

from __future__ import annotations

from assessments.selectors import assessment_named
from assessments.services import maturity_targets_set
from common.commands import ContractCommand, InputError


def parse_target(text: str) -> tuple[tuple[str, str], int | None]:
    """``social-media/internal=4`` -> ``(("social-media", "internal"), 4)``; ``=-`` means no target."""
    cell, sep, level = text.partition("=")
    concept, slash, scope = cell.partition("/")
    if not sep or not slash or not concept or not scope or "/" in scope:
        raise InputError(f"{text}: expected CONCEPT/SCOPE=LEVEL, e.g. social-media/internal=3 (or =- for none)")
    if level.strip() == "-":
        return (concept, scope), None
    try:
        return (concept, scope), int(level)
    except ValueError:
        raise InputError(f"{text}: the level must be a whole number from 1 to 5, or - for none") from None


class Command(ContractCommand):
    help = (
        "Set the target maturity level (1-5, or - for none) of concept x scope cells of an assessment; "
        "cells not named keep their target."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--organization", required=True, metavar="ORG", help="exact organization name")
        parser.add_argument("--assessment", required=True, metavar="TITLE", help="exact assessment title")
        parser.add_argument("targets", nargs="+", metavar="CONCEPT/SCOPE=LEVEL")

    def handle(self, *args, organization: str, assessment: str, targets: list[str], **options):
        target = assessment_named(organization=organization, title=assessment)
        levels: dict[tuple[str, str], int | None] = {}
        for text in targets:
            cell, level = parse_target(text)
            if cell in levels:
                raise InputError(f"{text}: {cell[0]}/{cell[1]} is named twice")
            levels[cell] = level
        saved = maturity_targets_set(assessment=target, levels=levels)
        summary = ", ".join(f"{c}/{s}={level}" for (c, s), level in saved.items()) or "none"
        self.stderr.write(f"Targets of {target}: {summary}.")
