"""The review's parts of the report's pages: the return the department is answering, with the
comments a reviewer pinned to its sections (shown beside them on the edit page)."""

from dataclasses import dataclass

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from reports import checks, pins, queue

register = template.Library()


@dataclass
class ReturnNotes:
    returned: object
    # {section key: pinned comment}
    pins: dict


@register.simple_tag
def report_return(report):
    """The return the department answers while it edits the report, and its pins by section."""
    returned = pins.latest_return(report) if report.is_editable_state else None
    by_section = {pin.section: pin for pin in returned.pins.all()} if returned else {}
    return ReturnNotes(returned, by_section)


@register.simple_tag
def section_pin(notes, key):
    """The reviewer's comment beside its section, or nothing."""
    pin = notes.pins.get(key)
    if pin is None:
        return ""
    return format_html(
        '<div class="pinned-comment alert alert-warning small py-1 px-2 my-1" role="note" '
        'data-section-pin="{}"><span class="fw-semibold">{}</span> {}</div>',
        key,
        _("Reviewer’s comment:"),
        pin.comment,
    )


@register.filter
def section_anchor(key):
    return checks.anchor(key)


@register.inclusion_tag("reports/_queue.html")
def waiting_reports(user, year):
    """The queue's section of department reports waiting for this reviewer."""
    return {"rows": queue.waiting(user, year)}
