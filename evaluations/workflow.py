"""The only place where a form changes state.

    draft      ──submit───▶ submitted   editors of the form's department
    returned   ──submit───▶ submitted
    submitted  ──withdraw─▶ draft       the same editors, until a reviewer has acted
    submitted  ──approve──▶ approved    reviewers of the bureau that oversees the department
    submitted  ──return_──▶ returned    the same reviewers, with a comment
    approved   ──reopen───▶ returned    administrators, with a reason

Each function checks who may act (departments/access.py), then, in one transaction, locks the
form's row, checks the state again under the lock, changes it and writes the history row. Of two
people acting at once (two reviewers, a double click on submit) the second waits for the first's
lock, finds the state changed and gets `Refused` with a message saying who was first: exactly one
transition happens.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from config.events import log_event
from config.texts import multi_line, one_line
from departments import access
from evaluations import changes, checks, notifications
from evaluations.models import PIN_LABEL, Evaluation, PinnedComment, Transition
from evaluations.pins import Target

State = Evaluation.State


class Refused(Exception):
    """Nothing changed; the message says why, in the user's language."""


class NotReady(Refused):
    """The blocking checks found problems: all of them, to be listed at once."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__(
            ngettext(
                "The form was not submitted: %(count)d entry must be completed first.",
                "The form was not submitted: %(count)d entries must be completed first.",
                len(problems),
            )
            % {"count": len(problems)}
        )


@dataclass(frozen=True)
class Pin:
    """A comment to pin to one place of the form (one of `pins.targets(evaluation)`)."""

    target: Target
    comment: str


def submit(evaluation, user):
    if not access.can_submit(user, evaluation):
        raise PermissionDenied
    with transaction.atomic():
        current = _lock(evaluation, {State.DRAFT, State.RETURNED})
        result = checks.run(current)
        if result.problems:
            raise NotReady(result.problems)
        return _move(
            current,
            evaluation,
            user,
            State.SUBMITTED,
            snapshot=changes.snapshot(current),
            submitted_at=timezone.now(),
            flag_count=len(result.flags),
        )


def withdraw(evaluation, user):
    """Take a submitted form back before a reviewer has acted on it."""
    if not access.can_submit(user, evaluation):
        raise PermissionDenied
    with transaction.atomic():
        current = _lock(evaluation, {State.SUBMITTED})
        return _move(current, evaluation, user, State.DRAFT, submitted_at=None)


def approve(evaluation, user, comment=""):
    if not access.can_review(user, evaluation):
        raise PermissionDenied
    with transaction.atomic():
        current = _lock(evaluation, {State.SUBMITTED})
        return _move(
            current,
            evaluation,
            user,
            State.APPROVED,
            comment=multi_line(comment),
            approved_at=timezone.now(),
        )


def return_(evaluation, user, comment, pins=()):
    """Send a submitted form back to its department with a comment, and comments pinned to
    places of the form."""
    if not access.can_review(user, evaluation):
        raise PermissionDenied
    comment = multi_line(comment)
    if not comment:
        raise Refused(_("Returning a form needs a reviewer’s comment saying what to change."))
    pins = [pin for pin in pins if multi_line(pin.comment)]
    with transaction.atomic():
        current = _lock(evaluation, {State.SUBMITTED})
        for pin in pins:
            _check_belongs(pin.target, current)
        return _move(current, evaluation, user, State.RETURNED, comment=comment, pins=pins)


def reopen(evaluation, user, reason):
    """An administrator sends an approved form back to its department."""
    if not access.can_reopen(user, evaluation):
        raise PermissionDenied
    reason = multi_line(reason)
    if not reason:
        raise Refused(_("Reopening an approved form needs a reason."))
    with transaction.atomic():
        current = _lock(evaluation, {State.APPROVED})
        return _move(current, evaluation, user, State.RETURNED, comment=reason, approved_at=None)


def _lock(evaluation, allowed):
    current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if current.state not in allowed:
        raise Refused(_already(current))
    return current


def _already(current):
    last = current.transitions.select_related("actor").order_by("-created_at", "-id").first()
    state = current.get_state_display()
    if last is None or last.actor is None:
        return _("Nothing was changed: this form is “%(state)s”.") % {"state": state}
    return _("Nothing was changed: %(who)s made this form “%(state)s” at %(when)s.") % {
        "who": last.actor.get_full_name() or last.actor.username,
        "state": state,
        "when": date_format(timezone.localtime(last.created_at), "Y-m-d H:i"),
    }


def _check_belongs(target, evaluation):
    # The view offers only this form's places; anything else is a programming error.
    if target.indicator is not None and target.indicator.evaluation_id != evaluation.pk:
        raise ValueError("A pinned comment names a row of another form.")
    if target.fund_source is not None and (
        target.fund_source.edition_id != evaluation.year_settings.edition_id
    ):
        raise ValueError("A pinned comment names a fund source of another edition.")


def _move(current, evaluation, user, to_state, *, comment="", snapshot=None, pins=(), **fields):
    from_state = current.state
    current.state = to_state
    for name, value in fields.items():
        setattr(current, name, value)
    current.save(update_fields=["state", *fields])
    transition = Transition.objects.create(
        evaluation=current,
        actor=user,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        snapshot=snapshot,
    )
    PinnedComment.objects.bulk_create(
        PinnedComment(
            transition=transition,
            place=pin.target.place,
            fund_source=pin.target.fund_source,
            indicator=pin.target.indicator,
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
            evaluation=current.pk,
            from_state=from_state,
            to_state=to_state,
        )
    )
    # The caller's copy shows the new state too.
    for name in ["state", *fields]:
        setattr(evaluation, name, getattr(current, name))
    return transition
