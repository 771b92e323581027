"""The only place where a form, or anything else under review (evaluations/subjects.py),
changes state: `take(step, …)` for any step of evaluations/steps.py, where the workflow is
declared.

`take` checks who may act (departments/access.py, by the step's role), then, in one
transaction, locks the row of the thing under review, checks the state again under the lock,
runs the blocking checks where the step says so, changes the state and writes the history row
with the step. Of two people acting at once (the 主管部门 and the unit, two reviewers, a double
click on submit) the second waits for the first's lock, finds the state changed and gets
`Refused` with a message saying who was first: exactly one step happens.

`submit`, `withdraw`, `pass_on`, `approve`, `return_` and `reopen` name the steps the pages
take; each picks the declared step that fits where there are two (a 二级单位 in a year with the
主管部门 stage submits to its 主管部门, any other department to the finance bureau).
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format

from config.events import log_event
from config.texts import multi_line, one_line
from departments import access
from evaluations import notifications, steps, subjects
from evaluations.models import PIN_LABEL, Evaluation, PinnedComment, Transition
from evaluations.pins import Target

State = Evaluation.State


class Refused(Exception):
    """Nothing changed; the message says why, in the user's language."""


class NotReady(Refused):
    """The blocking checks found problems: all of them, to be listed at once."""

    def __init__(self, problems, subject):
        self.problems = problems
        super().__init__(subjects.text(subject, "not_ready", count=len(problems)))


@dataclass(frozen=True)
class Pin:
    """A comment to pin to one place of the thing under review (one of its kind's `targets`)."""

    target: Target
    comment: str


def goes_through_supervisor(subject):
    """Whether it goes to its 主管部门 first: a 二级单位's form or report in a year with that
    stage, whose 主管部门 has a reviewer (else nobody could ever pass it on)."""
    department = subject.department
    return bool(
        subject.year_settings.supervisor_stage
        and department.parent_id
        and access.supervisors_of(department.pk).exists()
    )


def available(evaluation, user):
    """The steps this user may take on the form (or report) as it is now, in the declaration's
    order."""
    return [
        step
        for step in steps.leaving(evaluation.state)
        if _fits(step, evaluation) and access.has_role(user, step.role, evaluation)
    ]


def _fits(step, evaluation):
    if step.route == steps.NOT_PASSED:
        return evaluation.passed_at is None
    return step.applies_to(goes_through_supervisor(evaluation))


def take(name, evaluation, user, comment="", pins=()):
    """Take the step called `name` on a form or another thing under review; returns the history
    row. Raises PermissionDenied for a user without the step's role, Refused (NotReady) when it
    cannot take the step now."""
    step = steps.get(name)
    kind = subjects.of(evaluation)
    if not access.has_role(user, step.role, evaluation):
        raise PermissionDenied
    comment = multi_line(comment)
    if step.needs_comment and not comment:
        raise Refused(_comment_needed(step, evaluation))
    pins = [pin for pin in pins if multi_line(pin.comment)]
    with transaction.atomic():
        current = kind.model().objects.select_for_update().get(pk=evaluation.pk)
        if current.state not in step.sources:
            raise Refused(_not_now(current, step))
        if not _fits(step, current):
            raise Refused(subjects.text(current, "does_not_apply"))
        if step.level == steps.FINANCE and _passed_on_by(current) == user.pk:
            # Two levels are two people: whoever passed it on does not decide it too.
            raise Refused(subjects.text(current, "passed_on_yourself"))
        for pin in pins:
            kind.check_pin(pin.target, current)
        fields = {stamp: timezone.now() for stamp in step.stamps}
        fields.update(dict.fromkeys(step.clears))
        snapshot = None
        if step.runs_checks:
            result = kind.checks(current)
            if result.problems:
                raise NotReady(result.problems, current)
            snapshot = kind.snapshot(current) if kind.snapshot else None
            fields["flag_count"] = len(result.flags)
            # Submitted again, it starts its way up again.
            fields["passed_at"] = None
        return _move(
            current,
            evaluation,
            user,
            step,
            comment=comment,
            snapshot=snapshot,
            pins=pins,
            **fields,
        )


