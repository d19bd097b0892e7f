"""A base for management commands whose errors are part of the public contract."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand, CommandError


class InputError(CommandError):
    """Bad input: printed exactly as given (``FILE:LINE: what is wrong``), exit 1."""


class ContractCommand(BaseCommand):
    """Prints :class:`InputError` without Django's ``CommandError:`` prefix.

    Called through ``call_command`` (tests, services) the error propagates
    as usual. A reader that stops early (``| head``) ends the command quietly
    instead of with a traceback.
    """

    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except InputError as exc:
            if not getattr(self, "_called_from_command_line", False):
                raise
            sys.stderr.write(f"{exc}\n")
            sys.exit(exc.returncode)
        except BrokenPipeError:
            if not getattr(self, "_called_from_command_line", False):
                raise
            # Python would otherwise complain again when it flushes stdout at exit.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(1)
