"""One value describes a form's content and one function saves it (evaluations/content.py)."""

import copy
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluations import changes, content, editing, importing
from evaluations.demo.examples import bureau_year
from evaluations.excel import writer
from evaluations.models import Evaluation, Indicator

FEW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("key", ["panzhihua", "national", "sichuan"])
def test_saving_a_forms_own_content_changes_nothing_but_its_version(layout_form, key, editor):
    evaluation = layout_form(key)
    before = content.of(evaluation)
    ids = list(evaluation.indicators.values_list("pk", flat=True))
    version = evaluation.version

    content.save(evaluation, before, editor, version=version)

    assert content.of(evaluation) == before
    assert list(evaluation.indicators.values_list("pk", flat=True)) == ids
    assert evaluation.version == version + 1


def test_a_row_without_id_takes_over_the_row_of_the_same_place(example_form, editor):
    evaluation = example_form("sichuan")
    filled = content.of(evaluation)
    ids = {row.place: row.id for row in filled.indicators}
    for row in filled.indicators:
        row.id = None
        row.actual = "12"

    content.save(evaluation, filled, editor)

    kept = {
        (r.category.parent.name, r.category.name, r.name): r.pk for r in evaluation.indicators.all()
    }
    assert kept == ids
    assert set(evaluation.indicators.values_list("actual", flat=True)) == {"12"}


def test_rows_not_given_are_deleted_and_new_ones_created(example_form, editor):
    evaluation = example_form("national")
    filled = content.of(evaluation)
    kept = filled.indicators[0]
    filled.indicators = [
        kept,
        content.Row("产出指标", "数量指标", name="新指标", weight=Decimal(5)),
    ]

    content.save(evaluation, filled, editor)

    rows = list(evaluation.indicators.order_by("position"))
    assert [row.name for row in rows] == [kept.name, "新指标"]
    assert rows[0].pk == kept.id


def test_a_stale_version_is_refused_and_nothing_is_written(example_form, editor):
    evaluation = example_form("national")
    filled = content.of(evaluation)
    filled.texts["goal"] = "改过的目标"
    with pytest.raises(content.StaleEdit):
        content.save(evaluation, filled, editor, version=evaluation.version - 1)
    evaluation.refresh_from_db()
    assert evaluation.goal != "改过的目标"


def test_a_submitted_form_is_not_saved(example_form, editor):
    evaluation = example_form("sichuan")
    Evaluation.objects.filter(pk=evaluation.pk).update(state=Evaluation.State.SUBMITTED)
    with pytest.raises(content.EditRefused):
        content.save(evaluation, content.of(evaluation), editor)


def test_copying_last_years_form_keeps_the_plan_and_drops_the_results(example_form, editor):
    previous = example_form("sichuan")
    following = bureau_year(previous.project.department.bureau, 2024, "sichuan")

    evaluation = editing.copy_evaluation(previous, following.year, editor)

    copied = content.of(evaluation)
    assert copied.project_code == "51092324T000010263357"
    assert [(r.nature, r.target, r.unit, r.weight) for r in copied.indicators] == [
        (r.nature, r.target, r.unit, r.weight) for r in content.of(previous).indicators
    ]
    assert {(r.actual, r.score, r.reason) for r in copied.indicators} == {("", None, "")}
    assert all(line.budget is None for line in copied.funds)
    assert copied.texts["achieved"] == copied.texts["conclusion"] == ""


def test_the_changes_between_two_submissions_name_the_layouts_columns(example_form):
    evaluation = example_form("sichuan")
    old = changes.snapshot(evaluation)
    new = copy.deepcopy(old)
    new["indicators"][0]["weight"] = "20"
    new["funds"][0]["initial_budget"] = "1"
    new["conclusion"] = "基本完成。"

    found = changes.compare(old, new)

    assert [(c.label, c.old, c.new) for c in found.changed[0].changes] == [("权重", "30", "20")]
    assert [c.label for c in found.funds] == ["财政资金 年初预算"]
    assert [c.label for c in found.fields] == ["评价结论"]


def test_a_snapshot_from_before_the_layouts_compares_without_false_changes(evaluation):
    new = changes.snapshot(evaluation)
    old = copy.deepcopy(new)
    # Snapshots written before the layouts had no layout, code or scored columns.
    for name in ("layout", "project_code", "process_summary", "conclusion"):
        old.pop(name)
    for row in old["indicators"]:
        for name in ("nature", "unit", "weight", "score"):
            row.pop(name)
    for line in old["funds"]:
        line.pop("initial_budget")
    assert not changes.compare(old, new)


any_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


@FEW
@given(text=any_text)
def test_any_text_in_a_sichuan_form_comes_back_from_its_workbook_as_saved(
    example_form, editor, text
):
    evaluation = Evaluation.objects.filter(project__code="51092324T000010263357").first()
    evaluation = evaluation or example_form("sichuan")
    filled = content.of(evaluation)
    for name in ("goal", "process_summary", "conclusion", "project_leader"):
        filled.texts[name] = text
    for row in filled.indicators:
        row.reason = row.unit = text
    evaluation = content.save(evaluation, filled, editor)
    saved = content.of(evaluation)
    department = evaluation.project.department

    sheet = importing.read_files([("f.xlsx", writer.form_workbook(evaluation))], department)[0]
    read = content.Content.from_data(sheet.sheets[0].content)

    assert [str(problem) for problem in sheet.sheets[0].problems] == []
    for name in ("goal", "process_summary", "conclusion", "project_leader"):
        assert read.texts[name] == saved.texts[name]
    assert [(r.reason, r.unit) for r in read.indicators] == [
        (r.reason, r.unit) for r in saved.indicators
    ]
    assert Indicator.objects.filter(evaluation=evaluation).count() == 3
