"""The workbooks of the scored layouts, cell for cell as their documents map them
(shared/layouts/national-2020.md, shared/layouts/sichuan-510000_0013zp.md), read back as they
were written, read from the variants real files use, and refused in another layout.

The cell maps below are transcribed from the documents, not from the layout modules.
"""

import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from evaluations import content, importing, layouts, pins, workflow
from evaluations.excel import writer
from evaluations.models import Evaluation, Indicator, PinnedComment, Project
from tests.workbooks import column_widths

NATIONAL_CELLS = {
    "A1": "项目支出绩效自评表",
    "A2": "（2022年度）",
    "A3": "项目名称",
    "B3": "水旱灾害防御经费",
    "A4": "主管部门",
    "B4": "天长市水利局",
    "E4": "实施单位",
    "F4": "天长市水利局",
    "A5": "项目资金（万元）",
    "D5": "年初预算数",
    "E5": "全年预算数",
    "F5": "全年执行数",
    "G5": "分值",
    "H5": "执行率",
    "I5": "得分",
    "B6": "年度资金总额",
    "D6": 880,
    "E6": 880,
    "F6": 880,
    "G6": 10,
    "H6": 1,
    "I6": 10,
    "B7": "其中：当年财政拨款",
    "G7": "—",
    "I7": "—",
    "B8": "上年结转资金",
    "B9": "其他资金",
    "A10": "年度总体目标",
    "B10": "预期目标",
    "F10": "实际完成情况",
    "B11": "完成年度防汛工作,完成中型灌区节水改造项目和农业综合水价改革项目。",
    "F11": "完成年度目标。",
    "A12": "绩效指标",
    "B12": "一级指标",
    "C12": "二级指标",
    "D12": "三级指标",
    "E12": "年度指标值",
    "F12": "实际完成值",
    "G12": "分值",
    "H12": "得分",
    "I12": "偏差原因分析及改进措施",
    "B13": "产出指标",
    "C13": "数量指标",
    "D13": "完成中型灌区节水改造项目数量",
    "E13": "1",
    "F13": "1",
    "G13": 10,
    "H13": 10,
    "A22": "总分",
    "G22": 100,
    "H22": 100,
}
NATIONAL_MERGES = {
    "A1:I1",
    "A2:I2",
    "B3:I3",
    "B4:D4",
    "F4:I4",
    "A5:A9",
    "B5:C5",
    "B6:C6",
    "B7:C7",
    "B8:C8",
    "B9:C9",
    "A10:A11",
    "B10:E10",
    "F10:I10",
    "B11:E11",
    "F11:I11",
    "A12:A21",
    "A22:F22",
    # 一级 and 二级 over their rows: 产出 13–17 (数量 13–14), 效益 18–20.
    "B13:B17",
    "C13:C14",
    "B18:B20",
}
SICHUAN_CELLS = {
    "A1": "报表编号:510000_0013zp",
    "A2": "部门预算项目支出绩效自评表(2023年度)",
    "A3": "项目名称",
    "B3": "51092324T000010263357-2023年全县安可替代补助资金项目",
    "A4": "主管部门",
    "B4": "大英县司法局部门",
    "F4": "实施单位(盖章)",
    "H4": "大英县司法局",
    "A5": "项目基本情况",
    "B5": "1.项目年度目标完成情况",
    "D5": "项目年度目标",
    "H5": "年度目标完成情况",
    "D6": "根据要求购买安可设备,并完成项目资金支付。",
    "H6": "完成。",
    "B7": "2.项目实施内容及过程概述",
    "D7": "2023年购买13台安可电脑,并于12月前完成资金支付。",
    "A8": "预算执行情况(10分)",
    "B8": "年度预算数(万元)",
    "D8": "年初预算",
    "E8": "调整后预算数",
    "F8": "预算执行数",
    "G8": "预算执行率",
    "H8": "权重",
    "I8": "得分",
    "J8": "原因",
    "B9": "总额",
    "D9": 0,
    "E9": 3.36,
    "F9": 3.36,
    "G9": 1,
    "H9": 10,
    "I9": 10,
    "B10": "其中:财政资金",
    "H10": "/",
    "I10": "/",
    "B11": "财政专户管理资金",
    "B12": "单位资金",
    "B13": "其他资金",
    "A14": "绩效指标(90分)",
    "B14": "一级指标",
    "C14": "二级指标",
    "D14": "三级指标",
    "E14": "指标性质",
    "F14": "指标值",
    "G14": "度量单位",
    "H14": "完成值",
    "I14": "权重",
    "J14": "得分",
    "K14": "未完成原因分析",
    "B15": "产出指标",
    "D15": "购买安可电脑台数",
    "E15": "≥",
    "F15": 13,
    "G15": "台",
    "H15": 13,
    "I15": 30,
    "J15": 30,
    "A18": "合计",
    "I18": 100,
    "J18": 100,
    "A19": "评价结论",
    "C19": "按要求完成安可设备购买和资金支付。",
    "A20": "存在问题",
    "A21": "改进措施",
    "A22": "项目负责人：",
    "F22": "财务负责人：",
}
SICHUAN_MERGES = {
    "A1:K1",
    "A2:K2",
    "B3:K3",
    "B4:E4",
    "F4:G4",
    "H4:K4",
    "A5:A7",
    "B5:C6",
    "D5:G5",
    "H5:K5",
    "D6:G6",
    "H6:K6",
    "B7:C7",
    "D7:K7",
    "A8:A13",
    "B8:C8",
    "J8:K8",
    "B9:C9",
    "J9:K13",
    "B10:C10",
    "B11:C11",
    "B12:C12",
    "B13:C13",
    "A14:A17",
    "B15:B17",
    "A18:H18",
    "A19:B19",
    "C19:K19",
    "A20:B20",
    "C20:K20",
    "A21:B21",
    "C21:K21",
    "A22:E22",
    "F22:K22",
}
WIDTHS = {
    "national": {"A": 5, "B": 9, "C": 11, "D": 24, "E": 16, "F": 16, "G": 7, "H": 9, "I": 24},
    "sichuan": {
        **{"A": 5, "B": 9, "C": 11, "D": 22, "E": 8, "F": 12},
        **{"G": 8, "H": 12, "I": 7, "J": 7, "K": 22},
    },
}
SCORED = ["national", "sichuan"]


