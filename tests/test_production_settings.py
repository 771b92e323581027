"""Production settings: refusing to start half-configured, a clean deploy check, /healthz, the
error page during a database outage, HTTPS cookies, and the log lines a collector reads.

Settings are read once per process, so whatever depends on environment variables runs in a
subprocess with exactly the environment a server would have.
"""

import io
import logging
import os
import re
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test import Client

from config.logfmt import LogfmtFormatter, quote

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_SECRET_KEY": "k7Vq3-production-like-secret-key-with-enough-entropy-9f2LmQ0xZb8w",
    "DJANGO_ALLOWED_HOSTS": "jixiao.czj.example.gov.cn",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://jixiao.czj.example.gov.cn",
    "DJANGO_HTTPS": "1",
    "DJANGO_PROXY_COUNT": "1",
    "DATABASE_URL": "postgres://jixiao@127.0.0.1:5432/jixiao",
}
# Nothing answers on port 1 of the loopback: a database that is down.
DATABASE_DOWN = "postgres://postgres@127.0.0.1:1/postgres"


def run_django(code, **env):
    """Run `code` after django.setup() in a fresh interpreter with only `env` as settings."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    script = f"import django\ndjango.setup()\n{code}"
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_without_debug_it_refuses_to_start_half_configured(missing):
    env = {key: value for key, value in PRODUCTION.items() if key != missing}
    result = run_django("print('started')", **env)
    assert result.returncode != 0
    assert "started" not in result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS must be set" in result.stderr


def test_with_debug_it_starts_with_development_defaults():
    result = run_django(
        "from django.conf import settings; print(settings.DEBUG, settings.ALLOWED_HOSTS)",
        DJANGO_DEBUG="1",
    )
    assert result.returncode == 0, result.stderr
    assert "True" in result.stdout


def test_the_deploy_check_is_clean_with_a_production_environment():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            **PRODUCTION,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deploy_check_complains_when_https_is_not_configured():
    env = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_HTTPS"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):
        assert warning in result.stdout + result.stderr


def test_over_https_cookies_are_secure_and_hidden_from_scripts():
    result = run_django(
        "from django.conf import settings as s\n"
        "print(s.SESSION_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE,"
        " s.CSRF_COOKIE_HTTPONLY, s.LANGUAGE_COOKIE_SECURE, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS > 0, s.SECURE_PROXY_SSL_HEADER)",
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True"] * 7 + ["('HTTP_X_FORWARDED_PROTO',", "'https')"]


def test_without_a_proxy_the_forwarded_proto_header_is_not_believed():
    env = {key: value for key, value in PRODUCTION.items() if key != "DJANGO_PROXY_COUNT"}
    result = run_django(
        "from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)", **env
    )
    assert result.stdout.strip() == "None", result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize("command", ["load_demo_data", "generate_demo_data"])
def test_the_demo_commands_refuse_to_run_with_debug_off(command, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command(command, stdout=io.StringIO())
    assert not get_user_model().objects.exists()


@pytest.mark.django_db
def test_the_demo_loads_with_debug_off_when_forced(settings):
    settings.DEBUG = False
    call_command("load_demo_data", force=True, stdout=io.StringIO())
    assert get_user_model().objects.filter(username="editor").exists()


@pytest.mark.django_db
def test_the_demo_loads_in_development(settings):
    settings.DEBUG = True
    call_command("generate_demo_data", departments=1, forms_per_department=1, stdout=io.StringIO())
    assert get_user_model().objects.filter(username="dept0001").exists()


@pytest.mark.django_db
def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-cache" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client):
    failure = OperationalError("connection refused")
    with mock.patch.object(connection, "cursor", side_effect=failure):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable\n"
    assert "refused" not in response.text


def test_healthz_answers_503_with_the_database_server_gone():
    result = run_django(
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code, r.content)",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="testserver",
        DATABASE_URL=DATABASE_DOWN,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "503 b'unavailable\\n'"


def test_pages_answer_a_clean_503_page_while_the_database_is_down():
    # A logged-in user's session cookie makes every page read the database first.
    result = run_django(
        "from django.test import Client\n"
        "c = Client(raise_request_exception=False)\n"
        "c.cookies['sessionid'] = 'abcdefghijklmnopqrstuvwxyz012345'\n"
        "r = c.get('/evaluations/')\n"
        "print(r.status_code, r['Retry-After'])\n"
        "print(r.content.decode())",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_LOG_LEVEL="CRITICAL",
        DATABASE_URL=DATABASE_DOWN,
    )
    assert result.returncode == 0, result.stderr
    first, page = result.stdout.split("\n", 1)
    assert first == "503 5"
    assert "服务暂时不可用" in page
    assert "Traceback" not in page
    assert "127.0.0.1" not in page


@pytest.mark.django_db
def test_a_query_error_that_is_a_bug_stays_a_500(rf):
    from config.outage import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500


# The log


def test_logfmt_quotes_what_needs_it_and_escapes_line_breaks():
    assert quote("plain") == "plain"
    assert quote("") == '""'
    assert quote("two words") == '"two words"'
    assert quote('a="b"') == '"a=\\"b\\""'
    assert quote("x\nlevel=error forged") == '"x\\nlevel=error forged"'
    assert quote("nul\x00") == '"nul\\u0000"'
    assert quote("财政局") == "财政局"


def test_a_log_line_is_one_line_of_key_value_pairs():
    record = logging.makeLogRecord(
        {"name": "jixiao.events", "levelname": "INFO", "msg": "export", "user": "a b\nc"}
    )
    text = LogfmtFormatter().format(record)
    assert "\n" not in text
    assert ' logger=jixiao.events msg=export user="a b\\nc"' in text
    assert text.startswith("time=")


@pytest.mark.django_db
def test_every_request_logs_one_line_with_user_and_department(client_for, editor, caplog):
    with caplog.at_level(logging.INFO, logger="jixiao.requests"):
        response = client_for(editor).get("/evaluations/?x=1")
    assert response.status_code == 200
    lines = [r for r in caplog.records if r.name == "jixiao.requests"]
    assert len(lines) == 1
    line = LogfmtFormatter().format(lines[0])
    assert " method=GET path=/evaluations/ status=200 " in line
    assert " user=editor dept=D-1 bureau=- " in line
    assert "ip=127.0.0.1" in line
    assert response["X-Request-ID"] in line


@pytest.mark.django_db
def test_a_reviewer_is_logged_with_their_bureau(client_for, reviewer, caplog):
    with caplog.at_level(logging.INFO, logger="jixiao.requests"):
        client_for(reviewer).get("/evaluations/")
    (record,) = [r for r in caplog.records if r.name == "jixiao.requests"]
    assert (record.user, record.dept, record.bureau) == ("reviewer", "-", "CZ-1")


@pytest.mark.django_db
def test_anonymous_requests_are_logged_without_reading_the_session(client, caplog):
    client.cookies["sessionid"] = "not-a-session"
    with caplog.at_level(logging.INFO, logger="jixiao.requests"):
        client.get("/healthz")
    (record,) = [r for r in caplog.records if r.name == "jixiao.requests"]
    assert record.user == "-"
    assert record.status == 200


@pytest.mark.django_db
def test_a_hostile_path_cannot_forge_a_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="jixiao.requests"):
        client.get("/nothing%0Alevel=error%20user=admin")
    (record,) = [r for r in caplog.records if r.name == "jixiao.requests"]
    assert "\n" not in LogfmtFormatter().format(record)


@pytest.mark.django_db
def test_events_carry_the_user_department_and_request(editor, caplog):
    from config.events import log_event, request_id

    token = request_id.set("r-123")
    try:
        with caplog.at_level(logging.INFO, logger="jixiao.events"):
            log_event("export", user=editor, evaluation=7, name="clashes with LogRecord.name")
    finally:
        request_id.reset(token)
    (record,) = caplog.records
    line = LogfmtFormatter().format(record)
    assert "msg=export event=export user=editor dept=D-1 bureau=- request_id=r-123" in line
    assert "evaluation=7" in line
    assert 'name_="clashes with LogRecord.name"' in line


def test_the_forwarded_address_counts_only_our_own_proxies(rf, settings):
    from config.client_address import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="127.0.0.1")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "127.0.0.1"
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "10.1.2.3"


@pytest.mark.django_db
def test_a_client_cannot_make_its_request_id_anything():
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")
    assert response["X-Request-ID"] != "bad id\nwith newline"
    response = Client().get("/healthz", HTTP_X_REQUEST_ID="nginx-4f2a")
    assert response["X-Request-ID"] == "nginx-4f2a"


@pytest.mark.django_db
def test_a_session_lost_to_a_database_outage_is_a_503_not_a_400(rf):
    from django.contrib.sessions.exceptions import SessionInterrupted

    from config.outage import bad_request

    try:
        try:
            raise OperationalError("server closed the connection unexpectedly")
        except OperationalError:
            raise SessionInterrupted("session") from None
    except SessionInterrupted as interrupted:
        # `from None` hides the cause from tracebacks but keeps it as the context.
        response = bad_request(rf.get("/"), interrupted)
    assert response.status_code == 503
    assert "服务暂时不可用" in response.content.decode()


@pytest.mark.django_db
def test_other_bad_requests_stay_400(rf):
    from django.core.exceptions import SuspiciousOperation

    from config.outage import bad_request

    assert bad_request(rf.get("/"), SuspiciousOperation("no")).status_code == 400


def readme_examples():
    """The variables of the README's table whose example is a value, with that value."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("### Environment variables")
    table = text[start : text.index("\n### ", start + 1)]
    examples = {}
    for line in table.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z_]+)`", cells[0])
        values = re.findall(r"`([^`]*)`", cells[1])
        if len(names) == len(values):
            examples.update(zip(names, values, strict=True))
    return examples


def test_the_deploy_check_is_clean_with_the_readmes_example_values():
    examples = readme_examples()
    assert examples["DJANGO_HSTS_SECONDS"]
    assert examples["DJANGO_HTTPS"] == "1"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        **examples,
        # The README's example of a secret key is a description, not a value.
        "DJANGO_SECRET_KEY": PRODUCTION["DJANGO_SECRET_KEY"],
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_gunicorn_workers_serve_one_request_at_a_time_and_freeze_what_they_loaded():
    # Threads queued for their process's interpreter lock at every query (README, load test).
    script = (
        "import gc, config.gunicorn as g\n"
        "g.post_worker_init(None)\n"
        "print(g.worker_class, g.threads, g.workers > 1, gc.get_freeze_count() > 0)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "WEB_CONC"))}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.stdout.split() == ["sync", "1", "True", "True"], result.stderr
