"""Forms as workbooks in the official layout: one form, one worksheet.

Every workbook is written in openpyxl's write-only mode, so that a workbook of a thousand forms
streams its rows to disk instead of holding them in memory. A whole export is a .zip of one
workbook per department and 汇总表.xlsx, produced chunk by chunk (see `zip_chunks`).
"""

import io
import re
import tempfile
import zipfile

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.packaging.custom import IntProperty
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from config.texts import multi_line
from departments.models import Department
from evaluations import content, scorecard
from evaluations.excel import drawing, layout
from evaluations.excel.file_names import file_name
from evaluations.models import HUNDRED, Evaluation, FundLine, Indicator, SettingsCache
from evaluations.money import Funds

SUMMARY_NAME = "汇总表.xlsx"
SUMMARY_TITLE = "部门预算项目支出绩效自评汇总表"
# Read and sent in pieces this size, so that the browser's progress moves while a file is sent.
CHUNK = 256 * 1024
# Forms fetched from the database at a time while a workbook is written.
BATCH = 200
# Excel reads `_x000D_` in a cell as the character it names; an underscore that opens such a
# sequence in what someone wrote is itself written as `_x005F_`, as Excel does.
_LOOKS_ESCAPED = re.compile("_(?=x[0-9A-Fa-f]{4}_)")
CELL_MAX = 32767


def with_content(evaluations):
    """The queryset with everything a sheet shows fetched in a few queries."""
    return evaluations.select_related("project__department", "year__edition").prefetch_related(
        Prefetch("fund_lines", FundLine.objects.order_by()),
        Prefetch(
            "indicators",
            Indicator.objects.select_related("category__parent").order_by("position", "id"),
        ),
    )


def _text(value):
    """User text as a cell value: never a character XML or Excel refuses, and what Excel shows
    is what was written. (Cells written with text=True are never formulas either.)

    Forms saved under the current rules hold nothing to remove; rows saved before could.
    """
    if value is None:
        return None
    text = _LOOKS_ESCAPED.sub("_x005F_", multi_line(value))
    return text[:CELL_MAX] or None


def _fraction(percent):
    """A percentage as the fraction a `0.00%` cell holds: 52.37 → 0.5237."""
    return None if percent is None else percent / HUNDRED


class _Styles:
    """The cell styles of the layout, registered once per workbook and copied onto each cell.

    Setting font, border and alignment on every cell would hash each style object per cell;
    copying a prepared style array is what keeps styled writing near plain writing in speed.
    """

    def __init__(self, ws):
        thin = Side(style="thin")
        border = Border(left=thin, right=thin, top=thin, bottom=thin)
        body = Font(name=layout.FONT_NAME, size=layout.BODY_SIZE)
        centred = Alignment(horizontal="center", vertical="center", wrap_text=True)
        left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        numbers = Alignment(horizontal="right", vertical="center", wrap_text=True)
        self.title = self._style(
            ws, Font(name=layout.FONT_NAME, size=layout.TITLE_SIZE, bold=True), centred
        )
        self.subtitle = self._style(ws, body, centred)
        self.note = self._style(
            ws,
            Font(name=layout.FONT_NAME, size=layout.NOTE_SIZE),
            Alignment(horizontal="left", vertical="center", wrap_text=True),
        )
        self.label = self._style(ws, body, centred, border)
        self.vertical = self._style(
            ws,
            body,
            Alignment(horizontal="center", vertical="center", wrap_text=True, textRotation=255),
            border,
        )
        self.text = self._style(ws, body, left, border)
        self.amount = self._style(ws, body, numbers, border, layout.AMOUNT_FORMAT)
        self.percent = self._style(ws, body, numbers, border, layout.PERCENT_FORMAT)
        self.points = self._style(ws, body, numbers, border, layout.POINTS_FORMAT)
        self.number = self._style(ws, body, numbers, border)
        self.header = self._style(
            ws, Font(name=layout.FONT_NAME, size=layout.BODY_SIZE, bold=True), centred, border
        )

    def text_of(self, cell):
        """The cell's text as row heights see it; None for a number or an empty cell."""
        if cell is None or not isinstance(cell.value, str):
            return None
        style = cell._style
        if style == self.title:
            return layout.Text(cell.value, size=layout.TITLE_SIZE)
        if style == self.note:
            return layout.Text(cell.value, size=layout.NOTE_SIZE)
        return layout.Text(cell.value, stacked=style == self.vertical)

    def of(self, kind):
        """The style of a kind of cell of evaluations/excel/drawing.py."""
        return getattr(self, kind)

    @staticmethod
    def _style(ws, font, alignment, border=None, number_format=None):
        cell = Cell(ws)
        cell.font = font
        cell.alignment = alignment
        if border:
            cell.border = border
        if number_format:
            cell.number_format = number_format
        return cell._style


