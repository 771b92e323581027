"""The administrator's pages: editions and their sources, years and bureaus' years, forms.

A year's settings (the Year's, or a bureau's own) are checked as the forms will read them: the
scoring rules through the layout's `Rules`, and the edition against what the layout prints.
"""

import json

from django import forms
from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from evaluations import layouts
from evaluations.models import (
    BureauYear,
    Edition,
    Evaluation,
    FundLine,
    FundSource,
    Indicator,
    IndicatorCategory,
    Project,
    Sample,
    SampledForm,
    Transition,
    Year,
)
from evaluations.scoring import RulesError


class FundSourceInline(admin.TabularInline):
    model = FundSource
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    inlines = [FundSourceInline]


@admin.register(FundSource)
class FundSourceAdmin(admin.ModelAdmin):
    list_display = ["name", "edition", "aliases", "position"]
    list_editable = ["aliases", "position"]
    list_filter = ["edition"]
    search_fields = ["name", "aliases"]
    list_select_related = ["edition"]


@admin.register(IndicatorCategory)
class IndicatorCategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "parent", "edition", "position"]
    list_filter = ["edition", "parent"]
    search_fields = ["name", "aliases"]
    list_select_related = ["parent", "edition"]


def source_names(edition):
    """Every label of the edition's fund sources: their names and aliases."""
    names = set()
    for source in edition.fund_sources.all():
        names |= {source.name, *source.alias_list}
    return names


class YearSettingsForm(forms.ModelForm):
    """A year's settings as the forms filed in it will read them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "edition" in self.fields:
            self.fields["edition"].help_text = gettext(
                "The fund sources and taxonomy of the forms. Each layout prints those of its "
                "own edition: %(editions)s."
            ) % {
                "editions": "; ".join(
                    f"{layout.name}: {layout.edition}" for layout in layouts.LAYOUTS.values()
                )
            }

    def clean(self):
        cleaned = super().clean()
        key, edition = cleaned.get("layout"), cleaned.get("edition")
        if not key:
            return cleaned
        layout = layouts.get(key)
        if "rules" in cleaned:
            self._check_rules(layout, cleaned["rules"])
        if edition is not None:
            self._check_edition(layout, edition)
            self._check_forms_kept(edition)
        return cleaned

    def _check_forms_kept(self, edition):
        """Forms filed under this setting keep their fund lines and rows: their edition cannot
        change under them."""
        instance = self.instance
        if instance.pk is None or instance.edition_id == edition.pk:
            return
        if isinstance(instance, BureauYear):
            filed = Evaluation.objects.filter(
                year=instance.year_id, project__department__bureau=instance.bureau_id
            )
        else:
            own = BureauYear.objects.filter(year=instance.pk).values("bureau")
            filed = Evaluation.objects.filter(year=instance.pk).exclude(
                project__department__bureau__in=own
            )
        if filed.exists():
            self.add_error(
                "edition",
                gettext(
                    "Forms are filed under this setting in edition %(edition)s: their fund lines "
                    "and indicator rows are of that edition, so it cannot change now."
                )
                % {"edition": instance.edition},
            )

    def _check_rules(self, layout, rules):
        if layout.rules is None:
            if rules:
                self.add_error(
                    "rules",
                    gettext("The layout %(layout)s has no scores: leave its scoring rules empty.")
                    % {"layout": layout.name},
                )
            return
        try:
            layout.rules.with_settings(rules)
        except RulesError as error:
            self.add_error(
                "rules",
                gettext("These scoring rules cannot be used: %(error)s.") % {"error": error},
            )

    def _check_edition(self, layout, edition):
        """The layout prints the fund sources of its own edition; an edition whose sources it
        does not know would give forms rows that no printed form of the layout has."""
        if edition.name == layout.edition:
            return
        own = Edition.objects.filter(name=layout.edition).first()
        known = source_names(own) if own else set()
        unknown = [source.name for source in edition.fund_sources.all() if source.name not in known]
        if unknown:
            self.add_error(
                "edition",
                gettext(
                    "The layout %(layout)s prints the fund sources of %(own)s; %(edition)s has "
                    "%(unknown)s, which it does not."
                )
                % {
                    "layout": layout.name,
                    "own": layout.edition,
                    "edition": edition.name,
                    "unknown": "、".join(unknown),
                },
            )


class RulesInForce:
    """The scoring rules the forms of a year read: the layout's, with the year's settings over
    them, in full."""

    @admin.display(description=_("scoring rules in force"))
    def rules_in_force(self, settings):
        if settings.pk is None:
            return "—"
        try:
            rules = settings.scoring_rules
        except RulesError as error:
            return gettext("These scoring rules cannot be used: %(error)s.") % {"error": error}
        if rules is None:
            return gettext("No scores in this layout.")
        return json.dumps(rules.as_settings(), ensure_ascii=False, indent=1)


class BureauYearInline(admin.TabularInline):
    model = BureauYear
    form = YearSettingsForm
    extra = 0
    fields = ["bureau", "layout", "edition", "deadline", "supervisor_stage", "project_classes"]
    show_change_link = True


@admin.register(Year)
class YearAdmin(RulesInForce, admin.ModelAdmin):
    form = YearSettingsForm
    readonly_fields = ["rules_in_force"]
    list_display = ["year", "layout", "edition", "deadline", "execution_threshold", "rules"]
    filter_horizontal = ["required_categories"]
    inlines = [BureauYearInline]


@admin.register(BureauYear)
class BureauYearAdmin(RulesInForce, admin.ModelAdmin):
    form = YearSettingsForm
    readonly_fields = ["rules_in_force"]
    list_display = ["bureau", "year", "layout", "edition", "deadline", "supervisor_stage"]
    list_filter = ["year", "layout", "bureau", "edition"]
    search_fields = ["bureau__name", "bureau__code"]
    list_select_related = ["bureau", "edition"]
    filter_horizontal = ["required_categories"]
    autocomplete_fields = ["bureau"]


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


class RecordInline(admin.TabularInline):
    """Rows the workflow and the sampling write, shown as they are: their own pages change
    them, each change recorded."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False


class TransitionInline(RecordInline):
    model = Transition
    fields = ["created_at", "actor", "step", "from_state", "to_state", "comment"]


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


class SampledFormInline(RecordInline):
    model = SampledForm
    fields = ["evaluation", "drawn", "result", "comment", "reviewed_by", "reviewed_at"]


@admin.register(Sample)
class SampleAdmin(admin.ModelAdmin):
    """Samples are drawn on the bureau's 抽查复核 page, where the draw is recorded; the admin
    shows them as they are."""

    list_display = ["bureau", "year", "seed", "percentage", "per_department", "issued_at"]
    list_filter = ["year", "bureau"]
    inlines = [SampledFormInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
