"""What changed in a form between two submissions.

On every submission the workflow stores `snapshot(evaluation)` on the history row: the form as
plain JSON (amounts and rates as text, so that nothing is lost to floats). `compare(old, new)`
reads two snapshots and tells the reviewer which fields, fund rows and indicator rows were added,
removed or changed, and which places changed, so pinned comments can say whether they were heeded.
"""

from dataclasses import dataclass, field

from evaluations.models import Evaluation, Transition
from evaluations.money import Funds

FIELDS = [
    ("project", "项目名称"),
    ("supervising_unit", "项目主管单位"),
    ("implementing_unit", "项目实施单位"),
    ("goal", "年度设定目标"),
    ("achieved", "实际完成情况"),
]
GOAL_FIELDS = {"goal", "achieved"}
FUND_COLUMNS = [("budget", "全年预算数"), ("actual", "实际完成数")]
ROW_COLUMNS = [
    ("level1", "一级指标"),
    ("level2", "二级指标"),
    ("name", "三级指标"),
    ("target", "年度设定指标值"),
    ("actual", "实际完成值"),
    ("completion_rate", "完成率（%）"),
    ("reason", "未完成原因和改进措施"),
]


def _text(value):
    return None if value is None else f"{value.normalize():f}"


def snapshot(evaluation):
    """The form as JSON: header, goals, funds by source and indicator rows in page order."""
    funds = Funds.of(evaluation)
    rows = evaluation.indicators.select_related("category__parent")
    return {
        "project": evaluation.project.name,
        "supervising_unit": evaluation.supervising_unit,
        "implementing_unit": evaluation.implementing_unit,
        "goal": evaluation.goal,
        "achieved": evaluation.achieved,
        "funds": [
            {
                "source_id": row["source"].pk,
                "source": row["source"].name,
                "budget": _text(row["budget"]),
                "actual": _text(row["actual"]),
            }
            for row in funds.rows
        ],
        "indicators": [
            {
                "id": row.pk,
                "level1": row.category.parent.name,
                "level2": row.category.name,
                "name": row.name,
                "target": row.target,
                "actual": row.actual,
                "completion_rate": _text(row.completion_rate),
                "reason": row.reason,
            }
            for row in rows
        ],
    }


@dataclass(frozen=True)
class Change:
    label: str
    old: object
    new: object


@dataclass
class RowChange:
    row: dict
    changes: list


@dataclass
class Changes:
    fields: list = field(default_factory=list)
    funds: list = field(default_factory=list)
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    changed: list = field(default_factory=list)
    # Places as pinned comments name them: "goals", ("funds", source id), ("indicator", row id
    # in the older snapshot).
    places: set = field(default_factory=set)

    def __bool__(self):
        return bool(self.fields or self.funds or self.added or self.removed or self.changed)


def compare(old, new):
    changes = Changes()
    for name, label in FIELDS:
        if old.get(name) != new.get(name):
            changes.fields.append(Change(label, old.get(name), new.get(name)))
            if name in GOAL_FIELDS:
                changes.places.add("goals")

    old_funds = {line["source_id"]: line for line in old["funds"]}
    for line in new["funds"]:
        before = old_funds.get(line["source_id"], {})
        for name, label in FUND_COLUMNS:
            if before.get(name) != line[name]:
                changes.funds.append(
                    Change(f"{line['source']} {label}", before.get(name), line[name])
                )
                changes.places.add(("funds", line["source_id"]))

    for before, after in _pair_rows(old["indicators"], new["indicators"]):
        if after is None:
            changes.removed.append(before)
            changes.places.add(("indicator", before["id"]))
        elif before is None:
            changes.added.append(after)
        else:
            differences = [
                Change(label, before[name], after[name])
                for name, label in ROW_COLUMNS
                if before[name] != after[name]
            ]
            if differences:
                changes.changed.append(RowChange(after, differences))
                changes.places.add(("indicator", before["id"]))
    return changes


def _pair_rows(old_rows, new_rows):
    """(old, new) pairs: the same row id, else the same 二级 and 三级 name (an import makes new
    rows for old ones); (old, None) for a removed row, (None, new) for an added one."""
    new_by_id = {row["id"]: row for row in new_rows}
    matched = set()
    unmatched_old = []
    pairs = []
    for row in old_rows:
        twin = new_by_id.get(row["id"])
        if twin is not None:
            pairs.append((row, twin))
            matched.add(id(twin))
        else:
            unmatched_old.append(row)
    leftovers = [row for row in new_rows if id(row) not in matched]
    for row in unmatched_old:
        twin = next((other for other in leftovers if _same_place(other, row)), None)
        if twin is not None:
            leftovers.remove(twin)
        pairs.append((row, twin))
    pairs.extend((None, row) for row in leftovers)
    return pairs


def _same_place(row, other):
    return all(row[name] == other[name] for name in ("level1", "level2", "name"))


def since_last_submission(evaluation):
    """Changes between the two latest submissions, or None for a form submitted once or never."""
    snapshots = list(
        Transition.objects.filter(
            evaluation=evaluation,
            to_state=Evaluation.State.SUBMITTED,
            snapshot__isnull=False,
        )
        .order_by("-created_at", "-id")
        .values_list("snapshot", flat=True)[:2]
    )
    if len(snapshots) < 2:
        return None
    latest, previous = snapshots
    return compare(previous, latest)
