"""Comments a reviewer pins to one place of a form when returning it.

A place is a fund row, the goals, or one indicator row. The department reads the comments of the
latest return beside those places on the edit page; on the next submission the reviewer sees, for
each, whether that place was changed.
"""

from dataclasses import dataclass

from evaluations.layouts.declaration import Block, Value
from evaluations.models import Evaluation, FundSource, Indicator, PinnedComment, Transition
from evaluations.official import sheet_text

Place = PinnedComment.Place


def funds_label(evaluation):
    """What the form's layout calls its funds block: `项目资金（万元）`, `预算执行情况(10分)`."""
    section = evaluation.form_layout.funds.section
    return sheet_text(section.text, evaluation.year_id, evaluation.year_settings.scoring_rules)


def goals_label(evaluation):
    """What the form's layout calls the block of its goal: `年度总体目标`, `项目基本情况`."""
    layout = evaluation.form_layout
    for part in layout.sheet:
        if not isinstance(part, Block) or part.section is None:
            continue
        if any(
            isinstance(cell, Value) and cell.field == "goal" for row in part.rows for cell in row
        ):
            return part.section.text
    return layout.field_by_name["goal"].label


@dataclass(frozen=True)
class Target:
    """A place of a form (or a report's section) a comment can be pinned to."""

    key: str
    place: str
    label: str
    heading: str
    fund_source: FundSource | None = None
    indicator: Indicator | None = None
    section: str = ""


def key_of(target):
    """The key of a fund source, an indicator row, a pinned comment, or "goals"."""
    if isinstance(target, PinnedComment):
        if target.place == Place.FUNDS:
            return f"funds-{target.fund_source_id}"
        if target.place == Place.GOALS:
            return "goals"
        if target.place == Place.SECTION:
            return f"section-{target.section}"

        return f"indicator-{target.indicator_id}"
    if isinstance(target, FundSource):
        return f"funds-{target.pk}"
    if isinstance(target, Indicator):
        return f"indicator-{target.pk}"
    return "goals" if target == "goals" else None


def targets(evaluation):
    """Every place of the form, in the order of the official layout."""
    funds, goals = funds_label(evaluation), goals_label(evaluation)
    found = [
        Target(key_of(source), Place.FUNDS, source.name, funds, fund_source=source)
        for source in evaluation.year_settings.edition.fund_sources.all()
    ]
    found.append(Target("goals", Place.GOALS, goals, goals))
    for row in evaluation.rows_with_categories():
        heading = f"{row.category.parent.name} · {row.category.name}"
        found.append(
            Target(key_of(row), Place.INDICATOR, row.name or heading, heading, indicator=row)
        )
    return found


def latest_return(evaluation):
    return (
        Transition.objects.filter(evaluation=evaluation, to_state=Evaluation.State.RETURNED)
        .select_related("actor")
        .prefetch_related("pins")
        .order_by("-created_at", "-id")
        .first()
    )


def open_return(evaluation):
    """The return the department is answering while it edits the form (a withdrawn
    resubmission is a draft that still answers it); None otherwise."""
    return latest_return(evaluation) if evaluation.is_editable_state else None


@dataclass(frozen=True)
class Heeded:
    pin: PinnedComment
    status: str  # "changed", "unchanged" or "removed"


def heeded(returned, changes):
    """For each comment of a return, whether the department changed its place since."""
    removed = {row["id"] for row in changes.removed}
    found = []
    for pin in returned.pins.all():
        if pin.place == Place.INDICATOR:
            if pin.indicator_id is None or pin.indicator_id in removed:
                status = "removed"
            else:
                status = "changed" if ("indicator", pin.indicator_id) in changes.places else None
        elif pin.place == Place.GOALS:
            status = "changed" if "goals" in changes.places else None
        else:
            status = "changed" if ("funds", pin.fund_source_id) in changes.places else None
        found.append(Heeded(pin, status or "unchanged"))
    return found
