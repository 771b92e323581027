"""What goes through the review workflow: a project's self-evaluation form today, and any other
thing a department files for the year the same way (evaluations/steps.py, evaluations/workflow.py).

The workflow asks of the thing under review only what every such thing has: its department
(`department`, `department_id`), its year's settings (`year_settings`, for the 主管部门 stage),
its state and timestamps, and its history (`transitions`). What differs is declared here once
per kind: the blocking checks it runs on submission, what the history row keeps of it, the places
a reviewer pins comments to, its pages, and the sentences that name it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy


@dataclass(frozen=True)
class Kind:
    # The history's column naming the thing (Transition.<name>), and the log's key.
    name: str
    model: Callable  # the model class, looked up late: the models import the steps
    checks: Callable  # run(subject) → a result with .problems and .flags
    snapshot: Callable | None  # what a submission's history row keeps, or None
    targets: Callable  # the places of the thing a reviewer pins a comment to
    title: Callable  # what mails and the dashboard call it: a project's name, a report's title
    check_pin: Callable  # raises ValueError for a pin on a place of another thing
    # Its pages by the workflow's actions (a step's `action`), plus "detail" and "edit".
    urls: dict = field(default_factory=dict)
    # The sentences that name the thing, by the workflow's message key.
    texts: dict = field(default_factory=dict)
    # What its URLs take: a form's id, a report's department and year.
    url_args: Callable = lambda subject: [subject.pk]

    def url_name(self, action):
        return self.urls[action]

    def path(self, action, subject):
        return reverse(self.urls[action], args=self.url_args(subject))


def _form_model():
    from evaluations.models import Evaluation

    return Evaluation


def _form_checks(evaluation):
    from evaluations import checks

    return checks.run(evaluation)


def _form_snapshot(evaluation):
    from evaluations import changes

    return changes.snapshot(evaluation)


def _form_targets(evaluation):
    from evaluations import pins

    return pins.targets(evaluation)


def _form_pin(target, evaluation):
    # The view offers only this form's places; anything else is a programming error.
    if target.indicator is not None and target.indicator.evaluation_id != evaluation.pk:
        raise ValueError("A pinned comment names a row of another form.")
    if target.fund_source is not None and (
        target.fund_source.edition_id != evaluation.year_settings.edition_id
    ):
        raise ValueError("A pinned comment names a fund source of another edition.")
    if target.section:
        raise ValueError("A pinned comment names a section, which a form does not have.")


FORM = Kind(
    name="evaluation",
    model=_form_model,
    checks=_form_checks,
    snapshot=_form_snapshot,
    targets=_form_targets,
    title=lambda evaluation: evaluation.project.name,
    check_pin=_form_pin,
    urls={
        "detail": "evaluation_detail",
        "edit": "evaluation_edit",
        "review": "evaluation_review",
        "submit": "evaluation_submit",
        "withdraw": "evaluation_withdraw",
        "reopen": "evaluation_reopen",
    },
    texts={
        "not_ready": ngettext_lazy(
            "The form was not submitted: %(count)d entry must be completed first.",
            "The form was not submitted: %(count)d entries must be completed first.",
            "count",
        ),
        "does_not_apply": _("This step does not apply to this form."),
        "passed_on_yourself": _(
            "You passed this form on as its 主管部门: another finance reviewer decides it."
        ),
        "reason_needed": _("Reopening an approved form needs a reason."),
        "comment_needed": _("Returning a form needs a reviewer’s comment saying what to change."),
        "with_supervisor": _(
            "This form is still with its 主管部门 (%(supervisor)s): the finance bureau decides "
            "once the 主管部门 has passed it on. Nothing was changed."
        ),
        "already": _("Nothing was changed: this form is “%(state)s”."),
        "already_by": _("Nothing was changed: %(who)s made this form “%(state)s” at %(when)s."),
        "mail": _(
            "%(who)s set the self-evaluation form “%(project)s” (%(year)s) of %(department)s "
            "to “%(state)s”."
        ),
    },
)


def _report_model():
    from reports.models import Report

    return Report


def _report_checks(report):
    from reports import checks

    return checks.run(report)


def _report_targets(report):
    from reports import pins

    return pins.targets(report)


def _report_pin(target, report):
    from reports import pins

    pins.check(target, report)


def _report_title(report):
    from reports import outline

    return f"{report.department.name}{outline.TITLE}"


REPORT = Kind(
    name="report",
    model=_report_model,
    checks=_report_checks,
    # The sections are plain texts the history of returns already quotes; no snapshot.
    snapshot=None,
    targets=_report_targets,
    title=_report_title,
    check_pin=_report_pin,
    url_args=lambda report: [report.department_id, report.year_id],
    urls={
        "detail": "report_detail",
        "edit": "report_edit",
        "review": "report_review",
        "submit": "report_submit",
        "withdraw": "report_withdraw",
        "reopen": "report_reopen",
    },
    texts={
        "not_ready": ngettext_lazy(
            "The report was not submitted: %(count)d entry must be completed first.",
            "The report was not submitted: %(count)d entries must be completed first.",
            "count",
        ),
        "does_not_apply": _("This step does not apply to this report."),
        "passed_on_yourself": _(
            "You passed this report on as its 主管部门: another finance reviewer decides it."
        ),
        "reason_needed": _("Reopening an approved report needs a reason."),
        "comment_needed": _("Returning a report needs a reviewer’s comment saying what to change."),
        "with_supervisor": _(
            "This report is still with its 主管部门 (%(supervisor)s): the finance bureau decides "
            "once the 主管部门 has passed it on. Nothing was changed."
        ),
        "already": _("Nothing was changed: this report is “%(state)s”."),
        "already_by": _("Nothing was changed: %(who)s made this report “%(state)s” at %(when)s."),
        "mail": _("%(who)s set the report “%(project)s” (%(year)s) to “%(state)s”."),
    },
)

KINDS = (FORM, REPORT)


def of(subject):
    """The kind of a thing under review."""
    for kind in KINDS:
        if isinstance(subject, kind.model()):
            return kind
    raise TypeError(f"{type(subject).__name__} does not go through the review workflow")


def of_transition(transition):
    """The thing a history row is about, and its kind."""
    for kind in KINDS:
        if getattr(transition, f"{kind.name}_id", None) is not None:
            return getattr(transition, kind.name), kind
    raise ValueError("A history row about nothing.")


def text(subject, key, **values):
    return of(subject).texts[key] % values
