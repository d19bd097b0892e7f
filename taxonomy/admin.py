"""Admin for the taxonomy: benefits, their questions, and a questionnaire preview.

Deleting anything that answers depend on is refused with a message (see
:class:`common.admin.RefuseDeleteInUseMixin`); deactivating is the way to retire it.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from common.admin import RefuseDeleteInUseMixin
from common.usage import in_use
from taxonomy.forms import (
    BenefitAdminForm,
    ConceptAdminForm,
    QuestionAdminForm,
    ScopeAdminForm,
    translation_field_names,
)
from taxonomy.models import Benefit, Concept, Question, Scope
from taxonomy.scales import SCALES, Dimension
from taxonomy.selectors import live_questionnaire
from taxonomy.services import question_wording, questions_sync


class LevelFilter(admin.SimpleListFilter):
    """Benefit or sub-benefit, by whether the node has a parent."""

    title = _("level")
    parameter_name = "level"
    parent_field = "parent"

    def lookups(self, request, model_admin):
        return [("benefit", _("Benefit")), ("sub-benefit", _("Sub-benefit"))]

    def queryset(self, request, queryset):
        if self.value() == "benefit":
            return queryset.filter(**{f"{self.parent_field}__isnull": True})
        if self.value() == "sub-benefit":
            return queryset.filter(**{f"{self.parent_field}__isnull": False})
        return queryset


class QuestionLevelFilter(LevelFilter):
    parent_field = "benefit__parent"


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    form = ConceptAdminForm
    fieldsets = [
        (None, {"fields": ["slug", "name", "definition", "order"]}),
        (_("Translations"), {"fields": translation_field_names("concept")}),
    ]
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]


@admin.register(Scope)
class ScopeAdmin(admin.ModelAdmin):
    form = ScopeAdminForm
    fieldsets = [
        (None, {"fields": ["slug", "name", "description", "order"]}),
        (_("Translations"), {"fields": translation_field_names("scope")}),
    ]
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]


class SubBenefitFormSet(forms.BaseInlineFormSet):
    def clean(self):
        # Before Django's own check, whose PROTECT message names rows, not the reason.
        doomed = [f.instance for f in self.forms if f.instance.pk and self._should_delete_form(f)]
        blockers = in_use(Benefit, doomed)
        if blockers:
            raise ValidationError(
                [f"Cannot delete sub-benefit “{b.name}”: {reason}." for b, reason in blockers.items()]
            )
        super().clean()


class SubBenefitInline(admin.TabularInline):
    model = Benefit
    fk_name = "parent"
    formset = SubBenefitFormSet
    fields = ["name", "slug", "order", "is_active"]
    extra = 0
    verbose_name = _("sub-benefit")
    verbose_name_plural = _("sub-benefits")
    show_change_link = True


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ["dimension", "text", "help_text", "order", "is_active"]
    readonly_fields = ["dimension"]
    extra = 0
    max_num = len(Dimension.values)
    # Questions are generated (one per dimension) and retired by deactivating.
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description=_("Create missing questions for every active benefit"), permissions=["add", "change"])
def sync_questions(modeladmin, request, queryset):
    """Runs ``questions_sync`` over the whole taxonomy; the selection does not matter."""
    result = questions_sync()
    modeladmin.message_user(
        request, gettext("Questions synced: %(summary)s.") % {"summary": result.summary()}, level=messages.SUCCESS
    )


@admin.register(Benefit)
class BenefitAdmin(RefuseDeleteInUseMixin, admin.ModelAdmin):
    form = BenefitAdminForm
    list_display = ["name", "concept", "scope", "path", "order", "is_active"]
    list_editable = ["order"]
    list_filter = ["concept", "scope", "is_active", LevelFilter]
    list_select_related = ["concept", "scope"]
    search_fields = ["name", "path", "description"]
    readonly_fields = ["path", "depth"]
    fieldsets = [
        (None, {"fields": ["concept", "scope", "parent", "name", "slug", "order", "is_active", "path", "depth"]}),
        (_("Guidance"), {"fields": ["description", "indicators", "practices"]}),
        (_("Translations"), {"fields": translation_field_names("benefit")}),
    ]
    autocomplete_fields = ["parent"]
    inlines = [SubBenefitInline, QuestionInline]
    ordering = ["concept__order", "scope__order", "path"]
    actions = [sync_questions]

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, QuestionInline):
            # On the add page ``obj`` is an unsaved Benefit: filtering by it raises, so no queryset then.
            saved = obj is not None and obj.pk is not None
            kwargs["queryset"] = Question.objects.filter(benefit=obj).order_by("dimension") if saved else None
        return kwargs

    def save_formset(self, request, form, formset, change):
        # Sub-benefits added inline inherit their parent's concept and scope.
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, Benefit) and instance.parent_id:
                instance.concept_id = instance.parent.concept_id
                instance.scope_id = instance.parent.scope_id
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()


@admin.register(Question)
class QuestionAdmin(RefuseDeleteInUseMixin, admin.ModelAdmin):
    change_list_template = "admin/taxonomy/question/change_list.html"
    # Scope and concept are in the wording itself (and in the filters): no column, so the list fits a laptop.
    list_display = ["text", "benefit_name", "dimension", "order", "is_active"]
    list_display_links = ["text"]
    list_editable = ["order", "is_active"]
    list_filter = [
        ("benefit__concept", admin.RelatedOnlyFieldListFilter),
        ("benefit__scope", admin.RelatedOnlyFieldListFilter),
        "dimension",
        "is_active",
        QuestionLevelFilter,
    ]
    list_select_related = ["benefit__concept", "benefit__scope"]
    list_per_page = 150
    search_fields = ["benefit__name", "text", "help_text"]
    form = QuestionAdminForm
    fields = ["benefit", "dimension", "text", "help_text", "order", "is_active", *translation_field_names("question")]
    readonly_fields = ["benefit", "dimension"]
    actions = ["activate", "deactivate", "reset_wording", sync_questions]

    def get_readonly_fields(self, request, obj=None):
        # Benefit and dimension identify a question; they are chosen once, on creation.
        return self.readonly_fields if obj else []

    @admin.display(description=_("benefit"), ordering="benefit__path")
    def benefit_name(self, obj: Question) -> str:
        return obj.benefit.name if obj.benefit.parent_id is None else f"↳ {obj.benefit.name}"

    @admin.action(description=_("Activate selected questions"), permissions=["change"])
    def activate(self, request, queryset):
        n = queryset.filter(is_active=False).update(is_active=True)
        message = ngettext("%(n)d question activated.", "%(n)d questions activated.", n)
        self.message_user(request, message % {"n": n}, level=messages.SUCCESS)

    @admin.action(description=_("Deactivate selected questions"), permissions=["change"])
    def deactivate(self, request, queryset):
        n = queryset.filter(is_active=True).update(is_active=False)
        message = ngettext(
            "%(n)d question deactivated. Assessments that already have answers keep their questions.",
            "%(n)d questions deactivated. Assessments that already have answers keep their questions.",
            n,
        )
        self.message_user(request, message % {"n": n}, level=messages.SUCCESS)

    @admin.action(description=_("Reset wording to the template"), permissions=["change"])
    def reset_wording(self, request, queryset):
        # One query for every node's name and parent, instead of a walk up per question.
        nodes = dict(Benefit.objects.values_list("pk", "parent_id"))
        names = dict(Benefit.objects.values_list("pk", "name"))
        changed = []
        for question in queryset.select_related("benefit__concept", "benefit__scope"):
            ancestors, parent_id = [], question.benefit.parent_id
            while parent_id is not None:
                ancestors.insert(0, names[parent_id])
                parent_id = nodes[parent_id]
            text, help_text = question_wording(question.benefit, question.dimension, ancestors)
            if (question.text, question.help_text) != (text, help_text):
                question.text, question.help_text = text, help_text
                changed.append(question)
        Question.objects.bulk_update(changed, ["text", "help_text"])
        message = ngettext(
            "%(n)d question reset to the template wording. "
            "Assessments that already have answers keep the wording their respondents saw.",
            "%(n)d questions reset to the template wording. "
            "Assessments that already have answers keep the wording their respondents saw.",
            len(changed),
        )
        self.message_user(request, message % {"n": len(changed)}, level=messages.SUCCESS)

    def get_urls(self):
        preview = path(
            "preview/",
            self.admin_site.admin_view(self.preview_view),
            name=f"{self.opts.app_label}_{self.opts.model_name}_preview",
        )
        return [preview, *super().get_urls()]

    def preview_view(self, request):
        """The live questionnaire, grouped in its six sections as respondents will see it."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        # Imported here: the assessments app builds on the taxonomy, not the other way round.

        questionnaire = live_questionnaire()
        choices = {dim: scale.choices() for dim, scale in SCALES.items()}
        # Templates cannot index a dict by a variable: pair each question with its options here.
        sections = [
            {
                "section": section,
                "benefits": [
                    {"benefit": b, "questions": [(q, choices[q.dimension]) for q in b.questions]}
                    for b in section.benefits
                ],
            }
            for section in questionnaire.sections
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Preview questionnaire"),
            "subtitle": None,
            "questionnaire": questionnaire,
            "sections": sections,
        }
        return TemplateResponse(request, "admin/taxonomy/question/preview.html", context)
