"""Every row of an exported form is tall enough for what it holds when printed
(shared/official-layout.md: at least 14 points per line of 10-point text, lines counted in the
width of the cell's merged range with a CJK character as two widths; stacked vertical labels a
line per character over their merged rows; the title row at least 22 points).

The lines are counted here as the layout document says, not with the code's own wrapping: a
paragraph of width w in a range of width W takes at least ceil(w / W) lines.
"""

import io
import math

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from evaluations.demo.seed import read_seed
from evaluations.excel import layout, writer

POINTS_PER_LINE = 14
# Column widths of each layout's document.
LAYOUT_WIDTHS = {
    "panzhihua": {"A": 5, "B": 7, "C": 9, "D": 26, "E": 24, "F": 18, "G": 10, "H": 24},
    "national": {"A": 5, "B": 9, "C": 11, "D": 24, "E": 16, "F": 16, "G": 7, "H": 9, "I": 24},
    "sichuan": {
        **{"A": 5, "B": 9, "C": 11, "D": 22, "E": 8, "F": 12},
        **{"G": 8, "H": 12, "I": 7, "J": 7, "K": 22},
    },
}
WIDTHS = LAYOUT_WIDTHS["panzhihua"]
SEED_PROJECTS = [form["project"] for form in read_seed()["forms"]]


def width_of(text):
    return sum(1 if ord(char) < 0x1100 else 2 for char in text)


def lines_at_least(text, width):
    return sum(max(1, math.ceil(width_of(part) / width)) for part in text.splitlines() or [""])


def ranges_of(sheet):
    """(first column, first row, last column, last row) of every cell's range, by its corner."""
    found = {}
    for merged in sheet.merged_cells.ranges:
        first_column, first_row, last_column, last_row = range_boundaries(str(merged))
        found[(first_row, first_column)] = (first_column, first_row, last_column, last_row)
    return found


def height(sheet, row):
    value = sheet.row_dimensions[row].height
    assert value is not None, f"row {row} has no height of its own"
    return value


def needs(sheet, widths=WIDTHS):
    """(first row, last row, points needed, what) for every text of the sheet."""
    ranges = ranges_of(sheet)
    found = []
    for row in sheet.iter_rows():
        for cell in row:
            if not isinstance(cell.value, str) or not cell.value:
                continue
            first_column, first_row, last_column, last_row = ranges.get(
                (cell.row, cell.column), (cell.column, cell.row, cell.column, cell.row)
            )
            width = sum(
                widths[get_column_letter(column)] for column in range(first_column, last_column + 1)
            )
            if cell.alignment.textRotation == 255:
                lines = len("".join(cell.value.split()))
            else:
                lines = lines_at_least(cell.value, width)
            found.append((first_row, last_row, lines * POINTS_PER_LINE, cell.coordinate))
    return found


@pytest.fixture
def sheet_of_seed(make_form):
    def make(project):
        content = writer.form_workbook(make_form(project))
        return load_workbook(io.BytesIO(content)).worksheets[0]

    return make


@pytest.mark.parametrize("project", SEED_PROJECTS)
def test_every_row_of_every_demo_form_is_tall_enough_for_its_wrapped_texts(sheet_of_seed, project):
    sheet = sheet_of_seed(project)
    short = [
        (what, first, last, needed)
        for first, last, needed, what in needs(sheet)
        if sum(height(sheet, row) for row in range(first, last + 1)) < needed
    ]
    assert short == []
    assert all(height(sheet, row) >= POINTS_PER_LINE for row in range(1, sheet.max_row + 1))


@pytest.mark.parametrize("project", SEED_PROJECTS)
def test_the_vertical_labels_fit_in_the_rows_they_span(sheet_of_seed, project):
    sheet = sheet_of_seed(project)
    stacked = {
        sheet[what].value: sum(height(sheet, row) for row in range(first, last + 1))
        for first, last, _needed, what in needs(sheet)
        if sheet[what].alignment.textRotation == 255
    }
    assert set(stacked) == {"年度总体目标", "绩效指标"}
    for label, points in stacked.items():
        assert points >= len(label) * POINTS_PER_LINE, label


