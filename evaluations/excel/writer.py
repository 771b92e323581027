"""Forms as workbooks in the official layout: one form, one worksheet.

Workbooks are written with XlsxWriter, which is made for writing and does a form's cells in
well under half the time openpyxl's write-only mode takes (openpyxl still reads the uploads, in
reader.py). A department's workbook is held in memory until it is saved, about 60 KB a form;
汇总表.xlsx, one row per form of a whole export, streams its rows to a temporary file
(XlsxWriter's constant_memory mode). A whole export is a .zip of one workbook per department
and 汇总表.xlsx, produced chunk by chunk (see `zip_chunks`).
"""

import io
import math
import shutil
import tempfile
import zipfile

import xlsxwriter
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.utils import column_index_from_string, range_boundaries

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
CELL_MAX = 32767
# Nothing a department wrote becomes a formula, a number or a link: texts are written as texts
# (and XlsxWriter escapes what Excel would read as `_x000D_`).
OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
# Column widths in characters of the default font's digits, which are 7 pixels wide: a width
# given in pixels is stored exactly as the layout declares it.
DIGIT_PIXELS = 7


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
    """User text as a cell value: never a character XML or Excel refuses, at most what a cell
    holds. Forms saved under the current rules hold nothing to remove; rows saved before could.
    """
    if value is None:
        return None
    return multi_line(value)[:CELL_MAX] or None


def _fraction(percent):
    """A percentage as the fraction a `0.00%` cell holds: 52.37 → 0.5237."""
    return None if percent is None else percent / HUNDRED


class _Formats:
    """The cell formats of the layout, one per kind of cell of evaluations/excel/drawing.py,
    added once per workbook."""

    def __init__(self, workbook):
        body = {"font_name": layout.FONT_NAME, "font_size": layout.BODY_SIZE}
        centred = {"align": "center", "valign": "vcenter", "text_wrap": True}
        left = {"align": "left", "valign": "vcenter", "text_wrap": True}
        numbers = {"align": "right", "valign": "vcenter", "text_wrap": True}
        border = {"border": 1}

        def add(*parts, **more):
            properties = {}
            for part in parts:
                properties.update(part)
            return workbook.add_format(properties | more)

        self.title = add(body, centred, font_size=layout.TITLE_SIZE, bold=True)
        self.subtitle = add(body, centred)
        self.note = add(body, left, font_size=layout.NOTE_SIZE)
        self.label = add(body, centred, border)
        # Stacked: one character under the other, as the official forms print 项目资金.
        self.vertical = add(body, centred, border, rotation=270)
        self.text = add(body, left, border)
        self.amount = add(body, numbers, border, num_format=layout.AMOUNT_FORMAT)
        self.percent = add(body, numbers, border, num_format=layout.PERCENT_FORMAT)
        self.points = add(body, numbers, border, num_format=layout.POINTS_FORMAT)
        self.number = add(body, numbers, border)
        self.header = add(body, centred, border, bold=True)

    def of(self, kind):
        return getattr(self, kind)


def _put(ws, row, column, value, cell_format):
    """One cell (row and column from 0): a text as a text, whatever it looks like."""
    if value is None:
        ws.write_blank(row, column, None, cell_format)
    elif isinstance(value, str):
        ws.write_string(row, column, value, cell_format)
    else:
        ws.write_number(row, column, value, cell_format)


def _set_height(ws, row, points):
    """Row `row` (from 0) at least `points` tall: workbooks store heights in whole pixels."""
    ws.set_row_pixels(row, math.ceil(points * 4 / 3))


def _height_text(item, value):
    """What a drawn cell shows, as row heights see it; None for a number or an empty cell."""
    if not isinstance(value, str):
        return None
    if item.kind == drawing.TITLE:
        return layout.Text(value, size=layout.TITLE_SIZE)
    if item.kind == drawing.NOTE:
        return layout.Text(value, size=layout.NOTE_SIZE)
    return layout.Text(value, stacked=item.kind == drawing.VERTICAL)


def _write_sheet(ws, drawn, formats, widths):
    """A drawn form on `ws`: every row as tall as its texts need in their cells, every merged
    range written once with its value in its first cell."""
    rows = drawn.rows()
    values = [
        [None if item is None else _text(item.value) if item.text else item.value for item in cells]
        for cells in rows
    ]
    texts = [
        [
            None if item is None else _height_text(item, value)
            for item, value in zip(cells, row, strict=True)
        ]
        for cells, row in zip(rows, values, strict=True)
    ]
    ranges = {}
    covered = set()
    for merge in drawn.merges:
        c1, r1, c2, r2 = range_boundaries(merge)
        ranges[(r1, c1)] = (r2, c2)
        covered.update((r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1))
    heights = layout.row_heights(texts, drawn.merges, widths)
    for number, (cells, row, height) in enumerate(zip(rows, values, heights, strict=True), 1):
        _set_height(ws, number - 1, height)
        for column, (item, value) in enumerate(zip(cells, row, strict=True), 1):
            if item is None:
                continue
            cell_format = formats.of(item.kind)
            if (number, column) in ranges:
                last_row, last_column = ranges[(number, column)]
                ws.merge_range(
                    number - 1, column - 1, last_row - 1, last_column - 1, value, cell_format
                )
            elif (number, column) not in covered:
                _put(ws, number - 1, column - 1, value, cell_format)


