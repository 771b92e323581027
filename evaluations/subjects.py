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

    def url_name(self, action):
        return self.urls[action]


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

KINDS = [FORM]


def register(kind):
    """Another app's thing under review (its module declares its Kind and registers it)."""
    if all(known.name != kind.name for known in KINDS):
        KINDS.append(kind)


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
