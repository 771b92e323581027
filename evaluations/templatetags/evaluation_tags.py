import json
from decimal import Decimal

from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def amount(value):
    """万元 with thousands separators and at least two decimals, never losing precision."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    places = max(2, -value.normalize().as_tuple().exponent)
    return f"{value:,.{places}f}"


@register.filter
def percent(value):
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}%"


@register.simple_tag
def field(bound_field, label=None, hide_label=False):
    """A field with its real <label> and its errors, the way every form page shows them.

    A tag rather than an include: the edit page shows several hundred of them.
    """
    errors = ""
    if bound_field.errors:
        # The id Django's widgets name in aria-describedby, so that the message is read out.
        errors = format_html(
            '<div class="invalid-feedback d-block" id="{}_error">{}</div>',
            bound_field.auto_id,
            format_html_join(" ", "<span>{}</span>", ((error,) for error in bound_field.errors)),
        )
    # format_html's work, written out: the edit page draws hundreds of fields.
    return mark_safe(  # noqa: S308 — the label and its id are escaped, the rest is safe
        f'<label class="{"visually-hidden" if hide_label else "form-label"}" '
        f'for="{conditional_escape(bound_field.id_for_label)}">'
        f"{conditional_escape(label or bound_field.label)}</label>"
        f"{bound_field.as_widget()}{errors}"
    )


@register.simple_tag
def labelled(label, text, strong=False):
    """A label and its text joined as the language joins them: a space after an English colon,
    none after a Chinese one (the mails use the same translated join)."""
    label = conditional_escape(label)
    if strong:
        label = format_html('<span class="fw-semibold">{}</span>', label)
    return mark_safe(
        _("%(label)s %(comment)s") % {"label": label, "comment": conditional_escape(text)}
    )


@register.filter
def points(value):
    """A weight or a score as the form prints it: two decimals."""
    if value is None or value == "":
        return ""
    return f"{Decimal(value):.2f}"


_CELL_FORMATS = {"amount": amount, "percent": percent, "points": points}
_CELL_CLASSES = {"amount": "num", "percent": "num", "points": "num", "label": ""}


@register.simple_tag
def official_cell(cell):
    """One cell of the official sheet (evaluations/official.py), its value formatted.

    A tag rather than an include: a form of thirty rows has some three hundred cells.
    """
    style = cell.style
    if style in _CELL_FORMATS:
        content = _CELL_FORMATS[style](cell.value)
    elif style == "text":
        content = linebreaksbr(cell.value or "", autoescape=True)
    else:
        content = conditional_escape(cell.value or "")
    tag = "th" if cell.header else "td"
    css = _CELL_CLASSES.get(style, style)
    spans = ""
    if cell.colspan > 1:
        spans += f' colspan="{cell.colspan}"'
    if cell.rowspan > 1:
        spans += f' rowspan="{cell.rowspan}"'
    return format_html(
        "<{tag}{spans}{css}>{content}</{tag}>",
        tag=tag,
        spans=mark_safe(spans),  # noqa: S308 — numbers only
        css=mark_safe(f' class="{css}"' if css else ""),  # noqa: S308 — a known class name
        content=content,
    )


@register.filter
def item(container, key):
    """`form|item:name` → the form's field of that name; `totals|item:name` → its value."""
    return container[key]


@register.filter
def year_text(year_format, year):
    """The year as the layout prints it beside the title: `（2023年度）`, `(2023年度)`."""
    return year_format.format(year=year)


@register.filter
def json_attribute(value):
    """Data for a script, as JSON in an attribute (escaped as every attribute is)."""
    return json.dumps(value, ensure_ascii=False)
