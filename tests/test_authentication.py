"""Logging in: throttled after repeated failures, password rules, sessions that end after
inactivity, and a password change that ends every other session."""

import datetime

import pytest
from django.contrib.auth import password_validation
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from config.passwords import kinds_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def log_in(client, username="editor", password=PASSWORD, address="10.0.0.7"):
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address
    )


def test_repeated_failures_lock_the_username_from_that_address(client, editor, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, password="wrong").status_code == 200
    locked = log_in(client, password="wrong")
    assert locked.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in locked.templates]
    # Even the right password does not get in while the lock lasts.
    again = log_in(client)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_what_happened_and_for_how_long(client, editor, settings):
    settings.AXES_COOLOFF_TIME = 0.25
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        response = log_in(client, password="wrong")
    text = response.content.decode()
    assert "editor" in text
    assert str(settings.AXES_FAILURE_LIMIT) in text
    assert "15" in text  # minutes
    assert 'href="/accounts/login/"' in text


def test_the_lockout_is_per_address(client, editor, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong", address="10.0.0.7")
    # The same person at another computer, or a colleague, is not locked out by an attacker.
    response = log_in(Client(), address="10.0.0.8")
    assert response.status_code == 302


def test_a_successful_login_clears_the_failures(client, editor, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 302
    client.post("/accounts/logout/")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, password="wrong").status_code == 200


def test_the_lock_ends_after_the_cool_off(client, editor, settings):
    from axes.models import AccessAttempt

    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, password="wrong")
    AccessAttempt.objects.update(
        attempt_time=timezone.now()
        - datetime.timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    )
    assert log_in(client).status_code == 302


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("Short-1", "password_too_short"),
        ("alllowercaseletters", "password_too_plain"),
        ("12345678901234", "password_entirely_numeric"),
        ("Qwerty123456", "password_too_common"),
        ("Editor-1x!", "password_too_similar"),
    ],
)
def test_weak_passwords_are_refused(editor, password, reason):
    with pytest.raises(ValidationError) as refused:
        password_validation.validate_password(password, editor)
    assert reason in [error.code for error in refused.value.error_list]


@pytest.mark.parametrize(
    "password", ["Xiqu-财政-2024", "Kx7-pq2-mv9-zt4", "a-long-test-password-2023"]
)
def test_good_passwords_pass(editor, password):
    password_validation.validate_password(password, editor)


def test_kinds_of_characters_are_counted():
    assert kinds_in("abc") == 1
    assert kinds_in("abcABC") == 2
    assert kinds_in("abcABC123") == 3
    assert kinds_in("abcABC123-") == 4
    assert kinds_in("财政局2024") == 2


def test_the_password_page_explains_the_rules(client_for, editor):
    response = client_for(editor).post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "abcdefghijkl",
            "new_password2": "abcdefghijkl",
        },
    )
    assert response.status_code == 200
    assert "password_too_plain" not in response.content.decode()
    assert response.context["form"].errors["new_password2"]


def test_a_session_ends_after_inactivity(client, editor, settings):
    log_in(client)
    assert client.get("/evaluations/").status_code == 200
    session = Session.objects.get(session_key=client.session.session_key)
    session.expire_date = timezone.now() - datetime.timedelta(seconds=1)
    session.save()
    response = client.get("/evaluations/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_request_pushes_back_the_end_of_a_session_written_a_while_ago(client, editor, settings):
    log_in(client)
    key = client.session.session_key
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() + datetime.timedelta(minutes=1)
    )
    response = client.get("/evaluations/")
    expires = Session.objects.get(session_key=key).expire_date
    assert expires > timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert response.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_requests_soon_after_the_session_was_written_leave_it_alone(client, editor):
    # A write (and a commit) per request was a good share of the database's work at a peak.
    log_in(client)
    key = client.session.session_key
    written = Session.objects.get(session_key=key).expire_date
    Session.objects.filter(session_key=key).update(
        expire_date=written - datetime.timedelta(seconds=60)
    )
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/evaluations/")
    assert response.status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]
    assert "sessionid" not in response.cookies
    assert Session.objects.get(session_key=key).expire_date == written - datetime.timedelta(
        seconds=60
    )


def test_a_password_change_logs_out_every_other_session(editor):
    office, home, phone = Client(), Client(), Client()
    for client, address in ((office, "10.0.0.1"), (home, "10.0.0.2"), (phone, "10.0.0.3")):
        assert log_in(client, address=address).status_code == 302
        assert client.get("/evaluations/").status_code == 200
    new = "Another-long-pass-2024"
    response = office.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    # The session that changed the password goes on; the others are logged out.
    assert office.get("/evaluations/").status_code == 200
    for client in (home, phone):
        response = client.get("/evaluations/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    # And the old password no longer works anywhere.
    assert log_in(Client(), address="10.0.0.9").status_code == 200
    assert log_in(Client(), password=new, address="10.0.0.9").status_code == 302


def test_the_session_cookie_is_hidden_from_scripts(client, editor):
    response = log_in(client)
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_over_https_the_cookies_are_secure(client, editor, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    client.get("/accounts/login/", secure=True)
    response = client.post(
        "/accounts/login/",
        {"username": "editor", "password": PASSWORD},
        secure=True,
        HTTP_REFERER="https://testserver/accounts/login/",
    )
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"]
    assert client.cookies["csrftoken"]["secure"]
    assert client.cookies["csrftoken"]["httponly"]
