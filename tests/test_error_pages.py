"""Error pages in the app's look, under the same headers as every page: they say what happened,
that nothing was saved, and how to get back without losing what was typed."""

from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from evaluations.models import Evaluation
from tests.conftest import edit_data
from tests.test_headers import a_server_error, assert_safe_page
from tests.test_hostile_input import database_state

pytestmark = pytest.mark.django_db


def posted_as_browsers_do(client, evaluation, **changes):
    # Browsers send a form urlencoded, Chinese at nine bytes a character; the test client's
    # default, multipart, would send three.
    return client.post(
        reverse("evaluation_edit", args=[evaluation.pk]),
        urlencode(edit_data(evaluation, **changes)),
        content_type="application/x-www-form-urlencoded",
    )


def in_the_apps_look(response):
    html = response.content.decode()
    assert "vendor/bootstrap/bootstrap.min.css" in html
    assert "css/app.css" in html
    assert "navbar" in html
    return html


def test_a_form_over_the_request_limit_gets_a_page_saying_so_and_nothing_is_saved(
    settings, client_for, editor, evaluation
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 51_200
    before = database_state()
    response = posted_as_browsers_do(
        client_for(editor), evaluation, goal="目" * 4000, achieved="标" * 4000
    )
    assert response.status_code == 413
    assert_safe_page(response, "413")
    html = in_the_apps_look(response)
    assert "50.0\xa0KB" in html  # what was too large, against what limit
    assert "没有保存" in html
    assert "后退" in html  # the browser's Back button keeps what was typed
    assert "data-history-back" in html
    assert database_state() == before


def test_the_request_limit_page_is_complete_in_english(settings, client_for, editor, evaluation):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 51_200
    client = client_for(editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = posted_as_browsers_do(client, evaluation, goal="目" * 4000, achieved="标" * 4000)
    html = response.content.decode()
    assert "nothing was saved" in html
    assert "Back button" in html
    assert "没有保存" not in html


def test_a_form_with_too_many_fields_gets_a_page_saying_so(
    settings, client_for, editor, evaluation
):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 20
    before = database_state()
    response = posted_as_browsers_do(client_for(editor), evaluation)
    assert response.status_code == 413
    assert_safe_page(response, "too many fields")
    html = in_the_apps_look(response)
    assert "20" in html
    assert "没有保存" in html
    assert database_state() == before
    assert Evaluation.objects.get(pk=evaluation.pk).version == evaluation.version


def test_a_request_that_cannot_be_read_gets_the_400_page(settings, client_for, editor):
    settings.ALLOWED_HOSTS = ["testserver"]
    response = client_for(editor).get("/", HTTP_HOST="elsewhere.example")
    assert response.status_code == 400
    assert_safe_page(response, "400")
    html = in_the_apps_look(response)
    assert "没有保存" in html


def test_an_expired_page_gets_a_page_that_says_how_to_keep_the_input(editor, evaluation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    response = client.post(reverse("evaluation_edit", args=[evaluation.pk]), edit_data(evaluation))
    assert response.status_code == 403
    assert_safe_page(response, "403 csrf")
    html = in_the_apps_look(response)
    assert "没有保存" in html
    assert "后退" in html


@pytest.mark.parametrize(("url", "status"), [("/nothing-here/", 404), ("/review/", 403)])
def test_pages_not_found_or_not_allowed_are_in_the_apps_look(client_for, editor, url, status):
    response = client_for(editor).get(url)
    assert response.status_code == status
    in_the_apps_look(response)


def test_the_500_page_is_in_the_apps_look_even_when_static_files_are_missing(settings):
    # Hashed names come from a manifest that may be the very thing missing.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "config.static_files.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = "/nonexistent"
    response = a_server_error(settings)
    assert_safe_page(response, "500")
    html = in_the_apps_look(response)
    assert "服务暂时不可用" in html
    assert "Service unavailable" in html
