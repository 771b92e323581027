"""What every layout's worksheet has in common: fonts, number formats, sheet titles, how labels
are compared across the spellings real files use, and how tall a row must be for its texts.

Where each value sits is declared by each layout (evaluations/layouts/); drawing.py, writer.py
and reader.py walk those declarations. The row numbers of a layout's cell map are those of an
edition with the fund sources its document lists; another number of sources moves every row
below the funds block accordingly.
"""

import math
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache

from openpyxl.utils import get_column_letter, range_boundaries

from config.texts import one_line

# What a workbook of many forms (of any layout) is called.
TITLE = "部门预算项目支出绩效自评表"
FONT_NAME = "宋体"
TITLE_SIZE = 16
BODY_SIZE = 10
AMOUNT_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"
POINTS_FORMAT = "0.00"
NOTE_SIZE = 9
# Points per line of 10 pt 宋体 as printed (at least 14), and the padding a row keeps above and
# below its text; a line of larger text takes proportionally more.
LINE_HEIGHT = 14
ROW_PADDING = 2

SHEET_NAME_MAX = 31
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
# Excel keeps this name for itself.
RESERVED_SHEET_NAMES = {"history"}


def cell(column, row):
    return f"{get_column_letter(column)}{row}"


def sheet_name(project_name, taken):
    """The project name as Excel takes a sheet title: on one line, without control characters
    or []:*?/\\, not opening or closing with an apostrophe, at most 31 characters as Excel counts
    them, unique among `taken` (lower case).

    Adds the name it returns to `taken`.
    """
    base = SHEET_NAME_FORBIDDEN.sub("", one_line(project_name)).strip(" '") or TITLE
    name = _cut(base, SHEET_NAME_MAX)
    number = 1
    while name.lower() in taken or name.lower() in RESERVED_SHEET_NAMES:
        number += 1
        suffix = f"({number})"
        name = _cut(base, SHEET_NAME_MAX - len(suffix)).rstrip(" '") + suffix
    taken.add(name.lower())
    return name


def _cut(text, units):
    """The start of `text` that fits in `units` UTF-16 code units, as Excel counts: a character
    beyond the Basic Multilingual Plane (𠀀, an emoji) takes two."""
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return text[:index].rstrip(" '")
    return text


# Labels as real files write them: full- or half-width brackets and colons, stray spaces.
_LABEL_WIDTH = str.maketrans("（）［］【】：％", "()[][]:%")
_SPACES = re.compile(r"\s+")


# The points a template prints after a 一级 label: `产出指标(50分)`.
_POINTS = re.compile(r"\(\d+(?:\.\d+)?分\)$")


def spelling_key(text):
    """A label with the differences of spelling taken out (widths, spaces, colons), all else
    kept: for labels that print a year or points."""
    if text is None:
        return ""
    return _SPACES.sub("", str(text).translate(_LABEL_WIDTH)).replace(":", "")


def label_key(text):
    """What spellings of one label have in common: `社会效益 指标`, `社会效益指标` → `社会效益`;
    `产出指标(50分)` → `产出`."""
    return _POINTS.sub("", spelling_key(text)).removesuffix("指标")


def same_label(found, expected):
    return label_key(found) == label_key(expected)


def fund_source_key(text):
    """A fund row label without its 其中： opening, whichever colon it has."""
    return label_key(text).removeprefix("其中")


class Taxonomy:
    """An edition's fund sources and indicator categories, in order, with their label variants."""

    def __init__(self, edition):
        self.edition = edition
        self.sources = list(edition.fund_sources.all())
        self.level2 = list(edition.level2())

    @cached_property
    def _level1_by_key(self):
        found = {}
        for category in self.level2:
            parent = category.parent
            for label in [parent.name, *parent.alias_list]:
                found.setdefault(label_key(label), parent.name)
        return found

    @cached_property
    def _level2_by_key(self):
        found = {}
        for category in self.level2:
            for label in [category.name, *category.alias_list]:
                found.setdefault((category.parent.name, label_key(label)), category.name)
        return found

    @cached_property
    def _source_by_key(self):
        found = {}
        for source in self.sources:
            for label in [source.name, *source.alias_list]:
                found.setdefault(fund_source_key(label), source.name)
        return found

    def level1_name(self, label):
        return self._level1_by_key.get(label_key(label))

    def level2_name(self, level1, label):
        return self._level2_by_key.get((level1, label_key(label)))

    def level1_names(self):
        names = []
        for category in self.level2:
            if category.parent.name not in names:
                names.append(category.parent.name)
        return names

    def level2_names(self, level1):
        return [category.name for category in self.level2 if category.parent.name == level1]

    def source_name(self, label):
        return self._source_by_key.get(fund_source_key(label))


