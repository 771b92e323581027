"""The reviewers' queue: every form of the departments a reviewer's bureau oversees.

Counts per state, filters (year, state, department, flagged), a search by project or department
name, three sorts and pages. The number of SQL queries is the same whatever the number of forms,
and the page's fund totals and the sort by execution rate read the totals stored on each form.
"""

from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db.models import (
    Count,
    F,
    Q,
)
from django.http import QueryDict
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from departments import access
from evaluations import deadlines, waiting
from evaluations.models import Evaluation, Year
from evaluations.waiting import Desk

State = Evaluation.State
PAGE_SIZE = 25
WAITING = [State.DRAFT, State.RETURNED]
SORTS = {
    "submitted": (_("Submitted, oldest first"), [F("submitted_at").asc(nulls_last=True)]),
    "-submitted": (_("Submitted, newest first"), [F("submitted_at").desc(nulls_last=True)]),
    "rate": (_("Execution rate, lowest first"), [F("execution_rate").asc(nulls_last=True)]),
    "-rate": (_("Execution rate, highest first"), [F("execution_rate").desc(nulls_last=True)]),
    "-flags": (_("Most review flags first"), [F("flag_count").desc(nulls_last=True)]),
    "flags": (_("Fewest review flags first"), [F("flag_count").asc(nulls_last=True)]),
}
DEFAULTS = {"state": State.SUBMITTED, "sort": "submitted"}


class QueueFilters(forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    state = forms.ChoiceField(
        label=_("State"), choices=[("", _("All states")), *State.choices], required=False
    )
    department = forms.ModelChoiceField(
        label=_("Department"), queryset=None, required=False, empty_label=_("All departments")
    )
    flagged = forms.BooleanField(
        label=_("Flagged only"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    q = forms.CharField(
        label=_("Project or department"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    sort = forms.ChoiceField(
        label=_("Sort by"), choices=[(key, label) for key, (label, _o) in SORTS.items()]
    )

    def __init__(self, data, *, departments, years, state=None):
        data = data.copy()
        for name, value in {**DEFAULTS, "state": state or DEFAULTS["state"]}.items():
            data.setdefault(name, value)
        super().__init__(data)
        self.fields["department"].queryset = departments
        self.fields["year"].choices = [(year.year, year.year) for year in years]

    @cached_property
    def options(self):
        """{select: [(value, label, selected)]}. The page writes the options itself: through
        Django's option templates a bureau's few hundred departments cost more than the rest
        of the page."""
        found = {}
        for name in ("year", "state", "department", "sort"):
            field = self.fields[name]
            current = str(self[name].value() or "")
            if name == "department":
                choices = [("", field.empty_label)]
                choices += [(department.pk, department.name) for department in field.queryset]
            else:
                choices = field.choices
            found[name] = [(str(value), label, str(value) == current) for value, label in choices]
        return found

    def value(self, name):
        """The cleaned value, or the default for a value that did not validate."""
        if self.is_valid() or name not in self.errors:
            return self.cleaned_data.get(name)
        return self.fields[name].clean(DEFAULTS.get(name, ""))

    def dropped(self):
        """The filters asked for that did not validate, and so select nothing: the page falls
        back to their defaults, the export refuses them. The sort only orders."""
        return [name for name in self.errors if name != "sort"]


@dataclass
class Queue:
    filters: QueueFilters
    year: Year | None
    # The deadline of the reviewer's bureau in the year (its BureauYear's, else the Year's).
    deadline: object
    counts: dict
    page: object
    overdue: set
    # [(year, forms)] submitted and waiting in the other years
    elsewhere: list

    def export_query(self):
        """The query string of the filters this queue applied, for its download: the forms
        shown, also when the page fell back from a filter it could not apply."""
        query = QueryDict(mutable=True)
        query["year"] = self.year.year if self.year else ""
        query["state"] = self.filters.value("state") or ""
        if department := self.filters.value("department"):
            query["department"] = department.pk
        if self.filters.value("flagged"):
            query["flagged"] = "on"
        if search := (self.filters.value("q") or "").strip():
            query["q"] = search
        return query.urlencode()

    def tabs(self):
        """(state, label, count, current) for the state pills: all states, then each."""
        current = self.filters.value("state") or ""
        tabs = [("", _("All"), self.counts[""], current == "")]
        for state, label in State.choices:
            count = self.counts.get(state, 0)
            # The 主管部门 stage only where some form of the scope is at it.
            if state == State.SUPERVISOR and not count and current != state:
                continue
            tabs.append((state, label, count, current == state))
        return tabs


def build(user, params, page_size=None):
    years = list(Year.objects.all())
    departments = access.review_departments(user).order_by("name")
    if not params.get("year"):
        opening = waiting.default_year(user, Desk.REVIEW)
        params = params.copy()
        params["year"] = opening.year if opening else ""
    filters = QueueFilters(
        params, departments=departments, years=years, state=waiting.review_state(user)
    )
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

    sort = filters.value("sort") or DEFAULTS["sort"]
    # Sort ids only, then load the page's rows: sorting whole joined rows made the database read
    # and sort every form in scope, where ids let it walk an index and stop at the page.
    ordered = found.order_by(*SORTS[sort][1], "pk").values_list("pk", flat=True)
    paginator = Paginator(ordered, page_size or PAGE_SIZE)
    paginator.count = counts.get(state or "", 0)  # known already: no second COUNT query
    page = paginator.get_page(params.get("page"))
    rows = Evaluation.objects.filter(pk__in=list(page.object_list))
    by_pk = {row.pk: row for row in rows.select_related("project__department")}
    page.object_list = [by_pk[pk] for pk in page.object_list]
    elsewhere = waiting.per_year(user, Desk.REVIEW, year)
    bureaus = set(departments.order_by().values_list("bureau", flat=True).distinct())
    settings = deadlines.settings_for(bureaus, year)
    deadline = settings.deadline if settings else None
    return Queue(filters, year, deadline, counts, page, _overdue(year, page), elsewhere)


def _overdue(year, page):
    """Departments on this page with forms still to submit after their bureau's deadline."""
    if year is None:
        return set()
    # The page's departments come from the reviewer's scope already.
    bureau_of = {
        evaluation.project.department_id: evaluation.project.department.bureau_id
        for evaluation in page
    }
    due = deadlines.by_bureau(bureau_of.values(), year)
    shown = {
        department for department, bureau in bureau_of.items() if deadlines.passed(due[bureau])
    }
    if not shown:
        return set()
    return set(
        Evaluation.objects.filter(year=year, state__in=WAITING, project__department__in=shown)
        .order_by()
        .values_list("project__department", flat=True)
        .distinct()
    )
