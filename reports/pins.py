"""Comments a reviewer pins to a section of a department's report when returning it.

The places are the outline's sections (reports/outline.py) below its parts: each narrative,
drafted or computed section, named by its heading, by the caption of its table, or as the
checks name a sentence that continues the section before it. The department reads
the comments of the latest return beside those sections on the edit page.
"""

from evaluations.models import Evaluation, PinnedComment
from evaluations.pins import Target
from reports import checks, outline

Place = PinnedComment.Place


def section_choices():
    """The keys a comment on a report may name: every section below the outline's parts."""
    return [
        (section.key, section.heading or outline.CAPTIONS.get(section.key) or section.key)
        for section in outline.SECTIONS
        if section.kind != outline.Kind.HEADING
    ]


def _label(section, year):
    return (
        section.heading_for(year)
        or outline.CAPTIONS.get(section.key)
        or checks.section_name(section.key, year)
    )


def targets(report):
    """Every section a comment can be pinned to, in the outline's order, under its part."""
    found = []
    part = ""
    for section in outline.SECTIONS:
        if section.kind == outline.Kind.HEADING:
            if section.level == 1:
                part = section.heading_for(report.year_id)
            continue
        label = _label(section, report.year_id)
        heading = part if section.level > 1 else label
        found.append(
            Target(checks.anchor(section.key), Place.SECTION, label, heading, section=section.key)
        )
    return found


def check(target, report):
    # The view offers only the outline's sections; anything else is a programming error.
    if target.place != Place.SECTION or target.section not in outline.BY_KEY:
        raise ValueError("A pinned comment on a report names no section of its outline.")


def latest_return(report):
    return (
        report.transitions.filter(to_state=Evaluation.State.RETURNED)
        .select_related("actor")
        .prefetch_related("pins")
        .order_by("-created_at", "-id")
        .first()
    )


def open_comments(report):
    """{section key: pinned comment} of the return the department is answering while it edits
    the report (a withdrawn resubmission still answers it); empty otherwise."""
    if not report.is_editable_state:
        return {}
    returned = latest_return(report)
    return {pin.section: pin for pin in returned.pins.all()} if returned else {}
