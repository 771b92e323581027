"""An upload costs what its limits allow and no more: it is counted before openpyxl parses it,
refused early with a message that names what is too large, and within the limits every row of a
sheet is read."""

import io
import zipfile

import pytest
from django.utils import translation
from openpyxl import Workbook, load_workbook

from evaluations import importing
from evaluations.excel.screening import WorkbookRefused, screen
from evaluations.models import Evaluation

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def preview(department, content, name="f.xlsx"):
    return importing.plan(department, importing.read_files([(name, content)]))


def with_sheet_xml(sheet_xml, rows_xml=None):
    """A workbook of one sheet whose XML is `sheet_xml`, or whose <sheetData> holds `rows_xml`."""
    out = io.BytesIO()
    Workbook().save(out)
    if sheet_xml is None:
        sheet_xml = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><sheetData>'
            f"{rows_xml}</sheetData></worksheet>"
        )
    return with_member(out.getvalue(), "xl/worksheets/sheet1.xml", sheet_xml.encode())


def with_member(content, member_name, data):
    """The workbook with `member_name` replaced by, or added as, `data`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            body = data if member.filename == member_name else source.read(member)
            archive.writestr(member.filename, body)
        if member_name not in source.namelist():
            archive.writestr(member_name, data)
    return out.getvalue()


def with_shared_strings(content, texts):
    """The workbook with a shared string table of these texts, declared as Excel does."""
    table = "".join(f"<si><t>{text}</t></si>" for text in texts)
    strings = f'<sst xmlns="{MAIN}" count="{len(texts)}" uniqueCount="{len(texts)}">{table}</sst>'
    types = zipfile.ZipFile(io.BytesIO(content)).read("[Content_Types].xml")
    override = (
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    )
    content = with_member(content, "[Content_Types].xml", types.replace(b"</Types>", override))
    return with_member(content, "xl/sharedStrings.xml", strings.encode())


def edited(content, edit):
    workbook = load_workbook(io.BytesIO(content))
    edit(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def problems(plan):
    return plan.problems()


# Item: the 1.8 million cells of one row


def test_a_row_of_1_8_million_cells_is_refused_before_it_is_parsed(department):
    row = "<c><v>7</v></c>" * 1_800_000
    content = with_sheet_xml(None, f'<row r="1">{row}</row>')

    plan = preview(department, content, "wide.xlsx")

    assert not plan.ok
    assert problems(plan) == [
        "wide.xlsx: wide.xlsx is refused: sheet “Sheet” has more than 16,384 cells in row 1; "
        "at most 16,384 cells of a row are read."
    ]


def two_sheets(downloaded_form):
    """The form twice, with a table of shared strings as Excel writes them."""

    def copy(workbook):
        workbook.copy_worksheet(workbook.worksheets[0])

    return with_shared_strings(
        edited(downloaded_form, copy), [f"说明{number}" for number in range(30)]
    )


@pytest.mark.parametrize(
    ("setting", "limit", "message"),
    [
        ("IMPORT_MAX_ROW_CELLS", 7, "sheet “党员教育培训经费” has more than 7 cells in row 3"),
        ("IMPORT_MAX_CELLS", 150, "has more than 150 cells; at most 150 cells of a workbook"),
        ("IMPORT_MAX_SHEETS", 1, "has more than 1 sheets; at most 1 sheets of a workbook"),
        ("IMPORT_MAX_STRINGS", 20, "has more than 20 different texts; at most 20 texts"),
        ("IMPORT_MAX_TEXT", 500, "has more than 500 characters of text; at most 500"),
        ("IMPORT_MAX_ELEMENTS", 200, "has more than 200 XML elements ("),
    ],
)
def test_each_count_refuses_the_file_as_soon_as_it_passes_its_limit_and_names_it(
    settings, department, downloaded_form, setting, limit, message
):
    setattr(settings, setting, limit)

    plan = preview(department, two_sheets(downloaded_form))

    assert not plan.ok
    assert len(problems(plan)) == 1
    assert message in problems(plan)[0], problems(plan)


def test_within_the_limits_both_sheets_are_read(department, downloaded_form):
    plan = preview(department, two_sheets(downloaded_form))
    assert len(plan.steps) == 2
    assert not plan.file_problems


def test_a_doctype_anywhere_in_a_part_is_refused(department, downloaded_form):
    source = zipfile.ZipFile(io.BytesIO(downloaded_form))
    workbook_xml = source.read("xl/workbook.xml").split(b"?>", 1)[-1]
    # Far past the first kilobytes, behind a comment.
    late = b"<!--" + b"x" * 10_000 + b'--><!DOCTYPE x [<!ENTITY a "a">]>' + workbook_xml
    plan = preview(department, with_member(downloaded_form, "xl/workbook.xml", late))
    assert not plan.ok
    assert "is damaged or not a workbook" in problems(plan)[0]


def test_xml_that_is_not_well_formed_is_a_damaged_file(department, downloaded_form):
    plan = preview(
        department, with_member(downloaded_form, "xl/styles.xml", b"<styleSheet><numFmts>")
    )
    assert "is damaged or not a workbook" in problems(plan)[0]


# Item: every row is read, or the sheet is refused saying why


def test_indicator_rows_far_down_the_sheet_are_all_read(downloaded_form, department, editor):
    def push_down(workbook):
        sheet = workbook.worksheets[0]
        for merged in [str(m) for m in sheet.merged_cells.ranges]:
            sheet.unmerge_cells(merged)
        sheet.insert_rows(20, 2000)

    plan = preview(department, edited(downloaded_form, push_down))
    assert plan.ok, problems(plan)
    importing.apply(department, plan.workbooks, editor)

    assert Evaluation.objects.get().indicators.count() == 11


def test_rows_are_read_whatever_the_sheet_says_its_dimension_is(
    downloaded_form, department, editor
):
    source = zipfile.ZipFile(io.BytesIO(downloaded_form))
    sheet = source.read("xl/worksheets/sheet1.xml")
    lying = sheet.replace(b"<sheetViews>", b'<dimension ref="A1:H3"/><sheetViews>', 1)

    plan = preview(department, with_member(downloaded_form, "xl/worksheets/sheet1.xml", lying))
    importing.apply(department, plan.workbooks, editor)

    assert Evaluation.objects.get().indicators.count() == 11


def test_a_sheet_with_values_below_the_last_row_read_is_refused_naming_the_row(
    settings, downloaded_form, department
):
    settings.IMPORT_MAX_ROWS = 100

    plan = preview(
        department, edited(downloaded_form, lambda wb: wb.worksheets[0].cell(150, 4, "备注"))
    )

    assert not plan.ok
    assert problems(plan) == [
        "f.xlsx: Sheet 1: Values go down to row 150; at most 100 rows of a sheet are read. "
        "Delete what is below the form, or move it to another sheet."
    ]


def test_shared_strings_are_counted_wherever_the_content_types_put_them(settings, downloaded_form):
    settings.IMPORT_MAX_STRINGS = 20
    content = with_shared_strings(downloaded_form, [f"说明{number}" for number in range(30)])
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in source.infolist():
            body = source.read(member).replace(b"/xl/sharedStrings.xml", b"/xl/strings.bin")
            name = member.filename.replace("sharedStrings.xml", "strings.bin")
            archive.writestr(name, body)

    with pytest.raises(WorkbookRefused, match="more than 20 different texts"):
        screen(out.getvalue(), "f.xlsx")
