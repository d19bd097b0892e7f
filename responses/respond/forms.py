"""The respondent form: one section (concept x scope) of the questionnaire as a matrix.

Each question is a radio group named ``q-<benefit id>-<dimension>`` whose
options are the scale's ratings ("1".."5") and ``dk`` for "Don't know".
Every question is optional on a section page (partial answers are saved);
completeness is checked only on submit (see :func:`missing_questions`).

Unknown fields: a POST must carry exactly the fields this section page
renders. Anything else (a question of another section or assessment, a
repeated field, an unexpected name, a missing hidden field, a section
number that is not the page's) rejects the whole POST with a message and
saves nothing: a page that sends what it never showed was tampered with
or is out of date, and guessing which part the respondent meant could
save something they did not answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Layout
from crispy_forms.utils import TEMPLATE_PACK
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.template import Context
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from assessments.models import Assessment
from responses.models import COMMENT_MAX_LENGTH, Answer, Comment, comment_release_threshold
from responses.respond.layout import BenefitRow, CommentBox, HiddenFields, Matrix, SubmitButtons, scale_choices
from responses.respond.services import Rating
from taxonomy.scales import DONT_KNOW_CHOICE, DONT_KNOW_LABEL, SCALES
from taxonomy.selectors import BenefitView, Questionnaire, Section

QUESTION_FIELD = re.compile(r"^q-(\d+)-([a-z]+)$")


# Sent by the page itself besides the questions and the hidden fields.
PAGE_FIELDS = frozenset({"csrfmiddlewaretoken", "action"})


ACTIONS = {
    "next": _("Save and continue"),
    "back": pgettext_lazy("survey button", "Back"),
    "save": _("Save"),
    "review": _("Save and back to the review"),
}


def field_name(benefit_id: int, dimension: str) -> str:
    return f"q-{benefit_id}-{dimension}"


def answer_initial(answer: Answer, dimension: str) -> str | None:
    """The radio value of a stored answer: "1".."5", ``dk``, or None when not answered."""
    if not answer.answered(dimension):
        return None
    value = answer.value(dimension)
    return DONT_KNOW_CHOICE if value is None else str(value)


class CommentField(forms.CharField):
    """An optional comment box: at most ``COMMENT_MAX_LENGTH`` characters, line breaks counted once, as typed."""

    def __init__(self, *, label: str, **kwargs) -> None:
        super().__init__(
            label=label,
            required=False,
            max_length=COMMENT_MAX_LENGTH,
            strip=True,
            widget=forms.Textarea(attrs={"rows": 4, "class": "hp-comment"}),
            error_messages={
                # Django fills in show_value; the limit is written out here, in the reader's digits.
                "max_length": gettext(
                    "A comment holds at most %(limit)s characters (this one has %%(show_value)s). "
                    "Shorten it; nothing was saved."
                )
                % {"limit": number_format(COMMENT_MAX_LENGTH, force_grouping=True)}
            },
            **kwargs,
        )

    def to_python(self, value):
        # The browser sends a line break as \r\n but counts it as one character against ``maxlength``.
        value = super().to_python(value)
        return value.replace("\r\n", "\n").replace("\r", "\n") if value else value


COMMENT_LABEL = _("What would help most here?")


LAST_COMMENT_LABEL = _("Anything else?")


def comment_notice(assessment: Assessment) -> str:
    """What the respondent is told beside every comment box (contract section 15)."""
    threshold = comment_release_threshold(assessment.min_group_size)
    return ngettext(
        "Comments are shown word for word to the report's readers, but only once at least %(threshold)d person "
        "has commented on the same question, and never by group. E-mail addresses, phone numbers, web addresses "
        "and the names of the organization's members are removed when it is saved. At most %(limit)s characters.",
        "Comments are shown word for word to the report's readers, but only once at least %(threshold)d people "
        "have commented on the same question, and never by group. E-mail addresses, phone numbers, web addresses "
        "and the names of the organization's members are removed when it is saved. At most %(limit)s characters.",
        threshold,
    ) % {"threshold": threshold, "limit": number_format(COMMENT_MAX_LENGTH, force_grouping=True)}


class SectionForm(forms.Form):
    """The questions of one section; partial answers allowed; strict about unknown fields."""

    section = forms.IntegerField(widget=forms.HiddenInput)
    revision = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    error_messages = {
        "unknown_question": _(
            "This page sent answers to questions that are not in this section ({names}). "
            "Nothing was saved. Reload the page and answer again."
        ),
        "unexpected": _("This page sent fields it does not have ({names}). Nothing was saved. Reload the page."),
        "repeated": _("This page sent more than one answer to the same question. Nothing was saved."),
        "wrong_section": _("This page belongs to another section. Nothing was saved. Reload the page."),
        "incomplete": _("The page was incomplete ({names} missing). Nothing was saved. Reload the page and try again."),
        "action": _("Unknown button. Nothing was saved. Use “Save and continue” or “Back”."),
    }

    def __init__(
        self,
        *args,
        section: Section,
        questionnaire: Questionnaire,
        answers: dict[int, Answer] | None = None,
        revision: str = "",
        comment_section: str | None = None,
        comment: str = "",
        notice: str = "",
        to_review: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.section_obj = section
        # The comment box's section (``concept/scope``), or None when the assessment asks for no comments.
        self.comment_section = comment_section
        self.question_fields: dict[str, tuple[BenefitView, str]] = {}
        answers = answers or {}
        names = {b.path: b.name for b in questionnaire.benefits}
        self.fields["section"].initial = section.index + 1
        self.fields["revision"].initial = revision
        rows = []
        # Translated once per page rather than once per question: a section has up to 44.
        scale_names = {dimension: scale.name for dimension, scale in SCALES.items()}
        choices = scale_choices()
        not_on_scale = {
            "invalid_choice": gettext(
                "That answer is not on the scale. Choose a rating from 1 to 5, or “%(dont_know)s”."
            )
            % {"dont_know": DONT_KNOW_LABEL}
        }
        for benefit in section.benefits:
            row_fields = []
            for question in benefit.questions:
                name = field_name(benefit.id, question.dimension)
                self.fields[name] = forms.ChoiceField(
                    label=f"{benefit.name} — {scale_names[question.dimension]}",
                    choices=choices[question.dimension],
                    required=False,
                    widget=forms.RadioSelect,
                    help_text=question.text,
                    error_messages=not_on_scale,
                )
                answer = answers.get(benefit.id)
                if answer is not None:
                    self.initial[name] = answer_initial(answer, question.dimension)
                self.question_fields[name] = (benefit, question.dimension)
                row_fields.append(name)
            rows.append(BenefitRow(benefit, row_fields, parent_names=_ancestor_names(benefit, names)))
        box = []
        if comment_section is not None:
            self.fields["comment"] = CommentField(label=COMMENT_LABEL, help_text=notice)
            self.initial["comment"] = comment
            box = [CommentBox("comment")]

        self.helper = FormHelper()
        self.helper.form_tag = False  # the template owns <form>, the CSRF token and the error summary
        self.helper.disable_csrf = True
        self.helper.form_show_errors = False
        self.helper.layout = Layout(
            HiddenFields("section", "revision"),
            Matrix(*rows),
            *box,
            SubmitButtons(
                # Come from the review to fix an answer: one step back to it.
                *([(ACTIONS["review"], "review", "btn-primary btn-lg")] if to_review else []),
                (ACTIONS["next"], "next", "btn-outline-primary btn-lg" if to_review else "btn-primary btn-lg"),
                *([(ACTIONS["back"], "back", "btn-outline-secondary btn-lg")] if section.index > 0 else []),
                css_class="d-flex flex-wrap gap-2 mt-4",
            ),
        )

    def as_matrix(self) -> SafeString:
        """The page's fields as ``{% crispy form %}`` writes them, without the tag around them.

        The tag copies the template context twice, renders its form template,
        which adds nothing here (no ``<form>``, CSRF token, errors or media: the
        page's template owns those), and collapses the whitespace between tags
        with two regular expressions over the whole form; the layout objects
        write their HTML collapsed already. A section page is the form's most
        requested page.
        """
        return self.helper.render_layout(self, Context(), template_pack=TEMPLATE_PACK)

    def clean(self) -> dict:
        cleaned = super().clean()
        if not self.is_bound:
            return cleaned
        keys = set(self.data.keys())
        expected = set(self.fields) | PAGE_FIELDS
        unknown_questions = sorted(k for k in keys - expected if QUESTION_FIELD.match(k))
        if unknown_questions:
            raise forms.ValidationError(
                self.error_messages["unknown_question"].format(names=", ".join(unknown_questions[:5])),
                code="unknown_question",
            )
        unexpected = sorted(keys - expected)
        if unexpected:
            shown = ", ".join(k[:40] for k in unexpected[:5])
            raise forms.ValidationError(self.error_messages["unexpected"].format(names=shown), code="unexpected")
        if any(len(self.data.getlist(k)) > 1 for k in keys):
            raise forms.ValidationError(self.error_messages["repeated"], code="repeated")
        missing = sorted({"section", "revision", "action"} - keys)
        if missing:
            raise forms.ValidationError(
                self.error_messages["incomplete"].format(names=", ".join(missing)), code="incomplete"
            )
        if self.data.get("action") not in ACTIONS:
            raise forms.ValidationError(self.error_messages["action"], code="action")
        if cleaned.get("section") is not None and cleaned["section"] != self.section_obj.index + 1:
            raise forms.ValidationError(self.error_messages["wrong_section"], code="wrong_section")
        return cleaned

    @property
    def action(self) -> str:
        return self.data.get("action", "next")

    def ratings(self) -> list[Rating]:
        """The answers this POST gave; questions left blank are not touched."""
        ratings = []
        for name, (benefit, dimension) in self.question_fields.items():
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            ratings.append(Rating(benefit.id, dimension, None if value == DONT_KNOW_CHOICE else int(value)))
        return ratings

    def comments(self) -> dict[str, str]:
        """{section: text} of the page's comment box ("" empties it), or nothing without a box."""
        if self.comment_section is None:
            return {}
        return {self.comment_section: self.cleaned_data.get("comment") or ""}

    def page_errors(self) -> list[str]:
        """Errors of the page as a whole: non-field ones and those of the hidden fields."""
        errors = list(self.non_field_errors())
        if self.errors.get("section") or self.errors.get("revision"):
            errors.append(self.error_messages["wrong_section"])
        return errors + [f"{COMMENT_LABEL} {e}" for e in self.errors.get("comment", [])]

    def error_summary(self) -> list[tuple[str, str]]:
        """``(anchor, message)`` for every bad question, in page order, for the summary at the top."""
        items = []
        for name, (benefit, dimension) in self.question_fields.items():
            for error in self.errors.get(name, []):
                items.append((f"{self[name].auto_id}_0", f"{benefit.name} — {SCALES[dimension].name}: {error}"))
        return items


def _ancestor_names(benefit: BenefitView, names: dict[str, str]) -> list[str]:
    out = []
    path = benefit.parent_path
    while path:
        out.insert(0, names.get(path, path.rsplit("/", 1)[-1]))
        path = path.rsplit("/", 1)[0] if path.count("/") > 2 else None
    return out


@dataclass
class Missing:
    section: Section
    benefit: BenefitView
    dimension: str
    url: str = ""  # set by the view: where to answer it

    @property
    def field_name(self) -> str:
        return field_name(self.benefit.id, self.dimension)

    @property
    def dimension_name(self) -> str:
        """The dimension as the reader says it ("Importance", "Wichtigkeit")."""
        return SCALES[self.dimension].name


def missing_questions(questionnaire: Questionnaire, answers: dict[int, Answer]) -> list[Missing]:
    """Every question neither rated nor marked "Don't know", in questionnaire order."""
    missing = []
    for section in questionnaire.sections:
        for benefit in section.benefits:
            answer = answers.get(benefit.id)
            for question in benefit.questions:
                if answer is None or not answer.answered(question.dimension):
                    missing.append(Missing(section, benefit, question.dimension))
    return missing


class SubmitForm(forms.Form):
    """The review page: the last comment box, if any, and the submit button.

    Completeness is checked against the stored answers, and only to submit:
    "Save my comment" keeps the last box in the draft whatever is missing.
    """

    def __init__(self, *args, missing: list[Missing], comment: str | None = None, notice: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.missing = missing
        self.has_comment = comment is not None
        box = []
        if self.has_comment:
            self.fields["comment"] = CommentField(label=LAST_COMMENT_LABEL, help_text=notice)
            self.initial["comment"] = comment
            box = [
                CommentBox("comment"),
                SubmitButtons((gettext("Save my comment"), "save", "btn-outline-primary"), css_class="mt-2 mb-4"),
            ]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.form_show_errors = False
        note = (
            gettext("You can submit once every question has an answer or “%(dont_know)s”.")
            % {"dont_know": DONT_KNOW_LABEL}
            if missing
            else gettext("Once submitted, your answers can no longer be changed.")
        )
        self.helper.layout = Layout(
            *box,
            HTML(format_html("<p>{}</p>", note)),
            SubmitButtons((gettext("Submit my answers"), "submit", "btn-primary btn-lg")),
        )

    @property
    def action(self) -> str:
        return "save" if self.data.get("action") == "save" else "submit"

    def only_missing(self) -> bool:
        """Refused only because questions are unanswered: the last box is still worth keeping in the draft."""
        errors = self.errors.as_data()
        return set(errors) == {NON_FIELD_ERRORS} and all(e.code == "missing" for e in errors[NON_FIELD_ERRORS])

    def comments(self) -> dict[str, str]:
        """{last box: text}, or nothing when the assessment asks for no comments."""
        if not self.has_comment:
            return {}
        return {Comment.LAST: self.cleaned_data.get("comment") or ""}

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.missing and self.action == "submit":
            count = len(self.missing)
            raise forms.ValidationError(
                ngettext(
                    "%(count)d question still needs an answer or “%(dont_know)s” before you can submit: "
                    "see the list below.",
                    "%(count)d questions still need an answer or “%(dont_know)s” before you can submit: "
                    "see the list below.",
                    count,
                )
                % {"count": count, "dont_know": DONT_KNOW_LABEL},
                code="missing",
            )
        return cleaned


class RespondentSegmentsForm(forms.Form):
    """The intro page's optional questions about the respondent's group (``respondent`` segments)."""

    def __init__(self, *args, segments, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.segments = segments
        for segment in segments:
            self.fields[f"segment-{segment.key}"] = forms.ChoiceField(
                label=segment.label,
                required=False,
                choices=[("", gettext("Prefer not to say")), *((o.value, o.label) for o in segment.options.all())],
                initial="",
                widget=forms.Select(attrs={"class": "form-select"}),
            )

    def stated(self) -> dict[int, int]:
        """{segment id: option id} of what the respondent chose; "Prefer not to say" is no entry."""
        chosen: dict[int, int] = {}
        for segment in self.segments:
            value = self.cleaned_data.get(f"segment-{segment.key}")
            option = next((o for o in segment.options.all() if o.value == value), None) if value else None
            if option is not None:
                chosen[segment.pk] = option.pk
        return chosen
