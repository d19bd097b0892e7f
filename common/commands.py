"""A base for management commands whose errors are part of the public contract."""

from __future__ import annotations

import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class InputError(CommandError):
    """Bad input: printed exactly as given (``FILE:LINE: what is wrong``), exit 1."""


def validation_message(exc: ValidationError) -> str:
    """A ``ValidationError`` as one line: ``field: message`` for each error."""
    if hasattr(exc, "error_dict"):
        return "; ".join(f"{field}: {message}" for field, messages in exc.message_dict.items() for message in messages)
    return "; ".join(exc.messages)


def field_input_error(exc: ValidationError, field: str, option: str) -> InputError | None:
    """A service's error on ``field`` as the command's ``--option: what is wrong``; None if not about ``field``."""
    messages = getattr(exc, "error_dict", {}).get(field)
    if not messages:
        return None
    return InputError(f"{option}: {' '.join(m for e in messages for m in e.messages)}")


class ContractCommand(BaseCommand):
    """Prints :class:`InputError` without Django's ``CommandError:`` prefix.

    Called through ``call_command`` (tests, services) the error propagates
    as usual. A reader that stops early (``| head``) ends the command quietly
    instead of with a traceback.
    """

    def execute(self, *args, **options):
        try:
            try:
                return super().execute(*args, **options)
            except ValidationError as exc:
                # A value a model refuses (a name, a title): its message, and which field, rather than a traceback.
                raise InputError(validation_message(exc)) from exc
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


class RawStream:
    """A command's output wrapper as a plain text stream: ``write`` adds no line ending.

    Exports stream their bytes as they are (the same bytes as the page's
    downloads), and a progress bar draws its own line; Django's
    ``OutputWrapper`` would end every chunk with a newline.
    """

    def __init__(self, wrapper) -> None:
        self._wrapper = wrapper

    def write(self, text: str) -> int:
        self._wrapper.write(text, ending="")
        return len(text)

    def flush(self) -> None:
        self._wrapper.flush()

    def isatty(self) -> bool:
        return self._wrapper.isatty()
