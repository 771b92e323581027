"""What changed in a form between two submissions.

On every submission the workflow stores `snapshot(evaluation)` on the history row: the form as
plain JSON (amounts and rates as text, so that nothing is lost to floats). `compare(old, new)`
reads two snapshots and tells the reviewer which fields, fund rows and indicator rows were added,
removed or changed, and which places changed, so pinned comments can say whether they were heeded.
"""

from dataclasses import dataclass, field

from evaluations import content, layouts
from evaluations.models import Transition

# Where a pinned comment on the goals is heeded.
GOAL_FIELDS = {"goal", "achieved"}


def snapshot(evaluation):
    """The form as JSON (evaluations/content.py's data), with its layout and its fund sources'
    ids, which pinned comments name."""
    data = content.of(evaluation).as_data()
    sources = {
        source.name: source.pk for source in evaluation.year_settings.edition.fund_sources.all()
    }
    for line in data["funds"]:
        line["source_id"] = sources.get(line["source"])
    data["layout"] = evaluation.year_settings.layout
    return data


def _layout_of(data):
    return layouts.LAYOUTS.get(data.get("layout"), layouts.get(layouts.DEFAULT))


def _value(data, name):
    """A value as compared: blank and missing (a snapshot older than the field) are alike."""
    value = data.get(name)
    return None if value in (None, "") else value


def _funds(data):
    """Fund lines by source name; snapshots before the current shape kept a list too."""
    return {line["source"]: line for line in data.get("funds", [])}


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
    """What changed from snapshot `old` to `new`, in the columns of the newer one's layout."""
    layout = _layout_of(new)
    changes = Changes()
    for item in layout.fields:
        before, after = _value(old, item.name), _value(new, item.name)
        if before != after:
            changes.fields.append(Change(item.label, before, after))
            if item.name in GOAL_FIELDS:
                changes.places.add("goals")

    old_funds = _funds(old)
    for line in new.get("funds", []):
        before = old_funds.get(line["source"], {})
        for column in layout.funds.entered:
            if _value(before, column.name) != _value(line, column.name):
                changes.funds.append(
                    Change(
                        f"{line['source']} {column.label}",
                        _value(before, column.name),
                        _value(line, column.name),
                    )
                )
                changes.places.add(("funds", before.get("source_id") or line.get("source_id")))

    columns = layout.indicators.columns
    for before, after in _pair_rows(old.get("indicators", []), new.get("indicators", [])):
        if after is None:
            changes.removed.append(before)
            changes.places.add(("indicator", before["id"]))
        elif before is None:
            changes.added.append(after)
        else:
            differences = [
                Change(column.label, _value(before, column.name), _value(after, column.name))
                for column in columns
                if _value(before, column.name) != _value(after, column.name)
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
    return all(row.get(name) == other.get(name) for name in ("level1", "level2", "name"))


def since_last_submission(evaluation):
    """Changes between the two latest submissions, or None for a form submitted once or never."""
    snapshots = list(
        # Only the submitting steps keep a snapshot, whichever level they go to.
        Transition.objects.filter(evaluation=evaluation, snapshot__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("snapshot", flat=True)[:2]
    )
    if len(snapshots) < 2:
        return None
    latest, previous = snapshots
    return compare(previous, latest)
