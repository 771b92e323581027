"""A form drawn on a worksheet as its layout declares it: which value goes in which cell, in
which kind of cell, and which cells are merged.

The drawing knows nothing of openpyxl: writer.py turns its kinds into cell styles, and the row
heights are computed from it. It walks the layout's sheet declaration from top to bottom, so a
layout's cell map lives in its module only.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from openpyxl.utils import get_column_letter

from evaluations import scoring
from evaluations.layouts.declaration import Block, Funds, Indicators, Label, Total, span
from evaluations.models import HUNDRED
from evaluations.money import rate, total

# Kinds of cell. The banners (title, subtitle, note) have no border; every other cell has.
TITLE, SUBTITLE, NOTE = "title", "subtitle", "note"
LABEL, VERTICAL, TEXT = "label", "vertical", "text"
AMOUNT, PERCENT, POINTS, NUMBER = "amount", "percent", "points", "number"
BANNERS = {TITLE, SUBTITLE, NOTE}


@dataclass(frozen=True)
class Cell:
    value: object
    kind: str
    # Written as text whatever it looks like (never a formula, never a number).
    text: bool = False


@dataclass
class Drawing:
    """Cells by (row, column), both from 1, and merged ranges as `A1:H1`."""

    width: int
    cells: dict = field(default_factory=dict)
    merges: list = field(default_factory=list)
    height: int = 0

    def put(self, row, columns, value, kind, *, rows=1, text=False):
        first, last = span(columns) if isinstance(columns, str) else columns
        self.cells[(row, first)] = Cell(value, kind, text)
        # The other cells of a range carry its kind, so that its border is whole; a banner has
        # none.
        for r in range(row, row + rows) if kind not in BANNERS else ():
            for c in range(first, last + 1):
                if (r, c) != (row, first):
                    self.cells[(r, c)] = Cell(None, kind)
        if rows > 1 or last > first:
            self.merges.append(
                f"{get_column_letter(first)}{row}:{get_column_letter(last)}{row + rows - 1}"
            )
        self.height = max(self.height, row + rows - 1)

    def rows(self):
        """Every row, each a list of `width` cells (None where nothing is drawn)."""
        return [
            [self.cells.get((row, column)) for column in range(1, self.width + 1)]
            for row in range(1, self.height + 1)
        ]


@dataclass(frozen=True)
class Form:
    """What a sheet shows of one form: its layout, year, content and (scored layouts) its
    scorecard; `sources` are the edition's fund sources in order."""

    layout: object
    year: int
    content: object
    sources: list
    scorecard: object = None

    def text(self, name):
        return self.content.text(name)

    def placeholders(self):
        card = self.scorecard
        execution = card.execution_weight if card else None
        indicator_weight = card.rules.total_weight - execution if card else None
        return {
            "year": self.year,
            "execution_weight": _plain(execution),
            "indicator_weight": _plain(indicator_weight),
        }


def label_text(label, form):
    return label.text.format(**form.placeholders())


def value_text(value, form):
    """A Value's text as printed: `<code>-<name>` for the project where it has a code, the
    prefix before it (`项目负责人：`)."""
    text = form.text(value.field)
    if value.with_code and form.content.project_code:
        text = f"{form.content.project_code}-{text}"
    return f"{value.prefix}{text}" if value.prefix else text


def draw(form):
    drawing = Drawing(form.layout.last_column)
    row = 1
    for part in form.layout.sheet:
        row = _DRAW[type(part)](drawing, part, form, row)
    return drawing


def _draw_block(drawing, block, form, row):
    if block.section is not None:
        _section(drawing, block.section, form, row, block.height)
    for offset, cells in enumerate(block.rows):
        for item in cells:
            if isinstance(item, Label):
                kind = block.style or item.style
                drawing.put(
                    row + offset, item.columns, label_text(item, form), kind, rows=item.rows
                )
            else:
                drawing.put(
                    row + offset,
                    item.columns,
                    value_text(item, form) or None,
                    TEXT,
                    rows=item.rows,
                    text=True,
                )
    return row + block.height


def _section(drawing, section, form, row, rows):
    kind = VERTICAL if section.vertical else LABEL
    drawing.put(row, section.columns, section.text.format(**form.placeholders()), kind, rows=rows)


