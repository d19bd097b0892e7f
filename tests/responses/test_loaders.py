"""The responses CSV: validation with FILE:LINE errors, and the export's format and order."""

from __future__ import annotations

import io
import tracemalloc

import pytest

from assessments.services import assessment_freeze_questions
from responses.imports.loaders import (
    ImportContext,
    ResponsesCSVError,
    import_context,
    parse_responses,
    read_responses_file,
    write_responses,
)
from responses.imports.services import responses_import
from responses.respond.services import Rating
from taxonomy.models import Benefit, Question
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

FEEDBACK = "social-media/internal/improved-feedback"
PERSONAL = "social-networking/external/improved-relationships/personal"
HEADER = "respondent,benefit,dimension,value\n"


@pytest.fixture
def context(taxonomy) -> ImportContext:
    """The context of a new assessment: every active question, no respondents yet."""
    return import_context(None)


def parse(text: str, context: ImportContext) -> dict[str, list[Rating]]:
    return parse_responses(text.encode(), context, "answers.csv")


def test_valid_rows_become_ratings_with_dont_know_as_none(context):
    """Each row is one rating; an empty value is "Don't know" (None), never 0."""
    ratings = parse(
        HEADER + f"r1,{FEEDBACK},importance,4\nr1,{FEEDBACK},realization,\nr2,{PERSONAL},importance,5\n", context
    )
    feedback = context.benefit_ids[FEEDBACK]
    assert ratings == {
        "r1": [Rating(feedback, "importance", 4), Rating(feedback, "realization", None)],
        "r2": [Rating(context.benefit_ids[PERSONAL], "importance", 5)],
    }


def test_bom_crlf_and_blank_lines_are_accepted(context):
    """A spreadsheet's byte-order mark, CRLF line ends and blank lines are fine."""
    data = ("\ufeff" + HEADER + f"r1,{FEEDBACK},importance,4\r\n\r\nr2,{FEEDBACK},importance,3\r\n").encode()
    assert set(parse_responses(data, context, "x.csv")) == {"r1", "r2"}


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "r1,social-media/internal/no-such-benefit,importance,4",
            "unknown benefit path 'social-media/internal/no-such-benefit'",
        ),
        (f"r1,{FEEDBACK},relevance,4", "unknown dimension 'relevance'"),
        (f"r1,{FEEDBACK},importance,0", "value '0' is not a whole number from 1 to 5"),
        (f"r1,{FEEDBACK},importance,6", "value '6' is not a whole number from 1 to 5"),
        (f"r1,{FEEDBACK},importance,4.5", "value '4.5' is not a whole number from 1 to 5"),
        (f"r1,{FEEDBACK},importance,x", "value 'x' is not a whole number from 1 to 5"),
        (f"r1,{FEEDBACK},importance,-1", "value '-1' is not a whole number"),
        (f"r1,{FEEDBACK},importance", "expected 4 fields"),
        (f"r1,{FEEDBACK},importance,4,extra", "expected 4 fields"),
        (f",{FEEDBACK},importance,4", "empty respondent"),
        (f"=cmd|' /C calc'!A0,{FEEDBACK},importance,4", "cannot start with “=”: a spreadsheet would run it"),
        (f"@r2,{FEEDBACK},importance,4", "cannot start with “@”"),
        (f"r\u202e2,{FEEDBACK},importance,4", "invisible or control character (U+202E)"),
        (f'"r\x002",{FEEDBACK},importance,4', "invisible or control character (U+0000)"),
        (
            f"r1,{FEEDBACK},realization,2",
            "duplicate answer: r1 social-media/internal/improved-feedback realization is already on line 2",
        ),
    ],
)
def test_each_bad_row_is_reported_with_its_line(context, row, message):
    """The error names the file and the line of the bad row (here line 3)."""
    with pytest.raises(ResponsesCSVError) as exc:
        parse(HEADER + f"r1,{FEEDBACK},realization,2\n" + row + "\n", context)
    assert exc.value.line == 3
    assert str(exc.value).startswith("answers.csv:3: ")
    assert message in str(exc.value)


@pytest.mark.parametrize(
    "header",
    ["respondent,benefit,dimension\n", "who,benefit,dimension,value\n", f"r1,{FEEDBACK},importance,4\n"],
)
def test_bad_header_is_line_1(context, header):
    """The first line must be the contract's header."""
    with pytest.raises(ResponsesCSVError, match=r"^answers\.csv:1: bad header"):
        parse(header + f"r1,{FEEDBACK},importance,4\n", context)


def test_empty_file_is_line_1(context):
    """An empty file says what header it expected."""
    with pytest.raises(ResponsesCSVError, match=r"^answers\.csv:1: empty file"):
        parse("", context)


def test_not_utf8_names_the_line_of_the_bad_byte(context):
    """A Latin-1 file is refused at the line holding the first undecodable byte."""
    data = (HEADER + f"r1,{FEEDBACK},importance,4\nJos\xe9,{FEEDBACK},importance,4\n").encode("latin-1")
    with pytest.raises(ResponsesCSVError, match=r"^x\.csv:3: not valid UTF-8"):
        parse_responses(data, context, "x.csv")


