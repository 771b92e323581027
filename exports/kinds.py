"""What can be exported in the background: one declaration per kind, in KINDS.

A kind says which forms it holds for a user, what one department's entries in the zip are, and
what the entries made last from every department's rows are. Its forms always start from
departments/access.py: the view counts them when the user asks, and each department's task
asks again, so that a user who lost a department meanwhile gets nothing of it.

Another kind (the publication packages, say) is one more entry in KINDS with its own `forms`
and `department_entries`, written as a function yielding (name, write) pairs.
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


def workbook_entries(forms, department, rows):
    """The department's forms as one workbook, as in the instant download; its 汇总表 rows
    go to `rows`."""

    def write(target):
        writer.write_department(forms, department, target, _Rows(rows))

    yield writer.department_file_name(department), write


def summary_entries(job, rows):
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


@dataclass(frozen=True)
class Kind:
    label: str
    # (user, params) → the forms, through departments/access.py
    forms: Callable
    # (user) → the departments whose forms the user may take away this way: a download needs
    # every department the file holds among them
    departments: Callable
    # (forms of one department, department, rows) → (name, write(file)) entries of its part
    department_entries: Callable = workbook_entries
    # (job, every part's rows in order) → (name, write(file)) entries after the departments'
    closing_entries: Callable = summary_entries


KINDS = {
    "year": Kind(_("Forms of a year"), year_forms, access.visible_departments),
    "queue": Kind(_("Forms of the review queue"), queue_forms, access.review_departments),
}
