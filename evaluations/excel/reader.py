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
from functools import lru_cache

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from config import texts
from config.texts import CELL_TEXT, LONG_TEXT
from evaluations import layouts, scorecard, scoring
from evaluations.content import Content
from evaluations.excel import layout
from evaluations.excel.screening import WorkbookRefused, damaged, screen
from evaluations.layouts.declaration import (
    FUND_VALUES,
    Block,
    Funds,
    Indicators,
    Label,
    Total,
    Value,
    span,
)
from evaluations.models import UNIT_TEXT
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
from evaluations.points import PointsError, parse_points

MAX_INDICATORS = 300
# How far right the reader looks: the form's eight columns, with room for columns before it.
MAX_COLUMNS = 20
# Where the 项目名称 label may be found when a file has extra rows or columns before the form.
SEARCH_ROWS = 20
SEARCH_COLUMNS = 10
_YEAR = re.compile(r"(\d{4})")
_NAME_FORBIDDEN = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')
# How Excel writes a control character a cell cannot hold as such (a CR is `_x000D_`), and an
# underscore that would open such a sequence (`_x005F_`); openpyxl leaves them as they are in
# inline strings, and in shared strings turns `_x005F_` back into `_` itself. Only these are
# escapes: a `_x0041_` someone wrote stays as written. (A `_x000D_` someone wrote, saved as a
# shared string, reads as a CR: once openpyxl has read it, nothing tells the two apart.)
_EXCEL_ESCAPE = re.compile("_x(00[01][0-9A-Fa-f]|005[Ff])_")


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
    # {form id: version} of the forms as the workbook was downloaded (see writer.FormWriter.add).
    versions: dict = field(default_factory=dict)


