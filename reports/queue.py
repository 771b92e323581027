"""The department reports in a reviewer's queue: those of the queue's year that wait for this
user's decision (at the 主管部门 for the units they supervise, at the finance bureau for the
departments they review), oldest submission first, each with its state, flags and review page."""

from dataclasses import dataclass

from departments import access
from evaluations import subjects


@dataclass(frozen=True)
class Row:
    report: object
    review_path: str


def waiting(user, year):
    if year is None:
        return []
    return [
        Row(report, subjects.REPORT.path("review", report))
        for report in access.reports_waiting(user, year)
    ]
