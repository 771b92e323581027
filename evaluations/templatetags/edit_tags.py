"""The edit page's indicator rows.

A tag rather than an included template: a form of thirty rows drew some three hundred cells
through the template engine, about half of the page's rendering time.
"""

from django import template
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from evaluations.templatetags.evaluation_tags import field, points
from evaluations.templatetags.review_tags import pinned

register = template.Library()


@register.simple_tag
def indicator_row(form, review, scoring_rules):
    """One row of the indicator table: a cell per column the layout shows, the row's hidden
    bookkeeping in the first, then its tools (move, remove). `review` is the page's review
    notes (its pinned comments); `scoring_rules` is set for a layout that scores the rows."""
    removed = form["DELETE"].value()
    pk = form.instance.pk
    cells = []
    for index, name in enumerate(form.shown):
        parts = []
        if index == 0:
            parts += [
                pinned(review, form.instance),
                format_html("{}{}{}", form["id"], form["category"], form["position"]),
                format_html_join(
                    "", '<div class="text-danger small">{}</div>', _errors(form.non_field_errors())
                )
                + format_html_join(
                    "",
                    '<div class="text-danger small">二级指标: {}</div>',
                    _errors(form["category"].errors),
                ),
            ]
        parts.append(field(form[name], hide_label=True))
        if name == "completion_rate":
            parts.append(_suggestion(getattr(form, "suggested_rate", None)))
        elif name == "score" and scoring_rules:
            parts.append(_computed(getattr(form, "computed", None)))
        cells.append(format_html("<td>\n{}\n</td>", mark_safe("\n".join(parts))))  # noqa: S308 — each part is safe
    return format_html(
        '<tr class="indicator-row{}" data-row{}>\n{}\n{}\n</tr>',
        " is-removed" if removed else "",
        format_html(' id="indicator-{}"', pk) if pk else "",
        mark_safe("\n".join(cells)),  # noqa: S308 — each cell is safe
        _tools(form, removed),
    )


def _errors(errors):
    return ((error,) for error in errors)


def _suggestion(rate):
    return format_html(
        '<div class="small text-body-secondary mt-1" data-suggestion{}>\n'
        "{} <span data-suggested-value>{}</span>%\n"
        '<button type="button" class="btn btn-link btn-sm p-0 align-baseline" '
        "data-use-suggestion>{}</button>\n"
        "</div>",
        " hidden" if rate is None else "",
        _("Suggested"),
        "" if rate is None else localize(rate),
        _("Use"),
    )


def _computed(computed):
    value = getattr(computed, "computed", None)
    return format_html(
        '<div class="small text-body-secondary mt-1" data-computed{}>\n'
        "{} <span data-computed-value>{}</span>\n"
        '<button type="button" class="btn btn-link btn-sm p-0 align-baseline" '
        "data-use-computed>{}</button>\n"
        "</div>",
        " hidden" if value is None else "",
        _("Computed:"),
        points(value),
        _("Use"),
    )


def _tools(form, removed):
    delete = form["DELETE"]
    return format_html(
        '<td class="row-tools text-nowrap">\n'
        '<button type="button" class="btn btn-outline-secondary btn-sm" data-move="up" '
        'title="{up}" aria-label="{up}">↑</button>\n'
        '<button type="button" class="btn btn-outline-secondary btn-sm" data-move="down" '
        'title="{down}" aria-label="{down}">↓</button>\n'
        '<div class="form-check mt-1" data-remove{remove_hidden}>\n'
        "{checkbox}\n"
        '<label class="form-check-label small" for="{checkbox_id}">{remove}</label>\n'
        "</div>\n"
        '<div class="mt-1" data-removed{removed_hidden}>\n'
        '<div class="small text-danger">{removed}</div>\n'
        '<button type="button" class="btn btn-outline-secondary btn-sm" data-undo-remove>'
        "{undo}</button>\n"
        "</div>\n"
        "</td>",
        up=_("Move up"),
        down=_("Move down"),
        remove_hidden=" hidden" if removed else "",
        checkbox=delete,
        checkbox_id=delete.id_for_label,
        remove=_("Remove row"),
        removed_hidden="" if removed else " hidden",
        removed=_("Removed on saving"),
        undo=_("Undo"),
    )
