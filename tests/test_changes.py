"""What changed between two submissions."""

import copy

from evaluations import changes, workflow
from evaluations.models import Indicator


def test_a_snapshot_keeps_amounts_and_rates_as_text(evaluation):
    snapshot = changes.snapshot(evaluation)
    funds = {line["source"]: line for line in snapshot["funds"]}
    assert (funds["本级财政资金"]["budget"], funds["本级财政资金"]["actual"]) == ("30", "15.71")
    assert funds["上级财政资金"]["budget"] is None
    assert "52.37" in [row["completion_rate"] for row in snapshot["indicators"]]


def test_identical_snapshots_have_no_changes(evaluation):
    snapshot = changes.snapshot(evaluation)
    assert not changes.compare(snapshot, copy.deepcopy(snapshot))


def test_a_changed_field_is_listed_with_its_label(evaluation):
    old = changes.snapshot(evaluation)
    new = copy.deepcopy(old)
    new["achieved"] = "全部完成"
    found = changes.compare(old, new)
    assert [(c.label, c.new) for c in found.fields] == [("实际完成情况", "全部完成")]
    assert "goals" in found.places


def test_a_changed_fund_row_is_listed(evaluation):
    old = changes.snapshot(evaluation)
    new = copy.deepcopy(old)
    line = next(line for line in new["funds"] if line["source"] == "本级财政资金")
    line["actual"] = "20"
    found = changes.compare(old, new)
    assert [(c.label, c.old, c.new) for c in found.funds] == [
        ("本级财政资金 实际完成数", "15.71", "20")
    ]
    assert ("funds", line["source_id"]) in found.places


def test_rows_added_removed_and_changed_are_told_apart(evaluation):
    old = changes.snapshot(evaluation)
    new = copy.deepcopy(old)
    removed = new["indicators"].pop(0)
    new["indicators"][0]["reason"] = "延期"
    new["indicators"].append({**removed, "id": 999_999, "name": "新增培训班次"})
    found = changes.compare(old, new)
    assert [row["name"] for row in found.removed] == [removed["name"]]
    assert [row["name"] for row in found.added] == ["新增培训班次"]
    assert [(c.row["id"], [x.label for x in c.changes]) for c in found.changed] == [
        (new["indicators"][0]["id"], ["未完成原因和改进措施"])
    ]


def test_a_row_made_anew_with_the_same_name_is_a_change_not_a_swap(evaluation):
    # An import replaces the rows: new ids, same 二级 and names.
    old = changes.snapshot(evaluation)
    new = copy.deepcopy(old)
    for offset, row in enumerate(new["indicators"]):
        row["id"] = 10_000 + offset
    new["indicators"][3]["actual"] = "部分完成"
    found = changes.compare(old, new)
    assert (found.added, found.removed) == ([], [])
    assert len(found.changed) == 1
    assert ("indicator", old["indicators"][3]["id"]) in found.places


def test_changes_since_the_last_submission_compare_the_two_latest(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    assert changes.since_last_submission(evaluation) is None
    workflow.return_(evaluation, reviewer, "请修改")
    row = evaluation.indicators.get(completion_rate="52.37")
    Indicator.objects.filter(pk=row.pk).update(reason="部分培训延至下年度")
    workflow.submit(evaluation, editor)
    found = changes.since_last_submission(evaluation)
    assert [c.row["name"] for c in found.changed] == [row.name]
    assert found.places == {("indicator", row.pk)}
