"""Word documents (python-docx): the report's headings and paragraphs, its computed tables, and
each form as a table in its layout.

A form's table is drawn from the same rows and cells as its page and its print view
(evaluations/official.py, which walks the layout's declaration): the same labels, values and
merged cells. The styles carry the Chinese fonts as East Asian fonts, which is what Word uses
for Chinese characters (the plain font name only covers Latin text).
"""

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from evaluations import official
from evaluations.excel import layout
from evaluations.templatetags.evaluation_tags import amount, percent, points

BODY_FONT = layout.FONT_NAME  # 宋体, as the official form
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
MARGIN = Cm(1.8)
FORMATS = {official.AMOUNT: amount, official.PERCENT: percent, official.POINTS: points}
NUMBERS = set(FORMATS)
HEADING_SIZES = {1: 16, 2: 14, 3: 12, 4: 10.5}


def _fonts(style, east_asian, latin=LATIN_FONT, size=None, bold=None):
    font = style.font
    font.name = latin
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    # Headings of the default template are coloured; a published report prints black.
    font.color.rgb = None
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    # Theme fonts would win over the names above.
    for theme in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(theme), None)


def document():
    """A blank A4 document whose styles write Chinese in the official fonts."""
    made = Document()
    section = made.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, MARGIN)
    styles = made.styles
    _fonts(styles["Normal"], BODY_FONT, size=10.5)
    _fonts(styles["Title"], HEADING_FONT, size=18, bold=True)
    for level, size in HEADING_SIZES.items():
        _fonts(styles[f"Heading {level}"], HEADING_FONT, size=size, bold=True)
    return made


def text_width(made):
    section = made.sections[-1]
    return section.page_width - section.left_margin - section.right_margin


def heading(made, text, level):
    made.add_heading(text, level=level)


def paragraphs(made, text):
    """A narrative text: one paragraph per line, indented two characters as Chinese prose is."""
    for line in (text or "").splitlines():
        if line.strip():
            paragraph = made.add_paragraph(line.strip())
            paragraph.paragraph_format.first_line_indent = Pt(21)


def figures_table(made, header, rows, numeric=()):
    """A computed table: a header row and rows of already formatted texts; `numeric` are the
    indexes of the columns aligned right."""
    columns = len(header)
    table = made.add_table(rows=1 + len(rows), cols=columns)
    table.style = "Table Grid"
    grid = table._cells  # read once: table.cell() walks the whole table each time
    for column, text in enumerate(header):
        _write(grid[column], text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for index, row in enumerate(rows, start=1):
        for column, text in enumerate(row):
            align = WD_ALIGN_PARAGRAPH.RIGHT if column in numeric else WD_ALIGN_PARAGRAPH.LEFT
            _write(grid[index * columns + column], text, align=align)
    return table


def _write(cell, text, *, bold=False, size=None, align=None):
    paragraph = cell.paragraphs[0]
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run(str(text))
    run.bold = bold or None
    if size:
        run.font.size = Pt(size)
    cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER


def shown(cell):
    """A cell's value as the page shows it."""
    if cell.style in FORMATS:
        return FORMATS[cell.style](cell.value)
    return "" if cell.value is None else str(cell.value)


def placed(rows):
    """(row, column, cell) of every cell of `rows`, placed as a browser places a table's cells:
    left to right, skipping the columns a cell above still spans."""
    taken = set()
    for row_index, row in enumerate(rows):
        column = 0
        for cell in row.cells:
            while (row_index, column) in taken:
                column += 1
            yield row_index, column, cell
            for down in range(cell.rowspan):
                for across in range(cell.colspan):
                    taken.add((row_index + down, column + across))
            column += cell.colspan


def form(made, evaluation, sheet=None):
    """The form as its official sheet: the title lines, then one table in the layout."""
    sheet = sheet or official.sheet(evaluation)
    for row in sheet.head:
        for cell in row.cells:
            if not cell.value:
                continue
            paragraph = made.add_paragraph()
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if cell.style == "note" else WD_ALIGN_PARAGRAPH.CENTER
            )
            run = paragraph.add_run(shown(cell))
            if cell.style == "title":
                run.bold = True
                run.font.size = Pt(layout.TITLE_SIZE)
    columns = len(sheet.widths)
    table = made.add_table(rows=len(sheet.body), cols=columns)
    table.style = "Table Grid"
    table.autofit = False
    width = text_width(made)
    widths = [int(width * float(share) / 100) for share in sheet.widths]
    # python-docx finds a cell by walking the whole table; a form of thirty rows asks for some
    # three hundred, so the grid is read once. Merging keeps the cells outside the merged range
    # as they are, and the official view's cells never overlap.
    grid = table._cells
    for index, cell in enumerate(grid):
        cell.width = widths[index % columns]
    for row_index, column, cell in placed(sheet.body):
        target = grid[row_index * columns + column]
        if cell.rowspan > 1 or cell.colspan > 1:
            last_row = row_index + cell.rowspan - 1
            last_column = min(column + cell.colspan, columns) - 1
            target = target.merge(grid[last_row * columns + last_column])
        if cell.style in NUMBERS:
            align = WD_ALIGN_PARAGRAPH.RIGHT
        elif cell.style in (official.TEXT, "fund-label", "note"):
            align = WD_ALIGN_PARAGRAPH.LEFT
        else:
            align = WD_ALIGN_PARAGRAPH.CENTER
        _write(target, shown(cell), size=layout.BODY_SIZE, align=align)
    return table


def page_break(made):
    made.add_page_break()


def computed(made, table):
    """A computed table of the report (reports/presenter.py), its 合计 row last: names aligned
    left, figures right."""
    if table.caption:
        caption = made.add_paragraph()
        caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
        caption.add_run(table.caption).bold = True
    rows = list(table.rows) + ([table.total] if table.total else [])
    numeric = set(range(table.text_columns, len(table.columns)))
    return figures_table(made, table.columns, rows, numeric)


def report(printed):
    """The report as a document (publishing/printing.py): its title, the outline's headings in
    Word's heading styles (so the navigation pane lists them), the texts and computed tables,
    then the 附表 with every form in its layout, each on a page of its own."""
    made = document()
    made.core_properties.title = printed.title
    made.add_paragraph(printed.title, style="Title")
    for section in printed.sections:
        if section.heading:
            heading(made, section.heading, section.level)
        paragraphs(made, section.text)
        if section.table:
            computed(made, section.table)
    appendix = printed.appendix
    if appendix is not None:
        page_break(made)
        heading(made, appendix.heading, appendix.level)
        if appendix.table:
            computed(made, appendix.table)
        for item in printed.forms:
            page_break(made)
            form(made, item.evaluation, item.sheet)
    return made