def sheet_of(evaluation):
    return load_workbook(io.BytesIO(writer.form_workbook(evaluation))).worksheets[0]


def as_data(evaluation):
    """The form's content without row ids, the project's department and year beside it."""
    data = content.of(evaluation).as_data()
    for row in data["indicators"]:
        row["id"] = None
    return data


def read_back(evaluation_or_bytes, department):
    if isinstance(evaluation_or_bytes, Evaluation):
        evaluation_or_bytes = writer.form_workbook(evaluation_or_bytes)
    return importing.read_files([("f.xlsx", evaluation_or_bytes)], department)


def rewritten(evaluation, change):
    """The form's workbook after `change(sheet)`, as bytes."""
    workbook = load_workbook(io.BytesIO(writer.form_workbook(evaluation)))
    change(workbook.worksheets[0])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems_of(workbooks):
    found = [str(problem) for workbook in workbooks for problem in workbook.problems]
    return found + [
        str(problem)
        for workbook in workbooks
        for sheet in workbook.sheets
        for problem in sheet.problems
    ]


@pytest.mark.parametrize(
    ("key", "cells"), [("national", NATIONAL_CELLS), ("sichuan", SICHUAN_CELLS)]
)
def test_each_value_and_label_sits_in_the_cell_its_document_names(example_form, key, cells):
    sheet = sheet_of(example_form(key))
    found = {coordinate: sheet[coordinate].value for coordinate in cells}
    assert found == cells


@pytest.mark.parametrize(
    ("key", "merges"), [("national", NATIONAL_MERGES), ("sichuan", SICHUAN_MERGES)]
)
def test_the_merged_ranges_are_exactly_those_of_the_document(example_form, key, merges):
    sheet = sheet_of(example_form(key))
    assert {str(merged) for merged in sheet.merged_cells.ranges} == merges


@pytest.mark.parametrize("key", SCORED)
def test_column_widths_are_those_of_the_document(example_form, key):
    sheet = sheet_of(example_form(key))
    assert column_widths(sheet) == WIDTHS[key]


def test_national_targets_are_text_and_sichuan_numbers_are_number_cells(example_form):
    national, sichuan = sheet_of(example_form("national")), sheet_of(example_form("sichuan"))
    assert national["E13"].data_type == "s"
    assert sichuan["F15"].data_type == "n"
    assert sichuan["G15"].value == "台"
    assert (national["G13"].number_format, national["H6"].number_format) == ("0.00", "0.00%")
    assert sichuan["E9"].number_format == "#,##0.00"


@pytest.mark.parametrize(("key", "cell"), [("national", "H22"), ("sichuan", "J18")])
def test_the_published_examples_score_100(example_form, key, cell):
    assert sheet_of(example_form(key))[cell].value == 100


def test_the_sichuan_reason_for_the_execution_rate_spans_the_funds_rows(example_form):
    form = example_form("sichuan")
    form.execution_reason = "采购延期至次年。"
    form.save()
    sheet = sheet_of(form)
    assert sheet["J9"].value == "采购延期至次年。"
    assert "J9:K13" in {str(merged) for merged in sheet.merged_cells.ranges}


