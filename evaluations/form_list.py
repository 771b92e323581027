"""The forms list of a department member: their departments' forms of a year, department by
department, in pages.

A district editor sees one or two departments; a viewer of a whole province sees hundreds, with
tens of thousands of forms. A page holds whole departments, as many as fit in `FORMS_PER_PAGE`
forms and `DEPARTMENTS_PER_PAGE` departments (a department with more forms than that fills a page
of its own), so that a page costs the same however many forms the year holds: the forms per
department are counted in one aggregate, and the page's forms and last year's forms still to
start are fetched in one query each, for its departments only. Many departments can be searched
by name.
"""

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Count

from departments import access
from evaluations.models import Evaluation

FORMS_PER_PAGE = 100
DEPARTMENTS_PER_PAGE = 20
# What the list shows of a form: not its texts, which can be long.
LISTED = (
    "project__name",
    "project__department",
    "state",
    "budget_total",
    "actual_total",
    "updated_at",
)
# From this many departments on, the page offers a search by department name.
SEARCH_FROM = DEPARTMENTS_PER_PAGE


@dataclass
class Section:
    department: object
    can_edit: bool
    forms: list
    to_copy: list


@dataclass
class FormList:
    sections: list
    # A Django paginator's page of chunks of departments; None when all fit on one page.
    page: object
    searchable: bool
    search: str
    departments: int


def chunks(departments, counts):
    """The departments in pages: whole departments, at most FORMS_PER_PAGE forms and
    DEPARTMENTS_PER_PAGE departments a page, at least one department."""
    pages, current, filled = [], [], 0
    for department in departments:
        forms = counts.get(department.pk, 0)
        full = len(current) == DEPARTMENTS_PER_PAGE or filled + forms > FORMS_PER_PAGE
        if current and full:
            pages.append(current)
            current, filled = [], 0
        current.append(department)
        filled += forms
    if current:
        pages.append(current)
    return pages


def build(user, year, params):
    mine = access.member_departments(user)
    searchable = mine.count() >= SEARCH_FROM
    search = (params.get("q") or "").strip()[:100] if searchable else ""
    departments = mine.select_related("parent")
    if search:
        departments = departments.filter(name__icontains=search)
    departments = list(departments)
    counts = {}
    if year:
        counts = dict(
            Evaluation.objects.filter(project__department__in=mine.values("pk"), year=year)
            .order_by()
            .values_list("project__department")
            .annotate(n=Count("pk"))
        )
    paginator = Paginator(chunks(departments, counts), 1)
    page = paginator.get_page(params.get("page"))
    shown = page.object_list[0] if departments else []
    editable = set(
        access.editable_departments(user)
        .filter(pk__in=[department.pk for department in shown])
        .values_list("pk", flat=True)
    )
    forms, to_copy = {}, {}
    if year and shown:
        for form in (
            Evaluation.objects.filter(project__department__in=shown, year=year)
            .select_related("project")
            .only(*LISTED)
            .order_by("project__name")
        ):
            forms.setdefault(form.project.department_id, []).append(form)
        for form in (
            Evaluation.objects.filter(project__department__in=shown, year=year.year - 1)
            .exclude(project__evaluations__year=year)
            .select_related("project")
            .only("project__name", "project__department")
            .order_by("project__name")
        ):
            to_copy.setdefault(form.project.department_id, []).append(form)
    sections = [
        Section(
            department,
            department.pk in editable,
            forms.get(department.pk, []),
            to_copy.get(department.pk, []),
        )
        for department in shown
    ]
    return FormList(
        sections,
        page if paginator.num_pages > 1 else None,
        searchable,
        search,
        len(departments),
    )
