"""The Excel pages: downloads follow exactly what each persona may see; imports go through a
preview kept in the session and write only into departments the user edits."""

import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import load_workbook
from openpyxl.worksheet._writer import ALL_TEMP_FILES

from departments.models import Membership
from evaluations.excel import writer
from evaluations.models import Evaluation, Project
from tests.conftest import plan_field

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def zip_names(response):
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return sorted(archive.namelist()), archive


def summary_rows(response):
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        summary = load_workbook(io.BytesIO(archive.read(writer.SUMMARY_NAME))).active
    # Row 1 is the title, row 2 the header.
    return [[cell.value for cell in row] for row in summary.iter_rows(min_row=3)]


def test_a_form_downloads_as_an_xlsx_named_after_its_project(client_for, viewer, evaluation):
    response = client_for(viewer).get(f"/evaluations/{evaluation.pk}/excel/")
    assert response["Content-Type"] == XLSX
    assert "%E5%85%9A%E5%91%98" in response["Content-Disposition"]  # 党员…, encoded
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["党员教育培训经费"]


def test_the_form_page_offers_the_download(client_for, viewer, evaluation):
    page = client_for(viewer).get(f"/evaluations/{evaluation.pk}/").content.decode()
    assert f'href="/evaluations/{evaluation.pk}/excel/"' in page


def test_the_list_page_offers_the_department_download_and_import(client_for, editor, evaluation):
    page = client_for(editor).get("/evaluations/?year=2023").content.decode()
    assert (
        f"/evaluations/export/?year=2023&amp;department={evaluation.project.department_id}" in page
    )
    assert f"/evaluations/import/?department={evaluation.project.department_id}" in page


@pytest.mark.parametrize("departments", [1, 2])
def test_the_list_page_offers_one_import_per_department_one_edits(
    client_for, editor, evaluation, other_department, departments
):
    if departments == 2:
        Membership.objects.create(user=editor, department=other_department, role="editor")
    page = client_for(editor).get("/evaluations/?year=2023").content.decode()
    assert len(re.findall(r'href="/evaluations/import/[^"]*"', page)) == departments


def test_a_department_download_is_a_zip_of_its_workbook_and_the_summary(
    client_for, editor, make_form, department
):
    make_form("党员教育培训经费")
    make_form("老干部队伍建设经费")
    response = client_for(editor).get(f"/evaluations/export/?year=2023&department={department.pk}")

    names, _archive = zip_names(response)

    assert response["Content-Type"] == "application/zip"
    assert names == sorted([writer.department_file_name(department), "汇总表.xlsx"])


