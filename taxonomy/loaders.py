"""Read and write the taxonomy YAML.

Parsing works on PyYAML's node graph rather than on plain Python objects so
that every error can name the line it comes from: ``FILE:LINE: what is wrong``.
Nothing here touches the database; :func:`taxonomy.services.taxonomy_load`
writes a parsed :class:`TaxonomySpec`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from common.validators import validate_plain_text
from taxonomy.models import Benefit, Concept, Scope
from taxonomy.translations import FIELDS, LISTS, NAME_LENGTH, other_languages

BUNDLED_TAXONOMY = Path(__file__).resolve().parent / "data" / "taxonomy.yaml"

ROOT_KEYS = ("concepts", "scopes", "benefits")
CONCEPT_KEYS = ("slug", "name", "definition", "translations")
SCOPE_KEYS = ("slug", "name", "description", "translations")
BENEFIT_KEYS = ("name", "slug", "description", "indicators", "practices", "translations", "children")
GUIDANCE_LISTS = ("indicators", "practices")

# Sub-benefits below a benefit, at most: deeper trees are a mistake, and every
# level costs the parser (and the path) a little more.
MAX_DEPTH = 10

# Line breaks and tabs belong in long texts; other control characters (NUL
# above all, which PostgreSQL refuses to store) never do.
TEXT_CONTROLS_ALLOWED = frozenset("\n\t")

STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"


class TaxonomyError(Exception):
    """Invalid taxonomy input; ``str()`` is ``FILE:LINE: message``."""

    def __init__(self, filename: str, line: int, message: str) -> None:
        self.filename = filename
        self.line = line
        self.message = message
        super().__init__(f"{filename}:{line}: {message}")


@dataclass(frozen=True)
class ConceptSpec:
    slug: str
    name: str
    definition: str = ""
    # {language: {"name": ..., "description": ...}}: "description" translates the definition.
    translations: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ScopeSpec:
    slug: str
    name: str
    description: str = ""
    translations: dict = field(default_factory=dict)


@dataclass(frozen=True)
class BenefitSpec:
    name: str
    slug: str
    description: str = ""
    indicators: tuple[str, ...] = ()
    practices: tuple[str, ...] = ()
    # {language: {"name", "description", "indicators", "practices"}} (taxonomy.translations).
    translations: dict = field(default_factory=dict)
    children: tuple[BenefitSpec, ...] = ()
    # Where the node stands in its file; not part of its identity.
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class TaxonomySpec:
    concepts: tuple[ConceptSpec, ...]
    scopes: tuple[ScopeSpec, ...]
    # (concept slug, scope slug) -> top-level benefits, in file order.
    benefits: dict[tuple[str, str], tuple[BenefitSpec, ...]] = field(default_factory=dict)

    def walk(self) -> Iterator[tuple[str, str, tuple[str, ...], BenefitSpec]]:
        """Yield ``(concept, scope, parent_slugs, node)`` in taxonomy order."""

        def visit(concept: str, scope: str, parents: tuple[str, ...], nodes: tuple[BenefitSpec, ...]):
            for node in nodes:
                yield concept, scope, parents, node
                yield from visit(concept, scope, (*parents, node.slug), node.children)

        for concept in self.concepts:
            for scope in self.scopes:
                yield from visit(concept.slug, scope.slug, (), self.benefits.get((concept.slug, scope.slug), ()))

    def paths(self) -> list[str]:
        return ["/".join((c, s, *parents, node.slug)) for c, s, parents, node in self.walk()]


def _max_length(model, field: str) -> int:
    return model._meta.get_field(field).max_length


class _Parser:
    # What the database holds, so that no name is cut short (or refused) on the way in.
    NAME_LENGTH = {"concept": _max_length(Concept, "name"), "scope": _max_length(Scope, "name")}
    SLUG_LENGTH = {"concept": _max_length(Concept, "slug"), "scope": _max_length(Scope, "slug")}
    BENEFIT_NAME_LENGTH = _max_length(Benefit, "name")
    BENEFIT_SLUG_LENGTH = _max_length(Benefit, "slug")
    PATH_LENGTH = _max_length(Benefit, "path")

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def error(self, node: yaml.Node | None, message: str) -> TaxonomyError:
        line = node.start_mark.line + 1 if node is not None else 1
        return TaxonomyError(self.filename, line, message)

    def mapping(self, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping")
        result: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.scalar(key_node, f"a key in {what}")
            if key in result:
                raise self.error(key_node, f"duplicate key {key!r} in {what}")
            if allowed and key not in allowed:
                raise self.error(key_node, f"unknown key {key!r} in {what} (allowed: {', '.join(allowed)})")
            result[key] = (key_node, value_node)
        return result

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if isinstance(node, yaml.ScalarNode) and node.value in ("", "~", "null"):
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list")
        return list(node.value)

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.error(node, f"{what} must be text")
        return str(node.value).strip()

    def plain(self, node: yaml.Node, what: str) -> str:
        """A text the author wrote as a string (not a number, date or mapping), without control characters."""
        if isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be text, not a list")
        if isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be text, not a mapping")
        if node.tag not in (STR_TAG, NULL_TAG):
            raise self.error(node, f"{what} must be text, not {node.value!r} (put text in quotes)")
        value = "" if node.tag == NULL_TAG else str(node.value).strip()
        for character in value:
            if character not in TEXT_CONTROLS_ALLOWED and unicodedata.category(character) == "Cc":
                raise self.error(node, f"{what} holds a control character (U+{ord(character):04X}): remove it")
        return value

    def text(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str) -> str:
        if key not in fields:
            return ""
        return self.plain(fields[key][1], f"{key} of {what}")

    def text_list(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str) -> tuple[str, ...]:
        """A list of non-empty texts, one item per sign or practice."""
        if key not in fields:
            return ()
        node = fields[key][1]
        if not isinstance(node, yaml.SequenceNode):
            if isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG:
                return ()
            raise self.error(node, f"{key} of {what} must be a list of texts (one '- ' item each)")
        items = []
        for position, item in enumerate(node.value, start=1):
            value = self.plain(item, f"item {position} of the {key} of {what}")
            if not value:
                raise self.error(item, f"item {position} of the {key} of {what} is empty")
            items.append(value)
        return tuple(items)

    def translations(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], kind: str, what: str) -> dict:
        """``translations: {de: {name: ..., ...}}`` of an entry; each text checked as the English ones are."""
        if "translations" not in fields:
            return {}
        node = fields["translations"][1]
        allowed = FIELDS[kind]
        result = {}
        for language, (key_node, texts_node) in self.mapping(node, f"the translations of {what}", ()).items():
            if language not in other_languages():
                raise self.error(
                    key_node,
                    f"unknown language {language!r} in the translations of {what} "
                    f"(translations may be in: {', '.join(other_languages())})",
                )
            where = f"the {language} translation of {what}"
            texts = self.mapping(texts_node, where, allowed)
            translated = {}
            for key in allowed:
                if key not in texts:
                    continue
                value = self.text_list(texts, key, where) if key in LISTS else self.text(texts, key, where)
                if key == "name" and value:
                    value = self.checked_name(texts[key][1], value, where, NAME_LENGTH)
                if value:
                    translated[key] = list(value) if key in LISTS else value
            if translated:
                result[language] = translated
        return result

    def checked_name(self, node: yaml.Node, name: str, what: str, max_length: int) -> str:
        if len(name) > max_length:
            raise self.error(node, f"the name of {what} is {len(name)} characters long; at most {max_length} fit")
        try:
            validate_plain_text(name)
        except ValidationError as exc:
            raise self.error(node, f"the name {name[:40]!r} of {what} is refused: {exc.messages[0]}") from None
        return name

    def slug_of(self, fields, node: yaml.Node, what: str, name: str) -> str:
        if "slug" in fields:
            value_node = fields["slug"][1]
            slug = self.scalar(value_node, f"slug of {what}")
            if slug != slugify(slug):
                raise self.error(value_node, f"slug {slug!r} of {what} is not a valid slug (try {slugify(slug)!r})")
        else:
            slug = slugify(name)
        if not slug:
            raise self.error(node, f"{what} {name!r} has no usable slug: give one with 'slug:'")
        return slug

    def checked_slug(self, fields, node: yaml.Node, slug: str, what: str, max_length: int) -> str:
        if len(slug) > max_length:
            where = fields["slug"][1] if "slug" in fields else node
            raise self.error(
                where,
                f"the slug of {what} is {len(slug)} characters long; at most {max_length} fit (give a shorter 'slug:')",
            )
        return slug

    def named(self, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> tuple[dict, str, str]:
        fields = self.mapping(node, what, allowed)
        if "name" not in fields:
            raise self.error(node, f"{what} is missing 'name'")
        name = self.scalar(fields["name"][1], f"name of {what}")
        if not name:
            raise self.error(fields["name"][1], f"{what} has an empty name")
        return fields, name, self.slug_of(fields, node, what, name)

    def parse(self, text: str) -> TaxonomySpec:
        loader = None
        try:
            # The reader checks every character as it is built: inside the ``try``.
            loader = yaml.SafeLoader(text)
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            raise TaxonomyError(self.filename, line, f"invalid YAML: {exc.problem or exc}") from exc
        except yaml.reader.ReaderError as exc:
            # A character YAML refuses outright (NUL, most control characters): name its line.
            line = text.count("\n", 0, exc.position) + 1
            raise TaxonomyError(
                self.filename, line, f"invalid YAML: control character U+{exc.character:04X} is not allowed"
            ) from exc
        except RecursionError as exc:
            # The composer recurses once per level: far deeper than any taxonomy.
            line = loader.line + 1 if loader else 1
            raise TaxonomyError(self.filename, line, "invalid YAML: nested far too deeply") from exc
        except yaml.YAMLError as exc:
            raise TaxonomyError(self.filename, 1, f"invalid YAML: {exc}") from exc
        finally:
            if loader is not None:
                loader.dispose()
        if root is None:
            raise TaxonomyError(self.filename, 1, "the file is empty")
        top = self.mapping(root, "the document", ROOT_KEYS)
        for key in ROOT_KEYS:
            if key not in top:
                raise self.error(root, f"missing top-level key {key!r}")

        concepts = self.parse_list(top["concepts"][1], "concept", CONCEPT_KEYS, "definition", ConceptSpec)
        scopes = self.parse_list(top["scopes"][1], "scope", SCOPE_KEYS, "description", ScopeSpec)
        concept_slugs = {c.slug for c in concepts}
        scope_slugs = {s.slug for s in scopes}

        benefits: dict[tuple[str, str], tuple[BenefitSpec, ...]] = {}
        by_concept = self.mapping(top["benefits"][1], "benefits", ())
        for concept_slug, (key_node, scopes_node) in by_concept.items():
            if concept_slug not in concept_slugs:
                raise self.error(
                    key_node, f"unknown concept {concept_slug!r} (known: {', '.join(sorted(concept_slugs))})"
                )
            by_scope = self.mapping(scopes_node, f"benefits of {concept_slug}", ())
            for scope_slug, (scope_key, nodes) in by_scope.items():
                if scope_slug not in scope_slugs:
                    raise self.error(
                        scope_key, f"unknown scope {scope_slug!r} (known: {', '.join(sorted(scope_slugs))})"
                    )
                benefits[(concept_slug, scope_slug)] = self.parse_benefits(nodes, f"{concept_slug}/{scope_slug}")
        return TaxonomySpec(concepts=concepts, scopes=scopes, benefits=benefits)

    def parse_list(self, node, what, allowed, text_key, spec_class):
        items = []
        seen: set[str] = set()
        for item in self.sequence(node, f"{what}s"):
            fields, name, slug = self.named(item, f"a {what}", allowed)
            self.checked_name(fields["name"][1], name, f"a {what}", self.NAME_LENGTH[what])
            self.checked_slug(fields, item, slug, f"{what} {name[:40]!r}", self.SLUG_LENGTH[what])
            if slug in seen:
                raise self.error(item, f"duplicate {what} slug {slug!r}")
            seen.add(slug)
            items.append(
                spec_class(
                    slug=slug,
                    name=name,
                    translations=self.translations(fields, what, f"{what} {name!r}"),
                    **{text_key: self.text(fields, text_key, f"{what} {name!r}")},
                )
            )
        if not items:
            raise self.error(node, f"at least one {what} is required")
        return tuple(items)

    def parse_benefits(self, node: yaml.Node, where: str, depth: int = 0) -> tuple[BenefitSpec, ...]:
        result = []
        seen: set[str] = set()
        for item in self.sequence(node, f"benefits of {where}"):
            fields, name, slug = self.named(item, f"a benefit in {where}", BENEFIT_KEYS)
            self.checked_name(fields["name"][1], name, f"a benefit in {where}", self.BENEFIT_NAME_LENGTH)
            self.checked_slug(fields, item, slug, f"benefit {name[:40]!r}", self.BENEFIT_SLUG_LENGTH)
            path = f"{where}/{slug}"
            if len(path) > self.PATH_LENGTH:
                raise self.error(
                    item, f"the path {path[:60]}… is {len(path)} characters long; at most {self.PATH_LENGTH} fit"
                )
            if slug in seen:
                raise self.error(item, f"duplicate slug {slug!r} among the benefits of {where}")
            seen.add(slug)
            children = ()
            if "children" in fields:
                if depth >= MAX_DEPTH:
                    raise self.error(
                        fields["children"][0],
                        f"sub-benefits nest at most {MAX_DEPTH} levels deep; {path} would have level {depth + 1}",
                    )
                children = self.parse_benefits(fields["children"][1], path, depth + 1)
            what = f"benefit {name!r}"
            result.append(
                BenefitSpec(
                    name=name,
                    slug=slug,
                    description=self.text(fields, "description", what),
                    indicators=self.text_list(fields, "indicators", what),
                    practices=self.text_list(fields, "practices", what),
                    translations=self.translations(fields, "benefit", what),
                    children=children,
                    line=item.start_mark.line + 1,
                )
            )
        return tuple(result)


def parse_taxonomy(text: str, filename: str = "<string>") -> TaxonomySpec:
    """Parse taxonomy YAML; raise :class:`TaxonomyError` on any invalid input."""
    return _Parser(filename).parse(text)


def read_taxonomy_file(path: str | Path | None = None) -> TaxonomySpec:
    """Parse the bundled taxonomy, or the file at ``path``."""
    path = Path(path) if path else BUNDLED_TAXONOMY
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise TaxonomyError(str(path), 0, "no such file") from exc
    except UnicodeDecodeError as exc:
        raise TaxonomyError(str(path), 1, f"not UTF-8 text ({exc.reason})") from exc
    return parse_taxonomy(text, str(path))


def _translations(entry) -> dict:
    return {"translations": entry.translations} if entry.translations else {}


def dump_taxonomy(spec: TaxonomySpec) -> str:
    """YAML that :func:`parse_taxonomy` reads back to the same ``spec``."""

    def benefit(node: BenefitSpec) -> dict:
        data: dict = {"name": node.name}
        if node.slug != slugify(node.name):
            data["slug"] = node.slug
        if node.description:
            data["description"] = node.description
        for key in GUIDANCE_LISTS:
            if getattr(node, key):
                data[key] = list(getattr(node, key))
        if node.translations:
            data["translations"] = node.translations
        if node.children:
            data["children"] = [benefit(child) for child in node.children]
        return data

    document = {
        "concepts": [
            {"slug": c.slug, "name": c.name, "definition": c.definition, **_translations(c)} for c in spec.concepts
        ],
        "scopes": [
            {"slug": s.slug, "name": s.name, "description": s.description, **_translations(s)} for s in spec.scopes
        ],
        "benefits": {
            c.slug: {
                s.slug: [benefit(node) for node in spec.benefits[(c.slug, s.slug)]]
                for s in spec.scopes
                if (c.slug, s.slug) in spec.benefits
            }
            for c in spec.concepts
            if any((c.slug, s.slug) in spec.benefits for s in spec.scopes)
        },
    }
    header = "# Human Pipeline taxonomy, exported by `manage.py export_taxonomy`.\n"
    return header + yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
