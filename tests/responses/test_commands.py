"""import_responses, export_responses and seed_demo, as scripts use them."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Assessment
from common.commands import InputError
from demo.services import DEMO_ASSESSMENT, DEMO_FOLLOW_UP, DEMO_OPEN_ASSESSMENT, DEMO_ORGANIZATION, demo_ratings
from organizations.models import Organization
from reports.selectors import gap_report
from responses.imports.services import responses_import
from responses.management.commands import import_responses
from responses.models import Answer, Invitation, Response
from responses.respond.services import Rating
from taxonomy.models import Benefit, Question
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
FEEDBACK = "social-media/internal/improved-feedback"
PERSONAL = "social-networking/external/improved-relationships/personal"
HEADER = "respondent,benefit,dimension,value\n"
ORG, TITLE = "Acme", "Baseline 2026"


def write(tmp_path: Path, text: str, name: str = "answers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def import_(path: Path, org: str = ORG, title: str = TITLE, stderr=None) -> str:
    err = stderr or io.StringIO()
    call_command("import_responses", str(path), organization=org, assessment=title, stderr=err)
    return err.getvalue() if stderr is None else ""


def export(org: str = ORG, title: str = TITLE) -> str:
    out = io.StringIO()
    call_command("export_responses", organization=org, assessment=title, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def csv_for(respondents: int, paths: list[str]) -> str:
    """Every respondent rates every path on both dimensions, with some "Don't know"."""
    rows = [
        f"r{n:04d},{path},{dim},{'' if (n + i) % 17 == 0 else (n + i) % 5 + 1}"
        for n in range(respondents)
        for i, path in enumerate(paths)
        for dim in ("importance", "realization")
    ]
    return HEADER + "\n".join(rows) + "\n"


def test_import_creates_organization_and_closed_assessment_with_submitted_responses(taxonomy, tmp_path):
    """A first import creates the organization and a closed assessment; responses count as submitted."""
    message = import_(write(tmp_path, HEADER + f"r1,{FEEDBACK},importance,4\nr1,{FEEDBACK},realization,\n"))
    assessment = Assessment.objects.get(organization__name=ORG, title=TITLE)
    assert assessment.status == Assessment.Status.CLOSED
    response = Response.objects.get(assessment=assessment)
    assert response.respondent == "r1" and response.is_submitted
    answer = Answer.objects.get(response=response)
    assert (answer.importance, answer.realization, answer.realization_answered) == (4, None, True)
    assert "Imported 1 responses (2 answers)" in message


BAD_ROWS = [
    ("unknown path", f"r2,{FEEDBACK}/nope,importance,4", "unknown benefit path"),
    ("unknown dimension", f"r2,{FEEDBACK},urgency,4", "unknown dimension 'urgency'"),
    ("zero", f"r2,{FEEDBACK},importance,0", "value '0' is not a whole number from 1 to 5"),
    ("six", f"r2,{FEEDBACK},importance,6", "value '6' is not a whole number from 1 to 5"),
    ("decimal", f"r2,{FEEDBACK},importance,4.5", "value '4.5' is not a whole number from 1 to 5"),
    ("letter", f"r2,{FEEDBACK},importance,x", "value 'x' is not a whole number from 1 to 5"),
    ("duplicate row", f"r1,{FEEDBACK},importance,2", "duplicate answer: r1 " + FEEDBACK + " importance"),
    ("respondent already present", f"old,{FEEDBACK},importance,2", "respondent 'old' is already in this assessment"),
]


@pytest.mark.parametrize(("kind", "row", "message"), BAD_ROWS, ids=[k for k, *_ in BAD_ROWS])
def test_each_bad_row_fails_with_file_line_and_saves_nothing(taxonomy, tmp_path, kind, row, message):
    """Any bad row (here on line 4) aborts the whole file: no response, no answer is saved."""
    assessment = AssessmentFactory(organization__name=ORG, title=TITLE)
    responses_import(
        assessment=assessment,
        ratings_by_respondent={"old": [Rating(Benefit.objects.get(path=FEEDBACK).pk, "importance", 3)]},
    )
    path = write(tmp_path, HEADER + f"r1,{FEEDBACK},importance,4\nr1,{FEEDBACK},realization,3\n{row}\n")
    with pytest.raises(InputError) as exc:
        import_(path)
    assert str(exc.value).startswith(f"{path}:4: ")
    assert message in str(exc.value)
    assert list(Response.objects.values_list("respondent", flat=True)) == ["old"]
    assert Answer.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [
        (b"respondent,benefit,value\n", 1, "bad header"),
        ((HEADER + "r\xe9,x,importance,4\n").encode("latin-1"), 2, "not valid UTF-8"),
        ((HEADER + f"r1,{PERSONAL},realization,4\n").encode(), 2, f"{PERSONAL} has no realization question"),
    ],
    ids=["bad header", "not utf-8", "not in the questionnaire"],
)
def test_file_level_errors_create_nothing(taxonomy, tmp_path, content, line, message):
    """A bad file does not even create the organization or the assessment."""
    Question.objects.filter(benefit__path=PERSONAL, dimension="realization").update(is_active=False)
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=rf"^{path}:{line}: {message}"):
        import_(path)
    assert not Organization.objects.exists()
    assert not Assessment.objects.exists()


def test_import_then_export_gives_the_same_rows(taxonomy, tmp_path):
    """Round trip: export(import(x)) has x's rows, and import(export(x)) gives x again."""
    paths = [FEEDBACK, PERSONAL, "social-collaboration/external/shared-insights"]
    original = csv_for(6, paths)
    # A partial respondent: one dimension of one benefit only.
    original += f"z,{PERSONAL},realization,\n"
    import_(write(tmp_path, original))
    exported = export()
    assert sorted(exported.splitlines()[1:]) == sorted(original.splitlines()[1:])
    import_(write(tmp_path, exported, "again.csv"), title="Copy")
    assert export(title="Copy") == exported


