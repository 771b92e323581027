"""The edit page's indicator rows.

A tag rather than an included template: a form of thirty rows drew some three hundred cells
through the template engine, about half of the page's rendering time.
"""

from django import template
from django.utils.formats import localize
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from evaluations.templatetags.evaluation_tags import field, points
from evaluations.templatetags.review_tags import pinned

register = template.Library()


@register.simple_tag(takes_context=True)
def indicator_row(context, form, review, scoring_rules):
    """One row of the indicator table: a cell per column the layout shows, the row's hidden
    bookkeeping in the first, then its tools (move, remove). `review` is the page's review
    notes (its pinned comments); `scoring_rules` is set for a layout that scores the rows."""
    texts = _texts(context)
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
            parts.append(_suggestion(getattr(form, "suggested_rate", None), texts))
        elif name == "score" and scoring_rules:
            parts.append(_computed(getattr(form, "computed", None), texts))
        cells.append("<td>\n" + "\n".join(parts) + "\n</td>")
    row_id = f' id="indicator-{conditional_escape(pk)}"' if pk else ""
    return mark_safe(  # noqa: S308 — every part is escaped or safe already
        f'<tr class="indicator-row{" is-removed" if removed else ""}" data-row{row_id}>\n'
        + "\n".join(cells)
        + f"\n{_tools(form, removed, texts)}\n</tr>"
    )


def _texts(context):
    """The rows' fixed texts, translated and escaped once for all the rows of a page."""
    texts = context.render_context.get(_texts)
    if texts is None:
        texts = {
            name: conditional_escape(text)
            for name, text in {
                "up": _("Move up"),
                "down": _("Move down"),
                "remove": _("Remove row"),
                "removed": _("Removed on saving"),
                "undo": _("Undo"),
                "suggested": _("Suggested"),
                "computed": _("Computed:"),
                "use": _("Use"),
            }.items()
        }
        context.render_context[_texts] = texts
    return texts


def _errors(errors):
    return ((error,) for error in errors)


def _suggestion(rate, texts):
    return (
        '<div class="small text-body-secondary mt-1" data-suggestion'
        f"{' hidden' if rate is None else ''}>\n"
        f"{texts['suggested']} <span data-suggested-value>"
        f"{'' if rate is None else conditional_escape(localize(rate))}</span>%\n"
        '<button type="button" class="btn btn-link btn-sm p-0 align-baseline" '
        f"data-use-suggestion>{texts['use']}</button>\n"
        "</div>"
    )


def _computed(computed, texts):
    value = getattr(computed, "computed", None)
    shown = conditional_escape(points(value))
    return (
        '<div class="small text-body-secondary mt-1" data-computed'
        f"{' hidden' if value is None else ''}>\n"
        f"{texts['computed']} <span data-computed-value>{shown}</span>\n"
        '<button type="button" class="btn btn-link btn-sm p-0 align-baseline" '
        f"data-use-computed>{texts['use']}</button>\n"
        "</div>"
    )


def _tools(form, removed, texts):
    delete = form["DELETE"]
    return (
        '<td class="row-tools text-nowrap">\n'
        '<button type="button" class="btn btn-outline-secondary btn-sm" data-move="up" '
        f'title="{texts["up"]}" aria-label="{texts["up"]}">↑</button>\n'
        '<button type="button" class="btn btn-outline-secondary btn-sm" data-move="down" '
        f'title="{texts["down"]}" aria-label="{texts["down"]}">↓</button>\n'
        f'<div class="form-check mt-1" data-remove{" hidden" if removed else ""}>\n'
        f"{delete}\n"
        f'<label class="form-check-label small" for="{conditional_escape(delete.id_for_label)}">'
        f"{texts['remove']}</label>\n"
        "</div>\n"
        f'<div class="mt-1" data-removed{"" if removed else " hidden"}>\n'
        f'<div class="small text-danger">{texts["removed"]}</div>\n'
        '<button type="button" class="btn btn-outline-secondary btn-sm" data-undo-remove>'
        f"{texts['undo']}</button>\n"
        "</div>\n"
        "</td>"
    )