def test_the_title_row_is_at_least_22_points(sheet_of_seed):
    assert height(sheet_of_seed("干部队伍建设经费"), 1) >= 22


def test_the_long_texts_of_干部队伍建设经费_make_their_rows_several_lines_tall(sheet_of_seed):
    sheet = sheet_of_seed("干部队伍建设经费")
    # The goal: 143 characters in B:E (width 66) is at least five lines.
    assert height(sheet, 12) >= 5 * POINTS_PER_LINE
    tallest = max(height(sheet, row) for row in range(14, sheet.max_row + 1))
    assert tallest >= 6 * POINTS_PER_LINE


def test_a_single_indicator_row_still_holds_the_stacked_绩效指标(make_form):
    evaluation = make_form("党员教育培训经费")
    evaluation.indicators.exclude(pk=evaluation.indicators.first().pk).delete()
    sheet = load_workbook(io.BytesIO(writer.form_workbook(evaluation))).worksheets[0]
    assert height(sheet, 13) + height(sheet, 14) >= 4 * POINTS_PER_LINE


@pytest.mark.parametrize(
    ("text", "width", "lines"),
    [
        ("组" * 12, 24, 1),  # a column of width 24 holds 12 Chinese characters a line
        ("组" * 13, 24, 2),
        ("第一行\n第二行", 24, 2),
        ("performance evaluation", 12, 2),  # words are not broken in the middle
        ("x" * 30, 12, 3),  # unless one is longer than the cell
    ],
)
def test_lines_are_counted_with_a_cjk_character_as_two_widths(text, width, lines):
    assert layout.wrapped_lines(text, width) == lines


# The scored layouts, with their published examples and with texts long enough to wrap.
LONG = "项目实施过程中严格按照预算执行，" * 12


@pytest.fixture
def long_example(example_form):
    def make(key):
        evaluation = example_form(key)
        for name in ("goal", "achieved", "process_summary", "conclusion", "execution_reason"):
            setattr(evaluation, name, LONG)
        evaluation.save()
        evaluation.indicators.update(name=LONG[:80], reason=LONG[:120])
        return evaluation

    return make


def sheet_and_widths(evaluation, key):
    sheet = load_workbook(io.BytesIO(writer.form_workbook(evaluation))).worksheets[0]
    return sheet, LAYOUT_WIDTHS[key]


@pytest.mark.parametrize("key", ["national", "sichuan"])
@pytest.mark.parametrize("long", [False, True], ids=["published", "long texts"])
def test_every_row_of_a_scored_layout_is_tall_enough_for_its_texts(
    example_form, long_example, key, long
):
    evaluation = (long_example if long else example_form)(key)
    sheet, widths = sheet_and_widths(evaluation, key)
    short = [
        (what, first, last, needed)
        for first, last, needed, what in needs(sheet, widths)
        if sum(height(sheet, row) for row in range(first, last + 1)) < needed
    ]
    assert short == []
    assert height(sheet, 2 if key == "sichuan" else 1) >= 22


@pytest.mark.parametrize(
    ("key", "labels"),
    [
        ("national", {"项目资金（万元）", "年度总体目标", "绩效指标"}),
        ("sichuan", {"项目基本情况", "预算执行情况(10分)", "绩效指标(90分)"}),
    ],
)
def test_the_vertical_labels_of_a_scored_layout_fit_in_the_rows_they_span(
    example_form, key, labels
):
    sheet, widths = sheet_and_widths(example_form(key), key)
    stacked = {
        sheet[what].value: sum(height(sheet, row) for row in range(first, last + 1))
        for first, last, _needed, what in needs(sheet, widths)
        if sheet[what].alignment.textRotation == 255
    }
    assert set(stacked) == labels
    for label, points in stacked.items():
        assert points >= len(label) * POINTS_PER_LINE, label
