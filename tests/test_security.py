"""Trying to break in: other departments' ids, forged POSTs, hostile text, hostile file names.

Every URL that takes an id comes from the URL resolver (tests/url_catalogue.py), so a URL added
later is attacked too without anyone listing it here.
"""

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape
from openpyxl import load_workbook

from departments.models import Membership
from evaluations import workflow
from evaluations.excel import writer
from evaluations.models import Evaluation, FundLine, Indicator, Project
from tests import url_catalogue
from tests.conftest import confirm_import, make_user

pytestmark = pytest.mark.django_db

OUTSIDERS = ["other_editor", "foreign_editor", "other_reviewer", "anonymous"]
SECRET = "机密-只给本部门看"


@pytest.fixture
def foreign_editor(foreign_department):
    """An editor of a department under another finance bureau."""
    user = make_user("foreign_editor")
    Membership.objects.create(user=user, department=foreign_department, role=Membership.Role.EDITOR)
    return user


def database_state():
    """Every row of our apps (and the users), to compare before and after an attack."""
    rows = {}
    for label in ("departments", "evaluations", "reports"):
        for model in apps.get_app_config(label).get_models():
            rows[model.__name__] = list(model.objects.order_by("pk").values())
    # Logging in (force_login) stamps last_login; that is not the attack changing anything.
    rows["User"] = [
        {key: value for key, value in row.items() if key != "last_login"}
        for row in get_user_model().objects.order_by("pk").values()
    ]
    return rows


def edit_data(client, evaluation):
    """Everything the edit page would post, as the form's own editor sees it."""
    page = client.get(f"/evaluations/{evaluation.pk}/edit/").content.decode()
    fields = {}
    for match in re.finditer(r'<input[^>]*name="([^"]+)"[^>]*?(?:value="([^"]*)")?[^>]*>', page):
        if "__prefix__" not in match.group(1):
            fields[match.group(1)] = match.group(2) or ""
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>([^<]*)</textarea>', page):
        if "__prefix__" not in match.group(1):
            fields[match.group(1)] = match.group(2)
    return fields


@pytest.fixture
def pending_import(client_for, editor, evaluation):
    """An import the editor uploaded and has not confirmed yet: its token is in their session."""
    client = client_for(editor)
    upload = SimpleUploadedFile("form.xlsx", writer.form_workbook(evaluation))
    response = client.post(
        "/evaluations/import/", {"department": evaluation.project.department_id, "files": upload}
    )
    assert response.status_code == 302, response.content[:2000]
    return response["Location"].rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture(params=["draft", "submitted"])
def target(request, evaluation, editor, pending_import):
    """The department's form, with a secret in it; as a draft and as submitted for review."""
    evaluation.goal = SECRET
    evaluation.save()
    if request.param == "submitted":
        workflow.submit(evaluation, editor)
    return evaluation


