"""The taxonomy YAML: the bundled file, `load_taxonomy`, `export_taxonomy`, bad input."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from common.commands import InputError
from taxonomy.loaders import BUNDLED_TAXONOMY, TaxonomyError, parse_taxonomy, read_taxonomy_file
from taxonomy.models import Benefit, Concept, Question, Scope

pytestmark = pytest.mark.django_db

VALID = """\
concepts:
  - slug: social-media
    name: Social Media
scopes:
  - slug: internal
    name: Internal
  - slug: external
    name: External
benefits:
  social-media:
    internal:
      - name: Improved Feedback
        children:
          - name: Personal
"""


def load(path: Path | None = None) -> str:
    err = io.StringIO()
    call_command("load_taxonomy", *([str(path)] if path else []), stderr=err)
    return err.getvalue()


def snapshot() -> list[tuple]:
    return sorted(Benefit.objects.values_list("path", "name", "order", "parent__path", "is_active"))


def test_bundled_file_has_61_nodes_41_benefits_20_sub_benefits():
    """The bundled YAML transcribes the article's canonical list."""
    spec = read_taxonomy_file()
    paths = spec.paths()
    assert len(paths) == 61
    assert sum(1 for *_, parents, _ in spec.walk() if not parents) == 41
    assert sum(1 for *_, parents, _ in spec.walk() if parents) == 20
    assert [c.slug for c in spec.concepts] == ["social-media", "social-collaboration", "social-networking"]
    assert [s.slug for s in spec.scopes] == ["internal", "external"]


def test_older_draft_is_recorded_as_a_comment_not_data():
    text = BUNDLED_TAXONOMY.read_text()
    assert "Increases Brand Control" in text  # in the comment
    assert "Increases Brand Control" not in [n.name for *_, n in read_taxonomy_file().walk()]


def test_load_creates_the_tree_with_exact_paths():
    """Loading gives 61 nodes at the contract's paths, parents before children."""
    load()
    assert Concept.objects.count() == 3
    assert Scope.objects.count() == 2
    assert Benefit.objects.count() == 61
    assert Benefit.objects.filter(parent__isnull=True).count() == 41
    assert Benefit.objects.filter(parent__isnull=False).count() == 20
    for path in [
        "social-media/internal/improved-feedback",
        "social-media/external/increased-brand-control",
        "social-collaboration/internal/increased-volume-of-perspectives/improved-sharing-of-experience",
        "social-collaboration/internal/improved-timeliness-of-decisions",
        "social-networking/internal/improved-monitoring-and-insights/individual-processes",
        "social-networking/external/improved-relationships/personal",
        "social-networking/external/better-sales-intake-and-closure-rates/lead-conversion",
    ]:
        assert Benefit.objects.filter(path=path).exists(), path
    child = Benefit.objects.get(path="social-networking/external/improved-relationships/personal")
    assert child.parent.path == "social-networking/external/improved-relationships"
    assert child.depth == 1


def test_second_load_changes_nothing_and_says_so():
    load()
    before = snapshot()
    message = load()
    assert "nothing changed" in message
    assert snapshot() == before
    assert Question.objects.count() == 122


def test_export_then_load_is_the_same_tree(tmp_path):
    """export_taxonomy writes YAML that load_taxonomy reads back to the same tree."""
    load()
    before = snapshot()
    out = tmp_path / "export.yaml"
    call_command("export_taxonomy", "-o", str(out), stderr=io.StringIO())
    assert read_taxonomy_file(out) == read_taxonomy_file()
    assert "nothing changed" in load(out)
    assert snapshot() == before


def test_export_writes_to_stdout_without_o():
    load()
    out = io.StringIO()
    call_command("export_taxonomy", stdout=out)
    assert parse_taxonomy(out.getvalue()) == read_taxonomy_file()


def test_load_of_a_smaller_file_deletes_unanswered_nodes(tmp_path):
    load()
    small = tmp_path / "small.yaml"
    small.write_text(VALID)
    load(small)
    assert sorted(Benefit.objects.values_list("path", flat=True)) == [
        "social-media/internal/improved-feedback",
        "social-media/internal/improved-feedback/personal",
    ]


