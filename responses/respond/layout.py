"""crispy-forms layout objects for the respondent form's matrix.

:class:`Matrix` is one section (its scale legend and rows); :class:`BenefitRow`
is one benefit node with its questions side by side, each a ``<fieldset>``
radio group whose ``<legend>`` names the benefit (and its parents, for a
sub-benefit), so a screen reader announces which benefit a group is about.
"""

from __future__ import annotations

from html import escape

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from taxonomy.scales import DONT_KNOW_CHOICE, SCALES
from taxonomy.selectors import BenefitView, Section


def _options_html(name: str, auto_id: str, choices, current: str | None, invalid: bool) -> SafeString:
    """One question's radio buttons, built here rather than in a template loop: a page has about 150 of them.

    Plain string building with :func:`html.escape` on every value, since
    ``format_html`` per button cost a third of the page. "4 - Very
    important" shows as a big "4" over "Very important"; the label's text
    still reads in full.
    """
    name, auto_id = escape(name), escape(auto_id)
    error = f' aria-invalid="true" aria-describedby="{auto_id}-error"' if invalid else ""
    parts = []
    for i, (value, label) in enumerate(choices):
        number, sep, text = str(label).partition(" - ")
        if sep:
            shown = (
                f'<span class="hp-num">{escape(number)}</span><span class="visually-hidden"> - </span>'
                f'<span class="hp-lbl">{escape(text)}</span>'
            )
        else:
            shown = f'<span class="hp-lbl">{escape(str(label))}</span>'
        checked = " checked" if value == current else ""
        dont_know = " hp-opt-dk" if value == DONT_KNOW_CHOICE else ""
        parts.append(
            f'<input type="radio" class="btn-check" name="{name}" id="{auto_id}_{i}" value="{escape(value)}"'
            f'{checked}{error}><label class="btn hp-opt{dont_know}" for="{auto_id}_{i}">{shown}</label>'
        )
    return SafeString("".join(parts))


class BenefitRow(LayoutObject):
    template = "responses/form/layout/benefit_row.html"

    def __init__(self, benefit: BenefitView, fields: list[str], *, parent_names: list[str]) -> None:
        self.benefit = benefit
        self.fields = list(fields)
        self.parent_names = parent_names

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        groups = []
        for name in self.fields:
            bound = form[name]
            _, dimension = form.question_fields[name]
            value = bound.value()
            current = None if value is None else str(value)
            errors = form.errors.get(name, []) if form.is_bound else []
            groups.append(
                {
                    "name": bound.html_name,
                    "id": bound.auto_id,
                    "dimension": dimension,
                    "scale": SCALES[dimension],
                    "question": bound.help_text,
                    "errors": errors,
                    "options": _options_html(
                        bound.html_name, bound.auto_id, bound.field.choices, current, bool(errors)
                    ),
                }
            )
        return SafeString(
            render_to_string(
                self.template,
                {"benefit": self.benefit, "parent_names": self.parent_names, "groups": groups},
            )
        )


class Matrix(LayoutObject):
    template = "responses/form/layout/matrix.html"

    def __init__(self, section: Section, *rows: BenefitRow) -> None:
        self.section = section
        self.fields = list(rows)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        rows = SafeString("".join(row.render(form, context, template_pack=template_pack) for row in self.fields))
        return SafeString(
            render_to_string(
                self.template,
                {"section": self.section, "rows": rows, "scales": list(SCALES.values())},
            )
        )


class CommentBox(LayoutObject):
    """An optional comment box with, beside it, what happens to what is written (its help text)."""

    template = "responses/form/layout/comment_box.html"

    def __init__(self, field: str) -> None:
        self.fields = [field]

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        bound = form[self.fields[0]]
        errors = form.errors.get(bound.name, []) if form.is_bound else []
        return SafeString(render_to_string(self.template, {"field": bound, "errors": errors}))
