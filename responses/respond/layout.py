"""crispy-forms layout objects for the respondent form's matrix.

:class:`Matrix` is one section's rows (or the word that it has none); :class:`BenefitRow`
is one benefit node with its questions side by side, each a ``<fieldset>``
radio group whose ``<legend>`` names the benefit (and its parents, for a
sub-benefit), so a screen reader announces which benefit a group is about.
"""

from __future__ import annotations

import functools
from html import escape

from crispy_forms.layout import LayoutObject
from crispy_forms.templatetags.crispy_forms_utils import remove_spaces
from crispy_forms.utils import TEMPLATE_PACK
from django.template.loader import render_to_string
from django.utils.choices import BaseChoiceIterator
from django.utils.functional import cached_property
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from taxonomy.scales import DONT_KNOW_CHOICE, SCALES
from taxonomy.selectors import BenefitView


def _option_labels(choices) -> list[tuple[str, str, str]]:
    """(value, escaped value, the label's HTML) per choice; "4 - Very important" shows as a big "4" over its words.

    The label's text still reads in full to a screen reader.
    """
    labels = []
    for value, label in choices:
        number, sep, text = str(label).partition(" - ")
        if sep:
            shown = (
                f'<span class="hp-num">{escape(number)}</span><span class="visually-hidden"> - </span>'
                f'<span class="hp-lbl">{escape(text)}</span>'
            )
        else:
            shown = f'<span class="hp-lbl">{escape(str(label))}</span>'
        dont_know = " hp-opt-dk" if value == DONT_KNOW_CHOICE else ""
        labels.append((value, escape(value), dont_know, shown))
    return labels


def _options_html(name: str, auto_id: str, choices, current: str | None, invalid: bool) -> SafeString:
    """One question's radio buttons, built here rather than in a template loop: a page has about 150 of them.

    Plain string building with :func:`html.escape` on every value, since
    ``format_html`` per button cost a third of the page; a scale's labels are
    escaped once per language (:func:`scale_choices`), not once per question.
    """
    labels = choices.labels if isinstance(choices, ScaleChoices) else _option_labels(choices)
    name, auto_id = escape(name), escape(auto_id)
    error = f' aria-invalid="true" aria-describedby="{auto_id}-error"' if invalid else ""
    parts = []
    for i, (value, shown_value, dont_know, shown) in enumerate(labels):
        checked = " checked" if value == current else ""
        parts.append(
            f'<input type="radio" class="btn-check" name="{name}" id="{auto_id}_{i}" value="{shown_value}"'
            f'{checked}{error}><label class="btn hp-opt{dont_know}" for="{auto_id}_{i}">{shown}</label>'
        )
    return SafeString("".join(parts))


class ScaleChoices(BaseChoiceIterator):
    """A scale's choices, already in Django's normalized form: (value, label) pairs.

    A choice field normalizes what it is given, in the field and again in its
    widget; with 26 to 44 questions a page, that was a tenth of a section's GET.
    Given a ``BaseChoiceIterator``, Django takes it as it is.
    """

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        self.choices = choices

    def __iter__(self):
        return iter(self.choices)

    @cached_property
    def labels(self) -> list[tuple[str, str, str, str]]:
        return _option_labels(self.choices)


def scale_choices() -> dict[str, ScaleChoices]:
    """Each scale's choices by dimension, in the active language.

    Built once per language and shared by every form (nothing changes them),
    so a page neither translates the scales nor escapes their labels again.
    """
    return _scale_choices(get_language())


@functools.cache
def _scale_choices(language: str) -> dict[str, ScaleChoices]:
    # ``language`` is the active one, passed only to be the cache's key.
    return {dimension: ScaleChoices(scale.choices()) for dimension, scale in SCALES.items()}


class HiddenFields(LayoutObject):
    """The page's own hidden fields (its section, the draft's revision), written here.

    crispy's field template around two hidden inputs cost as much as several benefit rows.
    """

    def __init__(self, *fields: str) -> None:
        self.fields = list(fields)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        inputs = []
        for name in self.fields:
            bound = form[name]
            value = bound.value()
            shown = "" if value is None else f' value="{escape(str(bound.field.widget.format_value(value)))}"'
            inputs.append(f'<input type="hidden" name="{escape(bound.html_name)}"{shown} id="{escape(bound.auto_id)}">')
        return SafeString(" ".join(inputs))


class SubmitButtons(LayoutObject):
    """A row of submit buttons, each sending ``action=<value>``: (label, value, Bootstrap classes) each."""

    def __init__(self, *buttons: tuple[str, str, str], css_class: str = "") -> None:
        self.buttons = buttons
        self.css_class = css_class
        self.fields = []

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        buttons = "\n".join(
            f'<button class="btn {escape(css)}" name="action" type="submit" value="{escape(value)}">'
            f"{conditional_escape(label)}</button>"
            for label, value, css in self.buttons
        )
        css_class = f' class="{escape(self.css_class)}"' if self.css_class else ""
        return SafeString(f"<div{css_class}>\n{buttons}\n</div>")