@pytest.mark.parametrize("key", SCORED)
def test_a_form_exported_and_imported_into_a_fresh_database_is_the_same_form(
    example_form, key, editor
):
    evaluation = example_form(key)
    before = as_data(evaluation)
    department, year = evaluation.project.department, evaluation.year
    exported = writer.form_workbook(evaluation)
    Evaluation.objects.all().delete()
    Project.objects.all().delete()

    importing.apply(department, read_back(exported, department), _editor_of(department, editor))

    again = Evaluation.objects.get(project__department=department, year=year)
    assert as_data(again) == before


@pytest.mark.parametrize("key", ["panzhihua", *SCORED])
def test_importing_over_a_returned_form_keeps_the_rows_its_comments_are_pinned_to(
    layout_form, key, editor
):
    evaluation = layout_form(key)
    department = evaluation.project.department
    row = evaluation.indicators.order_by("position").first()
    target = next(t for t in pins.targets(evaluation) if t.indicator == row)
    _submit(evaluation)
    workflow.return_(
        evaluation, _reviewer_of(department), "请修改。", pins=[workflow.Pin(target, "改这行")]
    )
    ids = set(evaluation.indicators.values_list("pk", flat=True))
    changed = rewritten(evaluation, lambda sheet: None)

    importing.apply(department, read_back(changed, department), _editor_of(department, editor))

    assert set(evaluation.indicators.values_list("pk", flat=True)) == ids
    assert PinnedComment.objects.get().indicator_id == row.pk


def _reviewer_of(department):
    from tests.conftest import make_user

    user = make_user(f"reviewer-{department.code}")
    department.bureau.memberships.create(user=user)
    return user


def _editor_of(department, editor):
    from departments.models import Membership

    Membership.objects.get_or_create(
        user=editor, department=department, defaults={"role": Membership.Role.EDITOR}
    )
    return editor


def _submit(evaluation):
    # What is tested is the import after a return, not the checks before submitting.
    Evaluation.objects.filter(pk=evaluation.pk).update(state=Evaluation.State.SUBMITTED)
    evaluation.refresh_from_db()


def test_a_workbook_in_another_layout_than_the_years_is_refused_naming_both(
    example_form, make_form, department
):
    # The department's bureau files 2022 in the year's own layout, Panzhihua's.
    workbooks = read_back(example_form("national"), department)
    message = " ".join(problems_of(workbooks))
    assert str(layouts.get("national").name) in message
    assert str(layouts.get("panzhihua").name) in message
    assert not workbooks[0].sheets[0].content.get("indicators")


def test_a_panzhihua_workbook_for_a_national_year_is_refused(example_form, make_form):
    national = example_form("national")
    department = national.project.department
    seed = make_form()
    # The seed form's workbook, retitled to the national form's year.
    exported = rewritten(seed, lambda sheet: sheet.__setitem__("A2", "（2022年度）"))
    message = " ".join(problems_of(read_back(exported, department)))
    assert "全国" in message
    assert "攀枝花" in message


def test_the_variants_of_real_national_files_are_read(example_form):
    evaluation = example_form("national")
    department = evaluation.project.department

    def variants(sheet):
        sheet["E5"] = "全年预算数(A)"
        sheet["F5"] = "全年执行数(B)"
        sheet["H5"] = "执行率(B/A)"
        sheet["E12"] = "年度指标值(A)"
        sheet["F12"] = "实际完成值(B)"
        sheet["B7"] = "其中：本年财政拨款"
        sheet["B13"] = "产出指标(50分)"
        sheet["B18"] = "效益指标（30分）"
        sheet["A23"] = "注：1.偏差原因分析请说明。"

    sheet = read_back(rewritten(evaluation, variants), department)[0].sheets[0]
    assert problems_of([read_back(rewritten(evaluation, variants), department)[0]]) == []
    assert content.Content.from_data(sheet.content).fund("当年财政拨款").budget == Decimal(880)
    assert len(sheet.content["indicators"]) == 9


def test_placeholder_rows_of_a_template_are_skipped(example_form):
    evaluation = example_form("national")
    department = evaluation.project.department

    def placeholders(sheet):
        sheet.insert_rows(22, 2)
        for column in "DEFGHI":
            sheet[f"{column}22"] = "/"
        sheet["D23"] = "指标1："
        sheet["A24"] = "总分"

    workbook = load_workbook(io.BytesIO(writer.form_workbook(evaluation)))
    placeholders(workbook.worksheets[0])
    out = io.BytesIO()
    workbook.save(out)
    sheet = read_back(out.getvalue(), department)[0].sheets[0]
    assert len(sheet.content["indicators"]) == 9


