"""The pieces a layout module declares a form with.

A layout says which values a form has and what the official form calls them (`Field`,
`FundColumn`, `IndicatorColumn`), and where each sits on the printed sheet (`Block`s of `Label`s
and `Value`s, the `Funds` block, the `Indicators` block, the `Total` row). Everything that shows,
reads, writes, compares or checks a form iterates these declarations; none names a column itself.

Columns are letters as on the official cell maps (`"B"`, or `"B:E"` for a merged range).
"""

from dataclasses import dataclass, field
from functools import cached_property

from openpyxl.utils import column_index_from_string

from config.texts import MultiLineField, OneLineField
from evaluations.models import Evaluation

# What a form holds besides its rows: the texts of the model's form, in its order. A layout lists
# the ones it prints; `project` and `project_code` belong to the project, the rest to the form.
FORM_TEXTS = tuple(
    field.name
    for field in Evaluation._meta.fields
    if isinstance(field, OneLineField | MultiLineField)
)
ONE_LINE_TEXTS = {"project", "project_code"} | {
    field.name for field in Evaluation._meta.fields if isinstance(field, OneLineField)
}
# Values of a fund line, and of the funds block's columns computed from them.
FUND_VALUES = ("initial_budget", "budget", "actual")
FUND_COMPUTED = ("rate", "weight", "score", "reason")
# Values of an indicator row.
ROW_VALUES = (
    "level1",
    "level2",
    "name",
    "nature",
    "target",
    "unit",
    "actual",
    "weight",
    "score",
    "completion_rate",
    "reason",
)
ROW_NUMBERS = {"weight", "score", "completion_rate"}


@dataclass(frozen=True)
class Field:
    """A value of the form outside its fund lines and rows, as this layout labels it.

    `required`: submitting refuses while it is empty. `variants`: other spellings real files
    use for the label.
    """

    name: str
    label: str
    variants: tuple = ()
    required: bool = False
    # Texts of the blank template that mean nothing was written (their opening words).
    template: tuple = ()

    @property
    def multi_line(self):
        return self.name not in ONE_LINE_TEXTS

    @property
    def labels(self):
        return (self.label, *self.variants)


@dataclass(frozen=True)
class FundColumn:
    """A column of the funds block: a value of each fund line, or one computed from them."""

    name: str
    label: str
    columns: str = ""
    variants: tuple = ()
    # What the rows of the sources show in a column that only the total row fills (分值, 得分).
    source_text: str | None = None

    @property
    def labels(self):
        return (self.label, *self.variants)

    @property
    def entered(self):
        return self.name in FUND_VALUES


@dataclass(frozen=True)
class IndicatorColumn:
    name: str
    label: str
    columns: str = ""
    variants: tuple = ()
    # A target or actual written as a number cell where the row's nature is ≥, ≤ or = (Sichuan).
    number_if_quantitative: bool = False

    @property
    def labels(self):
        return (self.label, *self.variants)

    @property
    def number(self):
        return self.name in ROW_NUMBERS


def span(columns):
    """`"B:E"` → (2, 5); `"D"` → (4, 4)."""
    first, _, last = columns.partition(":")
    return column_index_from_string(first), column_index_from_string(last or first)


# The sheet ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """Fixed text in `columns`, over `rows` rows. `variants`: other spellings real files use.

    A text may name the year (`{year}`) or a weight of the scoring rules (`{execution_weight}`,
    `{indicator_weight}`).
    """

    text: str
    columns: str
    rows: int = 1
    variants: tuple = ()
    style: str = "label"

    @property
    def labels(self):
        return (self.text, *self.variants)


@dataclass(frozen=True)
class Value:
    """The value of a `Field` in `columns`, over `rows` rows; `prefix` opens the cell as printed
    (`项目负责人：`)."""

    field: str
    columns: str
    rows: int = 1
    prefix: str = ""
    # The project's code before its name, `<code>-<name>`, where it has one.
    with_code: bool = False


@dataclass(frozen=True)
class Section:
    """The label of a block in its first columns, usually vertical text over every row."""

    text: str
    columns: str = "A"
    vertical: bool = True
    variants: tuple = ()

    @property
    def labels(self):
        return (self.text, *self.variants)


@dataclass(frozen=True)
class Block:
    """Rows of fixed labels and values. A cell over several rows is declared in its first row."""

    rows: tuple
    section: Section | None = None
    # A row on its own above the title (Sichuan's 报表编号), or the title: how they are styled.
    style: str | None = None

    @property
    def height(self):
        return len(self.rows)


@dataclass(frozen=True)
class Funds:
    """The funds block: a header row, the total row, one row per fund source of the edition.

    `labels` are the columns of the row labels; a column whose name is `reason` is one cell over
    the total and every source row.
    """

    section: Section
    labels: str
    header_label: str
    total_label: str
    first_source_prefix: str
    columns: tuple
    total_variants: tuple = ()

    @cached_property
    def entered(self):
        return tuple(column for column in self.columns if column.entered)


@dataclass(frozen=True)
class Indicators:
    """The header row of the indicator tree and one row per 三级指标."""

    section: Section
    columns: tuple


@dataclass(frozen=True)
class Total:
    """The row under the indicators: its label, and the computed 分值 and 得分 columns."""

    label: str
    columns: str
    weight: str
    score: str
    rest: str = ""


@dataclass(frozen=True)
class Refused:
    """A near layout real files use that this one must not be read as: recognised by `marks`
    (texts found in the top rows), refused with `message`."""

    name: str
    marks: tuple


@dataclass(frozen=True)
class Layout:
    """One official 项目支出绩效自评表: everything that differs between layouts is here."""

    key: str
    name: str
    title: str
    # The edition (fund sources and taxonomy) a bureau's year in this layout starts with.
    edition: str
    fields: tuple
    funds: Funds
    indicators: Indicators
    # The sheet from top to bottom: Blocks, the Funds, the Indicators, the Total.
    sheet: tuple
    widths: dict
    # How the year is printed in the title or under it.
    year_format: str = "（{year}年度）"
    rules: object = None
    total: Total | None = None
    refused: tuple = ()
    # Which value of the funds block the execution rate divides by, as this layout says it.
    rate_note: str = ""
    notes: dict = field(default_factory=dict)

    @property
    def scored(self):
        return self.rules is not None

    @cached_property
    def field_by_name(self):
        return {item.name: item for item in self.fields}

    def has(self, name):
        """Whether the form has this value in this layout (a field, or a row column)."""
        return name in self.field_by_name or name in self.row_columns

    @cached_property
    def row_columns(self):
        return {column.name: column for column in self.indicators.columns}

    @cached_property
    def fund_columns(self):
        return {column.name: column for column in self.funds.columns}

    def label(self, name):
        """What this layout calls a value: a field, a fund value or a row column."""
        for table in (self.field_by_name, self.fund_columns, self.row_columns):
            if name in table:
                return table[name].label
        raise KeyError(name)

    @cached_property
    def last_column(self):
        return max(span(letter)[1] for letter in self.widths)

    @cached_property
    def column_widths(self):
        return {span(letter)[0]: width for letter, width in self.widths.items()}
