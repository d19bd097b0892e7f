"""``manage.py gap_report``: formats, output file, errors."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from assessments.models import Assessment
from common.commands import InputError
from reports.management.commands.gap_report import Command
from reports.renderers import render_json
from reports.selectors import gap_report
from tests.factories import AssessmentFactory
from tests.reports.helpers import FEEDBACK, add_responses, assessment_with, columns

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(taxonomy):
    # Five respondents of a closed assessment: the smallest report that shows figures.
    return assessment_with({FEEDBACK: columns([5, 4, 3, 5, 3], [2, 2, 3, 2, 2])}, status="closed")


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
    assert len(rows) == 61 and rows[0]["path"] == FEEDBACK and rows[0]["realization_n"] == "5"


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


# --- With a previous round (section 8) ---


@pytest.fixture
def follow_up(assessment):
    """A closed "Follow-up 2027" whose previous round is "Baseline 2026"."""
    later = AssessmentFactory(organization=assessment.organization, title="Follow-up 2027", previous=assessment)
    add_responses(later, {FEEDBACK: columns([4, 4, 4, 4, 4, 4], [4, 3, 4, 4, 3, 4])}, prefix="f")
    Assessment.objects.filter(pk=later.pk).update(status="closed")
    return Assessment.objects.select_related("organization").get(pk=later.pk)


def test_csv_adds_the_trend_columns(follow_up):
    """trend_change, trend_ci95_low/high and trend_verdict; empty for a benefit rated in neither round."""
    out, _ = run("--format", "csv")  # the baseline has no previous round: the columns are empty
    assert list(csv.DictReader(io.StringIO(out)))[0]["trend_change"] == ""
    out = io.StringIO()
    call_command(
        "gap_report", "--organization", "Acme", "--assessment", "Follow-up 2027", "--format", "csv", stdout=out
    )
    rows = {r["path"]: r for r in csv.DictReader(io.StringIO(out.getvalue()))}
    trend = gap_report(assessment=follow_up).rounds.trend_of(FEEDBACK)
    feedback = rows[FEEDBACK]
    assert float(feedback["trend_change"]) == trend.change
    assert (float(feedback["trend_ci95_low"]), float(feedback["trend_ci95_high"])) == trend.ci95
    assert feedback["trend_verdict"] == trend.verdict == "unchanged"
    other = next(r for p, r in rows.items() if p != FEEDBACK)
    assert (other["trend_change"], other["trend_ci95_low"], other["trend_verdict"]) == ("", "", "insufficient")


def test_text_adds_a_change_column_and_names_the_previous_round(follow_up):
    """The text table says the previous round and gives each benefit's change."""
    out = io.StringIO()
    call_command(
        "gap_report", "--organization", "Acme", "--assessment", "Follow-up 2027", "--format", "text", stdout=out
    )
    text = out.getvalue()
    assert "Previous round: Baseline 2026 (5 respondents); since then 0 gaps narrowed, 0 widened" in text
    assert "Change" in text
    line = next(line for line in text.splitlines() if line.startswith("Improved Feedback"))
    change = gap_report(assessment=follow_up).rounds.trend_of(FEEDBACK).change
    assert f"{change:+.2f} same" in line


def test_a_real_process_exits_non_zero_with_the_bare_message():
    """The smoke test of gap_report: manage.py itself, in its own process, refusing before any table is read."""
    root = Path(__file__).resolve().parents[2]
    env = {"DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:", "PATH": "/usr/bin:/bin"}
    argv = ["gap_report", "--organization", "Acme", "--assessment", "Baseline 2026", "--format", "pdf"]
    result = subprocess.run(
        [sys.executable, str(root / "manage.py"), *argv], env=env, cwd=root, capture_output=True, text=True
    )
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == "--format pdf needs -o FILE: a PDF is not written to standard output"
