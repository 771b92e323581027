"""Security headers on every page, and no inline script anywhere for the CSP to have to block.

Pages come from the URL resolver (tests/url_catalogue.py) and the admin's registry, opened by
each kind of user; the templates are also read as files, for pages no test happens to render.
"""

import re
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client

from tests import url_catalogue
from tests.test_security import active_content

pytestmark = pytest.mark.django_db

HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def policy(response):
    header = response.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_safe_page(response, label):
    for name, value in HEADERS.items():
        assert response.get(name) == value, (label, name)
    directives = policy(response)
    assert directives.get("script-src") == ["'self'"], label
    assert directives.get("default-src") == ["'self'"], label
    assert directives.get("frame-ancestors") == ["'none'"], label
    assert directives.get("object-src") == ["'none'"], label
    for values in directives.values():
        assert "'unsafe-inline'" not in values, label
        assert "'unsafe-eval'" not in values, label
    if response.get("Content-Type", "").startswith("text/html"):
        assert active_content(response.content.decode()) == [], label


def pages_for(evaluation):
    values = url_catalogue.values_of(evaluation, token="expired")
    return url_catalogue.all_urls(values, query=f"?year={evaluation.year_id}")


@pytest.mark.parametrize(
    "persona", ["anonymous", "editor", "viewer", "reviewer", "other_reviewer", "admin_user"]
)
def test_every_page_has_the_headers_and_no_inline_script(
    request, client_for, evaluation, next_year, persona
):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = client_for(user)
    for name, url in pages_for(evaluation):
        response = client.get(url, follow=True)
        assert_safe_page(response, (persona, name, response.status_code))


def test_every_admin_page_has_the_headers_and_no_inline_script(client_for, admin_user, evaluation):
    client = client_for(admin_user)
    urls = ["/admin/", "/admin/password_change/"]
    for model in admin.site._registry:
        base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        urls += [base, base + "add/"]
        first = model.objects.order_by("pk").first()
        if first is not None:
            urls.append(f"{base}{first.pk}/change/")
    for url in urls:
        response = client.get(url)
        assert response.status_code in (200, 403), url  # 403: adding is switched off
        assert_safe_page(response, url)


def test_error_and_account_pages_have_the_headers(client, client_for, editor):
    assert_safe_page(client.get("/accounts/login/"), "login")
    wrong = client.post("/accounts/login/", {"username": "editor", "password": "wrong"})
    assert_safe_page(wrong, "failed login")
    logged_in = client_for(editor)
    assert_safe_page(logged_in.get("/nothing-here/"), "404")
    assert_safe_page(logged_in.get("/evaluations/999999/"), "404 of a form")
    assert_safe_page(logged_in.get("/accounts/password/"), "password change")


def a_server_error(settings):
    """The answer to a request whose view raises ("boom"), as a user gets it."""
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    client = Client(raise_request_exception=False)
    with mock.patch("config.health.database_answers", side_effect=RuntimeError("boom")):
        response = client.get("/healthz")
    assert response.status_code == 500
    return response


def test_the_error_page_for_500_has_the_headers(settings):
    response = a_server_error(settings)
    assert_safe_page(response, "500")
    assert "boom" not in response.content.decode()


TEMPLATE_DIRS = [Path(settings.BASE_DIR) / "templates"] + [
    Path(settings.BASE_DIR) / app / "templates" for app in ("departments", "evaluations", "config")
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def templates():
    for folder in TEMPLATE_DIRS:
        if folder.is_dir():
            yield from sorted(folder.rglob("*.html"))


@pytest.mark.parametrize("path", list(templates()), ids=lambda p: p.name)
def test_no_template_has_inline_script(path):
    text = path.read_text(encoding="utf-8")
    # JSON for scripts to read is data, not script (json_script writes type="application/json").
    scripts = [tag for tag in INLINE_SCRIPT.findall(text) if "application/json" not in tag]
    assert scripts == [], path
    assert HANDLER.findall(text) == [], path
    assert JAVASCRIPT_URL.findall(text) == [], path


def test_no_script_of_ours_needs_eval():
    # 'unsafe-eval' is not in the policy: eval, new Function and string timers would fail.
    for path in (Path(settings.BASE_DIR) / "static" / "js").rglob("*.js"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\beval\(|new Function\(|setTimeout\(\s*['\"]", text), path
