"""The indicator tree of a form: rows grouped under their 一级 and 二级 headings."""

import unicodedata
from dataclasses import dataclass, field

from django.utils.text import Truncator
from django.utils.translation import gettext as _

# Enough of a 三级指标 to recognise it; some run to a whole sentence of policy.
NAME_LENGTH = 30


@dataclass
class Section:
    """A 二级指标 and its rows (indicators, or the edit page's row forms)."""

    category: object
    rows: list = field(default_factory=list)


@dataclass
class Group:
    """A 一级指标 and its 二级 sections, in the taxonomy's order."""

    category: object
    sections: list = field(default_factory=list)

    @property
    def row_count(self):
        return sum(len(section.rows) for section in self.sections)


def group_rows(level2_categories, rows, category_id_of, *, keep_empty=True):
    """Group rows by category in taxonomy order; rows keep the order they come in.

    With keep_empty, every 二级 of the taxonomy is present (the edit page shows them all so that
    rows can be added); without it, only those that hold a row (the official layout).
    """
    sections = {category.pk: Section(category) for category in level2_categories}
    first = next(iter(sections.values()), None)
    for row in rows:
        # Only a tampered page sends an unknown category; its row still shows, with its error.
        sections.get(category_id_of(row), first).rows.append(row)
    groups = []
    for section in sections.values():
        if not keep_empty and not section.rows:
            continue
        parent = section.category.parent
        if not groups or groups[-1].category.pk != parent.pk:
            groups.append(Group(parent))
        groups[-1].sections.append(section)
    return groups


def row_labels(rows, *, name_of, section_of, place_of):
    """How messages name each of `rows` (given in the page's order): by its 三级指标, or by its
    number within its 二级 where it has none or shares it with another row there.

    Returns {row: label}. `place_of(row)` is the row's 一级 · 二级, `section_of(row)` what tells
    its 二级 apart.
    """
    sections = {}
    for row in rows:
        sections.setdefault(section_of(row), []).append(row)
    labels = {}
    for section in sections.values():
        names = [_short(" ".join((name_of(row) or "").split())) for row in section]
        for number, (row, name) in enumerate(zip(section, names, strict=True), start=1):
            values = {"name": name, "number": number, "place": place_of(row)}
            if not name:
                labels[row] = _("Row %(number)s under %(place)s") % values
            elif names.count(name) > 1:
                labels[row] = _("Row %(number)s (“%(name)s”) under %(place)s") % values
            else:
                labels[row] = _("“%(name)s” under %(place)s") % values
    return labels


def _short(name):
    """The name cut to NAME_LENGTH characters as Truncator cuts it; most names are shorter,
    and are only normalised as it normalises them (Truncator translates its ellipsis for every
    text it is given, on every page that names the rows)."""
    name = unicodedata.normalize("NFC", name)
    if len(name) <= NAME_LENGTH:
        return name
    return Truncator(name).chars(NAME_LENGTH)
