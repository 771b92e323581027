"""What happened, for the log collector: requests, state changes, imports and exports.

Other modules record an event with

    from config.events import log_event
    log_event("transition", user=request.user, evaluation=form.pk, from_state="draft", ...)

which writes one logfmt line on the `jixiao.events` logger with the user, their departments and
bureaus, and the id of the request it happened in (to join it with the request line on the
`jixiao.requests` logger).
"""

import contextvars
import logging

from django.db import DatabaseError

from departments.access import roles_of

logger = logging.getLogger("jixiao.events")

# Names a LogRecord uses itself; a field called so would make logging raise instead of write.
_TAKEN = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# The id of the request being served in this thread, set by config.request_log.
request_id = contextvars.ContextVar("request_id", default="-")


def scope_of(user):
    """(username, department codes, bureau codes) for the log; never raises."""
    if user is None or not getattr(user, "is_authenticated", False):
        return "-", "-", "-"
    try:
        roles = roles_of(user)
        return (
            user.get_username(),
            ",".join(sorted(code for _pk, _role, code in roles.departments)) or "-",
            ",".join(sorted(code for _pk, code in roles.bureaus)) or "-",
        )
    except DatabaseError:
        # The database went away mid-request; the line is still worth writing.
        return user.get_username(), "?", "?"


def log_event(event, *, user=None, level=logging.INFO, **fields):
    username, departments, bureaus = scope_of(user)
    extra = {
        "event": event,
        "user": username,
        "dept": departments,
        "bureau": bureaus,
        "request_id": request_id.get(),
    }
    extra.update({(f"{key}_" if key in _TAKEN else key): value for key, value in fields.items()})
    logger.log(level, event, extra=extra)
