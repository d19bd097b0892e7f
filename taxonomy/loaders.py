"""Read and write the taxonomy YAML.

Parsing works on PyYAML's node graph rather than on plain Python objects so
that every error can name the line it comes from: ``FILE:LINE: what is wrong``.
Nothing here touches the database; :func:`taxonomy.services.taxonomy_load`
writes a parsed :class:`TaxonomySpec`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.utils.text import slugify

BUNDLED_TAXONOMY = Path(__file__).resolve().parent / "data" / "taxonomy.yaml"

ROOT_KEYS = ("concepts", "scopes", "benefits")
CONCEPT_KEYS = ("slug", "name", "definition")
SCOPE_KEYS = ("slug", "name", "description")
BENEFIT_KEYS = ("name", "slug", "description", "children")


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


@dataclass(frozen=True)
class ScopeSpec:
    slug: str
    name: str
    description: str = ""


@dataclass(frozen=True)
class BenefitSpec:
    name: str
    slug: str
    description: str = ""
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


class _Parser:
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

    def text(self, fields: dict[str, tuple[yaml.Node, yaml.Node]], key: str, what: str) -> str:
        if key not in fields:
            return ""
        return self.scalar(fields[key][1], f"{key} of {what}")

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

    def named(self, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> tuple[dict, str, str]:
        fields = self.mapping(node, what, allowed)
        if "name" not in fields:
            raise self.error(node, f"{what} is missing 'name'")
        name = self.scalar(fields["name"][1], f"name of {what}")
        if not name:
            raise self.error(fields["name"][1], f"{what} has an empty name")
        return fields, name, self.slug_of(fields, node, what, name)

    def parse(self, text: str) -> TaxonomySpec:
        try:
            root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 1
            raise TaxonomyError(self.filename, line, f"invalid YAML: {exc.problem or exc}") from exc
        except yaml.YAMLError as exc:
            raise TaxonomyError(self.filename, 1, f"invalid YAML: {exc}") from exc
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
            if slug in seen:
                raise self.error(item, f"duplicate {what} slug {slug!r}")
            seen.add(slug)
            items.append(
                spec_class(slug=slug, name=name, **{text_key: self.text(fields, text_key, f"{what} {name!r}")})
            )
        if not items:
            raise self.error(node, f"at least one {what} is required")
        return tuple(items)

    def parse_benefits(self, node: yaml.Node, where: str) -> tuple[BenefitSpec, ...]:
        result = []
        seen: set[str] = set()
        for item in self.sequence(node, f"benefits of {where}"):
            fields, name, slug = self.named(item, f"a benefit in {where}", BENEFIT_KEYS)
            if slug in seen:
                raise self.error(item, f"duplicate slug {slug!r} among the benefits of {where}")
            seen.add(slug)
            children = ()
            if "children" in fields:
                children = self.parse_benefits(fields["children"][1], f"{where}/{slug}")
            result.append(
                BenefitSpec(
                    name=name,
                    slug=slug,
                    description=self.text(fields, "description", f"benefit {name!r}"),
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


def dump_taxonomy(spec: TaxonomySpec) -> str:
    """YAML that :func:`parse_taxonomy` reads back to the same ``spec``."""

    def benefit(node: BenefitSpec) -> dict:
        data: dict = {"name": node.name}
        if node.slug != slugify(node.name):
            data["slug"] = node.slug
        if node.description:
            data["description"] = node.description
        if node.children:
            data["children"] = [benefit(child) for child in node.children]
        return data

    document = {
        "concepts": [{"slug": c.slug, "name": c.name, "definition": c.definition} for c in spec.concepts],
        "scopes": [{"slug": s.slug, "name": s.name, "description": s.description} for s in spec.scopes],
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
