"""The README's portable backup and restore gives back the same gap report.

The commands are read from the README's Deployment section, so the test runs
what an operator would copy, and fails if the README stops saying it.
"""

from __future__ import annotations

import io
import re
import shlex
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.selectors import assessment_by_name
from demo.services import DEMO_ASSESSMENT, DEMO_ORGANIZATION
from reports.selectors import GapReport, gap_report
from responses.models import Answer, Invitation, Response

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_command(name: str) -> list[str]:
    """The ``python manage.py <name> ...`` command of the README's Deployment section, as arguments after manage.py."""
    section = README.read_text().split("\n## Deployment\n", 1)[1].split("\n## ", 1)[0]
    shell = "\n".join(re.findall(r"```sh\n(.*?)```", section, re.S)).replace("\\\n", " ")
    commands = [line for line in shell.splitlines() if line.lstrip().startswith(f"python manage.py {name} ")]
    assert len(commands) == 1, f"the README's Deployment section should give one `manage.py {name}` command"
    args = shlex.split(commands[0], comments=True)
    return args[2:]


def demo_report() -> GapReport:
    return gap_report(assessment=assessment_by_name(organization=DEMO_ORGANIZATION, title=DEMO_ASSESSMENT))


def counts() -> tuple[int, int, int]:
    return Invitation.objects.count(), Response.objects.count(), Answer.objects.count()


# Not inside a test transaction: PostgreSQL refuses to empty tables whose foreign keys are still to be checked.
@pytest.mark.django_db(transaction=True)
def test_dumpdata_then_loaddata_into_a_fresh_database_gives_the_same_gap_report(taxonomy, tmp_path, monkeypatch):
    """seed_demo, the README's dumpdata, an emptied database, the README's loaddata: the same report and rows."""
    call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
    before, rows_before = demo_report(), counts()
    assert before.respondents > 0 and before.under_realized

    dump, load = readme_command("dumpdata"), readme_command("loaddata")
    monkeypatch.chdir(tmp_path)  # the commands name their file relative to where they run
    call_command(*dump, stdout=io.StringIO())
    assert dump[-1] == load[-1] and (tmp_path / dump[-1]).stat().st_size > 0

    # A fresh, migrated database: every table empty, the content types and permissions that migrate creates.
    call_command("flush", interactive=False, verbosity=0)
    assert counts() == (0, 0, 0) and assessment_by_name(organization=DEMO_ORGANIZATION, title=DEMO_ASSESSMENT) is None
    call_command(*load, stdout=io.StringIO())

    assert counts() == rows_before
    assert demo_report() == before
