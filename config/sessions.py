"""Sessions that end after SESSION_COOKIE_AGE without a request, without a write per request.

Pushing the end back on every request (SESSION_SAVE_EVERY_REQUEST) made every page a database
write and a commit to wait for; at a deadline-day peak those were a good share of PostgreSQL's
work. Here a session is written again only once a hundredth of its age has passed since it was
last written, so it ends between 99% and 100% of SESSION_COOKIE_AGE after the last request
(7 h 55 min to 8 h by default). The store remembers when its row expires as it loads it.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    expires_at = None

    def _get_session_from_db(self):
        session = super()._get_session_from_db()
        self.expires_at = session.expire_date if session else None
        return session

    def due_for_renewal(self):
        if self.expires_at is None:
            return False
        age = self.get_session_cookie_age()
        written_ago = age - (self.expires_at - timezone.now()).total_seconds()
        return written_ago >= age / 100


def renew_sessions(get_response):
    """Marks a session due for renewal as changed, so that Django's session middleware (just
    outside this one, and named in MIDDLEWARE so that the deploy checks of the session cookie
    still apply) saves it with a fresh expiry, in the database and on the cookie."""

    def middleware(request):
        response = get_response(request)
        if request.session.due_for_renewal():
            request.session.modified = True
        return response

    return middleware