def test_export_to_a_file_with_messages_on_stderr(taxonomy, tmp_path):
    """-o writes the file; stdout stays empty; the message goes to stderr."""
    import_(write(tmp_path, csv_for(2, [FEEDBACK])))
    out, err, target = io.StringIO(), io.StringIO(), tmp_path / "out.csv"
    call_command("export_responses", organization=ORG, assessment=TITLE, output=str(target), stdout=out, stderr=err)
    assert out.getvalue() == ""
    assert target.read_text(encoding="utf-8") == export()
    assert "Exported 4 answers" in err.getvalue()


def test_export_leaves_out_unsubmitted_responses(taxonomy):
    """Only submitted responses are exported."""
    assessment = AssessmentFactory(organization__name=ORG, title=TITLE)
    benefit = Benefit.objects.get(path=FEEDBACK).pk
    responses_import(assessment=assessment, ratings_by_respondent={"done": [Rating(benefit, "importance", 5)]})
    responses_import(
        assessment=assessment, ratings_by_respondent={"draft": [Rating(benefit, "importance", 1)]}, submitted=False
    )
    assert export() == HEADER + f"done,{FEEDBACK},importance,5\n"


@pytest.mark.parametrize(
    ("org", "title", "message"),
    [("Nobody", TITLE, "unknown organization 'Nobody'"), (ORG, "Nothing", f"'{ORG}' has no assessment 'Nothing'")],
)
def test_export_of_an_unknown_organization_or_assessment_fails(taxonomy, org, title, message):
    """A clear error, not an empty file."""
    AssessmentFactory(organization__name=ORG, title=TITLE)
    with pytest.raises(InputError, match=message):
        export(org, title)


def test_importing_200_respondents_takes_no_more_queries_than_5(taxonomy, tmp_path):
    """Bulk writes: the number of queries does not grow with the number of respondents."""
    paths = list(Benefit.objects.values_list("path", flat=True))
    small, large = write(tmp_path, csv_for(5, paths), "small.csv"), write(tmp_path, csv_for(200, paths), "large.csv")
    with CaptureQueriesContext(connection) as few:
        import_(small, org="Small")
    with CaptureQueriesContext(connection) as many:
        import_(large, org="Large")
    assert Response.objects.filter(assessment__organization__name="Large").count() == 200
    assert Answer.objects.filter(response__assessment__organization__name="Large").count() == 200 * 61
    assert len(many) <= len(few)


@pytest.mark.parametrize(
    ("org", "title", "message"),
    [
        ("=Acme", TITLE, "name: It cannot start with “=”"),
        (ORG, "@Baseline", "title: It cannot start with “@”"),
        (ORG, "Base\u202eline", "title: It holds an invisible or control character (U+202E)"),
    ],
)
def test_import_refuses_a_name_or_title_a_spreadsheet_would_run(taxonomy, tmp_path, org, title, message):
    """A clear error naming the field, no traceback, nothing created."""
    with pytest.raises(InputError, match=re.escape(message)):
        import_(write(tmp_path, csv_for(1, [FEEDBACK])), org=org, title=title)
    assert not Organization.objects.exists()
    assert not Assessment.objects.exists()


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(taxonomy, tmp_path, monkeypatch):
    """On a terminal stderr shows a progress bar; piped, only the summary line."""
    monkeypatch.setattr(import_responses, "PROGRESS_DELAY", 0)
    terminal = FakeTerminal()
    import_(write(tmp_path, csv_for(3, [FEEDBACK])), stderr=terminal)
    assert "rows" in terminal.getvalue() and "Reading" in terminal.getvalue()
    piped = import_(write(tmp_path, csv_for(3, [FEEDBACK])), title="Other")
    assert piped.strip().startswith("Imported 3 responses")
    assert "Reading" not in piped


