"""The error page, answered 503 rather than 500 when the database is out of reach.

A database restart or failover is temporary: "503 Service Unavailable" with Retry-After tells
the proxy, the monitoring and the load test so, and the page tells the user that nothing saved
before is lost. The page is a plain template rendered without the request, so it needs neither
the database nor the session that just failed.
"""

import sys

from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponseServerError
from django.template import loader
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token

# Refused, dropped or closed connections (and deadlocks or lock timeouts, transient too); a bad
# query is a ProgrammingError or IntegrityError, a bug, and stays a 500.
TRANSIENT = (OperationalError, InterfaceError)


@requires_csrf_token
def server_error(request, template_name="500.html"):
    error = sys.exc_info()[1]
    response = HttpResponseServerError(loader.get_template(template_name).render())
    if isinstance(error, TRANSIENT):
        response.status_code = 503
        response["Retry-After"] = "5"
    return response


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    """Django answers 400 when it cannot save the session at the end of a request; when that is
    because the database went away, it is the outage page and 503 like any other."""
    if isinstance(exception, SessionInterrupted) and _caused_by_database(exception):
        response = HttpResponseServerError(loader.get_template("500.html").render())
        response.status_code = 503
        response["Retry-After"] = "5"
        return response
    return defaults.bad_request(request, exception, template_name)


def _caused_by_database(error):
    while error is not None:
        if isinstance(error, DatabaseError):
            return True
        error = error.__cause__ or error.__context__
    return False
