"""``manage.py seed_demo [--if-missing]``: a demo organization with a full report's worth of answers."""

from __future__ import annotations

from django.core.management.base import CommandError

from common.commands import ContractCommand
from demo.services import (
    DEMO_ASSESSMENT,
    DEMO_FOLLOW_UP,
    DEMO_FOLLOW_UP_RESPONDENTS,
    DEMO_OPEN_ASSESSMENT,
    DEMO_ORGANIZATION,
    DEMO_RESPONDENTS,
    DEMO_SEED,
    demo_seed,
)
from responses.invitations.exports import invitation_path


class Command(ContractCommand):
    help = (
        f"Create {DEMO_ORGANIZATION!r} with the closed assessment {DEMO_ASSESSMENT!r} (about "
        f"{DEMO_RESPONDENTS} deterministic synthetic respondents), its closed next round {DEMO_FOLLOW_UP!r} "
        f"and the open {DEMO_OPEN_ASSESSMENT!r} with a few invitations."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing (and succeed) when the demo already exists"
        )
        parser.add_argument("--respondents", type=int, default=DEMO_RESPONDENTS, help="submitted respondents")
        parser.add_argument("--seed", type=int, default=DEMO_SEED, help="random seed (same seed, same answers)")

    def handle(self, *args, if_missing: bool, respondents: int, seed: int, **options) -> None:
        if respondents < 1:
            raise CommandError("--respondents must be at least 1")
        try:
            result = demo_seed(respondents=respondents, seed=seed)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if not result.created:
            if if_missing:
                self.stderr.write(f"The demo ({result.assessment}) already exists: nothing to do.")
                return
            raise CommandError(
                f"The demo ({result.assessment}) already exists. Use --if-missing to keep it without an error."
            )
        self.stderr.write(f"Created {result.assessment} (closed) with {result.respondents} submitted respondents.")
        self.stderr.write(
            f"Created its next round {DEMO_FOLLOW_UP} (closed) with {DEMO_FOLLOW_UP_RESPONDENTS} submitted "
            "respondents: its report shows what changed since."
        )
        self.stderr.write(f"Invitation links to the open assessment {DEMO_OPEN_ASSESSMENT} (shown only now):")
        for token in result.tokens:
            self.stderr.write(f"  {invitation_path(token)}")
