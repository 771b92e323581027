"""A reviewer's overview of one year: how far each department is, and how forms spent money.

Progress counts the forms of each overseen department by state (a draft is "not started" from
the bureau's side); the distribution buckets the execution rate of every form handed in (all but
drafts) by tens of percent. Both are a fixed number of queries, whatever the number of forms.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, IntegerField, Value
from django.db.models.functions import Floor, Least
from django.utils.translation import gettext as _

from departments import access
from evaluations import deadlines
from evaluations.models import HUNDRED, Evaluation
from evaluations.queue import WAITING

State = Evaluation.State
COLUMNS = [State.DRAFT, State.SUPERVISOR, State.SUBMITTED, State.RETURNED, State.APPROVED]
BUCKET = 10
TOP = 100


@dataclass
class Progress:
    department: object
    counts: dict
    overdue: bool
    columns: list = field(default_factory=lambda: COLUMNS)

    @property
    def total(self):
        return sum(self.counts.values())

    def cells(self):
        return [self.counts[state] for state in self.columns]


def progress(user, year):
    departments = list(access.review_departments(user).order_by("name"))
    counts = (
        access.reviewable_evaluations(user)
        .filter(year=year)
        .order_by()
        .values_list("project__department", "state")
        .annotate(n=Count("pk"))
    )
    by_department = {department.pk: dict.fromkeys(COLUMNS, 0) for department in departments}
    for department_id, state, n in counts:
        by_department[department_id][state] = n
    # Each department is late against its own bureau's deadline.
    due = deadlines.by_bureau({department.bureau_id for department in departments}, year)
    rows = []
    for department in departments:
        mine = by_department[department.pk]
        behind = not any(mine.values()) or any(mine[state] for state in WAITING)
        late = deadlines.passed(due[department.bureau_id])
        rows.append(Progress(department, mine, overdue=late and behind))
    shown = columns(rows)
    for row in rows:
        row.columns = shown
    return rows


def columns(rows):
    """The states the overview shows: the 主管部门 stage only where some form is at it."""
    return [
        state
        for state in COLUMNS
        if state != State.SUPERVISOR or any(row.counts[state] for row in rows)
    ]


def bucket_labels():
    labels = [f"{start}–{start + BUCKET}%" for start in range(0, TOP, BUCKET)]
    return [*labels, f"≥{TOP}%"]


def distribution(user, year):
    """How many handed-in forms fall in each bucket of execution rate (no budget: left out).

    One aggregate over the totals stored on each form: a form's bucket is its rate, unrounded,
    in tens of percent (10 × actual ÷ budget, rounded down), all from 100 % in the last.
    """
    last = TOP // BUCKET
    whole = IntegerField()
    rate = F("actual_total") * Value(HUNDRED / BUCKET) / F("budget_total")
    tens = Floor(rate, output_field=whole)
    counts = dict(
        access.reviewable_evaluations(user)
        .filter(year=year, budget_total__gt=0, actual_total__isnull=False)
        .exclude(state=State.DRAFT)
        .annotate(bucket=Least(tens, Value(last), output_field=whole))
        .order_by()
        .values_list("bucket")
        .annotate(n=Count("pk"))
    )
    return [counts.get(index, 0) for index in range(last + 1)]


def chart_data(rows, rates):
    """What static/js/review-overview.js draws, as plain JSON."""
    return {
        "departments": [row.department.name for row in rows],
        "series": [
            {
                "label": str(State(state).label),
                "state": state,
                "data": [row.counts[state] for row in rows],
            }
            for state in columns(rows)
        ],
        "rates": {"labels": bucket_labels(), "data": rates, "label": _("Forms")},
    }
