"""The registry of official layouts: each is one module that declares its form.

To add a layout, write a module like `national.py` (its fields, funds and indicator columns, its
sheet from top to bottom, its scoring rules), add one line below, and give it its tests (see
the README's "Adding a layout").
"""

from evaluations.layouts import national, panzhihua, sichuan

LAYOUTS = {layout.key: layout for layout in (panzhihua.LAYOUT, national.LAYOUT, sichuan.LAYOUT)}
DEFAULT = panzhihua.LAYOUT.key


def get(key):
    """The layout registered under `key`; KeyError for a key no module declares."""
    return LAYOUTS[key]


def official_labels():
    """Every official label a layout prints or names, for the pages that show them as they
    are in any language."""
    from evaluations.layouts.declaration import Block, Funds, Indicators, Label, Total

    found = []
    for layout in LAYOUTS.values():
        found += [layout.title, *(label for item in layout.fields for label in item.labels)]
        for part in layout.sheet:
            if isinstance(part, Block):
                if part.section:
                    found += part.section.labels
                found += [
                    label
                    for cells in part.rows
                    for item in cells
                    for label in (item.labels if isinstance(item, Label) else (item.prefix,))
                ]
            elif isinstance(part, Funds | Indicators):
                found += part.section.labels
                found += [label for column in part.columns for label in column.labels]
                if isinstance(part, Funds):
                    found += [part.header_label, part.total_label, part.first_source_prefix]
            elif isinstance(part, Total):
                found.append(part.label)
    placeholders = {"year": 2023, "execution_weight": 10, "indicator_weight": 90}
    return [label.format(**placeholders) for label in found if label]


def choices():
    return [(layout.key, layout.name) for layout in LAYOUTS.values()]
