"""结果通报: how each department of a bureau did in a year, in one table.

Per department: forms filed, forms submitted by the deadline (their first submission), forms
approved, return rounds (every return, at either level), the average execution rate of its
forms, the review flags of forms not yet approved, and the forms sampled for re-review with their
results. The counts are aggregated in the database, one query for the forms and one for the
history, whatever the number of forms.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evaluations import steps
from evaluations.models import (
    BureauYear,
    Evaluation,
    SampledForm,
    Transition,
)

State = Evaluation.State
SUBMITTING = [step.name for step in steps.STEPS if step.runs_checks]
# Returns by a reviewer, at either level; an administrator's reopening is not a return round.
RETURNING = [
    step.name for step in steps.STEPS if step.target == State.RETURNED and steps.reviewing(step)
]
RESULTS = list(SampledForm.Result)

# Column key, heading, as the page and the workbook show them.
COLUMNS = [
    ("department", _("Department")),
    ("forms", _("Forms")),
    ("on_time", _("Submitted on time")),
    ("approved", _("Approved")),
    ("returns", _("Return rounds")),
    ("execution", _("Average execution rate")),
    ("flags", _("Open flags")),
    ("sampled", _("Sampled")),
    *[(result.value, result.label) for result in RESULTS],
]
SORTS = {key for key, _label in COLUMNS}


@dataclass
class Line:
    department: object
    forms: int = 0
    on_time: int = 0
    approved: int = 0
    returns: int = 0
    execution: Decimal | None = None
    flags: int = 0
    sampled: int = 0
    results: dict = field(default_factory=dict)

    def value(self, key):
        if key == "department":
            return self.department.code
        if key in self.results or key in SampledForm.Result.values:
            return self.results.get(key, 0)
        return getattr(self, key)


@dataclass
class Table:
    bureau: object
    year: object
    deadline: object
    lines: list
    sort: str


def build(bureau, year, sort="department"):
    deadline = BureauYear.settings_for(bureau.pk, year).deadline
    forms = Evaluation.objects.filter(project__department__bureau=bureau, year=year)
    first_submission = (
        Transition.objects.filter(evaluation=OuterRef("pk"), step__in=SUBMITTING)
        .order_by("created_at", "id")
        .values("created_at")[:1]
    )
    rows = (
        forms.annotate(first_submitted=Subquery(first_submission))
        .values(
            "pk",
            "project__department",
            "state",
            "flag_count",
            "first_submitted",
            "execution_rate",
        )
        .order_by()
    )
    returns = dict(
        Transition.objects.filter(evaluation__in=forms, step__in=RETURNING)
        .values("evaluation__project__department")
        .annotate(count=Count("id"))
        .values_list("evaluation__project__department", "count")
    )
    sampled = (
        SampledForm.objects.filter(evaluation__in=forms, sample__bureau=bureau, sample__year=year)
        .values("evaluation__project__department", "result")
        .annotate(count=Count("id"))
    )
    departments = {
        department.pk: Line(department) for department in bureau.departments.order_by("code")
    }
    rates = {}
    for row in rows:
        line = departments[row["project__department"]]
        line.forms += 1
        if row["state"] == State.APPROVED:
            line.approved += 1
        elif row["flag_count"]:
            line.flags += row["flag_count"]
        if row["first_submitted"] and _by(row["first_submitted"], deadline):
            line.on_time += 1
        if row["execution_rate"] is not None:
            # Each form's rate as its page shows it (stored with two decimals), then their
            # average.
            rates.setdefault(line.department.pk, []).append(row["execution_rate"])
    for department_id, count in returns.items():
        departments[department_id].returns = count
    for row in sampled:
        line = departments[row["evaluation__project__department"]]
        line.sampled += row["count"]
        if row["result"]:
            line.results[row["result"]] = line.results.get(row["result"], 0) + row["count"]
    for department_id, values in rates.items():
        departments[department_id].execution = (sum(values) / len(values)).quantize(Decimal("0.01"))
    lines = [line for line in departments.values() if line.forms]
    sort = sort if sort.lstrip("-") in SORTS else "department"
    key = sort.lstrip("-")
    # Blank rates last, whichever way the column is sorted.
    blank = [line for line in lines if line.value(key) is None]
    lines = (
        sorted(
            (line for line in lines if line.value(key) is not None),
            key=lambda line: line.value(key),
            reverse=sort.startswith("-"),
        )
        + blank
    )
    return Table(bureau, year, deadline, lines, sort)


def _by(moment, deadline):
    """Whether a submission came by the end of the deadline's day (no deadline: always)."""
    if deadline is None:
        return True
    return timezone.localtime(moment).date() <= deadline