def _draw_funds(drawing, funds, form, row):
    lines = [form.content.fund(source.name) for source in form.sources]
    _section(drawing, funds.section, form, row, 2 + len(lines))
    drawing.put(row, funds.labels, funds.header_label or None, LABEL)
    for column in funds.columns:
        drawing.put(row, column.columns, column.label, LABEL)
    totals = {
        name: total(getattr(line, name) if line else None for line in lines)
        for name in ("initial_budget", "budget", "actual")
    }
    card = form.scorecard
    total_row = row + 1
    drawing.put(total_row, funds.labels, funds.total_label, LABEL, text=True)
    for column in funds.columns:
        if column.name == "reason":
            drawing.put(
                total_row,
                column.columns,
                form.text("execution_reason") or None,
                TEXT,
                rows=1 + len(lines),
                text=True,
            )
        elif column.entered:
            drawing.put(total_row, column.columns, totals[column.name], AMOUNT)
        elif column.name == "rate":
            drawing.put(
                total_row, column.columns, _fraction(totals["actual"], totals["budget"]), PERCENT
            )
        elif column.name == "weight":
            drawing.put(total_row, column.columns, card.execution_weight if card else None, POINTS)
        elif column.name == "score":
            drawing.put(total_row, column.columns, card.budget_score if card else None, POINTS)
    for index, (source, line) in enumerate(zip(form.sources, lines, strict=True)):
        line_row = total_row + 1 + index
        label = f"{funds.first_source_prefix}{source.name}" if index == 0 else source.name
        drawing.put(line_row, funds.labels, label, LABEL, text=True)
        for column in funds.columns:
            if column.name == "reason":
                continue
            if column.entered:
                drawing.put(line_row, column.columns, getattr(line, column.name, None), AMOUNT)
            elif column.name == "rate":
                value = _fraction(line.actual, line.budget) if line else None
                drawing.put(line_row, column.columns, value, PERCENT)
            else:
                drawing.put(line_row, column.columns, column.source_text, LABEL)
    return total_row + 1 + len(lines)


def _draw_indicators(drawing, indicators, form, row):
    rows = form.content.indicators
    _section(drawing, indicators.section, form, row, 1 + len(rows))
    for column in indicators.columns:
        drawing.put(row, column.columns, column.label, LABEL)
    first = row + 1
    for offset, item in enumerate(rows):
        for column in indicators.columns:
            if column.name in ("level1", "level2"):
                continue
            kind, value, text = _row_cell(column, item)
            drawing.put(first + offset, column.columns, value, kind, text=text)
    # 一级 and 二级 over their consecutive rows, as the official forms merge them.
    for name, key in (("level1", lambda r: r.level1), ("level2", lambda r: (r.level1, r.level2))):
        column = indicators.columns[[c.name for c in indicators.columns].index(name)]
        start = 0
        while start < len(rows):
            end = start
            while end + 1 < len(rows) and key(rows[end + 1]) == key(rows[start]):
                end += 1
            drawing.put(
                first + start,
                column.columns,
                getattr(rows[start], name),
                LABEL,
                rows=end - start + 1,
                text=True,
            )
            start = end + 1
    return first + len(rows)


QUANTITATIVE = {scoring.MORE, scoring.LESS, scoring.EQUAL}


def _row_cell(column, item):
    """(kind, value, written as text) of one cell of an indicator row."""
    value = getattr(item, column.name)
    if column.name == "completion_rate":
        return PERCENT, None if value is None else value / HUNDRED, False
    if column.number:
        return POINTS, value, False
    if column.name == "nature":
        return LABEL, value or None, True
    if column.number_if_quantitative and item.nature in QUANTITATIVE:
        number = _number(value)
        if number is not None:
            return NUMBER, number, False
    return TEXT, value or None, True


def _draw_total(drawing, declared, form, row):
    card = form.scorecard
    drawing.put(row, declared.columns, declared.label, LABEL)
    drawing.put(row, declared.weight, card.total_weight if card else None, POINTS)
    drawing.put(row, declared.score, card.total_score if card else None, POINTS)
    if declared.rest:
        drawing.put(row, declared.rest, None, LABEL)
    return row + 1


_DRAW = {
    Block: _draw_block,
    Funds: _draw_funds,
    Indicators: _draw_indicators,
    Total: _draw_total,
}


def _fraction(part, whole):
    """part ÷ whole as the fraction a `0.00%` cell holds, rounded as the page shows it."""
    percent = rate(part, whole)
    return None if percent is None else percent / HUNDRED


def _number(text):
    """A target or actual that is a plain number (`13`, `3.36`), else None."""
    try:
        number = Decimal(str(text).strip())
    except ArithmeticError:
        return None
    return number if number.is_finite() and str(text).strip() else None


def _plain(number):
    if number is None:
        return ""
    return f"{number.normalize():f}"
