"""What can be exported in the background: one declaration per kind, in KINDS.

A kind says which forms it holds for a user, what one department's entries in the zip are, and
what the entries made last from every department's rows are. Its forms always start from
departments/access.py: the view counts them when the user asks, and each department's task
asks again, so that a user who lost a department meanwhile gets nothing of it.

Another kind is one more entry in KINDS with its own `forms` and `department_entries`, written
as a function yielding (name, write) pairs, as the publication packages are.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from departments import access
from evaluations import queue
from evaluations.excel import writer
from evaluations.models import Evaluation
from exports.models import ExportPart
from publishing import packages
from reports.models import Report

# Columns of a 汇总表 row that hold money or a rate: Decimal, kept as text between tasks.
_DECIMALS = (3, 4, 5)


class _Rows:
    """Takes what Summary.add would get and keeps it as JSON values for the assembling task."""

    def __init__(self, rows):
        self.rows = rows

    def add(self, evaluation, funds, indicator_count):
        row = writer.summary_row(evaluation, funds, indicator_count)
        self.rows.append([str(value) if isinstance(value, Decimal) else value for value in row])


def _summary_row(kept):
    return [
        Decimal(value) if index in _DECIMALS and value is not None else value
        for index, value in enumerate(kept)
    ]


def workbook_entries(forms, department, rows, params):
    """The department's forms as one workbook, as in the instant download; its 汇总表 rows
    go to `rows`."""

    def write(target):
        writer.write_department(forms, department, target, _Rows(rows))

    yield writer.department_file_name(department), write


def summary_entries(job, rows, failed):
    """汇总表.xlsx of every department's rows, titled as the instant download's."""
    summary = writer.Summary(job.title)

    def write(target):
        try:
            for row in rows:
                summary.add_row(_summary_row(row))
        except BaseException:
            summary.discard()
            raise
        summary.save(target)

    yield writer.SUMMARY_NAME, write


def year_forms(user, params):
    """The forms of a year the user sees, or of one department of them."""
    forms = access.visible_evaluations(user).filter(year=params["year"])
    if params.get("department"):
        forms = forms.filter(project__department=params["department"])
    return forms


def queue_forms(user, params):
    """The forms the review queue selects with these filters, all pages of it."""
    selected = queue.build(user, QueryDict(params.get("query", "")))
    if selected.filters.dropped():
        return Evaluation.objects.none()
    selection = selected.page.paginator.object_list
    return access.reviewable_evaluations(user).filter(pk__in=selection)


def _content(data):
    def write(target):
        target.write(data)

    return write


def _package_entries(department, year, folder=""):
    """The department's publication package (publishing/packages.py), in `folder`."""
    report = Report.objects.select_related("department", "year").get(
        department=department, year=year
    )
    for name, data in packages.department_entries(report, folder=folder):
        yield name, _content(data)


def department_package_forms(user, params):
    """The forms of the department's package, for whoever sees its report."""
    departments = access.visible_departments(user).filter(pk=params["department"])
    report = Report.objects.filter(department__in=departments, year=params["year"]).first()
    return report.forms() if report else Evaluation.objects.none()


def department_package_entries(forms, department, rows, params):
    return _package_entries(department, params["year"])


def bureau_package_forms(user, params):
    """The forms of the bureau's package (its approved reports'), for its finance reviewers: a
    department whose report is no longer approved when its task runs is left out."""
    bureau = access.reviewed_bureaus(user).filter(pk=params["bureau"]).first()
    if bureau is None:
        return Evaluation.objects.none()
    return packages.bureau_forms(bureau, params["year"])


def bureau_package_entries(forms, department, rows, params):
    """The department's folder of the bureau's package."""
    return _package_entries(department, params["year"], packages.department_folder(department))


def bureau_package_note(job, rows, failed):
    """说明.txt of the bureau's package, made last: the departments in it, those whose report
    is not approved, and those whose files could not be made."""
    # A reviewer who left the bureau since gets no note of it: the assembly fails.
    bureau = access.reviewed_bureaus(job.user).get(pk=job.params["bureau"])
    year = job.params["year"]
    held = set(job.parts.filter(state=ExportPart.State.DONE).values_list("department", flat=True))
    missing = {part.department_id for part in failed}
    approved = Report.objects.filter(department__in=held, year=year).select_related("department")
    _approved, left_out = packages.bureau_reports(bureau, year)
    left_out = [item for item in left_out if item[0].pk not in held | missing]
    failures = [(part.department, part.get_failure_display()) for part in failed]
    data = packages.note(
        bureau, year, list(approved.order_by("department__code")), left_out, failures
    )
    yield packages.NOTE_NAME, _content(data)


def no_entries(job, rows, failed):
    """Nothing after the departments': a department's package is its part alone."""
    return ()


@dataclass(frozen=True)
class Kind:
    label: str
    # (user, params) → the forms, through departments/access.py
    forms: Callable
    # (user) → the departments whose forms the user may take away this way: a download needs
    # every department the file holds among them
    departments: Callable
    # (forms of one department, department, rows, params) → (name, write(file)) entries of its
    # part
    department_entries: Callable = workbook_entries
    # (job, every part's rows in order, the failed parts) → (name, write(file)) entries after the
    # departments'
    closing_entries: Callable = summary_entries


KINDS = {
    "year": Kind(_("Forms of a year"), year_forms, access.visible_departments),
    "queue": Kind(_("Forms of the review queue"), queue_forms, access.review_departments),
    "publication": Kind(
        _("Publication package of a finance bureau"),
        bureau_package_forms,
        access.bureau_departments,
        bureau_package_entries,
        bureau_package_note,
    ),
    "department_publication": Kind(
        _("Publication package of a department"),
        department_package_forms,
        access.visible_departments,
        department_package_entries,
        no_entries,
    ),
}
