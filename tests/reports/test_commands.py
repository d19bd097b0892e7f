"""``manage.py gap_report``: formats, output file, errors."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.management import call_command

from common.commands import InputError
from reports.management.commands.gap_report import Command
from reports.renderers import render_json
from reports.selectors import gap_report
from tests.reports.helpers import FEEDBACK, assessment_with, columns

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(taxonomy):
    # Five respondents of a closed assessment: the smallest report that shows figures.
    return assessment_with({FEEDBACK: columns([5, 4, 3, 5, 3], [2, 2, None, 2, 2])}, status="closed")


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("gap_report", "--organization", "Acme", "--assessment", "Baseline 2026", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_json_is_the_default_and_goes_to_stdout(assessment):
    out, _ = run()
    assert out == render_json(gap_report(assessment=assessment))
    data = json.loads(out)
    assert data["respondents"] == 5 and data["benefits"][0]["importance"]["mean"] == 4.0


def test_csv_format(assessment):
    out, _ = run("--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 61 and rows[0]["path"] == FEEDBACK and rows[0]["realization_n"] == "4"


def test_text_format_is_a_readable_table(assessment):
    out, _ = run("--format", "text")
    assert "Gap report: Acme / Baseline 2026" in out
    assert "Improved Feedback" in out and "Ranking" in out


def test_output_file_and_message_on_stderr(assessment, tmp_path):
    target = tmp_path / "report.json"
    out, err = run("-o", str(target))
    assert out == ""
    assert target.read_text(encoding="utf-8") == render_json(gap_report(assessment=assessment))
    assert str(target) in err


def test_empty_assessment_says_so_on_stderr(taxonomy):
    assessment_with({})
    out, err = run()
    assert json.loads(out)["respondents"] == 0
    assert "no submitted responses" in err


@pytest.mark.parametrize(
    ("organization", "title", "message"),
    [
        ("Nobody", "Baseline 2026", "unknown organization 'Nobody'"),
        ("Acme", "Nope", "organization 'Acme' has no assessment 'Nope'"),
    ],
)
def test_unknown_names_fail_with_a_clean_message(assessment, capsys, organization, title, message):
    with pytest.raises(InputError, match=message):
        call_command("gap_report", organization=organization, assessment=title, stdout=io.StringIO())
    with pytest.raises(SystemExit) as exit_info:
        Command().run_from_argv(["manage.py", "gap_report", "--organization", organization, "--assessment", title])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err.strip() == message


def test_unwritable_output_fails(assessment, tmp_path):
    with pytest.raises(InputError, match="cannot write"):
        run("-o", str(tmp_path / "missing" / "report.json"))
