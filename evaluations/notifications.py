"""Telling people that a form changed state: by e-mail, and on their dashboard.

- A submission is told to the reviewers of the bureau that oversees the department.
- A return, an approval and a reopening are told to the editors of the department.

`announce` runs inside the workflow's transaction. For a department's editors it writes one
Notification each, the dashboard's copy, rolled back with the transition if that fails; reviewers
need none, as their queue opens on the forms submitted. The e-mails go only once the transaction
has committed, so that nobody is told about a change that did not happen. A mail server that is
down is logged; it never undoes the transition.
"""

import logging
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from departments import access
from evaluations.models import Evaluation, Notification, Transition

State = Evaluation.State
logger = logging.getLogger(__name__)


def recipients(transition):
    department_id = transition.evaluation.project.department_id
    if transition.to_state == State.SUBMITTED:
        users = access.reviewers_of(department_id)
    elif transition.to_state in (State.RETURNED, State.APPROVED):
        users = access.editors_of(department_id)
    else:
        return get_user_model().objects.none()
    if transition.actor_id:
        users = users.exclude(pk=transition.actor_id)
    return users.distinct()


def announce(transition):
    users = list(recipients(transition))
    if transition.to_state != State.SUBMITTED:
        Notification.objects.bulk_create(
            Notification(recipient=user, transition=transition) for user in users
        )
    addresses = [user.email for user in users if user.email]
    if addresses:
        transaction.on_commit(partial(send_emails, transition.pk, addresses), robust=True)


def link(transition):
    """Where the recipient acts next: the review page, the edit page, or the form."""
    evaluation_id = transition.evaluation_id
    if transition.to_state == State.SUBMITTED:
        path = reverse("evaluation_review", args=[evaluation_id])
    elif transition.to_state == State.RETURNED:
        path = reverse("evaluation_edit", args=[evaluation_id])
    else:
        path = reverse("evaluation_detail", args=[evaluation_id])
    # Absolute when the deployment says where it lives; a path is still a useful pointer.
    return settings.SITE_URL.rstrip("/") + path


def headline(transition):
    evaluation = transition.evaluation
    return _("%(project)s (%(year)s): %(state)s") % {
        "project": evaluation.project.name,
        "year": evaluation.year_id,
        "state": transition.get_to_state_display(),
    }


def _body(transition):
    evaluation = transition.evaluation
    actor = transition.actor
    lines = [
        _(
            "%(who)s set the self-evaluation form “%(project)s” (%(year)s) of %(department)s "
            "to “%(state)s”."
        )
        % {
            "who": (actor.get_full_name() or actor.username) if actor else _("Someone"),
            "project": evaluation.project.name,
            "year": evaluation.year_id,
            "department": evaluation.project.department.name,
            "state": transition.get_to_state_display(),
        }
    ]
    if transition.comment:
        # A reopening's comment is the administrator's reason, not a reviewer's comment.
        if transition.from_state == State.APPROVED:
            comment = _("Reason: %(comment)s")
        else:
            comment = _("Reviewer’s comment: %(comment)s")
        lines += ["", comment % {"comment": transition.comment}]
    pins = list(transition.pins.all())
    if pins:
        lines += ["", _("Comments on single rows:")]
        lines += [f"- {pin.label}：{pin.comment}" for pin in pins]
    lines += ["", link(transition)]
    return "\n".join(lines)


def send_emails(transition_id, addresses):
    transition = Transition.objects.select_related("evaluation__project__department", "actor").get(
        pk=transition_id
    )
    # Recipients read the default language; the actor's choice of page language is theirs alone.
    with translation.override(settings.LANGUAGE_CODE):
        subject, body = headline(transition), _body(transition)
    messages = [EmailMessage(subject, body, to=[address]) for address in addresses]
    try:
        get_connection().send_messages(messages)
    except OSError:
        logger.exception("mail_failed transition=%s recipients=%d", transition_id, len(messages))
