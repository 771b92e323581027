"""The error pages for 500 and 400: 503 rather than 500 when the database is out of reach, and
413 for a request larger than the server takes.

A database restart or failover is temporary: "503 Service Unavailable" with Retry-After tells
the proxy, the monitoring and the load test so, and the page tells the user that nothing saved
before is lost. The pages are templates rendered without the request, so they need neither the
database nor the session that just failed.
"""

import sys

from django.conf import settings
from django.contrib.sessions.exceptions import SessionInterrupted
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseServerError
from django.template import loader
from django.template.defaultfilters import filesizeformat
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
    # Nothing of such a request was read; the page says what was too much, and that the
    # browser's Back button still has what was typed.
    too_much = {
        RequestDataTooBig: ("size", filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)),
        TooManyFieldsSent: ("fields", settings.DATA_UPLOAD_MAX_NUMBER_FIELDS),
        TooManyFilesSent: ("files", settings.DATA_UPLOAD_MAX_NUMBER_FILES),
    }.get(type(exception))
    if too_much:
        context = {"too_much": too_much[0], "limit": too_much[1]}
        return HttpResponse(loader.get_template(template_name).render(context), status=413)
    return HttpResponseBadRequest(loader.get_template(template_name).render())


def _caused_by_database(error):
    while error is not None:
        if isinstance(error, DatabaseError):
            return True
        error = error.__cause__ or error.__context__
    return False
