"""One log line per request: method, path, status, duration, user, department, address.

The middleware sits outermost so that it times everything and sees every answer, including
redirects of the security middleware and pages answered while the database is down. It never
makes a request fail: the line is written with what is known.
"""

import logging
import re
import time
import uuid

from django.utils.functional import empty

from config.client_address import client_ip
from config.events import request_id, scope_of

logger = logging.getLogger("jixiao.requests")

# A request id from the proxy is kept if it looks like one, so that its log and ours join up.
_GOOD_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


def resolved_user(request):
    """The user if authentication already looked them up; never queries the database itself."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    return None if wrapped is empty else wrapped


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = given if _GOOD_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        started = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response.headers.setdefault("X-Request-ID", rid)
            return response
        finally:
            elapsed_ms = (time.monotonic() - started) * 1000
            self.write(request, status, elapsed_ms, rid)
            request_id.reset(token)

    def write(self, request, status, elapsed_ms, rid):
        try:
            username, departments, bureaus = scope_of(resolved_user(request))
            level = logging.ERROR if status >= 500 else logging.INFO
            logger.log(
                level,
                "request",
                extra={
                    "method": request.method,
                    "path": request.path[:500],
                    "status": status,
                    "ms": f"{elapsed_ms:.1f}",
                    "user": username,
                    "dept": departments,
                    "bureau": bureaus,
                    "ip": client_ip(request),
                    "request_id": rid,
                },
            )
        except Exception:  # noqa: BLE001 - a log line must never turn into an error page
            logger.exception("request log failed")