def test_not_utf8_far_down_the_file_names_its_line(context):
    """The file is decoded in blocks, ahead of the rows; the error still names the line of the bad byte."""
    rows = "".join(f"r{i},{FEEDBACK},importance,4\n" for i in range(5000))
    data = (HEADER + rows).encode() + f"Jos\xe9,{FEEDBACK},importance,4\n".encode("latin-1")
    with pytest.raises(ResponsesCSVError, match=r"^x\.csv:5002: not valid UTF-8"):
        parse_responses(data, context, "x.csv")


def test_a_duplicate_far_from_its_first_row_names_both_lines(context):
    """A repeated answer, thousands of lines on, is refused at its line and names the first one."""
    rows = "".join(f"r{i},{FEEDBACK},importance,4\n" for i in range(3000))
    with pytest.raises(ResponsesCSVError) as exc:
        parse(HEADER + rows + f"r17,{FEEDBACK},importance,2\n", context)
    assert str(exc.value) == f"answers.csv:3002: duplicate answer: r17 {FEEDBACK} importance is already on line 19"


def test_reading_a_file_streams_it(tmp_path, context):
    """A big file is read row by row: the peak memory of reading it stays far below the file's size."""
    asked = sorted(context.questions)
    by_id = {v: k for k, v in context.benefit_ids.items()}
    lines = [HEADER]
    for r in range(400):
        lines.extend(f"respondent-{r:05d},{by_id[b]},{d},{1 + (r + b) % 5}\n" for b, d in asked)
    target = tmp_path / "big.csv"
    target.write_text("".join(lines))
    size = target.stat().st_size
    assert size > 4_000_000
    tracemalloc.start()
    try:
        parsed = read_responses_file(target, context)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < size / 4, f"reading a {size:,}-byte file peaked at {peak:,} bytes"
    assert len(parsed) == 400
    assert sum(len(ratings) for ratings in parsed.values()) == 400 * len(asked)


def test_respondent_already_in_the_assessment(taxonomy):
    """A respondent id the assessment already has is refused at its first row."""
    assessment = AssessmentFactory()
    benefit = Benefit.objects.get(path=FEEDBACK)
    responses_import(assessment=assessment, ratings_by_respondent={"r7": [Rating(benefit.pk, "importance", 3)]})
    with pytest.raises(ResponsesCSVError, match=r"^answers\.csv:3: respondent 'r7' is already in this assessment"):
        parse(HEADER + f"r1,{FEEDBACK},importance,4\nr7,{FEEDBACK},importance,4\n", import_context(assessment))


def test_benefit_outside_the_questionnaire_is_refused(taxonomy):
    """An inactive question, or one missing from a frozen questionnaire, is not importable."""
    Question.objects.filter(benefit__path=PERSONAL, dimension="realization").update(is_active=False)
    with pytest.raises(ResponsesCSVError, match="has no realization question in this assessment's questionnaire"):
        parse(HEADER + f"r1,{PERSONAL},realization,4\n", import_context(None))
    assessment = AssessmentFactory()
    assessment_freeze_questions(assessment=assessment)
    Question.objects.update(is_active=True)  # live again, but not in the frozen snapshot
    with pytest.raises(ResponsesCSVError, match=r":2: .* has no realization question"):
        parse(HEADER + f"r1,{PERSONAL},realization,4\n", import_context(assessment))


def test_unreadable_file_names_the_file(tmp_path, context):
    """A missing file is an error about the file, not a traceback."""
    with pytest.raises(ResponsesCSVError, match=r"missing\.csv: cannot read the file"):
        read_responses_file(tmp_path / "missing.csv", context)


def test_progress_wraps_the_rows(context):
    """The progress hook sees every data row."""
    seen = []

    def progress(rows):
        for row in rows:
            seen.append(row)
            yield row

    parse_responses((HEADER + f"r1,{FEEDBACK},importance,4\n").encode(), context, progress=progress)
    assert len(seen) == 1


def test_export_is_ordered_answered_only_and_quotes_when_needed(taxonomy):
    """Respondent then taxonomy order, importance first; unanswered dimensions absent; Don't know empty."""
    assessment = AssessmentFactory()
    ids = {p: Benefit.objects.get(path=p).pk for p in (FEEDBACK, PERSONAL)}
    responses_import(
        assessment=assessment,
        ratings_by_respondent={
            "zed": [Rating(ids[PERSONAL], "realization", 2), Rating(ids[FEEDBACK], "importance", None)],
            "a, b": [Rating(ids[FEEDBACK], "realization", 5), Rating(ids[FEEDBACK], "importance", 1)],
        },
    )
    responses_import(
        assessment=assessment,
        ratings_by_respondent={"draft": [Rating(ids[FEEDBACK], "importance", 3)]},
        submitted=False,
    )
    out = io.StringIO()
    assert write_responses(assessment, out) == 4
    assert out.getvalue() == (
        HEADER
        + f'"a, b",{FEEDBACK},importance,1\n'
        + f'"a, b",{FEEDBACK},realization,5\n'
        + f"zed,{FEEDBACK},importance,\n"
        + f"zed,{PERSONAL},realization,2\n"
    )
