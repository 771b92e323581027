"""Checks over the whole project, not one feature."""

import io
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import Permission, User
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Pages anyone may open without logging in.
PUBLIC = {"login", "set_language", "healthz"}


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            if pattern.namespace == "admin":
                continue  # the admin has its own login, tested below
            yield from all_url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name, pattern


def reversed_url(name, pattern):
    kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, 1)
    return reverse(name, kwargs=kwargs)


@pytest.mark.django_db
def test_no_migrations_are_missing():
    out = io.StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "pattern"), list(all_url_names()), ids=lambda v: str(v))
def test_every_url_needs_login(client, name, pattern):
    url = reversed_url(name, pattern)
    response = client.get(url)
    if name in PUBLIC:
        assert response.status_code != 302 or "/accounts/login/" not in response["Location"]
    else:
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


@pytest.mark.django_db
def test_the_admin_needs_a_staff_login(client, editor):
    response = client.get("/admin/")
    assert response.status_code == 302
    client.force_login(editor)
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_staff_with_model_permissions_are_not_let_into_the_admin(client, evaluation):
    # Model admins are not scoped by department: only administrators may open them.
    staff = User.objects.create_user("staff", is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(codename="view_evaluation"))
    client.force_login(staff)
    assert client.get("/admin/evaluations/evaluation/").status_code == 302
    assert client.get("/admin/").status_code == 302


@pytest.mark.django_db
def test_the_system_checks_pass():
    call_command("check", fail_level="WARNING")


def test_every_message_has_a_compiled_chinese_translation():
    folder = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES"
    catalogue = polib.pofile(str(folder / "django.po"))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []
    compiled = {entry.msgid: entry.msgstr for entry in polib.mofile(str(folder / "django.mo"))}
    for entry in catalogue.translated_entries():
        if not entry.msgid_plural:
            assert compiled.get(entry.msgid) == entry.msgstr, f"run make messages: {entry.msgid}"
