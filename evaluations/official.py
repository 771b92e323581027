"""The official form as a page shows and prints it: rows of cells drawn from the layout's sheet.

Each part of the layout's sheet (evaluations/layouts/) becomes table rows cell for cell as the
printed form has them: the same labels, the same merged cells (colspan and rowspan), the values
in their places. templates/evaluations/_official.html loops over the rows; its filters only
format the values. The rows of the funds block, of the goals and of each indicator carry the
anchors that checks and pinned comments link to (`funds`, `goals`, `indicator-<pk>`).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from evaluations import scorecard
from evaluations.indicators import group_rows
from evaluations.layouts.declaration import (
    FUND_VALUES,
    Funds,
    Indicators,
    Label,
    Total,
    Value,
    span,
)
from evaluations.money import rate, total

# How a value cell is shown: text as written (line breaks kept), or a number of its kind.
TEXT, AMOUNT, PERCENT, POINTS = "text", "amount", "percent", "points"
ROW_KINDS = {"completion_rate": PERCENT, "weight": POINTS, "score": POINTS}


@dataclass
class Cell:
    value: object = ""
    colspan: int = 1
    rowspan: int = 1
    # "label" (a fixed text of the form), "vertical", "title", "subtitle", "note", or a value's
    # kind (TEXT, AMOUNT, PERCENT, POINTS); "" for an empty cell.
    style: str = "label"

    @property
    def header(self):
        return self.style in ("label", "vertical", "title", "subtitle", "note", "fund-label")


@dataclass
class Row:
    cells: list = field(default_factory=list)
    anchor: str | None = None


@dataclass
class Sheet:
    title: str
    widths: list
    head: list
    body: list


def _number(value):
    return f"{Decimal(value).normalize():f}"


def sheet_text(text, year, rules):
    """A label of the sheet with the year and the rules' weights it names filled in."""
    weights = {"execution_weight": "", "indicator_weight": ""}
    if rules is not None:
        weights = {
            "execution_weight": _number(rules.execution_weight),
            "indicator_weight": _number(rules.total_weight - rules.execution_weight),
        }
    return text.format(year=year, **weights)


def _width(columns):
    first, last = span(columns)
    return last - first + 1