def leaks(response):
    """Whether the answer shows the secret, in a page or inside a workbook or zip."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if SECRET.encode() in content:
        return True
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return any(SECRET.encode() in archive.read(name) for name in archive.namelist())
    return False


@pytest.mark.parametrize("name", url_catalogue.with_ids())
@pytest.mark.parametrize("persona", OUTSIDERS)
def test_ids_of_another_department_reveal_and_change_nothing(
    request, client_for, editor, target, pending_import, name, persona
):
    url = url_catalogue.url(name, url_catalogue.values_of(target, token=pending_import))
    forged = edit_data(client_for(editor), target) if target.state == "draft" else {}
    forged.update({"decision": "approve", "comment": "ok", "reason": "reopen", "action": "save"})
    forged["goal"] = "overwritten by an outsider"
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = client_for(user)
    before = database_state()

    for method in ("get", "post"):
        response = getattr(client, method)(url, forged if method == "post" else None)
        if persona == "anonymous":
            assert response.status_code == 302, (method, url)
            assert response["Location"].startswith("/accounts/login/"), (method, url)
        else:
            # 404: not in your scope; 405: this URL takes no such method. Neither says more.
            assert response.status_code in (404, 405), (method, url, response.status_code)
        assert not leaks(response), (method, url)
    assert database_state() == before


def test_an_editor_cannot_post_rows_of_another_form_into_their_own(
    client_for, editor, other_editor, evaluation, make_form, other_department
):
    theirs = make_form("干部队伍建设经费", owner=other_department)
    their_rows = list(Indicator.objects.filter(evaluation=theirs).values())
    client = client_for(editor)
    data = edit_data(client, evaluation)
    stolen = Indicator.objects.filter(evaluation=theirs).first()
    data["indicators-0-id"] = str(stolen.pk)
    data["indicators-0-actual"] = "stolen"
    response = client.post(f"/evaluations/{evaluation.pk}/edit/", data)
    assert response.status_code == 400
    assert list(Indicator.objects.filter(evaluation=theirs).values()) == their_rows


def test_a_new_form_cannot_be_started_in_another_department(
    client_for, editor, other_department, year
):
    response = client_for(editor).post(
        f"/evaluations/new/?year={year.year}",
        {"department": other_department.pk, "project_name": "偷偷建的", "kind": "recurring"},
    )
    assert response.status_code == 200
    assert not Project.objects.filter(name="偷偷建的").exists()


def test_an_import_cannot_target_another_department(
    client_for, editor, evaluation, other_department
):
    client = client_for(editor)
    before = database_state()
    response = client.post(
        "/evaluations/import/",
        {
            "department": other_department.pk,
            "files": SimpleUploadedFile("form.xlsx", writer.form_workbook(evaluation)),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["department"]
    assert not client.session.get("excel_imports")
    assert database_state() == before


def test_a_confirmation_imports_where_the_preview_said_whatever_it_posts(
    client_for, editor, evaluation, other_department
):
    client = client_for(editor)
    workbook = writer.form_workbook(evaluation)
    Evaluation.objects.all().delete()
    Project.objects.all().delete()
    response = client.post(
        "/evaluations/import/",
        {
            "department": evaluation.project.department_id,
            "files": SimpleUploadedFile("form.xlsx", workbook),
        },
    )

    # The confirmation names another department: the import goes where the preview said.
    confirmed = confirm_import(client, response["Location"], department=other_department.pk)

    assert confirmed.status_code == 302
    assert not Project.objects.filter(department=other_department).exists()
    assert Evaluation.objects.get().project.department_id == evaluation.project.department_id


# Forged POSTs: another site makes the logged-in user's browser post without the CSRF token.


def test_every_post_without_a_csrf_token_is_refused(editor, evaluation, next_year, pending_import):
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    before = database_state()
    values = url_catalogue.values_of(evaluation, token=pending_import)
    for name, url in url_catalogue.all_urls(values, query=f"?year={evaluation.year_id}"):
        response = client.post(url, {"goal": "forged", "decision": "approve", "next": "/"})
        assert response.status_code == 403, (name, url, response.status_code)
    assert database_state() == before


def test_logging_in_without_a_csrf_token_is_refused(editor):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/accounts/login/", {"username": "editor", "password": "a-long-test-password-2023"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_the_admin_refuses_forged_posts(admin_user, evaluation):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(
        f"/admin/evaluations/evaluation/{evaluation.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert Evaluation.objects.filter(pk=evaluation.pk).exists()


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/?next=https://evil.example/",
        "/accounts/login/?next=//evil.example/",
    ],
)
def test_logging_in_never_redirects_to_another_site(client, editor, url):
    from tests.conftest import PASSWORD

    response = client.post(url, {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


# Hostile text in every text field: shown as text on every page, as text in every export.

SCRIPT = '<script>alert("xss")</script>'
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/","点此领取")'
PAYLOAD = f"{SCRIPT}{ATTRIBUTE}"
FORMULAS = [FORMULA, "+SUM(1,2)", "-2+3", "@SUM(A1)", "=1+1"]


@pytest.fixture
def hostile_form(evaluation, editor, reviewer):
    """Every text of the form, its rows, its department and the people around it, hostile."""
    project = evaluation.project
    project.name = f"{FORMULA}{PAYLOAD}"[:200]
    project.save()
    department = project.department
    department.name = f"{PAYLOAD}{FORMULA}"[:200]
    department.save()
    evaluation.supervising_unit = FORMULAS[1] + PAYLOAD
    evaluation.implementing_unit = FORMULAS[2] + PAYLOAD
    evaluation.goal = FORMULA + PAYLOAD
    evaluation.achieved = FORMULAS[3] + PAYLOAD
    evaluation.save()
    for number, row in enumerate(evaluation.indicators.all()):
        formula = FORMULAS[number % len(FORMULAS)]
        row.name = formula + PAYLOAD
        row.target = formula + PAYLOAD
        row.actual = formula + PAYLOAD
        row.reason = formula + PAYLOAD
        row.save()
    for user in (editor, reviewer):
        user.first_name = PAYLOAD[:150]
        user.save()
    workflow.submit(evaluation, editor)
    workflow.return_(evaluation, reviewer, FORMULA + PAYLOAD)
    workflow.submit(evaluation, editor)
    return evaluation


class ActiveContent(HTMLParser):
    """Scripts that would run: <script> without src, on*= handlers, javascript: links."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        names = dict(attrs)
        if tag == "script" and not names.get("src"):
            kind = names.get("type", "")
            if kind not in ("application/json", "text/template"):
                self.found.append(f"inline <script> {attrs}")
        for name, value in attrs:
            if name.lower().startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction") and (
                value or ""
            ).strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")


