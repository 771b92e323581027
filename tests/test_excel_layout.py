"""The exported worksheet, cell for cell, against the official layout (shared/official-layout.md).

The expectations are written out here from the layout document, not taken from the code's own
cell map, so that a change to the map shows up as a failing test.
"""

import io
import re
import zipfile

import pytest
from openpyxl import load_workbook

from evaluations.excel import writer
from evaluations.models import Evaluation, Indicator, Project
from tests.workbooks import column_widths

# 党员教育培训经费: 30 万元 from 本级财政资金, 15.71 spent, eleven indicators (rows 14 to 24).
LABELS = {
    "A1": "部门预算项目支出绩效自评表",
    "A2": "（2023年度）",
    "A3": "项目名称",
    "D3": "党员教育培训经费",
    "A4": "项目主管单位",
    "A5": "项目实施单位",
    "A6": "项目资金（万元）",
    "E6": "全年预算数",
    "F6": "实际完成数",
    "G6": "执行率（%）",
    "D7": "年度资金总额：",
    "D8": "其中：上级财政资金",
    "D9": "本级财政资金",
    "D10": "其他资金",
    "A11": "年度总体目标",
    "B11": "年度设定目标",
    "F11": "实际完成情况",
    "A13": "绩效指标",
    "B13": "一级指标",
    "C13": "二级指标",
    "D13": "三级指标",
    "E13": "年度设定指标值",
    "F13": "实际完成值",
    "G13": "完成率（%）",
    "H13": "未完成原因和改进措施",
    "B14": "产出指标",
    "C14": "数量指标",
    "C17": "质量指标",
    "C18": "时效指标",
    "B19": "成本指标",
    "C19": "经济成本指标",
    "B20": "效益指标",
    "C20": "社会效益指标",
    "B24": "满意度指标",
    "C24": "满意度指标",
}
MERGES = {
    "A1:H1",
    "A2:H2",
    "A3:C3",
    "D3:H3",
    "A4:C4",
    "D4:H4",
    "A5:C5",
    "D5:H5",
    "A6:C10",
    "G6:H6",
    "G7:H7",
    "G8:H8",
    "G9:H9",
    "G10:H10",
    "A11:A12",
    "B11:E11",
    "F11:H11",
    "B12:E12",
    "F12:H12",
    "A13:A24",
    # 产出指标 has five rows: 数量指标 three, 质量 and 时效 one each (one row is not merged).
    "B14:B18",
    "C14:C16",
    # 成本指标 and 满意度指标 have one row each; 效益指标 four, all 社会效益指标.
    "B20:B23",
    "C20:C23",
}
WIDTHS = {"A": 5, "B": 7, "C": 9, "D": 26, "E": 24, "F": 18, "G": 10, "H": 24}


def sheet_of(content):
    return load_workbook(io.BytesIO(content)).worksheets[0]


@pytest.fixture
def download(client_for, editor):
    def get(evaluation):
        response = client_for(editor).get(f"/evaluations/{evaluation.pk}/excel/")
        assert response.status_code == 200
        return sheet_of(response.content)

    return get


@pytest.fixture
def sheet(download, evaluation):
    return download(evaluation)


@pytest.fixture
def written_cells(client_for, editor, evaluation):
    """Every cell as written, styles included: a normal load restyles cells inside merges."""
    content = client_for(editor).get(f"/evaluations/{evaluation.pk}/excel/").content
    worksheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
    return {
        cell.coordinate: cell
        for row in worksheet.iter_rows()
        for cell in row
        if hasattr(cell, "coordinate")
    }


@pytest.mark.parametrize(("cell", "label"), LABELS.items())
def test_each_label_and_heading_sits_in_its_cell(sheet, cell, label):
    assert sheet[cell].value == label


def test_the_merged_ranges_are_exactly_those_of_the_layout(sheet):
    assert {str(merged) for merged in sheet.merged_cells.ranges} == MERGES


