"""crispy-forms layout objects for the respondent form's matrix.

:class:`Matrix` is one section (its scale legend and rows); :class:`BenefitRow`
is one benefit node with its questions side by side, each a ``<fieldset>``
radio group whose ``<legend>`` names the benefit (and its parents, for a
sub-benefit), so a screen reader announces which benefit a group is about.
"""

from __future__ import annotations

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from taxonomy.scales import SCALES
from taxonomy.selectors import BenefitView, Section


def _option(id_: str, value: str, label: str, checked: bool) -> dict:
    # "4 - Very important" shows as a big "4" over "Very important"; the label's text still reads in full.
    number, sep, text = label.partition(" - ")
    if not sep:
        number, text = "", label
    return {"id": id_, "value": value, "label": label, "number": number, "text": text, "checked": checked}


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
                    "options": [
                        _option(f"{bound.auto_id}_{i}", v, label, v == current)
                        for i, (v, label) in enumerate(bound.field.choices)
                    ],
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
