"""A base for management commands whose errors are part of the public contract."""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError


class InputError(CommandError):
    """Bad input: printed exactly as given (``FILE:LINE: what is wrong``), exit 1."""


class ContractCommand(BaseCommand):
    """Prints :class:`InputError` without Django's ``CommandError:`` prefix.

    Called through ``call_command`` (tests, services) the error propagates
    as usual.
    """

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except InputError as exc:
            if not getattr(self, "_called_from_command_line", False):
                raise
            sys.stderr.write(f"{exc}\n")
            sys.exit(exc.returncode)