def test_nothing_follows_the_last_indicator_row(sheet):
    assert sheet.max_row == 24


def test_the_units_and_goals_are_in_the_merged_value_cells(sheet, evaluation):
    assert (sheet["D4"].value, sheet["D5"].value) == (
        evaluation.supervising_unit,
        evaluation.implementing_unit,
    )
    assert (sheet["B12"].value, sheet["F12"].value) == (evaluation.goal, evaluation.achieved)


def test_amounts_are_numbers_with_two_decimals(sheet):
    cells = [sheet["E7"], sheet["F7"], sheet["E9"], sheet["F9"]]
    assert [cell.value for cell in cells] == [30, 15.71, 30, 15.71]
    assert {cell.number_format for cell in cells} == {"#,##0.00"}
    assert {cell.data_type for cell in cells} == {"n"}


def test_a_fund_source_without_money_is_blank_not_zero(sheet):
    assert [sheet[cell].value for cell in ("E8", "F8", "G8", "E10", "F10", "G10")] == [None] * 6


def test_the_execution_rate_is_actual_over_budget_as_a_percentage(sheet):
    assert (sheet["G7"].value, sheet["G7"].number_format) == (0.5237, "0.00%")
    assert sheet["G9"].value == 0.5237


def test_the_execution_rate_is_blank_where_the_budget_is_zero(download, evaluation):
    evaluation.fund_lines.filter(source__name="本级财政资金").update(budget=0)
    assert download(evaluation)["G9"].value is None


def test_completion_rates_are_numbers_formatted_as_percentages(sheet):
    assert (sheet["G19"].value, sheet["G19"].number_format) == (0.5237, "0.00%")
    assert (sheet["G14"].value, sheet["G14"].number_format) == (1, "0.00%")


def test_a_completion_rate_not_given_is_blank(download, evaluation):
    evaluation.indicators.filter(name="党员教育培训经费").update(completion_rate=None)
    assert download(evaluation)["G19"].value is None


def test_targets_and_actual_values_are_text_cells_even_when_they_look_like_numbers(
    download, evaluation
):
    evaluation.indicators.filter(name="党员教育培训经费").update(target="30", actual="15.71")
    sheet = download(evaluation)
    assert (sheet["E19"].value, sheet["F19"].value) == ("30", "15.71")
    values = [sheet.cell(row, column) for row in range(14, 25) for column in (5, 6)]
    assert {cell.data_type for cell in values} == {"s"}


@pytest.mark.parametrize("text", ["=SUM(A1:A9)", "+86 812", "-5%", "@提醒"])
def test_text_that_looks_like_a_formula_stays_text(download, evaluation, text):
    evaluation.indicators.filter(name="党员教育培训经费").update(target=text, reason=text)
    evaluation.goal = text
    evaluation.save()
    sheet = download(evaluation)
    for cell in ("E19", "H19", "B12"):
        assert (sheet[cell].value, sheet[cell].data_type) == (text, "s")


def test_no_cell_of_the_sheet_is_a_formula(client_for, editor, evaluation):
    evaluation.indicators.update(target="=1+1")
    content = client_for(editor).get(f"/evaluations/{evaluation.pk}/excel/").content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert re.search(rb"<f[ >]", xml) is None


def test_rows_are_grouped_by_taxonomy_order_whatever_order_they_were_entered_in(
    download, evaluation
):
    # The 满意度 row first, the cost row last: the sheet still follows the taxonomy.
    Indicator.objects.filter(evaluation=evaluation, name="服务对象满意率").update(position=0)
    Indicator.objects.filter(evaluation=evaluation, name="党员教育培训经费").update(position=99)
    sheet = download(evaluation)
    assert [sheet.cell(row, 2).value for row in (14, 19, 20, 24)] == [
        "产出指标",
        "成本指标",
        "效益指标",
        "满意度指标",
    ]


