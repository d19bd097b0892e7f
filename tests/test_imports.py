"""What import-linter cannot say: no module imports another module's underscore names.

A leading underscore says "only this module relies on it"; a rule two modules
share gets a public name in the module that owns it (``organizations.access``,
``assessments.access``, a selectors module). Tests may reach into a module's
private parts; the apps may not.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "accounts",
    "actions",
    "api",
    "assessments",
    "common",
    "config",
    "demo",
    "organizations",
    "reports",
    "responses",
    "taxonomy",
)


def _private_imports() -> list[str]:
    found = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
                if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in APPS:
                    for alias in node.names:
                        if alias.name.startswith("_"):
                            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.module}.{alias.name}")
    return found


def test_no_app_module_imports_another_module_s_underscore_names():
    assert _private_imports() == []


# Past this a module stops being readable in one sitting: split it by job.
MAX_MODULE_LINES = 600


def test_no_product_module_is_longer_than_it_can_be_read_in_one_sitting():
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts and (count := len(path.read_text().splitlines())) > MAX_MODULE_LINES
    ]

    assert long == []
