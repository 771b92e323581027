"""结果通报 as a workbook: its title above the table, landscape, one page wide, the header row
again on every page."""

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from evaluations import results
from evaluations.excel import layout

WIDTHS = {"department": 36}
DEFAULT_WIDTH = 12


def render(table):
    """The bytes of the table's workbook."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = "结果通报"
    columns = results.COLUMNS
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    ws.append([f"{table.bureau.name}{table.year.year}年度部门预算项目支出绩效自评结果通报"])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws["A1"].font = Font(name=layout.FONT_NAME, size=layout.TITLE_SIZE, bold=True)
    ws["A1"].alignment = Alignment(horizontal="center", vertical="center")
    ws.row_dimensions[1].height = 30
    ws.append([str(label) for _key, label in columns])
    for line in table.lines:
        row = []
        for key, _label in columns:
            value = line.value(key)
            if key == "department":
                value = line.department.name
            elif key == "execution":
                value = None if value is None else value / 100
            row.append(value)
        ws.append(row)
    for index, (key, _label) in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = WIDTHS.get(key, DEFAULT_WIDTH)
        for cell in ws[letter][1:]:
            cell.font = Font(name=layout.FONT_NAME, size=layout.BODY_SIZE, bold=cell.row == 2)
            cell.border = border
            cell.alignment = Alignment(
                horizontal="left" if key == "department" or cell.row == 2 else "right",
                vertical="center",
                wrap_text=True,
            )
            if key == "execution" and cell.row > 2:
                cell.number_format = layout.PERCENT_FORMAT
    # Spreadsheets do not grow rows for text they wrap but did not write themselves.
    widths = [WIDTHS.get(key, DEFAULT_WIDTH) for key, _label in columns]
    for number, cells in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        height = layout.row_height(
            [(str(value), width) for value, width in zip(cells, widths, strict=True) if value]
        )
        if height:
            ws.row_dimensions[number].height = height
    ws.print_title_rows = "2:2"
    ws.freeze_panes = "B3"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