def test_三级_rows_keep_the_order_the_department_entered_them_in(download, evaluation):
    Indicator.objects.filter(evaluation=evaluation, name="提高党员教育质量").update(position=0)
    sheet = download(evaluation)
    assert sheet["D20"].value == "提高党员教育质量"


def test_the_title_is_宋体_16_bold_and_everything_else_宋体_10(written_cells):
    # The title's merged range is row 1 (the empty cells of a range carry its style).
    title_range = [
        written_cells.pop(name) for name in list(written_cells) if re.fullmatch("[A-Z]+1", name)
    ]
    title = title_range[0].font
    assert (title.name, title.sz, title.b) == ("宋体", 16, True)
    assert {cell.font.sz for cell in title_range} == {16}
    assert {(cell.font.name, cell.font.sz) for cell in written_cells.values()} == {("宋体", 10)}


def test_every_cell_from_row_3_to_the_last_is_written_with_thin_borders(written_cells):
    expected = {f"{column}{row}" for row in range(3, 25) for column in "ABCDEFGH"}
    assert expected <= set(written_cells)
    sides = {
        side.style
        for name in expected
        for side in (
            written_cells[name].border.left,
            written_cells[name].border.right,
            written_cells[name].border.top,
            written_cells[name].border.bottom,
        )
    }
    assert sides == {"thin"}


def test_the_title_rows_have_no_border(sheet):
    assert sheet["A1"].border.left.style is None
    assert sheet["A2"].border.bottom.style is None


def test_text_wraps_everywhere(written_cells):
    assert all(cell.alignment.wrap_text for cell in written_cells.values())


def test_labels_are_centred_and_long_texts_left_aligned_and_vertically_centred(sheet):
    assert sheet["A3"].alignment.horizontal == "center"
    assert sheet["B14"].alignment.horizontal == "center"
    assert (sheet["B12"].alignment.horizontal, sheet["B12"].alignment.vertical) == (
        "left",
        "center",
    )
    assert sheet["D14"].alignment.horizontal == "left"


def test_the_section_labels_are_stacked_vertical_text(sheet):
    assert sheet["A11"].alignment.textRotation == 255
    assert sheet["A13"].alignment.textRotation == 255


@pytest.mark.parametrize(("column", "width"), WIDTHS.items())
def test_column_widths_are_those_of_the_layout(sheet, column, width):
    assert column_widths(sheet)[column] == width


def test_the_page_is_a4_portrait_one_page_wide_with_narrow_margins(sheet):
    setup = sheet.page_setup
    assert (setup.paperSize, setup.orientation) == (9, "portrait")
    # One page wide is the default of fitToWidth, which a workbook may leave unwritten.
    assert (
        sheet.sheet_properties.pageSetUpPr.fitToPage,
        setup.fitToWidth or 1,
        setup.fitToHeight,
    ) == (True, 1, 0)
    margins = sheet.page_margins
    assert (margins.left, margins.right, margins.top, margins.bottom) == (0.25, 0.25, 0.75, 0.75)
    assert sheet.print_title_rows is None


def test_the_sheet_is_named_after_the_project(sheet):
    assert sheet.title == "党员教育培训经费"


def test_sheet_names_drop_forbidden_characters_are_cut_to_31_and_made_unique(
    department, evaluation
):
    long_name = "关于[2023]年度/党员:教育*培训?经费\\的专项资金使用情况绩效自评（第一批次项目）"
    for suffix in ("甲", "乙"):
        project = Project.objects.create(department=department, name=long_name + suffix)
        form = Evaluation.objects.get(pk=evaluation.pk)
        form.pk = None
        form.project = project
        form.save()
    exported = b"".join(writer.zip_chunks(Evaluation.objects.all()))
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        workbook = load_workbook(io.BytesIO(archive.read(writer.department_file_name(department))))
    cleaned = "关于2023年度党员教育培训经费的专项资金使用情况绩效自评（第一批次项目）"
    assert workbook.sheetnames == ["党员教育培训经费", cleaned[:31], cleaned[:28] + "(2)"]