class _Sheet:
    """Cells of one worksheet in write-only mode, kept until the form is whole: a row's height
    depends on the texts of the rows a merged label spans with it."""

    def __init__(self, ws, styles, widths, shared):
        self.ws = ws
        self.styles = styles
        self.widths = widths
        self.rows = []
        self._shared = shared

    def cell(self, value, style, *, text=False):
        if value is None or (isinstance(value, str) and not text):
            return self.shared(value, style)
        # Row and column are set when the row is written; a placeholder keeps repr() working.
        cell = Cell(self.ws, row=1, column=1, value=value, style_array=style)
        if text:
            # A department's `=1+1` or `-5%` is what they wrote, not something to compute.
            cell.data_type = "s"
        return cell

    def shared(self, value, style):
        """A cell of the layout's own (a label, or empty), one object for the whole workbook:
        a write-only sheet writes a cell out as soon as its row is appended, having given it
        that row and column, so one object serves every form's 项目名称 label, and every
        empty part of a merged range of a style (more than half of a form's cells)."""
        key = (value, bytes(style))
        if key not in self._shared:
            self._shared[key] = Cell(self.ws, row=1, column=1, value=value, style_array=style)
        return self._shared[key]

    def append(self, cells):
        self.rows.append(cells)

    def write(self, merges):
        """Every row, each as tall as its texts need in their cells, and the merges."""
        texts = [[self.styles.text_of(cell) for cell in cells] for cells in self.rows]
        for number, (cells, height) in enumerate(
            zip(self.rows, layout.row_heights(texts, merges, self.widths), strict=True), start=1
        ):
            self.ws.row_dimensions[number].height = height
            self.ws.append(cells)
        # All at once: adding ranges one by one compares each with all added before.
        self.ws.merged_cells = MultiCellRange(" ".join(merges))


def _page_setup(ws, widths):
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    _print_setup(ws, "portrait")


def _print_setup(ws, orientation):
    """A4 in `orientation`, as many pages down as it takes but one page wide."""
    ws.page_setup.orientation = orientation
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_margins = PageMargins(
        left=0.25, right=0.25, top=0.75, bottom=0.75, header=0.3, footer=0.3
    )
    ws.print_options.horizontalCentered = True


