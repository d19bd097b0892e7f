"""Every text the Python code puts before a person goes through gettext (contract section 17).

The code is read, not run: a form's label or help text, a model's constraint message, a validation
error, a flash message and the admin's action names, columns and messages are the places a sentence
reaches a page, and each must be a call to one of the gettext functions rather than a bare literal.
What only scripts read stays English, as Django's own messages to developers do: the management
commands, the YAML and CSV loaders whose errors the contract fixes, and the API, whose errors are read
by programs (its admin page is read by staff, so it is scanned).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "actions", "assessments", "common", "organizations", "reports", "responses", "taxonomy")
FOR_STAFF_AND_SCRIPTS = (
    "management/",
    "migrations/",
    "taxonomy/loaders.py",
    "responses/imports/",
)
KEYWORDS = {"label", "help_text", "violation_error_message", "empty_label"}
# The admin's `@admin.action(description=...)` and `@admin.display(description=...)`.
ADMIN_DECORATORS = {"action", "display"}
CALLS = {"ValidationError", "success", "error", "info", "warning", "add_message", "message_user"}
# Class attributes the admin shows: a list filter's title, an inline's name.
ATTRIBUTES = {"title", "verbose_name", "verbose_name_plural"}
EXTRA_MODULES = ("api/admin.py",)


def _sentence(node: ast.AST) -> bool:
    """A literal a person would read: an f-string, or text with a letter in it."""
    if isinstance(node, ast.JoinedStr):
        return any(_sentence(part) for part in node.values)
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and any(c.isalpha() for c in node.value)


def bare_texts(source: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ClassDef):
            found += _class_attributes(node)
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        logged = isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") in {"logger", "log"}
        if name in CALLS and not logged:
            found += [f"line {a.lineno}: {ast.unparse(a)[:80]}" for a in node.args[:2] if _sentence(a)]
        found += [
            f"line {k.value.lineno}: {k.arg}={ast.unparse(k.value)[:80]}"
            for k in node.keywords
            if (k.arg in KEYWORDS or (k.arg == "description" and name in ADMIN_DECORATORS)) and _sentence(k.value)
        ]
    return found


def _class_attributes(node: ast.ClassDef) -> list[str]:
    """A class's bare ``title = "..."``-style attributes the admin shows."""
    return [
        f"line {statement.lineno}: {target.id}={ast.unparse(statement.value)[:80]}"
        for statement in node.body
        if isinstance(statement, ast.Assign) and _sentence(statement.value)
        for target in statement.targets
        if isinstance(target, ast.Name) and target.id in ATTRIBUTES
    ]


def _modules() -> list[str]:
    names = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if not any(part in name for part in FOR_STAFF_AND_SCRIPTS):
                names.append(name)
    return names + list(EXTRA_MODULES)


def test_the_scan_finds_a_bare_label_and_passes_a_translated_one():
    assert bare_texts('forms.CharField(label="Your name")') == ["line 1: label='Your name'"]
    assert bare_texts('messages.success(request, f"Saved {n}")') == ["line 1: f'Saved {n}'"]
    assert bare_texts('forms.CharField(label=_("Your name"))') == []
    assert bare_texts('ValidationError(gettext("Too long."), code="long")') == []
    assert bare_texts('ValidationError(f"{path}: {message}")') == []
    assert bare_texts('logger.error("Database down: %s", exc)') == []
    assert bare_texts('@admin.action(description="Revoke")\ndef revoke(): pass') == ["line 1: description='Revoke'"]
    assert bare_texts('class F:\n    title = "status"') == ["line 2: title='status'"]
    assert bare_texts('class F:\n    title = _("status")') == []


@pytest.mark.parametrize("name", _modules())
def test_the_module_translates_what_it_shows(name):
    assert bare_texts((ROOT / name).read_text(encoding="utf-8")) == [], f"{name} shows text outside gettext"


def test_a_validation_error_reads_in_the_language_of_the_page():
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from common.validators import validate_segment_key

    for language, expected in (("en", "is not a segment key"), ("de", "ist kein Merkmalsschlüssel")):
        with translation.override(language), pytest.raises(ValidationError) as raised:
            validate_segment_key("Team A")
        assert expected in raised.value.messages[0]
