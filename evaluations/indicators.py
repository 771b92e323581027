"""The indicator tree of a form: rows grouped under their 一级 and 二级 headings."""

from dataclasses import dataclass, field


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
