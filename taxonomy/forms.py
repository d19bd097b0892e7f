"""Admin form fields for the taxonomy."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from taxonomy.models import Benefit, Concept, Question, Scope
from taxonomy.translations import FIELDS, LISTS, other_languages


class LinesField(forms.CharField):
    """A list of texts edited as a textarea, one item per line; blank lines are dropped."""

    widget = forms.Textarea(attrs={"rows": 5, "cols": 100})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value) -> list[str]:
        if isinstance(value, list | tuple):
            return [str(item).strip() for item in value if str(item).strip()]
        text = super().to_python(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def has_changed(self, initial, data) -> bool:
        return self.to_python(initial or []) != self.to_python(data or "")


def translation_field_names(kind: str) -> list[str]:
    """The admin form's fields for ``kind``'s translations: ``name_de``, ``description_de`` ..."""
    return [f"{key}_{language}" for language in other_languages() for key in FIELDS[kind]]


def _translation_fields(kind: str, model, english: dict[str, str]) -> dict[str, forms.Field]:
    names = dict(settings.LANGUAGES)
    fields: dict[str, forms.Field] = {}
    for language in other_languages():
        for key in FIELDS[kind]:
            source = model._meta.get_field(english.get(key, key))
            label = f"{str(source.verbose_name).capitalize()} ({names[language]})"
            if key in LISTS:
                field = LinesField(required=False, label=label, help_text=_("One per line, as in English."))
            elif key == "name":
                field = forms.CharField(required=False, label=label, max_length=source.max_length)
            else:
                field = forms.CharField(
                    required=False, label=label, widget=forms.Textarea(attrs={"rows": 3, "cols": 100})
                )
            fields[f"{key}_{language}"] = field
    return fields


class TranslationsForm(forms.ModelForm):
    """A model form with a field per language and translatable text, saved into ``translations``.

    An empty field is no translation: the English shows in its place.
    """

    kind = ""  # a key of taxonomy.translations.FIELDS
    english: dict[str, str] = {}  # translation key -> the English field, where the names differ

    def __init_subclass__(cls, **kwargs) -> None:
        # Declared with the class, so that the admin's fieldsets may name them.
        super().__init_subclass__(**kwargs)
        if cls.kind:
            cls.declared_fields.update(_translation_fields(cls.kind, cls.Meta.model, cls.english))

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        current = self.instance.translations or {}
        for language in other_languages():
            for key in FIELDS[self.kind]:
                name = f"{key}_{language}"
                if name in self.fields:
                    self.fields[name].initial = current.get(language, {}).get(key, [] if key in LISTS else "")

    def clean(self):
        cleaned = super().clean()
        translations = {}
        for language in other_languages():
            texts = {}
            for key in FIELDS[self.kind]:
                value = cleaned.get(f"{key}_{language}")
                if value:
                    texts[key] = value if key in LISTS else value.strip()
            if texts:
                translations[language] = texts
        # The model's validator checks it (on full_clean) like any other field.
        self.instance.translations = translations
        return cleaned


class ConceptAdminForm(TranslationsForm):
    kind = "concept"
    english = {"description": "definition"}

    class Meta:
        model = Concept
        fields = ["slug", "name", "definition", "order"]


class ScopeAdminForm(TranslationsForm):
    kind = "scope"

    class Meta:
        model = Scope
        fields = ["slug", "name", "description", "order"]


class QuestionAdminForm(TranslationsForm):
    kind = "question"

    class Meta:
        model = Question
        fields = ["benefit", "dimension", "text", "help_text", "order", "is_active"]


class BenefitAdminForm(TranslationsForm):
    kind = "benefit"

    indicators = LinesField(
        required=False,
        help_text=_(
            "Observable, measurable signs that the benefit is realized: one per line, each naming what to "
            "count or measure and where."
        ),
    )
    practices = LinesField(
        required=False,
        help_text=_("What organizations do to realize it (processes, roles, habits, kinds of tools): one per line."),
    )

    class Meta:
        model = Benefit
        fields = [
            "concept",
            "scope",
            "parent",
            "name",
            "slug",
            "description",
            "indicators",
            "practices",
            "order",
            "is_active",
        ]
        help_texts = {
            "slug": "Part of the path of this node and of its sub-benefits: changing it changes those paths too "
            "(CSV files name benefits by path).",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3, "cols": 100})}
