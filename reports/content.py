"""What a department report says, and the one function that saves it.

`Edit` holds what the department writes: the text of each narrative or drafted section, the
self-score and the summary. The edit page and the demo build one and call `save`. A drafted
section given no text, or the very text drafted from the forms, follows the forms (no row is
kept for it); any other text is the department's edit. State changes are not made here.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from config.texts import multi_line, one_line
from evaluations.content import EditRefused, StaleEdit
from reports import drafting, outline
from reports import figures as report_figures
from reports.models import Report, ReportSection


@dataclass
class Edit:
    # {section key: text}; a key left out keeps its saved text, None clears it (a drafted
    # section follows the forms again).
    texts: dict = field(default_factory=dict)
    self_score: Decimal | None = None
    summary: str = ""


def of(report):
    return Edit(texts=report.typed_texts(), self_score=report.self_score, summary=report.summary)


def open_report(department, year, user):
    """The department's report for the year, started (empty) on first opening."""
    report, _created = Report.objects.get_or_create(
        department=department, year=year, defaults={"updated_by": user}
    )
    return report


def save(report, edit, user, *, version=None):
    """Write `edit` into the report. With `version` (the one the page was opened at), a report
    saved by someone else since is refused (StaleEdit); a report that is not a draft or
    returned is refused (EditRefused). Returns the report with its new version."""
    with transaction.atomic():
        current = Report.objects.select_for_update().get(pk=report.pk)
        if version is not None and current.version != version:
            raise StaleEdit(_stale_message(current))
        if not current.is_editable_state:
            raise EditRefused(
                _("This report is %(state)s and cannot be changed now.")
                % {"state": current.get_state_display()}
            )
        # The page showed the sentences drafted before this save: a sentence that quotes the
        # self-score is unedited whether it reads as drafted before or after it changes.
        shown = _drafts(current)
        current.self_score = edit.self_score
        current.summary = one_line(edit.summary)
        current.updated_by = user
        current.version = F("version") + 1
        current.save()
        current.refresh_from_db()
        _save_sections(current, edit.texts, shown)
    report.refresh_from_db()
    return report


def _drafts(report):
    found = report_figures.of(report)
    return {key: drafting.draft(key, report, found) for key in drafting.DRAFTERS}


def _save_sections(report, texts, shown):
    drafted = None
    for key, text in texts.items():
        section = outline.get(key)
        if not section.has_text:
            raise ValueError(f"{key} is not a section with text")
        cleaned = multi_line(text) if text is not None else ""
        if cleaned and section.is_drafted:
            drafted = drafted or _drafts(report)
            if cleaned in (shown[key], drafted[key]):
                cleaned = ""
        if cleaned:
            ReportSection.objects.update_or_create(
                report=report, key=key, defaults={"text": cleaned}
            )
        else:
            ReportSection.objects.filter(report=report, key=key).delete()


def _stale_message(current):
    editor = current.updated_by
    return _(
        "%(who)s saved this report while you were editing it. Your text is still on this "
        "page but was not saved: open the report again in a new tab, compare, and enter your "
        "changes there."
    ) % {"who": (editor.get_full_name() or editor.username) if editor else _("Someone")}


def last_year_texts(report):
    """{section key: text} of the department's report of the year before, for the narrative
    sections this year's report has not written yet."""
    previous = Report.objects.filter(
        department=report.department_id, year=report.year_id - 1
    ).first()
    if previous is None:
        return {}
    written = report.typed_texts()
    return {
        key: text
        for key, text in previous.typed_texts().items()
        if key in outline.BY_KEY
        and outline.get(key).is_typed
        and not (written.get(key) or "").strip()
    }