class FormWriter:
    """Writes forms into one workbook, one worksheet each, in the official layout."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)
        self._taxonomies = {}
        self._settings = SettingsCache()
        self._sheet_names = set()
        self._styles = None
        self._shared = {}
        self.count = 0

    def taxonomy(self, edition):
        if edition.pk not in self._taxonomies:
            self._taxonomies[edition.pk] = layout.Taxonomy(edition)
        return self._taxonomies[edition.pk]

    def add(self, evaluation):
        """A worksheet for the form in its layout; returns its funds (totals and rates) for
        the summary."""
        self._settings.attach(evaluation)
        settings = evaluation.year_settings
        taxonomy = self.taxonomy(settings.edition)
        form_layout = settings.form_layout
        ws = self.workbook.create_sheet(
            layout.sheet_name(evaluation.project.name, self._sheet_names)
        )
        if self._styles is None:
            self._styles = _Styles(ws)
        _page_setup(ws, form_layout.widths)
        filled = content.of(evaluation, sources=taxonomy.sources)
        drawn = drawing.draw(
            drawing.Form(
                form_layout,
                evaluation.year_id,
                filled,
                taxonomy.sources,
                scorecard.of_content(filled, settings.scoring_rules),
            )
        )
        self._write(_Sheet(ws, self._styles, form_layout.widths, self._shared), drawn)
        _mark_version(self.workbook, evaluation)
        # Closing now writes the sheet out and frees its file handle: a workbook of a thousand
        # forms would otherwise hold a thousand files open until it is saved.
        ws.close()
        self.count += 1
        return Funds(taxonomy.sources, evaluation.fund_lines.all()), len(filled.indicators)

    def _write(self, sheet, drawn):
        styles = self._styles
        for cells in drawn.rows():
            row = []
            for item in cells:
                if item is None:
                    row.append(None)
                    continue
                style = styles.of(item.kind)
                value = _text(item.value) if item.text else item.value
                row.append(sheet.cell(value, style, text=item.text))
            sheet.append(row)
        sheet.write(drawn.merges)

    def discard(self):
        _discard(self.workbook)

    def save(self, target):
        if not self.workbook.worksheets:
            # An empty workbook is not a valid file; say so in the one sheet it has.
            ws = self.workbook.create_sheet(layout.TITLE)
            ws.append([_("No forms.")])
        self.workbook.save(target)


def _mark_version(workbook, evaluation):
    name = layout.version_property(evaluation.pk)
    workbook.custom_doc_props.append(IntProperty(name=name, value=evaluation.version))


def _discard(workbook):
    """Remove the temporary files of a write-only workbook that will never be saved.

    openpyxl deletes them when it saves and otherwise only when the process exits; a download
    the user cancels must not leave them behind on a long-running server.
    """
    for ws in workbook.worksheets:
        if ws._writer is None:
            continue
        if not ws.closed:
            ws.close()
        ws._writer.cleanup()


def write_forms(evaluations, target):
    """All the forms of a queryset into one workbook at `target` (a path or a binary file)."""
    writer = FormWriter()
    for evaluation in with_content(evaluations).iterator(chunk_size=BATCH):
        writer.add(evaluation)
    writer.save(target)
    return writer.count


def form_workbook(evaluation):
    """One form as the bytes of a workbook."""
    buffer = io.BytesIO()
    write_forms(Evaluation.objects.filter(pk=evaluation.pk), buffer)
    return buffer.getvalue()


def form_file_name(evaluation):
    return file_name(f"{evaluation.project.name}（{evaluation.year_id}）", "xlsx")


class Summary:
    """汇总表.xlsx: one row per exported form, written as the forms are.

    It prints as a report: its title above the table, landscape and one page wide, the header
    row again at the top of every page.
    """

    WIDTHS = (30, 36, 10, 14, 14, 10, 10, 10, 12)

    def __init__(self, title=SUMMARY_TITLE):
        self.workbook = Workbook(write_only=True)
        ws = self.ws = self.workbook.create_sheet("汇总表")
        for letter, width in zip("ABCDEFGHI", self.WIDTHS, strict=True):
            ws.column_dimensions[letter].width = width
        _print_setup(ws, "landscape")
        ws.print_title_rows = "2:2"
        ws.freeze_panes = "A3"
        styles = _Styles(ws)
        self._amount, self._percent, self._text = styles.amount, styles.percent, styles.text
        self._header = styles.header
        heading = Cell(ws, row=1, column=1, value=_text(title), style_array=styles.title)
        heading.data_type = "s"  # it starts with a department's name, which may look like `=…`
        ws.row_dimensions[1].height = 30
        ws.append([heading])
        ws.merged_cells.add(f"A1:{get_column_letter(len(self.WIDTHS))}1")
        self.rows = 2
        ws.append(
            [
                Cell(ws, row=1, column=1, value=label, style_array=self._header)
                for label in (
                    "部门",
                    "项目名称",
                    _("state"),
                    "全年预算数（万元）",
                    "实际完成数（万元）",
                    "执行率（%）",
                    _("indicators"),
                    _("flags"),
                    _("approved on"),
                )
            ]
        )

    def add(self, evaluation, funds, indicator_count):
        self.add_row(summary_row(evaluation, funds, indicator_count))

    def add_row(self, row):
        """One row of `summary_row`'s values, also one that a background export kept."""
        ws = self.ws
        text = self._text

        def textcell(value):
            cell = Cell(ws, row=1, column=1, value=_text(value), style_array=text)
            cell.data_type = "s"
            return cell

        department, project, state, budget, actual, rate, indicators, flags, approved = row
        self.rows += 1
        # Spreadsheets do not grow rows for wrapped text they did not write themselves.
        height = layout.row_height([(department, self.WIDTHS[0]), (project, self.WIDTHS[1])])
        if height:
            ws.row_dimensions[self.rows].height = height
        ws.append(
            [
                textcell(department),
                textcell(project),
                textcell(state),
                Cell(ws, row=1, column=1, value=budget, style_array=self._amount),
                Cell(ws, row=1, column=1, value=actual, style_array=self._amount),
                Cell(ws, row=1, column=1, value=rate, style_array=self._percent),
                Cell(ws, row=1, column=1, value=indicators, style_array=text),
                Cell(ws, row=1, column=1, value=flags, style_array=text),
                textcell(approved),
            ]
        )

    def discard(self):
        _discard(self.workbook)

    def save(self, target):
        self.workbook.save(target)