def _passed_on_by(current):
    """Who passed it on since it was last submitted (None if no 主管部门 did)."""
    if current.passed_at is None:
        return None
    last = current.transitions.filter(step="pass_on").order_by("-created_at", "-id").first()
    return last.actor_id if last else None


def submit(evaluation, user):
    name = "submit_to_supervisor" if goes_through_supervisor(evaluation) else "submit"
    return take(name, evaluation, user)


def _one_of(names, evaluation, user):
    """Of steps that do the same at two levels, the one this user takes on the form as it is:
    the first whose role the user has and which leaves the form's state, else the last (whose
    refusal then says why)."""
    evaluation.refresh_from_db(fields=["state", "passed_at"])
    for name in names:
        step = steps.get(name)
        if evaluation.state in step.sources and access.has_role(user, step.role, evaluation):
            return name
    return names[-1]


def withdraw(evaluation, user):
    """Take a submitted form back before the next level has acted on it."""
    return take(
        _one_of(("withdraw_from_supervisor", "withdraw"), evaluation, user), evaluation, user
    )


def pass_on(evaluation, user, comment=""):
    """The 主管部门 passes a 二级单位's form on to the finance bureau."""
    return take("pass_on", evaluation, user, comment)


def approve(evaluation, user, comment=""):
    return take("approve", evaluation, user, comment)


def return_(evaluation, user, comment, pins=()):
    """Send a form back to its department with a comment, and comments pinned to places of the
    form: from the 主管部门 while it is there, else from the finance bureau."""
    name = _one_of(("return_by_supervisor", "return"), evaluation, user)
    return take(name, evaluation, user, comment, pins)


def reopen(evaluation, user, reason):
    """An administrator sends an approved form back to its department."""
    return take("reopen", evaluation, user, reason)


def _comment_needed(step, subject):
    return subjects.text(subject, "reason_needed" if step.name == "reopen" else "comment_needed")


def _not_now(current, step):
    """Why the step cannot be taken now: it is with another level, or someone acted."""
    parent = current.department.parent
    if current.state == State.SUPERVISOR and step.level == steps.FINANCE and parent:
        return subjects.text(current, "with_supervisor", supervisor=parent.name)
    return _already(current)


def _already(current):
    last = current.transitions.select_related("actor").order_by("-created_at", "-id").first()
    state = current.get_state_display()
    if last is None or last.actor is None:
        return subjects.text(current, "already", state=state)
    return subjects.text(
        current,
        "already_by",
        who=last.actor.get_full_name() or last.actor.username,
        state=state,
        when=date_format(timezone.localtime(last.created_at), "Y-m-d H:i"),
    )


def _move(current, evaluation, user, step, *, comment="", snapshot=None, pins=(), **fields):
    from_state = current.state
    to_state = step.target
    current.state = to_state
    for name, value in fields.items():
        setattr(current, name, value)
    current.save(update_fields=["state", *fields])
    column = subjects.of(current).name
    transition = Transition.objects.create(
        **{column: current},
        actor=user,
        from_state=from_state,
        to_state=to_state,
        step=step.name,
        comment=comment,
        snapshot=snapshot,
    )
    PinnedComment.objects.bulk_create(
        PinnedComment(
            transition=transition,
            place=pin.target.place,
            fund_source=pin.target.fund_source,
            indicator=pin.target.indicator,
            section=pin.target.section,
            label=one_line(pin.target.label)[:PIN_LABEL],
            comment=multi_line(pin.comment),
        )
        for pin in pins
    )
    notifications.announce(transition)
    transaction.on_commit(
        lambda: log_event(
            "transition",
            user=user,
            **{column: current.pk},
            from_state=from_state,
            to_state=to_state,
            step=step.name,
        )
    )
    # The caller's copy shows the new state too.
    for name in ["state", *fields]:
        setattr(evaluation, name, getattr(current, name))
    return transition