def test_yunnans_public_table_14_is_refused_saying_which_layout_it_is(example_form):
    evaluation = example_form("national")

    def yunnan(sheet):
        sheet.insert_rows(1, 2)
        sheet["A1"] = "公开14表"
        sheet["A2"] = "部门：天长市水利局"

    message = " ".join(
        problems_of(read_back(rewritten(evaluation, yunnan), evaluation.project.department))
    )
    assert "云南 公开14表" in message
    assert "元" in message


def test_the_variants_of_real_sichuan_files_are_read(example_form):
    evaluation = example_form("sichuan")
    department = evaluation.project.department

    def variants(sheet):
        sheet["E15"] = "≧"
        sheet["E17"] = "≦"
        sheet["E16"] = "═"
        sheet["B10"] = "其中：财政资金"
        sheet["F4"] = "实施单位"
        sheet["J9"] = "1.预算执行率=预算执行数/调整后预算数，未达到90%的需说明原因。"

    sheet = read_back(rewritten(evaluation, variants), department)[0].sheets[0]
    assert [str(problem) for problem in sheet.problems] == []
    rows = sheet.content["indicators"]
    assert [row["nature"] for row in rows] == ["≥", "=", "≤"]
    assert sheet.content["execution_reason"] == ""
    assert sheet.content["project_code"] == "51092324T000010263357"
    assert sheet.content["project"] == "2023年全县安可替代补助资金项目"


def test_an_unknown_nature_is_named_where_it_is(example_form):
    evaluation = example_form("sichuan")
    exported = rewritten(evaluation, lambda sheet: sheet.__setitem__("E15", "大约"))
    message = " ".join(problems_of(read_back(exported, evaluation.project.department)))
    assert "E15" in message
    assert "指标性质" in message


def test_a_total_score_the_rows_do_not_give_is_a_warning(example_form):
    evaluation = example_form("national")
    exported = rewritten(evaluation, lambda sheet: sheet.__setitem__("H22", 95))
    sheet = read_back(exported, evaluation.project.department)[0].sheets[0]
    assert [problem.warning for problem in sheet.problems] == [True]
    assert "H22" in str(sheet.problems[0])
    assert "100" in str(sheet.problems[0])


@pytest.mark.parametrize("key", SCORED)
def test_text_that_looks_like_a_formula_stays_text_in_every_layout(example_form, key):
    evaluation = example_form(key)
    evaluation.indicators.update(reason="=1+1", target="=SUM(A1:A2)")
    evaluation.achieved = "@cmd"
    evaluation.save()
    sheet = sheet_of(evaluation)
    formulas = [
        cell.coordinate
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.data_type != "s")
    ]
    assert formulas == []
    reasons = {row.reason for row in Indicator.objects.filter(evaluation=evaluation)}
    assert reasons == {"=1+1"}


@pytest.mark.parametrize(
    ("value", "message"),
    [("十分", "Enter a number of points"), (1e308, "Points are between 0"), ("1e1", "out in full")],
)
def test_points_in_a_workbook_are_read_as_the_edit_page_reads_them(example_form, value, message):
    evaluation = example_form("national")
    exported = rewritten(evaluation, lambda sheet: sheet.__setitem__("G13", value))
    with translation.override("en"):
        found = " ".join(problems_of(read_back(exported, evaluation.project.department)))
    assert "G13" in found
    assert message in found


def test_importing_a_national_workbook_keeps_what_only_another_layout_shows(example_form, editor):
    evaluation = example_form("national")
    evaluation.project.code = "51092324T000010263357"
    evaluation.project.save()
    evaluation.conclusion = "另一表样的评价结论"
    evaluation.save()
    evaluation.indicators.update(nature="≥", unit="个")
    department = evaluation.project.department
    exported = rewritten(evaluation, lambda sheet: sheet.__setitem__("F11", "全部完成。"))

    importing.apply(department, read_back(exported, department), _editor_of(department, editor))

    evaluation.refresh_from_db()
    evaluation.project.refresh_from_db()
    assert evaluation.achieved == "全部完成。"
    assert evaluation.project.code == "51092324T000010263357"
    assert evaluation.conclusion == "另一表样的评价结论"
    assert set(evaluation.indicators.values_list("nature", "unit")) == {("≥", "个")}


def test_a_placeholder_name_beside_real_figures_is_a_row_and_a_name_with_a_dash_is_a_name(
    example_form,
):
    evaluation = example_form("national")
    exported = rewritten(evaluation, lambda sheet: sheet.__setitem__("D13", "指标1："))
    rows = read_back(exported, evaluation.project.department)[0].sheets[0].content["indicators"]
    assert len(rows) == 9
    sichuan = example_form("sichuan")
    renamed = rewritten(sichuan, lambda sheet: sheet.__setitem__("B3", "XM2023001-道路改造"))
    sheet = read_back(renamed, sichuan.project.department)[0].sheets[0]
    assert (sheet.content["project"], sheet.content["project_code"]) == ("XM2023001-道路改造", "")
