"""Telling people that a form (or a department's report, evaluations/subjects.py) changed
state: by e-mail, and on their dashboard.

- Each step tells the roles its declaration names (evaluations/steps.py): a submission the
  reviewers of the level it goes to (the 主管部门's or the finance bureau's), passing on the
  finance bureau and the unit, a return, an approval and a reopening the department's editors.

A user reads an event by opening its form or report (`mark_read`) or by marking all read; the
dashboard lists the unread ones first and folds the latest read ones away below them
(`dashboard_events`).

`announce` runs inside the workflow's transaction. For a department's editors it writes one
Notification each, the dashboard's copy, rolled back with the transition if that fails; reviewers
need none, as their queue opens on the forms submitted. The e-mails go only once the transaction
has committed, so that nobody is told about a change that did not happen. Mail that cannot be
sent, for whatever reason, is logged: the change is made and the page that made it says so.
"""

import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from config.events import log_event
from config.texts import one_line
from departments import access
from evaluations import steps, subjects
from evaluations.models import Evaluation, Notification, Transition

State = Evaluation.State
# Events of each kind (unread, read) the dashboard lists.
DASHBOARD_EVENTS = 10
# What a history row's mail and event name, read with it in one query.
_SUBJECTS = ("evaluation__project__department", "report__department")


# Who holds each role towards a department (departments/access.py).
_HOLDERS = {
    steps.EDITOR: access.editors_of,
    steps.SUPERVISOR: access.supervisors_of,
    steps.FINANCE: access.reviewers_of,
}


def recipients(transition, roles=None):
    """The users the transition is told to: those of the step's `tells` (or of `roles`)."""
    step = transition.declared_step
    department_id = transition.subject.department_id
    users = get_user_model().objects.none()
    for role in step.tells if roles is None and step else roles or ():
        users = users | _HOLDERS[role](department_id)
    if transition.actor_id:
        users = users.exclude(pk=transition.actor_id)
    return users.distinct()


def announce(transition):
    users = list(recipients(transition))
    # The department's editors read it on their dashboard too; reviewers have their queue.
    editors = {user.pk for user in recipients(transition, roles=[steps.EDITOR])}
    Notification.objects.bulk_create(
        Notification(recipient=user, transition=transition) for user in users if user.pk in editors
    )
    # Editors and reviewers are sent to different pages, so each group gets its own mail.
    for for_editors in (True, False):
        addresses = [
            user.email for user in users if user.email and (user.pk in editors) == for_editors
        ]
        if addresses:
            _send_after_commit(transition.pk, addresses, for_editors)


def _send_after_commit(transition_id, addresses, for_editors):
    # A named function, not a functools.partial: when a robust hook fails, Django logs its
    # __qualname__, and a partial has none, which turned that log line into an error page.
    def send_after_commit():
        send_emails(transition_id, addresses, for_editors)

    transaction.on_commit(send_after_commit, robust=True)


def path(transition, for_editors=False):
    """Where the recipient acts next: for a reviewer the review page of a form (or report)
    waiting for a decision; for the department's editors the edit page of a returned one; else
    its page."""
    subject, kind = subjects.of_transition(transition)
    waits_for_review = any(steps.reviewing(step) for step in steps.leaving(transition.to_state))
    if waits_for_review and not for_editors:
        return kind.path("review", subject)
    if transition.to_state == State.RETURNED:
        return kind.path("edit", subject)
    return kind.path("detail", subject)


def link(transition, for_editors=False):
    # Absolute when the deployment says where it lives; a path is still a useful pointer.
    return settings.SITE_URL.rstrip("/") + path(transition, for_editors)


def headline(transition):
    """The mail's subject: one line, as a mail header must be."""
    subject, kind = subjects.of_transition(transition)
    return one_line(
        _("%(project)s (%(year)s): %(state)s")
        % {
            "project": kind.title(subject),
            "year": subject.year_id,
            "state": transition.get_to_state_display(),
        }
    )


def _body(transition, for_editors=False):
    subject, kind = subjects.of_transition(transition)
    actor = transition.actor
    lines = [
        kind.texts["mail"]
        % {
            "who": (actor.get_full_name() or actor.username) if actor else _("Someone"),
            "project": kind.title(subject),
            "year": subject.year_id,
            "department": subject.department.name,
            "state": transition.get_to_state_display(),
        }
    ]
    if transition.comment:
        # A space after an English colon, none after a Chinese one: the join is translated.
        joined = _("%(label)s %(comment)s")
        lines += ["", joined % {"label": transition.comment_label, "comment": transition.comment}]
    pins = list(transition.pins.all())
    if pins:
        lines += ["", _("Comments on single rows:")]
        lines += [f"- {pin.label}：{pin.comment}" for pin in pins]
    lines += ["", link(transition, for_editors)]
    return "\n".join(lines)


def send_emails(transition_id, addresses, for_editors=False):
    """Mail the transition to `addresses`; never raises.

    It runs after the transition committed, inside the request that made it: whatever goes
    wrong here (a mail server down, one that answers nonsense, a header Python refuses) must not
    turn the page of a change that happened into an error page, so it is logged instead.
    """
    try:
        transition = Transition.objects.select_related(*_SUBJECTS, "actor").get(pk=transition_id)
        # Recipients read the default language; the actor's page language is theirs alone.
        with translation.override(settings.LANGUAGE_CODE):
            subject, body = headline(transition), _body(transition, for_editors)
        messages = [EmailMessage(subject, body, to=[address]) for address in addresses]
        get_connection().send_messages(messages)
    except Exception as error:
        log_event(
            "mail_failed",
            level=logging.ERROR,
            transition=transition_id,
            recipients=len(addresses),
            error=f"{type(error).__name__}: {error}",
        )


def mark_read(user, subject):
    """Opening a form (or report) is reading what the user was told about it."""
    about = {f"transition__{subjects.of(subject).name}": subject}
    Notification.objects.filter(recipient=user, read_at__isnull=True, **about).update(
        read_at=timezone.now()
    )


@dataclass
class Events:
    unread: list
    more_unread: int  # unread beyond those listed
    read: list


def dashboard_events(user):
    """The user's unread events, newest first, and the latest ones already read."""
    mine = access.notifications_for(user).select_related(
        *(f"transition__{name}" for name in _SUBJECTS), "transition__actor"
    )
    unread = mine.filter(read_at__isnull=True).order_by("-id")
    listed = list(unread[: DASHBOARD_EVENTS + 1])
    more = unread.count() - DASHBOARD_EVENTS if len(listed) > DASHBOARD_EVENTS else 0
    read = mine.filter(read_at__isnull=False).order_by("-id")
    return Events(listed[:DASHBOARD_EVENTS], more, list(read[:DASHBOARD_EVENTS]))
