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


def choices():
    return [(layout.key, layout.name) for layout in LAYOUTS.values()]
