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