def test_from_the_shell_errors_are_bare_file_line_and_exit_non_zero(tmp_path):
    """A shell user sees exactly `FILE:LINE: message` and a non-zero status; a pipe gets no bar."""
    env = {**os.environ, "DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, cwd=ROOT, check=False
        )

    assert manage("migrate", "--no-input", "-v0").returncode == 0
    assert manage("load_taxonomy").returncode == 0
    bad = write(tmp_path, HEADER + f"r1,{FEEDBACK},importance,4.5\n")
    result = manage("import_responses", str(bad), "--organization", ORG, "--assessment", TITLE)
    assert result.returncode == 1
    assert result.stderr == f"{bad}:2: value '4.5' is not a whole number from 1 to 5 or empty\n"
    good = write(tmp_path, HEADER + f"r1,{FEEDBACK},importance,4\n", "good.csv")
    result = manage("import_responses", str(good), "--organization", ORG, "--assessment", TITLE)
    assert result.returncode == 0
    assert result.stderr == f"Imported 1 responses (1 answers) into {ORG} – {TITLE} (closed).\n"
    result = manage("export_responses", "--organization", ORG, "--assessment", TITLE)
    assert result.returncode == 0
    assert result.stdout == HEADER + f"r1,{FEEDBACK},importance,4\n"
    result = manage("export_responses", "--organization", "Nobody", "--assessment", TITLE)
    assert result.returncode == 1
    assert result.stderr == "unknown organization 'Nobody'\n"


def test_seed_demo_builds_a_realistic_demo(taxonomy):
    """A closed assessment of 40 submitted respondents (2 partial, ~5% Don't know); an open one with 2 in
    progress and the invitations."""
    err = io.StringIO()
    call_command("seed_demo", stderr=err)
    assessment = Assessment.objects.get(organization__name=DEMO_ORGANIZATION, title=DEMO_ASSESSMENT)
    assert assessment.status == Assessment.Status.CLOSED
    following = Assessment.objects.get(organization__name=DEMO_ORGANIZATION, title=DEMO_OPEN_ASSESSMENT)
    assert following.status == Assessment.Status.OPEN
    submitted = Response.objects.filter(assessment=assessment, submitted_on__isnull=False)
    assert submitted.count() == 40
    assert not Response.objects.filter(assessment=assessment, submitted_on__isnull=True).exists()
    assert Response.objects.filter(assessment=following, submitted_on__isnull=True).count() == 2
    assert Invitation.objects.filter(assessment=following).count() >= 3
    assert gap_report(assessment=assessment).suppressed is False  # a full report at once
    answers = Answer.objects.filter(response__in=submitted)
    full = 61
    answered_benefits = [Answer.objects.filter(response=r).count() for r in submitted]
    assert answered_benefits.count(full) == 38
    assert all(0 < n < full for n in answered_benefits if n != full)
    ratings = 2 * answers.count()
    dont_know = answers.filter(importance__isnull=True).count() + answers.filter(realization__isnull=True).count()
    assert 0.03 <= dont_know / ratings <= 0.08
    assert "/i/" in err.getvalue()  # the invitation links, shown once


def test_seed_demo_has_under_realized_and_contested_benefits(taxonomy):
    """Some benefits' mean gap is at least 1; a few have widely split importance ratings."""
    call_command("seed_demo", stderr=io.StringIO())
    submitted = Answer.objects.filter(response__submitted_on__isnull=False, assessment__title=DEMO_ASSESSMENT)
    gaps, spreads = [], []
    for benefit in Benefit.objects.all():
        rows = submitted.filter(benefit=benefit)
        imp = [v for v in rows.values_list("importance", flat=True) if v is not None]
        real = [v for v in rows.values_list("realization", flat=True) if v is not None]
        gaps.append(sum(imp) / len(imp) - sum(real) / len(real))
        mean = sum(imp) / len(imp)
        spreads.append(sum((v - mean) ** 2 for v in imp) / (len(imp) - 1))
    assert sum(g >= 1.0 for g in gaps) >= 10
    assert sum(g < 0.5 for g in gaps) >= 20
    assert 2 <= sum(s > 1.4 for s in spreads) <= 8  # rwg = 1 - var/2 below 0.3: contested


