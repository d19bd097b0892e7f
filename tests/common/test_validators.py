"""Text that a spreadsheet would run or a terminal would interpret is refused where it comes in."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from common.validators import validate_plain_text


@pytest.mark.parametrize("text", ["=cmd|' /C calc'!A0", "+1", "-2+3", "@SUM(A1)"])
def test_a_formula_start_is_refused(text):
    """A leading =, +, - or @ is refused, naming the character."""
    with pytest.raises(ValidationError) as exc:
        validate_plain_text(text)
    assert exc.value.code == "formula"
    assert text[0] in exc.value.messages[0]


@pytest.mark.parametrize("text", ["a\x00b", "tab\there", "line\nbreak", "rtl\u202eevil", "zero\u200bwidth", "ls\u2028"])
def test_control_and_format_characters_are_refused(text):
    """NUL, tabs, newlines, bidi overrides, zero-width and separator characters are refused."""
    with pytest.raises(ValidationError) as exc:
        validate_plain_text(text)
    assert exc.value.code == "control_character"


@pytest.mark.parametrize("text", ["Improved Feedback", "Ventes – Île-de-France", "r-001", "a=b", "Zoë's team", "日本"])
def test_ordinary_names_pass(text):
    """Names with accents, dashes inside, apostrophes and other scripts are accepted."""
    validate_plain_text(text)


# --- Segment keys: one rule everywhere (contract §11) ---


@pytest.mark.parametrize("key", ["department", "site-2", "cost_centre", "a" * 50])
def test_lowercase_slugs_are_segment_keys(key):
    from common.validators import validate_segment_key

    validate_segment_key(key)


@pytest.mark.parametrize(
    ("key", "why"),
    [
        ("KEY", "not a segment key"),
        ("Department", "not a segment key"),
        ("dept ", "not a segment key"),
        ("sales!", "not a segment key"),
        ("", "not a segment key"),
        ("a" * 51, "longer than 50"),
        ("email", "a column of the files"),
        ("audience", "a column of the files"),
        ("respondent", "a column of the files"),
    ],
)
def test_anything_else_is_refused_not_changed(key, why):
    from common.validators import validate_segment_key

    with pytest.raises(ValidationError, match=why):
        validate_segment_key(key)


@pytest.mark.parametrize("key", ["KEY", "email", "audience", "respondent"])
def test_the_service_and_the_form_refuse_such_keys(db, key):
    from assessments.forms import SegmentForm
    from assessments.models import Segment
    from assessments.services import segment_create
    from tests.factories import AssessmentFactory

    with pytest.raises(ValidationError):
        segment_create(assessment=AssessmentFactory(), key=key, label="X", source="invitation", options=["A", "B"])
    assert not Segment.objects.exists()
    form = SegmentForm({"label": "X", "key": key, "source": "invitation", "options": "A\nB"})
    assert not form.is_valid() and "key" in form.errors


@pytest.mark.parametrize(
    ("header", "row", "why"),
    [
        ("respondent,KEY", "r1,sales", "SEG.csv:1: “KEY” is not a segment key"),
        ("respondent,email", "r1,sales", "SEG.csv:1: “email” cannot be a segment key"),
        ("respondent,dept", "r1," + "x" * 51, "SEG.csv:2: option 'xxxxxxxxxxxxxxxxxxxx'... is longer than 50"),
    ],
)
def test_the_segments_file_refuses_bad_keys_and_over_long_values_by_line(header, row, why):
    from responses.imports.loaders import ResponsesCSVError
    from responses.imports.segment_loader import parse_segments

    with pytest.raises(ResponsesCSVError) as exc:
        parse_segments(f"{header}\n{row}\n".encode(), filename="SEG.csv", segments=[], respondents={"r1"}, frozen=False)
    assert str(exc.value).startswith(why)


def test_email_addresses_and_texts():
    from common.validators import email_normalize, formula_safe, validate_message_text, validate_subject

    assert email_normalize("  Ann@EXAMPLE.org ") == "Ann@example.org"
    assert email_normalize("taro@例えば.jp") == "taro@例えば.jp"  # one script per label: Japanese mixes kanji and kana
    validate_message_text("Line one\r\n\tLine two")
    for bad in ("\x00", "\x1b", "\x7f"):
        with pytest.raises(ValidationError):
            validate_message_text(bad)
    with pytest.raises(ValidationError):
        validate_subject("a\tb")
    assert formula_safe("-x@example.org") == "'-x@example.org" and formula_safe("ann") == "ann"
