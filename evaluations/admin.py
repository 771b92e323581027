from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from evaluations.models import (
    Edition,
    Evaluation,
    FundLine,
    FundSource,
    Indicator,
    IndicatorCategory,
    Project,
    Transition,
    Year,
)


class FundSourceInline(admin.TabularInline):
    model = FundSource
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    inlines = [FundSourceInline]


@admin.register(IndicatorCategory)
class IndicatorCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "edition", "position"]
    list_filter = ["edition", "parent"]
    search_fields = ["name", "aliases"]
    list_select_related = ["parent", "edition"]


@admin.register(Year)
class YearAdmin(admin.ModelAdmin):
    list_display = ["year", "edition", "deadline", "execution_threshold"]
    filter_horizontal = ["required_categories"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["name", "department", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "department__name"]
    autocomplete_fields = ["department"]
    list_select_related = ["department"]


class FundLineInline(admin.TabularInline):
    model = FundLine
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    fields = ["created_at", "actor", "from_state", "to_state", "comment"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Evaluation)
class EvaluationAdmin(admin.ModelAdmin):
    list_display = ["project", "department_name", "year", "state", "updated_at"]
    list_filter = ["year", "state"]
    search_fields = ["project__name", "project__department__name"]
    list_select_related = ["project__department", "year"]
    readonly_fields = ["state", "version", "submitted_at", "approved_at"]
    autocomplete_fields = ["project"]
    inlines = [FundLineInline, IndicatorInline, TransitionInline]

    @admin.display(description=_("department"), ordering="project__department__name")
    def department_name(self, evaluation):
        return evaluation.project.department.name
