from __future__ import annotations

from django.contrib import admin

from taxonomy.models import Benefit, Concept, Scope


@admin.register(Concept)
class ConceptAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]


@admin.register(Scope)
class ScopeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "order"]
    list_editable = ["order"]
    search_fields = ["name", "slug"]


class SubBenefitInline(admin.TabularInline):
    model = Benefit
    fk_name = "parent"
    fields = ["name", "slug", "order", "is_active"]
    extra = 0
    verbose_name = "sub-benefit"
    verbose_name_plural = "sub-benefits"
    show_change_link = True


@admin.register(Benefit)
class BenefitAdmin(admin.ModelAdmin):
    list_display = ["name", "concept", "scope", "path", "order", "is_active"]
    list_editable = ["order"]
    list_filter = ["concept", "scope", "is_active", ("parent", admin.EmptyFieldListFilter)]
    list_select_related = ["concept", "scope"]
    search_fields = ["name", "path", "description"]
    readonly_fields = ["path", "depth"]
    fields = ["concept", "scope", "parent", "name", "slug", "description", "order", "is_active", "path", "depth"]
    autocomplete_fields = ["parent"]
    inlines = [SubBenefitInline]
    ordering = ["concept__order", "scope__order", "path"]

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