class Drawing:
    """Draws one form's sheet: `sheet()` returns the rows."""

    def __init__(self, evaluation):
        self.evaluation = evaluation
        self.layout = evaluation.form_layout
        self.rules = evaluation.year_settings.scoring_rules
        self.card = scorecard.of(evaluation) if self.rules is not None else None
        self.indicators = list(evaluation.indicators.all())

    def text(self, text):
        return sheet_text(text, self.evaluation.year_id, self.rules)

    def value(self, name):
        evaluation = self.evaluation
        if name == "project":
            return evaluation.project.name
        if name == "project_code":
            return evaluation.project.code
        return getattr(evaluation, name)

    def sheet(self):
        head, body = [], []
        for part in self.layout.sheet:
            if isinstance(part, Funds):
                body += self.funds(part)
            elif isinstance(part, Indicators):
                body += self.indicator_rows(part)
            elif isinstance(part, Total):
                body += self.total(part)
            else:
                rows = self.block(part)
                # The title and what stands above it print once, without borders.
                titles = all(
                    isinstance(cell, Label) and cell.style != "label"
                    for row in part.rows
                    for cell in row
                )
                (head if titles and not body else body).extend(rows)
        return Sheet(self.layout.title, self.widths(), head, body)

    def widths(self):
        widths = self.layout.column_widths
        whole = sum(widths.values())
        return [round(Decimal(100) * widths[index] / whole, 2) for index in sorted(widths)]

    def block(self, block):
        rows = []
        for number, cells in enumerate(block.rows):
            row = Row()
            if number == 0 and block.section is not None:
                section = block.section
                row.cells.append(
                    Cell(
                        self.text(section.text),
                        _width(section.columns),
                        block.height,
                        "vertical" if section.vertical else "label",
                    )
                )
            for cell in cells:
                if isinstance(cell, Label):
                    row.cells.append(
                        Cell(self.text(cell.text), _width(cell.columns), cell.rows, cell.style)
                    )
                elif isinstance(cell, Value):
                    row.cells.append(
                        Cell(self.shown_value(cell), _width(cell.columns), cell.rows, TEXT)
                    )
            rows.append(row)
        names = {cell.field for cells in block.rows for cell in cells if isinstance(cell, Value)}
        if "goal" in names and rows:
            rows[0].anchor = "goals"
        return rows

    def shown_value(self, cell):
        value = self.value(cell.field) or ""
        if cell.with_code and self.evaluation.project.code:
            value = f"{self.evaluation.project.code}-{value}"
        return f"{cell.prefix}{value}" if cell.prefix else value

    def funds(self, funds):
        lines = {line.source_id: line for line in self.evaluation.fund_lines.all()}
        sources = list(self.evaluation.year_settings.edition.fund_sources.all())
        values = [
            {
                name: getattr(lines.get(source.pk), name, None)
                for name in ("initial_budget", "budget", "actual")
            }
            for source in sources
        ]
        totals = {name: total(line[name] for line in values) for name in FUND_VALUES}
        label_width = _width(funds.labels)
        section = funds.section
        header = Row(anchor="funds")
        header.cells.append(
            Cell(
                self.text(section.text),
                _width(section.columns),
                2 + len(sources),
                "vertical" if section.vertical else "label",
            )
        )
        header.cells.append(
            Cell(funds.header_label, label_width, style="label" if funds.header_label else "")
        )
        header.cells += [Cell(column.label, _width(column.columns)) for column in funds.columns]
        rows = [header, self.fund_row(funds, funds.total_label, totals, True, len(sources))]
        for index, (source, line) in enumerate(zip(sources, values, strict=True)):
            label = (funds.first_source_prefix if index == 0 else "") + source.name
            rows.append(self.fund_row(funds, label, line, False, len(sources)))
        return rows

    def fund_row(self, funds, label, line, is_total, source_count):
        row = Row([Cell(label, _width(funds.labels), style="fund-label")])
        card = self.card
        for column in funds.columns:
            width = _width(column.columns)
            if column.entered:
                row.cells.append(Cell(line[column.name], width, style=AMOUNT))
            elif column.name == "rate":
                row.cells.append(Cell(rate(line["actual"], line["budget"]), width, style=PERCENT))
            elif column.name == "reason":
                if is_total:
                    row.cells.append(
                        Cell(self.evaluation.execution_reason, width, 1 + source_count, TEXT)
                    )
            elif not is_total:
                row.cells.append(Cell(column.source_text or "", width))
            elif column.name == "weight":
                row.cells.append(Cell(card and card.execution_weight, width, style=POINTS))
            elif column.name == "score":
                row.cells.append(Cell(card and card.budget_score, width, style=POINTS))
        return row

    def indicator_rows(self, indicators):
        section = indicators.section
        header = Row(
            [
                Cell(
                    self.text(section.text),
                    _width(section.columns),
                    1 + len(self.indicators),
                    "vertical" if section.vertical else "label",
                )
            ]
        )
        header.cells += [
            Cell(column.label, _width(column.columns)) for column in indicators.columns
        ]
        rows = [header]
        groups = group_rows(
            self.evaluation.year_settings.edition.taxonomy,
            self.indicators,
            lambda row: row.category_id,
            keep_empty=False,
        )
        for group in groups:
            for section_index, part in enumerate(group.sections):
                for index, indicator in enumerate(part.rows):
                    row = Row(anchor=f"indicator-{indicator.pk}")
                    for column in indicators.columns:
                        width = _width(column.columns)
                        if column.name == "level1":
                            if index == 0 and section_index == 0:
                                row.cells.append(Cell(group.category.name, width, group.row_count))
                        elif column.name == "level2":
                            if index == 0:
                                row.cells.append(Cell(part.category.name, width, len(part.rows)))
                        else:
                            kind = ROW_KINDS.get(column.name, TEXT)
                            row.cells.append(
                                Cell(getattr(indicator, column.name), width, style=kind)
                            )
                    rows.append(row)
        return rows

    def total(self, row_total):
        card = self.card
        row = Row([Cell(row_total.label, _width(row_total.columns))])
        row.cells.append(Cell(card and card.total_weight, _width(row_total.weight), style=POINTS))
        row.cells.append(Cell(card and card.total_score, _width(row_total.score), style=POINTS))
        if row_total.rest:
            row.cells.append(Cell("", _width(row_total.rest), style=TEXT))
        return [row]


def sheet(evaluation):
    """The rows and cells of the form's official sheet."""
    return Drawing(evaluation).sheet()