def test_the_summary_lists_every_form_with_its_money_and_rates(
    client_for, editor, evaluation, settings
):
    client = client_for(editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/evaluations/export/?year=2023")
    [row] = summary_rows(response)
    department, project, state, budget, actual, rate, indicators, _flags, approved = row
    assert (department, project, state) == (
        evaluation.project.department.name,
        "党员教育培训经费",
        "Draft",
    )
    assert (budget, actual, rate, indicators, approved) == (30, 15.71, 0.5237, 11, None)


@pytest.mark.parametrize(
    ("persona", "sees_the_form"),
    [
        ("editor", True),
        ("viewer", True),
        ("reviewer", True),
        ("admin_user", True),
        ("other_editor", False),
        ("other_reviewer", False),
    ],
)
def test_a_year_download_holds_exactly_the_forms_the_pages_show(
    request, client_for, evaluation, make_form, other_department, persona, sees_the_form
):
    make_form("老干部队伍建设经费", owner=other_department)
    user = request.getfixturevalue(persona)
    response = client_for(user).get("/evaluations/export/?year=2023")
    # Nothing to see answers a page saying so, not an empty file.
    projects = {row[1] for row in summary_rows(response)} if response.status_code == 200 else set()
    assert ("党员教育培训经费" in projects) is sees_the_form
    visible_other = persona in ("other_editor", "reviewer", "admin_user")
    assert ("老干部队伍建设经费" in projects) is visible_other


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 200), ("reviewer", 200), ("other_editor", 404), ("other_reviewer", 404)],
)
def test_a_department_download_outside_ones_scope_is_not_found(
    request, client_for, department, evaluation, persona, status
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(f"/evaluations/export/?year=2023&department={department.pk}")
    assert response.status_code == status


@pytest.mark.parametrize("wanted", ["1999", "abc", "", "2023.0"])
def test_an_unknown_year_is_not_found(client_for, editor, evaluation, wanted):
    assert client_for(editor).get(f"/evaluations/export/?year={wanted}").status_code == 404


def test_the_download_starts_with_the_first_files_header_before_its_workbook_is_made(
    client_for, editor, evaluation
):
    response = client_for(editor).get("/evaluations/export/?year=2023")
    first = next(iter(response.streaming_content))
    response.close()
    assert first.startswith(b"PK\x03\x04")
    assert len(first) < 200


def test_a_cancelled_download_leaves_no_temporary_files(client_for, editor, make_form):
    make_form("党员教育培训经费")
    make_form("老干部队伍建设经费")
    response = client_for(editor).get("/evaluations/export/?year=2023")
    chunks = iter(response.streaming_content)
    next(chunks)
    next(chunks)
    response.close()
    assert ALL_TEMP_FILES == []


# Import through the pages


def upload(client, department, *files):
    return client.post(
        "/evaluations/import/",
        {
            "department": department.pk,
            "files": [SimpleUploadedFile(name, content, XLSX) for name, content in files],
        },
    )


def test_an_upload_shows_a_preview_and_writes_nothing_until_confirmed(
    client_for, editor, department, downloaded_form
):
    client = client_for(editor)
    response = upload(client, department, ("组织部.xlsx", downloaded_form))
    preview = client.get(response["Location"])

    assert "新建草稿" in preview.content.decode()
    assert not Evaluation.objects.exists()

    confirmed = client.post(response["Location"], {"plan": plan_field(preview.content.decode())})

    assert confirmed.status_code == 302
    assert Evaluation.objects.get().project.name == "党员教育培训经费"


def test_the_preview_lists_problems_by_sheet_and_cell_and_offers_no_import(
    client_for, editor, department, downloaded_form
):
    workbook = load_workbook(io.BytesIO(downloaded_form))
    workbook.active["E9"] = "三十"
    out = io.BytesIO()
    workbook.save(out)
    client = client_for(editor)

    preview = client.get(upload(client, department, ("a.xlsx", out.getvalue()))["Location"])

    page = preview.content.decode()
    assert "第 1 个工作表，E9：全年预算数不是数字。" in page
    assert "重新上传" in page


def test_a_confirmation_that_can_no_longer_go_through_writes_nothing(
    client_for, editor, department, evaluation
):
    client = client_for(editor)
    location = upload(client, department, ("a.xlsx", writer.form_workbook(evaluation)))["Location"]
    Evaluation.objects.filter(pk=evaluation.pk).update(
        state="approved", submitted_at="2024-01-01T00:00Z", approved_at="2024-01-02T00:00Z"
    )

    response = client.post(location, follow=True)

    assert "未导入任何内容" in response.content.decode()


def test_a_pending_import_belongs_to_the_session_that_uploaded_it(
    client_for, editor, department, downloaded_form
):
    location = upload(client_for(editor), department, ("a.xlsx", downloaded_form))["Location"]
    assert client_for(editor).get(location).status_code == 404


def test_an_import_into_a_department_one_does_not_edit_is_refused(
    client_for, editor, other_department, downloaded_form
):
    response = upload(client_for(editor), other_department, ("a.xlsx", downloaded_form))
    assert response.status_code == 200
    assert response.context["form"].errors["department"]
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize("now", ["viewer", "outsider"])
def test_confirming_an_import_after_losing_the_right_to_edit_writes_nothing(
    client_for, editor, department, downloaded_form, now
):
    client = client_for(editor)
    location = upload(client, department, ("a.xlsx", downloaded_form))["Location"]
    assert client.get(location).status_code == 200  # a preview that would import
    membership = Membership.objects.get(user=editor, department=department)
    if now == "viewer":
        membership.role = Membership.Role.VIEWER
        membership.save()
    else:
        membership.delete()

    response = client.post(location)

    assert response.status_code == (403 if now == "viewer" else 404)
    assert not Evaluation.objects.exists()
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"), [("editor", 200), ("viewer", 403), ("other_editor", 404)]
)
def test_the_import_page_for_a_department_answers_by_role(
    request, client_for, department, persona, status
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(f"/evaluations/import/?department={department.pk}")
    assert response.status_code == status


def test_every_input_of_the_import_page_has_a_label(client_for, editor, department):
    page = client_for(editor).get("/evaluations/import/").content.decode()
    assert '<label class="form-label" for="id_department">' in page
    assert '<label class="form-label" for="id_files">' in page


# The review queue's export


@pytest.fixture
def queue_forms(make_form, other_department, evaluation):
    submitted = make_form("老干部队伍建设经费")
    theirs = make_form("到村任职选调生补助资金", owner=other_department)
    Evaluation.objects.filter(pk__in=[submitted.pk, theirs.pk]).update(
        state="submitted", submitted_at="2024-01-05T00:00Z"
    )
    Evaluation.objects.filter(pk=submitted.pk).update(flag_count=2)
    Evaluation.objects.filter(pk=theirs.pk).update(flag_count=0)
    return evaluation, submitted, theirs


DRAFT, SUBMITTED, THEIRS = "党员教育培训经费", "老干部队伍建设经费", "到村任职选调生补助资金"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("", {SUBMITTED, THEIRS}),  # the queue opens on the forms submitted
        ("?state=", {DRAFT, SUBMITTED, THEIRS}),
        ("?state=draft", {DRAFT}),
        ("?state=&q=老干部", {SUBMITTED}),
        ("?state=&department=DEPARTMENT", {DRAFT, SUBMITTED}),
        ("?flagged=on", {SUBMITTED}),
    ],
)
def test_the_queue_export_holds_exactly_the_forms_the_queue_selects(
    client_for, reviewer, department, queue_forms, params, expected
):
    params = params.replace("DEPARTMENT", str(department.pk))
    client = client_for(reviewer)
    page = client.get("/review/" + params).content.decode()
    listed = {name for name in (DRAFT, SUBMITTED, THEIRS) if f">{name}</a>" in page}

    response = client.get("/review/export/" + params)

    assert listed == expected
    if not expected:  # nothing selected: a page saying so, not an empty file
        assert response.status_code == 404
    else:
        assert {row[1] for row in summary_rows(response)} == expected


def test_the_queue_export_of_another_bureau_holds_none_of_these_forms(
    client_for, other_reviewer, queue_forms
):
    response = client_for(other_reviewer).get("/review/export/?state=")
    assert response.status_code == 404
    assert not response.has_header("Content-Disposition")


def test_the_queue_page_offers_its_export_with_the_same_filters(client_for, reviewer, queue_forms):
    page = client_for(reviewer).get("/review/?state=&q=老干部&page=1").content.decode()
    assert 'href="/review/export/?year=2023&amp;state=&amp;q=%E8%80%81%E5%B9%B2%E9%83%A8"' in page


def test_the_import_page_says_which_layout_each_year_is_read_in(
    client_for, editor, department, year, example_form
):
    from departments.models import Membership

    daying = example_form("sichuan").project.department
    Membership.objects.create(user=editor, department=daying, role=Membership.Role.EDITOR)
    page = client_for(editor).get("/evaluations/import/").content.decode()
    table = page[page.index("data-layouts") :]
    assert "攀枝花 部门预算项目支出绩效自评表" in table
    assert "四川 部门预算项目支出绩效自评表" in table
    assert "大英县财政局" in table
