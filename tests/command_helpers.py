"""Running ``manage.py`` the way a shell does, in the test's own process."""

from __future__ import annotations

from django.core.management import ManagementUtility
from django.db import connections


def manage_py(capsys, monkeypatch, *argv: str) -> tuple[int, str, str]:
    """``manage.py ARGV`` as a shell runs it, without starting a process: exit status, stdout, stderr.

    Through ManagementUtility, so the parsing, the exit status and what
    reaches stderr are the real ones; a process of its own (migrating its own
    database) took seconds per test and is kept for one smoke test per
    command family.
    """
    # run_from_argv closes every connection when it ends, as a process would; the test's own must survive.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    capsys.readouterr()
    try:
        ManagementUtility(["manage.py", *argv]).execute()
        code = 0
    except SystemExit as exit_info:
        code = exit_info.code
    out, err = capsys.readouterr()
    return code, out, err