def _print_setup(ws, orientation, widths):
    """Column widths, and A4 in `orientation`, as many pages down as it takes but one page
    wide."""
    for letter, width in widths.items():
        column = column_index_from_string(letter) - 1
        ws.set_column_pixels(column, column, round(width * DIGIT_PIXELS))
    if orientation == "landscape":
        ws.set_landscape()
    else:
        ws.set_portrait()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.25, right=0.25, top=0.75, bottom=0.75)
    ws.set_header("", {"margin": 0.3})
    ws.set_footer("", {"margin": 0.3})
    ws.center_horizontally()


class FormWriter:
    """Writes forms into one workbook at `target` (a path or a binary file), one worksheet
    each, in the official layout; `save` finishes it."""

    def __init__(self, target):
        self.workbook = xlsxwriter.Workbook(target, OPTIONS | {"in_memory": True})
        self._formats = _Formats(self.workbook)
        self._taxonomies = {}
        self._settings = SettingsCache()
        self._sheet_names = set()
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
        ws = self.workbook.add_worksheet(
            layout.sheet_name(evaluation.project.name, self._sheet_names)
        )
        _print_setup(ws, "portrait", form_layout.widths)
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
        _write_sheet(ws, drawn, self._formats, form_layout.widths)
        self.workbook.set_custom_property(
            layout.version_property(evaluation.pk), evaluation.version
        )
        self.count += 1
        return Funds(taxonomy.sources, evaluation.fund_lines.all()), len(filled.indicators)

    def save(self):
        if not self.workbook.worksheets():
            # An empty workbook is not a valid file; say so in the one sheet it has.
            self.workbook.add_worksheet(layout.TITLE).write_string(0, 0, _("No forms."))
        self.workbook.close()


def write_forms(evaluations, target):
    """All the forms of a queryset into one workbook at `target` (a path or a binary file)."""
    writer = FormWriter(target)
    for evaluation in with_content(evaluations).iterator(chunk_size=BATCH):
        writer.add(evaluation)
    writer.save()
    return writer.count


def form_workbook(evaluation):
    """One form as the bytes of a workbook."""
    buffer = io.BytesIO()
    write_forms(Evaluation.objects.filter(pk=evaluation.pk), buffer)
    return buffer.getvalue()


def form_file_name(evaluation):
    return file_name(f"{evaluation.project.name}（{evaluation.year_id}）", "xlsx")


class Summary:
    """汇总表.xlsx: one row per exported form, written as the forms are, into a temporary
    folder of its own until `save` copies it out (`discard` removes it).

    It prints as a report: its title above the table, landscape and one page wide, the header
    row again at the top of every page.
    """

    WIDTHS = (30, 36, 10, 14, 14, 10, 10, 10, 12)

    def __init__(self, title=SUMMARY_TITLE):
        self._folder = tempfile.TemporaryDirectory(prefix="summary-")
        self._path = f"{self._folder.name}/{SUMMARY_NAME}"
        self.workbook = xlsxwriter.Workbook(
            self._path, OPTIONS | {"constant_memory": True, "tmpdir": self._folder.name}
        )
        ws = self.ws = self.workbook.add_worksheet("汇总表")
        _print_setup(ws, "landscape", dict(zip("ABCDEFGHI", self.WIDTHS, strict=True)))
        ws.repeat_rows(1)
        ws.freeze_panes(2, 0)
        formats = _Formats(self.workbook)
        self._amount, self._percent, self._text = formats.amount, formats.percent, formats.text
        _set_height(ws, 0, 30)
        ws.merge_range(0, 0, 0, len(self.WIDTHS) - 1, _text(title), formats.title)
        for column, label in enumerate(summary_labels()):
            ws.write_string(1, column, label, formats.header)
        self.rows = 2

    def add(self, evaluation, funds, indicator_count):
        self.add_row(summary_row(evaluation, funds, indicator_count))

    def add_row(self, row):
        """One row of `summary_row`'s values, also one that a background export kept."""
        department, project, state, budget, actual, rate, indicators, flags, approved = row
        ws, number = self.ws, self.rows
        self.rows += 1
        # Spreadsheets do not grow rows for wrapped text they did not write themselves.
        height = layout.row_height([(department, self.WIDTHS[0]), (project, self.WIDTHS[1])])
        if height:
            _set_height(ws, number, height)
        cells = (
            (_text(department), self._text),
            (_text(project), self._text),
            (_text(state), self._text),
            (budget, self._amount),
            (actual, self._amount),
            (rate, self._percent),
            (indicators, self._text),
            (flags, self._text),
            (_text(approved), self._text),
        )
        for column, (value, cell_format) in enumerate(cells):
            _put(ws, number, column, value, cell_format)

    def discard(self):
        self._folder.cleanup()

    def save(self, target):
        """The workbook into `target` (a path or a binary file)."""
        try:
            self.workbook.close()
            if isinstance(target, str | bytes) or hasattr(target, "__fspath__"):
                shutil.copyfile(self._path, target)
            else:
                with open(self._path, "rb") as made:
                    shutil.copyfileobj(made, target, CHUNK)
        finally:
            self.discard()


def summary_labels():
    """The header row of 汇总表, in the user's language where it is not an official label."""
    return [
        "部门",
        "项目名称",
        _("state"),
        "全年预算数（万元）",
        "实际完成数（万元）",
        "执行率（%）",
        _("indicators"),
        _("flags"),
        _("approved on"),
    ]


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
    writer = FormWriter(target)
    forms = with_content(evaluations.filter(project__department=department)).order_by(
        "project__name", "year"
    )
    for evaluation in forms.iterator(chunk_size=BATCH):
        funds, indicator_count = writer.add(evaluation)
        summary.add(evaluation, funds, indicator_count)
    writer.save()


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
