"""The base of the commands whose output and errors are part of the public contract."""

from __future__ import annotations

import pytest

from common.commands import ContractCommand, InputError


class Exploding(ContractCommand):
    def __init__(self, error: Exception) -> None:
        super().__init__()
        self.error = error

    def handle(self, *args, **options) -> None:
        raise self.error


def run_from_shell(command: ContractCommand) -> None:
    command._called_from_command_line = True
    command.execute(no_color=True, force_color=False, skip_checks=True, stdout=None, stderr=None)


def test_input_error_from_the_shell_prints_the_bare_message_and_exits_1(capsys):
    """From the shell an InputError is printed as given, without Django's `CommandError:` prefix."""
    with pytest.raises(SystemExit) as exit_info:
        run_from_shell(Exploding(InputError("data.csv:3: unknown dimension 'x'")))
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == "data.csv:3: unknown dimension 'x'\n"


def test_input_error_through_call_command_propagates():
    """Called from Python, the error propagates so callers and tests can catch it."""
    with pytest.raises(InputError):
        Exploding(InputError("x")).execute(no_color=True, force_color=False, skip_checks=True)


def test_a_reader_closing_the_pipe_ends_the_command_quietly(capfd, monkeypatch):
    """`export_responses | head` stops without a traceback: exit 1, nothing on stderr."""
    monkeypatch.setattr("os.dup2", lambda *a: None)  # keep pytest's own stdout intact
    with pytest.raises(SystemExit) as exit_info:
        run_from_shell(Exploding(BrokenPipeError()))
    assert exit_info.value.code == 1
    assert capfd.readouterr().err == ""