def page_words() -> dict[str, str]:
    """The words every row repeats, translated and escaped once per page rather than once per row."""
    # Each gettext outside an f-string: xgettext does not read calls inside one, and would drop the text.
    part_of = gettext("Part of")
    signs = gettext("What does this look like?")
    error = gettext("Error:")
    words = {"part_of": part_of, "signs": signs, "error": error}
    words.update((dimension, scale.name) for dimension, scale in SCALES.items())
    return {key: conditional_escape(value) for key, value in words.items()}


class BenefitRow(LayoutObject):
    """One benefit node: its name (and parents), guidance, and a radio group per question.

    Built here rather than in a template, like the buttons: a section has up to 22 rows, and a
    template per row was half the page's cost. Every value is escaped as the template's autoescape
    would, so the HTML is the same as the template made: the questionnaire's texts are plain
    strings (never marked safe), for which :func:`html.escape` writes what ``conditional_escape``
    does, without its checks and lazy wrapper, which cost a tenth of the page at 150 texts.
    """

    def __init__(self, benefit: BenefitView, fields: list[str], *, parent_names: list[str]) -> None:
        self.benefit = benefit
        self.fields = list(fields)
        self.parent_names = parent_names

    def render(self, form, context, template_pack=TEMPLATE_PACK, words: dict | None = None, **kwargs) -> SafeString:
        words = words or page_words()
        benefit = self.benefit
        bid = benefit.id
        name = escape(benefit.name)
        parents = [escape(p) for p in self.parent_names]
        # Written as crispy's whitespace collapsing (``remove_spaces``) leaves it: one space between tags.
        parts = [f'<div class="hp-row hp-depth-{benefit.depth}" id="b-{bid}"> <p class="hp-benefit">']
        if parents:
            parts.append(
                f'<span class="hp-parent"><span class="visually-hidden">{words["part_of"]} '
                f"</span>{' › '.join(parents)} ›</span> "
            )
        parts.append(f"{name}</p> ")
        if benefit.description:
            parts.append(f'<p class="hp-desc" id="b-{bid}-desc">{escape(benefit.description)}</p> ')
        if benefit.indicators:
            items = "".join(f"<li>{escape(item)}</li>" for item in benefit.indicators)
            parts.append(
                f'<details class="hp-signs"><summary>{words["signs"]}</summary>'
                f'<ul class="hp-signs-list">{items}</ul></details> '
            )
        parts.append('<div class="hp-questions"> ')
        hidden_names = "".join(f"{p}: " for p in parents)
        described = f"b-{bid}-desc " if benefit.description else ""
        error_word = words["error"]
        for field_name in self.fields:
            bound = form[field_name]
            _, dimension = form.question_fields[field_name]
            value = bound.value()
            current = None if value is None else str(value)
            errors = form.errors.get(field_name, []) if form.is_bound else []
            auto_id = escape(bound.auto_id)
            options = _options_html(bound.html_name, bound.auto_id, bound.field.choices, current, bool(errors))
            parts.append(
                f'<fieldset class="hp-q{" hp-q-invalid" if errors else ""}" aria-describedby="{described}'
                f'{auto_id}-text{f" {auto_id}-error" if errors else ""}"> '
                f'<legend class="hp-legend"><span class="visually-hidden">{hidden_names}{name} — </span>'
                f"{words[dimension]}</legend> "
                f'<p class="hp-question" id="{auto_id}-text">{escape(bound.help_text)}</p> '
            )
            if errors:
                joined = conditional_escape(" ".join(str(e) for e in errors))
                parts.append(
                    f'<p class="hp-error" id="{auto_id}-error"><span aria-hidden="true">⚠</span> '
                    f"<strong>{error_word}</strong> {joined}</p> "
                )
            parts.append(f'<div class="hp-options"> {options} </div> </fieldset> ')
        parts.append("</div>\n</div>\n")
        return SafeString("".join(parts))


class Matrix(LayoutObject):
    """A section's rows, or the word that it has none."""

    def __init__(self, *rows: BenefitRow) -> None:
        self.fields = list(rows)

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        if self.fields:
            words = page_words()
            rows = "".join(row.render(form, context, template_pack=template_pack, words=words) for row in self.fields)
        else:
            empty = conditional_escape(gettext("There are no questions in this section. Choose “Save and continue”."))
            rows = f'<p class="text-body-secondary">{empty}</p>'
        return SafeString(f'<div class="hp-matrix"> {rows}\n</div>\n')


class CommentBox(LayoutObject):
    """An optional comment box with, beside it, what happens to what is written (its help text)."""

    template = "responses/form/layout/comment_box.html"

    def __init__(self, field: str) -> None:
        self.fields = [field]

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs) -> SafeString:
        bound = form[self.fields[0]]
        errors = form.errors.get(bound.name, []) if form.is_bound else []
        # A template (the box is one per page), its whitespace collapsed as crispy's tag would.
        return SafeString(remove_spaces(render_to_string(self.template, {"field": bound, "errors": errors})))
