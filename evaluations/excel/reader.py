"""Filled workbooks back into plain form content, with every problem named by sheet and cell.

The reader accepts what real files contain: the label variants layout.py knows, numbers stored as
text, percentages as `52.37%` text or as numbers, blank fund sources, merged or unmerged group
cells, extra empty rows and columns around or inside the form. It touches no database: the
taxonomy of each year is handed in, and the result is plain data that importing.py checks against
the forms that exist and writes.

A file is refused as a whole (WorkbookRefused) before openpyxl reads it when it is not an .xlsx
workbook, is password-protected, corrupt, too large, or would expand too far when unzipped.
"""

import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from config import texts
from config.texts import CELL_TEXT, LONG_TEXT
from evaluations.excel import layout
from evaluations.excel.screening import WorkbookRefused, damaged, screen
from evaluations.money import (
    CENT,
    MAX_AMOUNT,
    MAX_DECIMALS,
    RATE_RANGE,
    AmountError,
    RateError,
    normalise_number_text,
    parse_amount,
    parse_rate,
)

MAX_INDICATORS = 300
# How far right the reader looks: the form's eight columns, with room for columns before it.
MAX_COLUMNS = 20
# Where the 项目名称 label may be found when a file has extra rows or columns before the form.
SEARCH_ROWS = 20
SEARCH_COLUMNS = 10
_YEAR = re.compile(r"(\d{4})")
_NAME_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
# How Excel writes a character a cell cannot hold as such (a CR is `_x000D_`, and an underscore
# that would open such a sequence `_x005F_`); openpyxl leaves them as they are.
_EXCEL_ESCAPE = re.compile("_x([0-9A-Fa-f]{4})_")


@dataclass
class Problem:
    message: str
    sheet: int | None = None
    cell: str | None = None
    # A warning is shown in the preview but does not stop the import.
    warning: bool = False

    def __str__(self):
        if self.sheet and self.cell:
            return _("Sheet %(sheet)s, %(cell)s: %(message)s") % {
                "sheet": self.sheet,
                "cell": self.cell,
                "message": self.message,
            }
        if self.sheet:
            return _("Sheet %(sheet)s: %(message)s") % {
                "sheet": self.sheet,
                "message": self.message,
            }
        return self.message


@dataclass
class ParsedSheet:
    """One form as read: `content` has the shape of evaluations/demo/seed_forms_2023.json."""

    number: int
    title: str
    year: int | None = None
    content: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)

    @property
    def errors(self):
        return [problem for problem in self.problems if not problem.warning]

    @property
    def project(self):
        return self.content.get("project", "")


@dataclass
class ParsedWorkbook:
    name: str
    sheets: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    # {form id: version} of the forms as the workbook was downloaded (see writer._mark_version).
    versions: dict = field(default_factory=dict)


