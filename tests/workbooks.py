"""Reading a written workbook's layout back as a spreadsheet program sees it."""

from openpyxl.utils import get_column_letter


def column_widths(sheet):
    """{letter: width} of every column given a width. A workbook may declare neighbouring
    columns of one width as one range (`<col min="5" max="6">`), which openpyxl files under
    the first letter only."""
    widths = {}
    for dimension in sheet.column_dimensions.values():
        if dimension.customWidth or dimension.width:
            for column in range(dimension.min, dimension.max + 1):
                widths[get_column_letter(column)] = dimension.width
    return widths