def active_content(html):
    parser = ActiveContent()
    parser.feed(html)
    return parser.found


def test_hostile_text_is_inert_on_every_page(
    client_for, hostile_form, editor, reviewer, admin_user
):
    values = url_catalogue.values_of(hostile_form, token="none")
    shown = 0
    for user in (editor, reviewer, admin_user):
        client = client_for(user)
        for name, url in url_catalogue.all_urls(values, query=f"?year={hostile_form.year_id}"):
            response = client.get(url)
            if response.get("Content-Type", "").startswith("text/html"):
                html = response.content.decode()
                assert SCRIPT not in html, (user, name)
                assert active_content(html) == [], (user, name)
                shown += escape(SCRIPT) in html
    assert shown >= 6  # the payload was really on the pages, escaped


def test_hostile_text_is_inert_in_the_admin(client_for, hostile_form, admin_user):
    client = client_for(admin_user)
    for url in (
        "/admin/evaluations/evaluation/",
        f"/admin/evaluations/evaluation/{hostile_form.pk}/change/",
        "/admin/departments/department/",
        f"/admin/departments/department/{hostile_form.project.department_id}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert SCRIPT not in html, url
        assert active_content(html) == [], url


def cells_of(content):
    """Every cell of a workbook's bytes, with the formulas as formulas."""
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            yield from row


def assert_inert_workbook(content, label):
    texts = 0
    for cell in cells_of(content):
        if isinstance(cell.value, str) and "HYPERLINK" in cell.value:
            texts += 1
        assert cell.data_type != "f" or "HYPERLINK" not in str(cell.value), (label, cell)
        if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
            # Stored as text: a spreadsheet shows it, never evaluates it.
            assert cell.data_type == "s", (label, cell.coordinate, cell.value)
        assert cell.hyperlink is None, (label, cell.coordinate)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            xml = archive.read(name).decode("utf-8", "replace")
            assert "<f>" not in xml or "HYPERLINK" not in xml, (label, name)
    return texts


def test_hostile_text_is_inert_in_every_export(client_for, hostile_form, reviewer):
    client = client_for(reviewer)
    response = client.get(f"/evaluations/{hostile_form.pk}/excel/")
    assert response.status_code == 200
    assert assert_inert_workbook(response.content, "form") > 0

    response = client.get(f"/evaluations/export/?year={hostile_form.year_id}")
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        assert names
        for name in names:
            # A department called "../../x" must not make a zip that writes outside its folder.
            assert not name.startswith(("/", "\\")), name
            assert ".." not in Path(name).parts, name
            assert "<" not in name, name
            assert ">" not in name, name
            if name.endswith(".xlsx"):
                assert_inert_workbook(archive.read(name), name)


# Hostile file names.

TRAVERSALS = [
    "../../../../tmp/jixiao-escape.xlsx",
    "..\\..\\..\\jixiao-escape.xlsx",
    "/etc/jixiao-escape.xlsx",
    "C:\\Windows\\jixiao-escape.xlsx",
    "....//....//jixiao-escape.xlsx",
    "%2e%2e%2fjixiao-escape.xlsx",
    "jixiao\x00escape.xlsx",
    "<script>alert(1)</script>.xlsx",
]


@pytest.mark.parametrize("file_name", TRAVERSALS)
def test_upload_file_names_with_paths_are_harmless(
    client_for, editor, evaluation, file_name, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    client = client_for(editor)
    before = set(Path("/tmp").glob("jixiao-escape*")) | set(Path("/etc").glob("jixiao-escape*"))
    workbook = writer.form_workbook(evaluation)
    downloaded_goal = evaluation.goal
    Evaluation.objects.filter(pk=evaluation.pk).update(goal="changed since the download")
    upload = SimpleUploadedFile(file_name, workbook)
    preview = client.post(
        "/evaluations/import/",
        {"department": evaluation.project.department_id, "files": upload},
        follow=True,
    )
    confirmed = confirm_import(client, preview.redirect_chain[-1][0], follow=True)
    for response in (preview, confirmed):
        assert response.status_code < 500
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
        assert active_content(html) == []
    after = set(Path("/tmp").glob("jixiao-escape*")) | set(Path("/etc").glob("jixiao-escape*"))
    assert after == before
    assert list(tmp_path.rglob("*escape*")) == []
    assert not list(Path(settings.BASE_DIR).rglob("jixiao-escape*"))
    # Whatever its name, the workbook was read and imported into the form.
    evaluation.refresh_from_db()
    assert evaluation.goal == downloaded_goal
    assert FundLine.objects.filter(evaluation=evaluation, budget__isnull=False).exists()