def display_name(client_name):
    """The uploaded file's name for messages only: never a path, never trusted."""
    base = str(client_name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = _NAME_FORBIDDEN.sub("", base).strip()[-100:]
    return base if base.strip(". ") else "workbook.xlsx"


def read_workbook(upload, client_name, years):
    """Read an uploaded file (bytes or a binary file) into a ParsedWorkbook.

    `years` maps each open year to its OpenYear. Raises WorkbookRefused.
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
                parsed.sheets.append(_SheetReader(grid, number, worksheet.title, years).read())
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
    """Reads one sheet by walking its layout's declaration from top to bottom, as the writer
    draws it; the parts whose length varies (fund sources, indicator rows) are read up to the
    label of the part that follows them."""

    def __init__(self, grid, number, title, years):
        self.grid = grid
        self.sheet = ParsedSheet(number, title)
        self.years = years
        self.top = 0
        self.left = 0
        self.layout = None
        self.taxonomy = None
        self.rules = None

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

    def matches(self, column, row, labels):
        found = self.value(column, row)
        return found is not None and any(_label_matches(found, label) for label in labels)

    def expect(self, column, row, labels, shown=None):
        """Whether the cell holds one of `labels`; a problem saying what was expected if not."""
        if self.matches(column, row, labels):
            return True
        found = self.value(column, row)
        label = shown or _shown(labels[0])
        if found is None:
            message = _("The layout is not recognised: expected %(label)s here.") % {"label": label}
        else:
            message = _(
                "The layout is not recognised: expected %(label)s here, found “%(found)s”."
            ) % {"label": label, "found": str(found)[:40]}
        self.problem(column, row, message)
        return False

    # Which layout -----------------------------------------------------------------------

    def read(self):
        found = self.grid.find(ANCHOR, range(1, SEARCH_ROWS + 1), range(1, SEARCH_COLUMNS + 1))
        if found is None:
            self.sheet.problems.append(
                Problem(
                    _(
                        "The layout is not recognised: expected %(label)s in A3, as in the "
                        "official forms (%(layouts)s)."
                    )
                    % {"label": ANCHOR, "layouts": "、".join(_layout_names())},
                    self.sheet.number,
                )
            )
            return self.sheet
        self.layout = self.recognise(found)
        if self.refused_variant():
            return self.sheet
        if not self.read_year():
            return self.sheet
        row = 1
        for part in self.layout.sheet:
            row = self.READ[type(part)](self, part, row)
            if row is None:
                return self.sheet
        content = self.sheet.content
        content.setdefault("indicators", [])
        return self.sheet

    def recognise(self, anchor):
        """The layout whose fixed labels the sheet has most of, placed by its 项目名称."""
        best, best_score = None, -1
        for candidate in layouts.LAYOUTS.values():
            row, column = _anchor_position(candidate)
            top, left = anchor[0] - row, anchor[1] - column
            labels = list(_fixed_labels(candidate))
            score = sum(
                1
                for label_row, label_column, label in labels
                if self._matches_at(top, left, label_column, label_row, label.labels)
            )
            if score > best_score:
                best, best_score = candidate, score
                self.top, self.left = top, left
        return best

    def _matches_at(self, top, left, column, row, labels):
        found = self.grid.cells.get((row + top, column + left), (None,))[0]
        return found is not None and any(_label_matches(found, label) for label in labels)

    def refused_variant(self):
        """A near layout real files use that is read as none (Yunnan's 公开14表)."""
        texts = [
            str(value)
            for (row, _column), (value, _format) in self.grid.cells.items()
            if row <= self.top + _anchor_position(self.layout)[0]
        ]
        for variant in self.layout.refused:
            if any(mark in text for mark in variant.marks for text in texts):
                self.sheet.problems.append(
                    Problem(
                        _(
                            "This sheet is in the %(variant)s layout (amounts in 元, a 部门 row "
                            "above the title), which is not read: fill the form in the "
                            "%(layout)s layout, downloaded from the app."
                        )
                        % {"variant": variant.name, "layout": self.layout.name},
                        self.sheet.number,
                    )
                )
                return True
        return False

    def read_year(self):
        row, column, label = _year_label(self.layout)
        texts = (self.value(c, row) for c in range(1, self.layout.last_column + 1))
        match = _YEAR.search(" ".join(normalise_number_text(str(text)) for text in texts if text))
        example = label.text.format(year=datetime.date.today().year - 1)
        if not match:
            self.problem(
                column,
                row,
                _("The year is missing: expected %(example)s here.") % {"example": example},
            )
            return False
        year = int(match[1])
        self.sheet.year = year
        settings = self.years.get(year)
        if settings is None:
            self.problem(column, row, _("%(year)s is not a year open for forms.") % {"year": year})
            return False
        if settings.layout.key != self.layout.key:
            self.problem(
                None,
                None,
                _(
                    "This workbook is in the %(found)s layout, but forms of %(year)s are filed in "
                    "the %(expected)s layout: download the form in the %(expected)s layout, fill "
                    "it in and import that."
                )
                % {"found": self.layout.name, "year": year, "expected": settings.layout.name},
            )
            return False
        self.taxonomy = settings.taxonomy
        self.rules = settings.rules
        return True

    # The parts of the sheet ----------------------------------------------------------------

    def read_block(self, block, row):
        if block.style is None and _is_banner(block):
            # The title and the year were read to recognise the layout.
            return row + block.height
        row = self.next_filled_row(row) or row
        recognised = True
        if block.section is not None:
            recognised = self.expect(span(block.section.columns)[0], row, block.section.labels)
        values = []
        for offset, cells in enumerate(block.rows):
            for item in cells:
                column = span(item.columns)[0]
                if isinstance(item, Label):
                    recognised = self.expect(column, row + offset, item.labels) and recognised
                else:
                    values.append((column, row + offset, item))
        if not recognised:
            return None
        for column, value_row, item in values:
            self.read_value(column, value_row, item)
        return row + block.height

    def read_value(self, column, row, item):
        declared = self.layout.field_by_name[item.field]
        content = self.sheet.content
        if declared.multi_line:
            text = self.text(column, row, declared.label, LONG_TEXT)
        else:
            text = self.line(column, row, declared.label)
        if item.prefix:
            text = _without_prefix(text, item.prefix)
        if any(text.startswith(template) for template in declared.template):
            text = ""
        if item.with_code:
            code, text = _code_and_name(text)
            content["project_code"] = code
        content[item.field] = text
        if item.field == "project" and not text:
            self.problem(column, row, _("%(label)s is empty.") % {"label": declared.label})

    def read_funds(self, funds, row):
        row = self.next_filled_row(row) or row
        section_column = span(funds.section.columns)[0]
        label_column = span(funds.labels)[0]
        recognised = self.expect(section_column, row, funds.section.labels)
        for column in funds.columns:
            recognised = self.expect(span(column.columns)[0], row, column.labels) and recognised
        total_row = row + 1
        recognised = (
            self.expect(label_column, total_row, (funds.total_label, *funds.total_variants))
            and recognised
        )
        if not recognised:
            return None
        taxonomy = self.taxonomy
        lines = {source.name: dict.fromkeys(FUND_VALUES) for source in taxonomy.sources}
        self.sheet.content["funds"] = [{"source": name, **line} for name, line in lines.items()]
        entered = funds.entered
        totals = {
            column.name: self.amount(span(column.columns)[0], total_row, column.label)
            for column in entered
        }
        reason = self.layout.fund_columns.get("reason")
        if reason is not None:
            self.read_value(
                span(reason.columns)[0], total_row, Value("execution_reason", reason.columns)
            )
        problems_before = len(self.sheet.problems)
        seen = set()
        row = total_row + 1
        limit = row + len(taxonomy.sources) + 10
        following = self.next_part(funds)
        while row < limit:
            if following(row):
                break
            label = self.value(label_column, row)
            columns = [span(column.columns)[0] for column in entered]
            if label is None and all(self.value(column, row) is None for column in columns):
                row += 1
                continue
            name = taxonomy.source_name(label) if label else None
            if name is None or name in seen:
                self.problem(
                    label_column,
                    row,
                    _("“%(found)s” is not a fund source here: expected one of %(expected)s.")
                    % {
                        "found": label or "",
                        "expected": "、".join(source.name for source in taxonomy.sources),
                    },
                )
            else:
                seen.add(name)
                lines[name].update(
                    {
                        column.name: self.amount(span(column.columns)[0], row, column.label)
                        for column in entered
                    }
                )
            row += 1
        else:
            column, labels = next(_marks(self.layout.sheet[self.layout.sheet.index(funds) + 1]))
            self.expect(column, total_row + 1 + len(taxonomy.sources), labels)
            return None
        self.sheet.content["funds"] = [{"source": name, **line} for name, line in lines.items()]
        if len(self.sheet.problems) == problems_before:
            # A source that could not be read would make the totals disagree for no reason.
            for column in entered:
                self.check_total(column, total_row, totals[column.name], lines, funds.total_label)
        return row

    def check_total(self, column, total_row, printed, lines, total_label):
        present = [Decimal(line[column.name]) for line in lines.values() if line[column.name]]
        added = sum(present, Decimal(0)) if present else None
        cell = span(column.columns)[0]
        values = {"total": printed, "label": column.label, "name": total_label.rstrip(":：")}
        if printed is not None and added is None and Decimal(printed) != 0:
            # Importing would lose the money: the app keeps amounts by source only.
            self.problem(
                cell,
                total_row,
                _(
                    "%(name)s has %(label)s %(total)s but no fund source has any; enter "
                    "the amounts in the source rows."
                )
                % values,
            )
        elif printed is not None and added is not None and Decimal(printed) != added:
            self.problem(
                cell,
                total_row,
                _(
                    "%(name)s %(total)s does not match the sources' %(label)s, which add "
                    "up to %(sum)s; the sources are imported."
                )
                % {**values, "sum": _plain(added)},
                warning=True,
            )

    def next_part(self, part):
        """A test of whether a row starts the part of the sheet after `part`."""
        sheet = self.layout.sheet
        index = sheet.index(part)
        following = sheet[index + 1] if index + 1 < len(sheet) else None
        marks = list(_marks(following)) if following is not None else []

        def starts(row):
            return any(self.matches(column, row, labels) for column, labels in marks)

        return starts

    def read_indicators(self, indicators, row):
        row = self.next_filled_row(row) or row
        columns = {column.name: (span(column.columns)[0], column) for column in indicators.columns}
        # Every label is checked, so that all that differ are reported at once.
        found = [self.expect(column, row, declared.labels) for column, declared in columns.values()]
        if not all(found):
            return None
        following = self.next_part(indicators)
        taxonomy = self.taxonomy
        rows = []
        level1 = level2 = None
        level1_label = None
        level1_column, level2_column = columns["level1"][0], columns["level2"][0]
        own = [column for name, (column, _d) in columns.items() if name not in ("level1", "level2")]
        last = self.grid.last_row - self.top
        row += 1
        while row <= last:
            if (
                following(row)
                or _is_footnote(self.value(1, row))
                or _is_footnote(self.value(level1_column, row))
            ):
                break
            values = [self.value(column, row) for column in own]
            name_column = columns["name"][0]
            others = [self.value(column, row) for column in own if column != name_column]
            if all(value is None for value in values) or _is_placeholder(
                others, self.value(name_column, row)
            ):
                row += 1
                continue
            new_level1 = self.value(level1_column, row)
            new_level2 = self.value(level2_column, row)
            if new_level1 is not None and not layout.same_label(new_level1, level1_label or ""):
                level1_label = new_level1
                level1 = taxonomy.level1_name(new_level1)
                level2 = None
                if level1 is None:
                    self.problem(
                        level1_column,
                        row,
                        _("“%(found)s” is not a 一级指标: expected one of %(expected)s.")
                        % {"found": new_level1, "expected": "、".join(taxonomy.level1_names())},
                    )
            elif level1_label is None:
                self.problem(level1_column, row, _("一级指标 is empty."))
            if new_level2 is not None and level1 is not None:
                level2 = taxonomy.level2_name(level1, new_level2)
                if level2 is None:
                    self.problem(
                        level2_column,
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
                self.problem(level2_column, row, _("二级指标 is empty."))
            entry = {"level1": level1, "level2": level2}
            for name, (column, declared) in columns.items():
                if name not in ("level1", "level2"):
                    entry[name] = self.row_value(column, row, declared)
            rows.append(entry)
            row += 1
        if len(rows) > MAX_INDICATORS:
            self.problem(
                None,
                None,
                _("The form has %(count)s indicators; at most %(max)s are allowed.")
                % {"count": len(rows), "max": MAX_INDICATORS},
            )
        self.sheet.content["indicators"] = rows
        self.indicator_rows = rows
        return row

    def row_value(self, column, row, declared):
        if declared.name == "completion_rate":
            return self.rate(column, row, declared.label)
        if declared.number:
            return self.points(column, row, declared.label)
        if declared.name == "nature":
            return self.nature(column, row, declared.label)
        if declared.name == "unit":
            return self.limited(
                column, row, declared.label, self.line(column, row, declared.label), UNIT_TEXT
            )
        return self.text(column, row, declared.label, CELL_TEXT)

    def read_total(self, declared, row):
        row = self.next_filled_row(row) or row
        if not self.expect(span(declared.columns)[0], row, (declared.label,)):
            return None
        printed = self.points(span(declared.score)[0], row, declared.label)
        card = scorecard.of_content(Content.from_data(self.sheet.content), self.rules)
        computed = card.total_score if card is not None else None
        if printed is not None and computed is not None and Decimal(printed) != computed:
            self.problem(
                span(declared.score)[0],
                row,
                _(
                    "%(label)s says %(printed)s, but the budget score and the rows' 得分 "
                    "add up to %(sum)s; the rows are imported."
                )
                % {"label": declared.label, "printed": printed, "sum": computed},
                warning=True,
            )
        return row + 1

    READ = {}

    def next_filled_row(self, row):
        for candidate in range(row, row + 5):
            if any(
                self.value(column, candidate) is not None
                for column in range(1, self.layout.last_column + 1)
            ):
                return candidate
        return None

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

    def rate(self, column, row, label):
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
                    self.problem(column, row, f"{label}: {error}")
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
                _("%(label)s is not a percentage between 0 and 10000%%.") % {"label": label},
            )
            return None
        return _plain(number.quantize(CENT, rounding=ROUND_HALF_UP))

    def points(self, column, row, label):
        """A weight or a score as a plain decimal string, or None when blank: read as the edit
        page reads typed points (evaluations/points.py)."""
        value = self.value(column, row)
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = _from_binary(value)
            value = f"{value:f}" if value.is_finite() else "-"
        elif not isinstance(value, str):
            value = "-"
        try:
            number = parse_points(value)
        except PointsError as error:
            self.problem(column, row, f"{label}: {error}")
            return None
        return _plain(number.quantize(CENT, rounding=ROUND_HALF_UP))

    def nature(self, column, row, label):
        """指标性质 as one of ≥ ≤ = 定性, read from the code points real files use."""
        value = self.value(column, row)
        if value is None:
            return ""
        declared = scoring.declared_nature(str(value))
        if declared is None:
            self.problem(
                column,
                row,
                _("“%(found)s” is not a %(label)s: expected one of %(expected)s.")
                % {
                    "found": str(value)[:20],
                    "label": label,
                    "expected": "、".join(scoring.NATURES),
                },
            )
            return ""
        return declared


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


_SheetReader.READ = {
    Block: _SheetReader.read_block,
    Funds: _SheetReader.read_funds,
    Indicators: _SheetReader.read_indicators,
    Total: _SheetReader.read_total,
}


@dataclass(frozen=True)
class OpenYear:
    """What a year asks of the workbooks filed in it: its layout, the taxonomy of its edition
    and its scoring rules (None for a layout without scores)."""

    layout: object
    taxonomy: object
    rules: object = None


# The label every layout opens its form with: where it is found places the form on the sheet.
ANCHOR = "项目名称"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")
_EMPTY_MARKS = {"/", "／", "—", "-", "……", "…", "..."}
_PLACEHOLDER_NAME = re.compile(r"^(指标\d*[:：]?|……|…|\.\.\.)$")
# An 一体化 project code: the six digits of the area code, then at least nine letters and digits
# (51092324T000010263357); a name that merely opens with letters and a dash is a name.
_CODE_NAME = re.compile(r"^(\d{6}[0-9A-Za-z]{9,})\s*[-－—]\s*(.+)$", re.DOTALL)


@lru_cache(maxsize=256)
def _label_pattern(template):
    """A declared label as a pattern of label keys: `（{year}年度）` holds any year,
    `预算执行情况({execution_weight}分)` any number of points."""
    parts = _PLACEHOLDER.split(layout.spelling_key(template))
    pattern = ""
    for index, part in enumerate(parts):
        if index % 2 == 0:
            pattern += re.escape(part)
        else:
            pattern += r"\d{4}" if part == "year" else r"\d+(?:\.\d+)?"
    return re.compile(f"^{pattern}$")


def _label_matches(found, template):
    if "{" not in template:
        return layout.same_label(found, template)
    return bool(_label_pattern(template).match(layout.spelling_key(str(found))))


def _shown(template):
    """A declared label as messages show it: the placeholders as the layout prints them."""
    return (
        template.replace("{year}", "YYYY")
        .replace("{execution_weight}", "10")
        .replace("{indicator_weight}", "90")
    )


def _layout_names():
    return [str(candidate.name) for candidate in layouts.LAYOUTS.values()]


def _walk_fixed(candidate):
    """(row, column, Label) of every label in the blocks above the funds block."""
    row = 1
    for part in candidate.sheet:
        if not isinstance(part, Block):
            return
        for offset, cells in enumerate(part.rows):
            for item in cells:
                if isinstance(item, Label):
                    yield row + offset, span(item.columns)[0], item
        row += part.height


def _fixed_labels(candidate):
    return _walk_fixed(candidate)


def _anchor_position(candidate):
    for row, column, label in _walk_fixed(candidate):
        if label.text == ANCHOR:
            return row, column
    raise ValueError(f"{candidate.key} declares no {ANCHOR}")


def _year_label(candidate):
    for row, column, label in _walk_fixed(candidate):
        if "{year}" in label.text:
            return row, column, label
    raise ValueError(f"{candidate.key} prints no year")


def _is_banner(block):
    return all(
        isinstance(item, Label) and item.style in ("title", "subtitle", "note")
        for cells in block.rows
        for item in cells
    )


def _marks(part):
    """(column, labels) of the cells that show where `part` starts."""
    if isinstance(part, Block):
        if part.section is not None:
            yield span(part.section.columns)[0], part.section.labels
        for item in part.rows[0]:
            if isinstance(item, Label):
                yield span(item.columns)[0], item.labels
    elif isinstance(part, Funds | Indicators):
        yield span(part.section.columns)[0], part.section.labels
    elif isinstance(part, Total):
        yield span(part.columns)[0], (part.label,)


def _is_footnote(value):
    return isinstance(value, str) and value.lstrip().startswith(("注：", "注:"))


def _is_placeholder(others, name):
    """An unused row of a template: named `指标1：` or `……`, or `/` in every filled cell, and
    nothing else in it. A placeholder name beside real figures is a row someone filled in."""
    filled = [str(value).strip() for value in others if value is not None]
    empty = all(value in _EMPTY_MARKS for value in filled)
    name = str(name).strip() if name is not None else ""
    if _PLACEHOLDER_NAME.match(name):
        return empty
    return (not name or name in _EMPTY_MARKS) and bool(filled) and empty


def _without_prefix(text, prefix):
    """`项目负责人：张三` → `张三`, whichever colon the file uses."""
    bare = prefix.rstrip(":：")
    if not text.startswith(bare):
        return text
    rest = text[len(bare) :].lstrip(" ")
    # One colon is the label's: a value that starts with one (or is one) keeps it.
    if rest[:1] in (":", "："):
        rest = rest[1:]
    return rest.lstrip(" ")


def _code_and_name(text):
    """`51092324T000010263357-2023年…项目` → (code, name); (``, text) when it has no code."""
    found = _CODE_NAME.match(text)
    return (found[1], found[2].strip()) if found else ("", text)