def test_seed_demo_is_deterministic():
    """The same seed gives the same ratings; another seed different ones."""
    ids = list(range(1, 62))
    assert demo_ratings(ids) == demo_ratings(ids)
    assert demo_ratings(ids) != demo_ratings(ids, seed=1)


def test_seed_demo_if_missing_is_a_no_op_and_plain_rerun_is_an_error(taxonomy):
    """--if-missing does nothing when the demo exists; without it, a second run says so and fails."""
    call_command("seed_demo", stderr=io.StringIO())
    before = Answer.objects.count()
    err = io.StringIO()
    call_command("seed_demo", if_missing=True, stderr=err)
    assert "already exists" in err.getvalue()
    assert Answer.objects.count() == before
    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_demo", stderr=io.StringIO())


def test_seed_demo_needs_the_taxonomy(db):
    """Without a taxonomy it says what to run."""
    with pytest.raises(CommandError, match="load_taxonomy"):
        call_command("seed_demo", stderr=io.StringIO())
    assert not Organization.objects.exists()


# --- import_responses --previous ---


def test_import_previous_names_the_previous_round_of_the_assessment_it_creates(taxonomy, tmp_path):
    """The new assessment's previous round is the named earlier assessment of the organization."""
    import_(write(tmp_path, csv_for(2, [FEEDBACK])), title="Baseline 2026")
    err = io.StringIO()
    call_command(
        "import_responses",
        str(write(tmp_path, csv_for(2, [FEEDBACK]), "next.csv")),
        organization=ORG,
        assessment="Follow-up 2027",
        previous="Baseline 2026",
        stderr=err,
    )
    follow_up = Assessment.objects.get(title="Follow-up 2027")
    assert follow_up.previous == Assessment.objects.get(title="Baseline 2026")
    assert "Its previous round is Baseline 2026." in err.getvalue()


@pytest.mark.parametrize(
    ("previous", "message"),
    [
        ("Nowhere", "--previous: Acme has no assessment “Nowhere” to be the previous round."),
        ("Later", "--previous: “Later” was created after this assessment: the previous round must be an earlier one."),
        ("Open one", "--previous: An assessment cannot be its own previous round."),
    ],
)
def test_import_previous_that_is_not_an_earlier_assessment_is_an_error_and_writes_nothing(
    taxonomy, tmp_path, previous, message
):
    """An unknown, later or same assessment: a ``--previous:`` error, and no response or link is written."""
    org = AssessmentFactory(organization__name=ORG, title="Open one").organization
    AssessmentFactory(organization=org, title="Later")
    before = Response.objects.count()
    with pytest.raises(InputError) as exc:
        call_command(
            "import_responses",
            str(write(tmp_path, csv_for(2, [FEEDBACK]))),
            organization=ORG,
            assessment="Open one",
            previous=previous,
            stderr=io.StringIO(),
        )
    assert str(exc.value) == message
    assert Response.objects.count() == before
    assert Assessment.objects.get(title="Open one").previous is None


def test_import_previous_of_another_organization_is_an_error_and_creates_nothing(taxonomy, tmp_path):
    """A title that exists only in another organization is unknown here: no organization or assessment is made."""
    AssessmentFactory(organization__name="Globex", title="Baseline 2026")
    with pytest.raises(InputError, match="^--previous: Acme has no assessment"):
        call_command(
            "import_responses",
            str(write(tmp_path, csv_for(2, [FEEDBACK]))),
            organization=ORG,
            assessment="Follow-up",
            previous="Baseline 2026",
            stderr=io.StringIO(),
        )
    assert not Organization.objects.filter(name=ORG).exists()


def test_seed_demo_has_a_follow_up_round_whose_trend_narrows_some_gaps_and_widens_others(taxonomy):
    """ "Follow-up 2027" (closed) follows "Baseline 2026"; "Pulse 2027" (open) follows it; most gaps unchanged."""
    call_command("seed_demo", stderr=io.StringIO())
    baseline = Assessment.objects.get(title=DEMO_ASSESSMENT)
    follow_up = Assessment.objects.select_related("organization").get(title=DEMO_FOLLOW_UP)
    assert (follow_up.status, follow_up.previous) == (Assessment.Status.CLOSED, baseline)
    assert Assessment.objects.get(title=DEMO_OPEN_ASSESSMENT).previous == follow_up
    trends = gap_report(assessment=follow_up).rounds.trends
    verdicts = [t.verdict for t in trends.values()]
    assert verdicts.count("narrowed") >= 4
    assert verdicts.count("widened") >= 2
    assert verdicts.count("unchanged") > len(verdicts) / 2