def test_yaml_slug_overrides_slugify(tmp_path):
    f = tmp_path / "t.yaml"
    feedback = "      - name: Improved Feedback\n"
    f.write_text(VALID.replace(feedback, feedback + "        slug: fb\n"))
    load(f)
    assert Benefit.objects.filter(path="social-media/internal/fb/personal").exists()


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("concepts: [unclosed\n", 2, "invalid YAML"),
        (VALID.replace("Social Media\n", "Social Media\n    colour: red\n"), 4, "unknown key 'colour'"),
        (VALID.replace("      - name: Improved Feedback\n", "      - description: no name\n"), 12, "missing 'name'"),
        (VALID + "      - name: Improved  Feedback\n", 15, "duplicate slug 'improved-feedback'"),
        (VALID.replace("  social-media:\n", "  social-mediums:\n"), 10, "unknown concept 'social-mediums'"),
        (VALID.replace("    internal:\n", "    inside:\n"), 11, "unknown scope 'inside'"),
        (VALID.replace("benefits:\n", "benefitz:\n"), 9, "unknown key 'benefitz'"),
        (VALID + "      - name: '!!!'\n", 15, "no usable slug"),
    ],
    ids=[
        "bad-yaml",
        "unknown-key",
        "missing-name",
        "duplicate-slug",
        "unknown-concept",
        "unknown-scope",
        "unknown-root-key",
        "empty-slug",
    ],
)
def test_invalid_input_gives_file_line_message_and_writes_nothing(tmp_path, text, line, message):
    """Each kind of invalid input: `FILE:LINE: what is wrong`, non-zero, database untouched."""
    load()
    before = snapshot()
    bad = tmp_path / "bad.yaml"
    bad.write_text(text)
    with pytest.raises(InputError) as excinfo:
        load(bad)
    assert str(excinfo.value).startswith(f"{bad}:{line}: ")
    assert message in str(excinfo.value)
    assert snapshot() == before


def test_parse_error_carries_file_and_line():
    with pytest.raises(TaxonomyError) as excinfo:
        parse_taxonomy(VALID.replace("    name: Internal\n", "    name: [Internal]\n"), "x.yaml")
    assert str(excinfo.value) == "x.yaml:6: name of a scope must be text"


