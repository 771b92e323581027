"""/healthz for load balancers and monitoring: 200 when the database answers, 503 when not.

No login and no data: the answer is one word, so it can be open to anything that can reach it.
It does not read the session, so a probe never writes one either.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger("jixiao.health")


def database_answers():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except DatabaseError:
        logger.warning("database does not answer", exc_info=True)
        # A broken connection would otherwise be kept for the next request of this thread.
        connection.close_if_unusable_or_obsolete()
        return False


@login_not_required
@never_cache
@require_safe
def healthz(request):
    if database_answers():
        return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")
    response = HttpResponse("unavailable\n", status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "5"
    return response
