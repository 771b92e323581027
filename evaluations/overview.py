"""A reviewer's overview of one year: how far each department is, and how forms spent money.

Progress counts the forms of each overseen department by state (a draft is "not started" from
the bureau's side); the distribution buckets the execution rate of every form handed in (all but
drafts) by tens of percent. Both are a fixed number of queries, whatever the number of forms.
"""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q
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

    One aggregate over the totals stored on each form: a form is in bucket k when its rate,
    unrounded, is at least 10·k % and below 10·(k+1) %, that is when 100 × actual is at least
    10·k × budget and below 10·(k+1) × budget (the last bucket has no upper bound).
    """
    forms = (
        access.reviewable_evaluations(user)
        .filter(year=year, budget_total__gt=0, actual_total__isnull=False)
        .exclude(state=State.DRAFT)
        .alias(percent=F("actual_total") * HUNDRED)
    )
    last = TOP // BUCKET
    buckets = {}
    for index in range(last + 1):
        inside = Q(percent__gte=F("budget_total") * (index * BUCKET))
        if index < last:
            inside &= Q(percent__lt=F("budget_total") * ((index + 1) * BUCKET))
        buckets[f"bucket{index}"] = Count("pk", filter=inside)
    counts = forms.aggregate(**buckets)
    return [counts[f"bucket{index}"] for index in range(last + 1)]


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