def test_command_line_prints_bare_file_line_message_and_exits_non_zero(tmp_path):
    """From the shell the message is exactly `FILE:LINE: ...`, without Django's prefix."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID.replace("    internal:\n", "    inside:\n"))
    result = subprocess.run(
        [sys.executable, "manage.py", "load_taxonomy", str(bad)],
        capture_output=True,
        text=True,
        env={**__import__("os").environ, "DJANGO_DEBUG": "1", "DATABASE_URL": "sqlite:///:memory:"},
        cwd=Path(__file__).resolve().parents[2],
    )
    assert result.returncode == 1
    assert result.stderr.strip() == f"{bad}:11: unknown scope 'inside' (known: external, internal)"


# --- Guidance: description, indicators, practices ---------------------------------

GUIDED = VALID.replace(
    "      - name: Improved Feedback\n",
    "      - name: Improved Feedback\n"
    "        description: Colleagues comment on drafts.\n"
    "        indicators:\n"
    "          - Share of drafts with comments.\n"
    "          - Days to the first comment.\n"
    "        practices:\n"
    "          - Share drafts early.\n"
    "          - Name reviewers.\n",
)


def _sentences(text: str) -> list[str]:
    return [s.strip().lower() for s in re.split(r"(?<=[.!?])\s+", text) if s.strip()]


def test_every_bundled_node_has_a_description_and_two_to_four_indicators_and_practices():
    """Each of the 61 nodes carries the three guidance keys, with the counts the contract asks for."""
    nodes = [node for *_, node in read_taxonomy_file().walk()]
    assert len(nodes) == 61
    for node in nodes:
        assert node.description, node.name
        assert len(_sentences(node.description)) <= 2, node.name
        assert 2 <= len(node.indicators) <= 4, node.name
        assert 2 <= len(node.practices) <= 4, node.name


def test_no_sentence_of_the_bundled_guidance_repeats_across_nodes():
    """Twins in the other scope and sub-benefits have their own words: no sentence appears twice."""
    seen: dict[str, str] = {}
    for concept, scope, parents, node in read_taxonomy_file().walk():
        where = "/".join((concept, scope, *parents, node.slug))
        for text in (node.description, *node.indicators, *node.practices):
            for sentence in _sentences(text):
                assert sentence not in seen, f"{where} repeats {seen[sentence]}: {sentence!r}"
                seen[sentence] = where


def test_guidance_round_trips_through_export_and_load(tmp_path):
    """export_taxonomy writes description, indicators and practices; load_taxonomy reads them back unchanged."""
    source = tmp_path / "guided.yaml"
    source.write_text(GUIDED)
    load(source)
    benefit = Benefit.objects.get(path="social-media/internal/improved-feedback")
    assert benefit.description == "Colleagues comment on drafts."
    assert benefit.indicators == ["Share of drafts with comments.", "Days to the first comment."]
    assert benefit.practices == ["Share drafts early.", "Name reviewers."]
    out = tmp_path / "export.yaml"
    call_command("export_taxonomy", "-o", str(out), stderr=io.StringIO())
    assert "indicators:" in out.read_text() and "practices:" in out.read_text()
    assert read_taxonomy_file(out) == read_taxonomy_file(source)
    assert "nothing changed" in load(out)


def test_bundled_guidance_round_trips(tmp_path):
    """The whole bundled file, guidance included, survives export and load."""
    load()
    out = tmp_path / "export.yaml"
    call_command("export_taxonomy", "-o", str(out), stderr=io.StringIO())
    exported = {"/".join((c, s, *p, n.slug)): n for c, s, p, n in read_taxonomy_file(out).walk()}
    for concept, scope, parents, node in read_taxonomy_file().walk():
        twin = exported["/".join((concept, scope, *parents, node.slug))]
        assert (twin.description, twin.indicators, twin.practices) == (
            node.description,
            node.indicators,
            node.practices,
        )


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ("description: Colleagues comment on drafts.", "description: [a, b]", 13, "description of benefit"),
        ("description: Colleagues comment on drafts.", "description: 42", 13, "must be text, not '42'"),
        ("          - Share of drafts with comments.\n", "          - 3\n", 15, "item 1 of the indicators"),
        ("          - Days to the first comment.\n", "          - ''\n", 16, "item 2 of the indicators of benefit"),
        ("          - Share drafts early.\n", "          - {a: b}\n", 18, "item 1 of the practices"),
        (
            "        practices:\n          - Share drafts early.\n          - Name reviewers.\n",
            "        practices: Share drafts early.\n",
            17,
            "practices of benefit 'Improved Feedback' must be a list",
        ),
        (
            "        indicators:\n          - Share of drafts with comments.\n          - Days to the first comment.\n",
            "        indicators: {a: b}\n",
            14,
            "indicators of benefit 'Improved Feedback' must be a list",
        ),
    ],
    ids=[
        "description-list",
        "description-number",
        "indicator-number",
        "indicator-empty",
        "practice-mapping",
        "practices-text",
        "indicators-mapping",
    ],
)
def test_wrong_guidance_types_are_refused_with_their_line(tmp_path, old, new, line, message):
    """A description that is not text, or lists that are not lists of non-empty texts: `FILE:LINE`, nothing written."""
    assert old in GUIDED
    bad = tmp_path / "bad.yaml"
    bad.write_text(GUIDED.replace(old, new))
    with pytest.raises(InputError) as excinfo:
        load(bad)
    assert str(excinfo.value).startswith(f"{bad}:{line}: ")
    assert message in str(excinfo.value)
    assert not Benefit.objects.exists()


# --- Hostile input: deep nesting, over-long names, control characters ------------


def _nested(levels: int) -> str:
    lines = [VALID.split("benefits:\n")[0] + "benefits:\n  social-media:\n    internal:\n"]
    for level in range(levels):
        indent = "      " + "    " * level
        lines.append(f"{indent}- name: Level {level}\n{indent}  children:\n")
    lines.append("      " + "    " * levels + "- name: Leaf\n")
    return "".join(lines)


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (_nested(11), 33, "sub-benefits nest at most 10 levels deep"),
        ("concepts: " + "[" * 5000 + "]" * 5000 + "\n", 1, "nested far too deeply"),
        (VALID.replace("name: Personal", "name: " + "P" * 201), 14, "201 characters long; at most 200 fit"),
        (VALID.replace("name: Social Media", "name: " + "M" * 201), 3, "201 characters long; at most 200 fit"),
        (VALID.replace("slug: internal", "slug: " + "i" * 101), 5, "at most 100 fit"),
        (VALID.replace("name: Personal", "name: Per\x00sonal"), 14, "control character U+0000"),
        (VALID.replace("name: Personal", 'name: "Per\\0sonal"'), 14, "invisible or control character (U+0000)"),
        (VALID.replace("name: Personal", "name: Per\u202esonal"), 14, "invisible or control character (U+202E)"),
        (VALID.replace("name: Personal", "name: '=HYPERLINK(1)'"), 14, "formula"),
        (VALID.replace("name: Internal", "name: '@Internal'"), 6, "formula"),
        (VALID.replace("name: Social Media", "name: '+Media'"), 3, "formula"),
        (
            VALID.replace("name: Improved Feedback", 'name: Improved Feedback\n        description: "a\\0b"'),
            13,
            "control character (U+0000)",
        ),
    ],
    ids=[
        "deep-tree",
        "deep-yaml",
        "long-benefit-name",
        "long-concept-name",
        "long-slug",
        "raw-nul",
        "escaped-nul",
        "bidi-override",
        "formula-benefit",
        "formula-scope",
        "formula-concept",
        "nul-in-description",
    ],
)
def test_hostile_input_gives_file_line_message_never_a_traceback(tmp_path, text, line, message):
    """Deep nesting, names longer than the database holds, NUL, bidi overrides, formulas: `FILE:LINE`, no write."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        load(bad)
    assert str(excinfo.value).startswith(f"{bad}:{line}: ")
    assert message in str(excinfo.value)
    assert not Benefit.objects.exists()


def test_ten_levels_of_sub_benefits_load():
    """The model does not assume one level: ten levels below a benefit are accepted."""
    spec = parse_taxonomy(_nested(10))
    assert max(len(parents) for *_, parents, _ in spec.walk()) == 10