def display_name(client_name):
    """The uploaded file's name for messages only: never a path, never trusted."""
    base = str(client_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _NAME_FORBIDDEN.sub("", base).strip()[-100:]
    return base if base.strip(". ") else "workbook.xlsx"


def read_workbook(upload, client_name, taxonomies):
    """Read an uploaded file (bytes or a binary file) into a ParsedWorkbook.

    `taxonomies` maps each open year to its layout.Taxonomy. Raises WorkbookRefused.
    """
    name = display_name(client_name)
    data, last_rows = screen(upload, name)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:
        raise WorkbookRefused(damaged(name)) from None
    parsed = ParsedWorkbook(name, versions=_versions(workbook))
    try:
        for number, worksheet in enumerate(workbook.worksheets, start=1):
            last_row = last_rows.get(worksheet.title)
            if last_row is None:
                raise WorkbookRefused(damaged(name))
            if last_row == 0:
                continue
            if last_row > settings.IMPORT_MAX_ROWS:
                parsed.sheets.append(_too_long(number, worksheet.title, last_row))
                continue
            grid = _Grid(worksheet, last_row)
            if grid.cells:
                parsed.sheets.append(_SheetReader(grid, number, worksheet.title, taxonomies).read())
    except WorkbookRefused:
        raise
    except Exception:
        raise WorkbookRefused(damaged(name)) from None
    finally:
        workbook.close()
    if not parsed.sheets:
        parsed.problems.append(Problem(_("%(name)s has no filled sheet.") % {"name": name}))
    return parsed


def _versions(workbook):
    versions = {}
    for prop in workbook.custom_doc_props:
        found = layout.VERSION_PROPERTY.fullmatch(prop.name or "")
        if found and isinstance(prop.value, int) and not isinstance(prop.value, bool):
            versions[int(found[1])] = prop.value
    return versions


def _too_long(number, title, last_row):
    message = _(
        "Values go down to row %(row)s; at most %(limit)s rows of a sheet are read. Delete what "
        "is below the form, or move it to another sheet."
    ) % {"row": f"{last_row:,}", "limit": f"{settings.IMPORT_MAX_ROWS:,}"}
    return ParsedSheet(number, title, problems=[Problem(message, number)])


class _Grid:
    """The non-empty cells of a worksheet as {(row, column): (value, number_format)}."""

    def __init__(self, worksheet, last_row):
        self.cells = {}
        # Down to the last row screening found a value in: openpyxl would otherwise stop where
        # the sheet's <dimension> says it ends, which may be anywhere.
        for row in worksheet.iter_rows(max_row=last_row, max_col=MAX_COLUMNS):
            for cell in row:
                value = cell.value
                if isinstance(value, str):
                    value = value.strip()
                if value is None or value == "":
                    continue
                number_format = cell.number_format if not isinstance(value, str) else "General"
                self.cells[(cell.row, cell.column)] = (value, number_format)
        self.last_row = max((row for row, _column in self.cells), default=0)

    def find(self, label, rows, columns):
        for row in rows:
            for column in columns:
                value = self.cells.get((row, column), (None,))[0]
                if value is not None and layout.same_label(value, label):
                    return row, column
        return None


class _SheetReader:
    def __init__(self, grid, number, title, taxonomies):
        self.grid = grid
        self.sheet = ParsedSheet(number, title)
        self.taxonomies = taxonomies
        self.top = 0
        self.left = 0

    # Coordinates are those of the layout; the grid is shifted by any extra rows and columns.
    def value(self, column, row):
        return self.grid.cells.get((row + self.top, column + self.left), (None, None))[0]

    def number_format(self, column, row):
        return self.grid.cells.get((row + self.top, column + self.left), (None, "General"))[1]

    def ref(self, column, row):
        if column is None or row + self.top < 1:
            return None
        return layout.cell(column + self.left, row + self.top)

    def problem(self, column, row, message, *, warning=False):
        self.sheet.problems.append(
            Problem(message, self.sheet.number, self.ref(column, row), warning)
        )

    def expect(self, column, row, label):
        found = self.value(column, row)
        if layout.same_label(found, label):
            return True
        if found is None:
            message = _("The layout is not recognised: expected %(label)s here.") % {"label": label}
        else:
            message = _(
                "The layout is not recognised: expected %(label)s here, found “%(found)s”."
            ) % {
                "label": label,
                "found": str(found)[:40],
            }
        self.problem(column, row, message)
        return False

    def read(self):
        found = self.grid.find(
            layout.PROJECT_NAME, range(1, SEARCH_ROWS + 1), range(1, SEARCH_COLUMNS + 1)
        )
        if found is None:
            self.sheet.problems.append(
                Problem(
                    _(
                        "The layout is not recognised: expected %(label)s in A3, as in the "
                        "official 部门预算项目支出绩效自评表."
                    )
                    % {"label": layout.PROJECT_NAME},
                    self.sheet.number,
                )
            )
            return self.sheet
        self.top, self.left = found[0] - layout.Rows.project, found[1] - 1
        taxonomy = self.read_year()
        if taxonomy is None:
            return self.sheet
        rows = taxonomy.rows
        content = self.sheet.content
        self.read_units(rows)
        recognised = all(
            [
                self.expect(1, rows.funds_header, layout.FUNDS),
                self.expect(5, rows.funds_header, layout.BUDGET),
                self.expect(6, rows.funds_header, layout.ACTUAL),
                self.expect(4, rows.total, layout.TOTAL),
            ]
        )
        if not recognised:
            return self.sheet
        goal_header = self.read_funds(taxonomy)
        if goal_header is None:
            return self.sheet
        if not (
            self.expect(2, goal_header, layout.GOAL)
            and self.expect(6, goal_header, layout.ACHIEVED)
        ):
            return self.sheet
        content["goal"] = self.text(2, goal_header + 1, layout.GOAL, LONG_TEXT)
        content["achieved"] = self.text(6, goal_header + 1, layout.ACHIEVED, LONG_TEXT)
        header = self.next_filled_row(goal_header + 2) or goal_header + 2
        if not self.expect_indicator_header(header):
            return self.sheet
        content["indicators"] = self.read_indicators(taxonomy, header + 1)
        content["funds"] = [{"source": name, **line} for name, line in content["funds"].items()]
        return self.sheet

    def read_units(self, rows):
        for row, label, key, required in (
            (rows.project, layout.PROJECT_NAME, "project", True),
            (rows.supervising, layout.SUPERVISING_UNIT, "supervising_unit", True),
            (rows.implementing, layout.IMPLEMENTING_UNIT, "implementing_unit", False),
        ):
            if self.expect(1, row, label):
                text = self.sheet.content[key] = self.line(4, row, label)
                if required and not text:
                    self.problem(4, row, _("%(label)s is empty.") % {"label": label})

    def read_year(self):
        rows = layout.Rows
        texts = (self.value(column, rows.year) for column in range(1, layout.LAST_COLUMN + 1))
        match = _YEAR.search(" ".join(normalise_number_text(text) for text in texts if text))
        example = layout.year_text(datetime.date.today().year - 1)
        if not match:
            self.problem(
                1,
                rows.year,
                _("The year is missing: expected %(example)s here.") % {"example": example},
            )
            return None
        year = int(match[1])
        self.sheet.year = year
        taxonomy = self.taxonomies.get(year)
        if taxonomy is None:
            self.problem(1, rows.year, _("%(year)s is not a year open for forms.") % {"year": year})
        return taxonomy

    def read_funds(self, taxonomy):
        """The fund rows up to the 年度总体目标 row, whose number it returns (None if absent)."""
        rows = taxonomy.rows
        funds = {source.name: {"budget": None, "actual": None} for source in taxonomy.sources}
        self.sheet.content["funds"] = funds
        seen = set()
        totals = (
            self.amount(5, rows.total, layout.BUDGET),
            self.amount(6, rows.total, layout.ACTUAL),
        )
        problems_before = len(self.sheet.problems)
        row = rows.first_source
        limit = rows.first_source + len(taxonomy.sources) + 10
        while row < limit:
            if layout.same_label(self.value(1, row), layout.GOALS) or layout.same_label(
                self.value(2, row), layout.GOAL
            ):
                break
            label = self.value(4, row)
            if label is None and self.value(5, row) is None and self.value(6, row) is None:
                row += 1
                continue
            name = taxonomy.source_name(label) if label is not None else None
            if name is None or name in seen:
                expected = "、".join(source.name for source in taxonomy.sources)
                self.problem(
                    4,
                    row,
                    _("“%(found)s” is not a fund source here: expected one of %(expected)s.")
                    % {"found": label or "", "expected": expected},
                )
            else:
                seen.add(name)
                funds[name] = {
                    "budget": self.amount(5, row, layout.BUDGET),
                    "actual": self.amount(6, row, layout.ACTUAL),
                }
            row += 1
        else:
            self.expect(1, rows.goal_header, layout.GOALS)
            return None
        if len(self.sheet.problems) > problems_before:
            # A source that could not be read would make the totals disagree for no reason.
            return row
        for column, total, key, label in (
            (5, totals[0], "budget", layout.BUDGET),
            (6, totals[1], "actual", layout.ACTUAL),
        ):
            present = [Decimal(line[key]) for line in funds.values() if line[key] is not None]
            added = sum(present, Decimal(0)) if present else None
            if total is not None and added is None:
                # Importing would lose the money: the app keeps amounts by source only.
                self.problem(
                    column,
                    rows.total,
                    _(
                        "年度资金总额 has %(label)s %(total)s but no fund source has any; enter "
                        "the amounts in the source rows."
                    )
                    % {"total": total, "label": label},
                )
            elif total is not None and Decimal(total) != added:
                self.problem(
                    column,
                    rows.total,
                    _(
                        "年度资金总额 %(total)s does not match the sources' %(label)s, which add "
                        "up to %(sum)s; the sources are imported."
                    )
                    % {"total": total, "label": label, "sum": _plain(added)},
                    warning=True,
                )
        return row

    def next_filled_row(self, row):
        for candidate in range(row, row + 5):
            if any(self.value(column, candidate) is not None for column in range(1, 9)):
                return candidate
        return None

    def expect_indicator_header(self, row):
        # Every label is checked, so that all that differ are reported at once.
        found = [
            self.expect(column, row, label)
            for column, label in enumerate(layout.INDICATOR_HEADERS, start=layout.LEVEL1)
        ]
        return all(found)

    def read_indicators(self, taxonomy, first_row):
        indicators = []
        level1 = level2 = None
        level1_label = None
        last = self.grid.last_row - self.top
        for row in range(first_row, last + 1):
            if all(
                self.value(column, row) is None for column in range(layout.NAME, layout.REASON + 1)
            ):
                continue
            new_level1 = self.value(layout.LEVEL1, row)
            new_level2 = self.value(layout.LEVEL2, row)
            if new_level1 is not None and not layout.same_label(new_level1, level1_label or ""):
                level1_label = new_level1
                level1 = taxonomy.level1_name(new_level1)
                level2 = None
                if level1 is None:
                    names = []
                    for category in taxonomy.level2:
                        if category.parent.name not in names:
                            names.append(category.parent.name)
                    self.problem(
                        layout.LEVEL1,
                        row,
                        _("“%(found)s” is not a 一级指标: expected one of %(expected)s.")
                        % {"found": new_level1, "expected": "、".join(names)},
                    )
            elif level1_label is None:
                self.problem(layout.LEVEL1, row, _("一级指标 is empty."))
            if new_level2 is not None and level1 is not None:
                level2 = taxonomy.level2_name(level1, new_level2)
                if level2 is None:
                    self.problem(
                        layout.LEVEL2,
                        row,
                        _(
                            "“%(found)s” is not a 二级指标 of %(level1)s: "
                            "expected one of %(expected)s."
                        )
                        % {
                            "found": new_level2,
                            "level1": level1,
                            "expected": "、".join(taxonomy.level2_names(level1)),
                        },
                    )
            elif new_level2 is None and level2 is None and level1 is not None:
                self.problem(layout.LEVEL2, row, _("二级指标 is empty."))
            indicators.append(
                {
                    "level1": level1,
                    "level2": level2,
                    "name": self.text(layout.NAME, row, layout.INDICATOR_HEADERS[2], CELL_TEXT),
                    "target": self.text(layout.TARGET, row, layout.INDICATOR_HEADERS[3], CELL_TEXT),
                    "actual": self.text(layout.VALUE, row, layout.INDICATOR_HEADERS[4], CELL_TEXT),
                    "completion_rate": self.rate(layout.COMPLETION, row),
                    "reason": self.text(layout.REASON, row, layout.INDICATOR_HEADERS[6], CELL_TEXT),
                }
            )
        if len(indicators) > MAX_INDICATORS:
            self.problem(
                None,
                None,
                _("The form has %(count)s indicators; at most %(max)s are allowed.")
                % {"count": len(indicators), "max": MAX_INDICATORS},
            )
        return indicators

    def line(self, column, row, label):
        """A one-line text: a line break in the cell (Alt+Enter) is read as a space."""
        value = _as_text(self.value(column, row), self.number_format(column, row))
        text = texts.one_line(value)
        if texts.has_line_break(value):
            self.problem(
                column,
                row,
                _("%(label)s holds a line break; it is read as a space.") % {"label": label},
                warning=True,
            )
        return self.limited(column, row, label, text, texts.SHORT_TEXT)

    def text(self, column, row, label, limit):
        value = self.value(column, row)
        text = texts.multi_line(_as_text(value, self.number_format(column, row)))
        return self.limited(column, row, label, text, limit)

    def limited(self, column, row, label, text, limit):
        if len(text) > limit:
            self.problem(
                column,
                row,
                _("%(label)s is longer than %(limit)s characters.")
                % {"label": label, "limit": limit},
            )
        return text

    def amount(self, column, row, label):
        """An amount in 万元 as a plain decimal string, or None when blank."""
        value = self.value(column, row)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = _from_binary(value)
            if value.is_finite() and abs(value) <= MAX_AMOUNT:
                # 11.97 stored in binary reads 11.9700000000000006; a huge number is left
                # as it is, for parse_amount to call too large.
                value = value.quantize(Decimal(1).scaleb(-MAX_DECIMALS), ROUND_HALF_UP)
        elif not isinstance(value, str):
            self.problem(column, row, _("%(label)s is not a number.") % {"label": label})
            return None
        try:
            amount = parse_amount(value)
        except AmountError as error:
            if error.code == "invalid" and isinstance(value, str):
                message = _("%(label)s is not a number.") % {"label": label}
            else:
                message = f"{label}: {error}"
            self.problem(column, row, message)
            return None
        return None if amount is None else _plain(amount)

    def rate(self, column, row):
        """A completion rate in percent as a plain decimal string, or None when blank."""
        value = self.value(column, row)
        if value is None:
            return None
        number = None
        if isinstance(value, int | float) and not isinstance(value, bool):
            number = _from_binary(value)
            if "%" in self.number_format(column, row):
                number *= 100
        elif isinstance(value, str):
            try:
                number = parse_rate(value)
            except RateError as error:
                if error.code == "exponent":
                    self.problem(column, row, f"{layout.INDICATOR_HEADERS[5]}: {error}")
                    return None
                number = None
        if (
            number is None
            or not number.is_finite()
            or not (RATE_RANGE[0] <= number <= RATE_RANGE[1])
        ):
            self.problem(
                column,
                row,
                _("%(label)s is not a percentage between 0 and 10000%%.")
                % {"label": layout.INDICATOR_HEADERS[5]},
            )
            return None
        return _plain(number.quantize(CENT, rounding=ROUND_HALF_UP))


def _from_binary(value):
    """An Excel number as the decimal it was typed as: 11.97, not 11.9700000000000006."""
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)


def _plain(number):
    """A Decimal as text without exponent or trailing zeros: 12, 11.97, 0.000001."""
    text = f"{number:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _as_text(value, number_format):
    """A cell as the text a person sees: numbers in text columns as Excel would show them."""
    if value is None:
        return ""
    if isinstance(value, str):
        return _EXCEL_ESCAPE.sub(lambda match: chr(int(match[1], 16)), value)
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat(" ")
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    number = _from_binary(value)
    if "%" in (number_format or ""):
        return f"{_plain(number * 100)}%"
    return _plain(number)