def summary_row(evaluation, funds, indicator_count):
    """What 汇总表 shows of one form, as plain values (the money as Decimal)."""
    approved = evaluation.approved_at
    return [
        evaluation.project.department.name,
        evaluation.project.name,
        evaluation.get_state_display(),
        funds.budget,
        funds.actual,
        _fraction(funds.rate),
        indicator_count,
        evaluation.flag_count,
        timezone.localdate(approved).isoformat() if approved else None,
    ]


def department_file_name(department):
    return file_name(f"{department.code} {department.name}", "xlsx")


class Sink(io.RawIOBase):
    """A write-only stream whose bytes are taken out as they come, for a streamed response
    (the year's workbooks here, the publication packages in publishing/packages.py)."""

    def __init__(self):
        self._parts = []

    def writable(self):
        return True

    def write(self, data):
        self._parts.append(bytes(data))
        return len(data)

    def take(self):
        data = b"".join(self._parts)
        self._parts.clear()
        return data


def _entry(archive, name, write, sink):
    """One file of the archive, made by write(file); yields what the archive wrote so far.

    The entry's header goes out before the file is made, so that a download starts at once
    even when the first department's workbook takes a while.
    """
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    with archive.open(info, "w") as entry:
        yield sink.take()
        with tempfile.TemporaryFile() as made:
            write(made)
            made.seek(0)
            while chunk := made.read(CHUNK):
                entry.write(chunk)
                if data := sink.take():
                    yield data
    if data := sink.take():
        yield data


def write_department(evaluations, department, target, summary):
    """The forms of `department` among `evaluations` as one workbook at `target`, each form
    also added to `summary` (a Summary, or anything with its `add`)."""
    writer = FormWriter()
    forms = with_content(evaluations.filter(project__department=department)).order_by(
        "project__name", "year"
    )
    try:
        for evaluation in forms.iterator(chunk_size=BATCH):
            funds, indicator_count = writer.add(evaluation)
            summary.add(evaluation, funds, indicator_count)
    except BaseException:
        writer.discard()
        raise
    writer.save(target)


def zip_chunks(evaluations, title=SUMMARY_TITLE):
    """The bytes of a .zip of one workbook per department and 汇总表.xlsx (headed `title`),
    piece by piece.

    Each department's workbook is written to a temporary file and then sent, so that memory
    holds one batch of forms at most.
    """
    sink = Sink()
    summary = Summary(title)
    names = {SUMMARY_NAME}

    def department_workbook(department):
        def write(made):
            write_department(evaluations, department, made, summary)

        return write

    try:
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for department in _departments_of(evaluations):
                name = _unique(department_file_name(department), names)
                yield from _entry(archive, name, department_workbook(department), sink)
            yield from _entry(archive, SUMMARY_NAME, summary.save, sink)
    except BaseException:
        # Also a download the user cancelled (GeneratorExit).
        summary.discard()
        raise
    if data := sink.take():
        yield data


def _unique(name, names):
    """`name`, or `name (2)`…: two departments whose names differ only in characters a file
    name drops would otherwise be one file, the second overwriting the first when unpacked."""
    stem, extension = name.rsplit(".", 1)
    number = 1
    while name in names:
        number += 1
        name = file_name(stem, extension, number)
    names.add(name)
    return name


def _departments_of(evaluations):
    return Department.objects.filter(
        pk__in=evaluations.order_by().values("project__department")
    ).order_by("code")


def write_zip(evaluations, path, title=SUMMARY_TITLE):
    with open(path, "wb") as out:
        for chunk in zip_chunks(evaluations, title):
            out.write(chunk)
