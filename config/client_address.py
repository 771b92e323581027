"""The address a request came from, for login throttling and the request log.

Behind a reverse proxy every request arrives from the proxy's address, so the client's is read
from X-Forwarded-For; but only as many hops as there are proxies we run (DJANGO_PROXY_COUNT),
counted from the right, because anything further left was written by the client and is a lie
as often as not.
"""

from django.conf import settings


def client_ip(request):
    hops = settings.PROXY_COUNT
    if hops:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")
