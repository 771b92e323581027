"""The reviewers' queue: every form of the departments a reviewer's bureau oversees.

Counts per state, filters (year, state, department, flagged), a search by project or department
name, three sorts and pages. The number of SQL queries is the same whatever the number of forms:
sums of the funds come from correlated subqueries, not from a query per row.
"""

from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, DecimalField, F, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from departments import access
from evaluations.models import HUNDRED, MONEY, Evaluation, FundLine, Year
from evaluations.money import rate

State = Evaluation.State
PAGE_SIZE = 25
WAITING = [State.DRAFT, State.RETURNED]
SORTS = {
    "submitted": (_("submitted, oldest first"), [F("submitted_at").asc(nulls_last=True)]),
    "-submitted": (_("submitted, newest first"), [F("submitted_at").desc(nulls_last=True)]),
    "rate": (_("execution rate, lowest first"), [F("execution").asc(nulls_last=True)]),
    "-rate": (_("execution rate, highest first"), [F("execution").desc(nulls_last=True)]),
    "-flags": (_("most review flags first"), [F("flag_count").desc(nulls_last=True)]),
    "flags": (_("fewest review flags first"), [F("flag_count").asc(nulls_last=True)]),
}
DEFAULTS = {"state": State.SUBMITTED, "sort": "submitted"}


class QueueFilters(forms.Form):
    year = forms.TypedChoiceField(label=_("year"), coerce=int, required=False)
    state = forms.ChoiceField(
        label=_("state"), choices=[("", _("all states")), *State.choices], required=False
    )
    department = forms.ModelChoiceField(
        label=_("department"), queryset=None, required=False, empty_label=_("all departments")
    )
    flagged = forms.BooleanField(label=_("flagged only"), required=False)
    q = forms.CharField(label=_("project or department"), required=False, max_length=100)
    sort = forms.ChoiceField(
        label=_("sort by"), choices=[(key, label) for key, (label, _o) in SORTS.items()]
    )

    def __init__(self, data, *, departments, years):
        data = data.copy()
        for name, value in DEFAULTS.items():
            data.setdefault(name, value)
        super().__init__(data)
        self.fields["department"].queryset = departments
        self.fields["year"].choices = [(year.year, year.year) for year in years]
        for name, field in self.fields.items():
            css = "form-check-input" if name == "flagged" else "form-select form-select-sm"
            if name == "q":
                css = "form-control form-control-sm"
            field.widget.attrs["class"] = css

    def value(self, name):
        """The cleaned value, or the default for a value that did not validate."""
        if self.is_valid() or name not in self.errors:
            return self.cleaned_data.get(name)
        return self.fields[name].clean(DEFAULTS.get(name, ""))


def with_funds(evaluations):
    """Budget and actual totals and the execution rate, one subquery each, no GROUP BY."""
    lines = FundLine.objects.filter(evaluation=OuterRef("pk")).order_by().values("evaluation")
    money = DecimalField(**MONEY)
    return evaluations.annotate(
        budget_total=Subquery(lines.annotate(total=Sum("budget")).values("total"), money),
        actual_total=Subquery(lines.annotate(total=Sum("actual")).values("total"), money),
        execution=F("actual_total")
        * Value(HUNDRED)
        / NullIf(F("budget_total"), Value(0), output_field=money),
    )


@dataclass
class Queue:
    filters: QueueFilters
    year: Year | None
    counts: dict
    page: object
    overdue: set

    def tabs(self):
        """(state, label, count, current) for the state pills: all states, then each."""
        current = self.filters.value("state") or ""
        tabs = [("", _("all"), self.counts[""], current == "")]
        for state, label in State.choices:
            tabs.append((state, label, self.counts.get(state, 0), current == state))
        return tabs


def build(user, params, page_size=None):
    years = list(Year.objects.all())
    departments = access.reviewed_departments(user).order_by("name")
    filters = QueueFilters(params, departments=departments, years=years)
    wanted = filters.value("year")
    year = next((y for y in years if y.year == wanted), years[0] if years else None)

    found = access.reviewable_evaluations(user).filter(year=year)
    if department := filters.value("department"):
        found = found.filter(project__department=department)
    if filters.value("flagged"):
        found = found.filter(flag_count__gt=0)
    if query := (filters.value("q") or "").strip():
        found = found.filter(
            Q(project__name__icontains=query) | Q(project__department__name__icontains=query)
        )
    counts = dict(found.order_by().values_list("state").annotate(n=Count("pk")))
    counts[""] = sum(counts.values())
    if state := filters.value("state"):
        found = found.filter(state=state)

    _label, ordering = SORTS[filters.value("sort") or DEFAULTS["sort"]]
    found = with_funds(found).select_related("project__department").order_by(*ordering, "pk")
    page = Paginator(found, page_size or PAGE_SIZE).get_page(params.get("page"))
    for evaluation in page:
        evaluation.execution_rate = rate(evaluation.actual_total, evaluation.budget_total)
    return Queue(filters, year, counts, page, _overdue(user, year, page))


def _overdue(user, year, page):
    """Departments on this page with forms still to submit after the year's deadline."""
    if year is None or year.deadline is None or timezone.localdate() <= year.deadline:
        return set()
    shown = {evaluation.project.department_id for evaluation in page}
    return set(
        access.reviewable_evaluations(user)
        .filter(year=year, state__in=WAITING, project__department__in=shown)
        .order_by()
        .values_list("project__department", flat=True)
        .distinct()
    )