def display_width(text):
    """Width in Excel character units: a CJK character takes two."""
    return sum(1 if ord(char) < 0x1100 else 2 for char in text)


# What wraps as one piece: a run of Latin letters and digits (a word), or any other character
# alone (a CJK character may break anywhere, a space is a break).
_PIECES = re.compile(r"[^\s\u1100-\U0010ffff]+|.", re.DOTALL)


@lru_cache(maxsize=4096)
def wrapped_lines(text, width):
    """Lines that `text` takes wrapped in a cell `width` characters wide (a CJK character two).

    Remembered: every form repeats the same labels in the same widths."""
    capacity = max(2, int(width))
    lines = 0
    for paragraph in str(text).splitlines() or [""]:
        lines += 1
        used = 0
        for piece in _PIECES.findall(paragraph):
            size = display_width(piece)
            if used + size <= capacity:
                used += size
            elif piece.isspace():
                continue  # a space at the end of a line is not carried over
            elif size <= capacity:
                lines += 1
                used = size
            else:
                # A word longer than the cell breaks anywhere.
                for char in piece:
                    char_size = display_width(char)
                    if used + char_size > capacity:
                        lines += 1
                        used = 0
                    used += char_size
    return lines


def row_height(texts_and_widths):
    """Height in points that shows every wrapped text in full; None for one line.

    Excel fits row heights by itself except across merged cells, which is where this is used.
    """
    lines = 1
    for text, width in texts_and_widths:
        if text:
            lines = max(lines, wrapped_lines(text, width))
    return None if lines == 1 else lines * LINE_HEIGHT


@dataclass(frozen=True)
class Text:
    """What a cell shows, as row heights see it: the text, its font size, whether it is stacked
    vertical text (one character a line)."""

    value: str
    size: float = BODY_SIZE
    stacked: bool = False

    def height(self, width):
        """Points the text needs in a (merged) cell `width` characters wide."""
        line = LINE_HEIGHT * self.size / BODY_SIZE
        if self.stacked:
            lines = max(1, len("".join(self.value.split())))
        else:
            lines = wrapped_lines(self.value, width * BODY_SIZE / self.size)
        return lines * line + ROW_PADDING


def row_heights(rows, merges, widths, first_row=1):
    """The height in points of each of `rows` (lists of Text or None, column A first; the first
    is row `first_row`), so that every text shows whole once wrapped in its cell or merged range
    (`widths`: the layout's column widths by letter).

    A text in a range over several rows (a stacked label, a 一级指标 beside its rows) makes those
    rows together tall enough for it, the missing height shared among them.
    """
    single = [LINE_HEIGHT + ROW_PADDING] * len(rows)
    spans = {}
    for merge in merges:
        c1, r1, c2, r2 = range_boundaries(merge)
        spans[(r1, c1)] = (c1, r1, c2, r2)
    covered = {
        (row, column)
        for c1, r1, c2, r2 in spans.values()
        for row in range(r1, r2 + 1)
        for column in range(c1, c2 + 1)
        if (row, column) != (r1, c1)
    }
    tall = []
    for index, cells in enumerate(rows):
        row = first_row + index
        for column, text in enumerate(cells, start=1):
            if text is None or not text.value or (row, column) in covered:
                continue
            c1, r1, c2, r2 = spans.get((row, column), (column, row, column, row))
            needed = text.height(merged_width(c1, c2, widths))
            if r1 == r2:
                single[index] = max(single[index], needed)
            else:
                tall.append((r2 - r1, r1 - first_row, r2 - first_row, needed))
    heights = single
    # The narrowest spans first, so that a span inside another grows before the outer one.
    for _size, top, bottom, needed in sorted(tall):
        missing = needed - sum(heights[top : bottom + 1])
        if missing > 0:
            share = missing / (bottom - top + 1)
            for index in range(top, bottom + 1):
                heights[index] += share
    # In quarter points, rounded up.
    return [math.ceil(height * 4) / 4 for height in heights]


def merged_width(first, last, widths):
    return sum(widths[get_column_letter(column)] for column in range(first, last + 1))


# A custom document property per form of a downloaded workbook: the form's version then, so that
# an import can tell whether the form was saved since. Excel keeps such properties on saving.
VERSION_PROPERTY = re.compile(r"jixiao form (\d+) version")


def version_property(evaluation_id):
    return f"jixiao form {evaluation_id} version"
