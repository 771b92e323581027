"""Every download: what each parameter may name, what an empty selection answers, the names of
the files, the review queue's export and the summary sheet (汇总表) as it prints."""

import io
import urllib.parse
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from config.texts import one_line
from departments.models import Department
from evaluations.excel import file_names, layout, writer
from evaluations.models import Evaluation, Project
from tests import url_catalogue
from tests.conftest import make_user

# Every export URL with the parameters it reads; a new export fails the test below until it
# is listed here, and so until the tests of this file cover it.
EXPORTS = {
    "evaluation_excel": [],
    "excel_year_export": ["year", "department"],
    "excel_queue_export": ["year", "state", "department", "flagged", "q"],
    # Background exports: their own tests (tests/test_export_jobs.py); a job is its asker's.
    "export_jobs": [],
    "export_job": [],
    "export_job_status": [],
    "export_job_download": [],
    "report_pdf_export": [],
    "report_docx_export": [],
    "report_package_export": [],
    "publication_package_export": ["year", "bureau"],
}


def test_every_export_url_is_covered_here():
    downloads = {
        name
        for name, _pattern in url_catalogue.patterns()
        if ("excel" in name or "export" in name) and "import" not in name
    }
    assert downloads == set(EXPORTS)


@pytest.fixture
def scope(make_form, evaluation, other_department, foreign_department):
    """组织部's draft (党员), 党校's submitted form (人才), the other bureau's (基层)."""
    theirs = make_form("人才队伍建设经费", owner=other_department)
    foreign = make_form("基层组织建设工作经费", owner=foreign_department)
    Evaluation.objects.filter(pk__in=[theirs.pk, foreign.pk]).update(
        state="submitted", submitted_at="2024-01-05T00:00Z"
    )
    return evaluation, theirs, foreign


def summary_sheet(response):
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return load_workbook(io.BytesIO(archive.read(writer.SUMMARY_NAME))).active


def summary_projects(response):
    return {row[1] for row in summary_sheet(response).iter_rows(min_row=3, values_only=True)}


# A parameter naming something outside the user's scope answers 404, as the pages do.

OUT_OF_SCOPE = [
    # (persona, URL; {department}, {other_department}, {foreign_department}, {form} filled in)
    ("other_editor", "/evaluations/{form}/excel/"),
    ("other_reviewer", "/evaluations/{form}/excel/"),
    ("other_editor", "/evaluations/{form}/pdf/"),
    ("other_reviewer", "/evaluations/{form}/pdf/"),
    ("editor", "/evaluations/export/?year=1999"),
    ("editor", "/evaluations/export/?year=2023&department={other_department}"),
    ("editor", "/evaluations/export/?year=2023&department=abc"),
    ("editor", "/evaluations/export/?year=2023&department="),
    ("reviewer", "/evaluations/export/?year=2023&department={foreign_department}"),
    ("reviewer", "/review/export/?year=1999&state="),
    ("reviewer", "/review/export/?year=abc&state="),
    ("reviewer", "/review/export/?state=&department={foreign_department}"),
    ("reviewer", "/review/export/?state=&department=abc"),
    ("reviewer", "/review/export/?state=published"),
    ("reviewer", "/review/export/?state=&q=" + "党" * 101),
    ("other_reviewer", "/review/export/?state=&department={department}"),
    ("other_editor", "/reports/{department}/2023/pdf/"),
    ("other_editor", "/reports/{department}/2023/docx/"),
    ("other_editor", "/reports/{department}/2023/publication.zip"),
    ("other_reviewer", "/reports/{department}/2023/publication.zip"),
    ("reviewer", "/reports/{foreign_department}/2023/publication.zip"),
    ("reviewer", "/reports/{department}/1999/publication.zip"),
    ("editor", "/review/results/publication.zip?year=2023"),
    ("reviewer", "/review/results/publication.zip?year=1999"),
    ("reviewer", "/review/results/publication.zip?year=2023&bureau={foreign_bureau}"),
    ("reviewer", "/review/results/publication.zip?year=2023&bureau=abc"),
]


def filled(url, scope):
    evaluation, theirs, foreign = scope
    return url.format(
        form=evaluation.pk,
        department=evaluation.project.department_id,
        other_department=theirs.project.department_id,
        foreign_department=foreign.project.department_id,
        foreign_bureau=foreign.project.department.bureau_id,
    )


@pytest.mark.parametrize(("persona", "url"), OUT_OF_SCOPE)
def test_an_export_parameter_outside_ones_scope_is_not_found(
    request, client_for, scope, persona, url
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(filled(url, scope))
    assert response.status_code == 404
    assert not response.has_header("Content-Disposition")


def params(url):
    return urllib.parse.parse_qs(urllib.parse.urlsplit(url).query, keep_blank_values=True)


def test_every_export_parameter_is_tried_outside_the_scope():
    tried = {(url.split("?")[0], key) for _persona, url in OUT_OF_SCOPE for key in params(url)}
    paths = {
        "excel_year_export": "/evaluations/export/",
        "excel_queue_export": "/review/export/",
        "publication_package_export": "/review/results/publication.zip",
    }
    for name, parameters in EXPORTS.items():
        # flagged is a yes or no: nothing it says can be outside a scope.
        for parameter in set(parameters) - {"flagged"}:
            assert (paths[name], parameter) in tried, (name, parameter)


def test_a_department_a_reviewer_edits_is_visible_but_not_theirs_to_export_for_review(
    client_for, editing_reviewer, scope, department
):
    url = f"/review/export/?state=&department={department.pk}"
    response = client_for(editing_reviewer).get(url)
    assert response.status_code == 403


@pytest.mark.parametrize(
    ("persona", "url", "projects"),
    [
        ("editor", "/evaluations/export/?year=2023&department={department}", {"党员教育培训经费"}),
        (
            "reviewer",
            "/evaluations/export/?year=2023&department={other_department}",
            {"人才队伍建设经费"},
        ),
        ("reviewer", "/review/export/?state=&department={other_department}", {"人才队伍建设经费"}),
        ("reviewer", "/review/export/?year=2023&state=draft", {"党员教育培训经费"}),
        ("reviewer", "/review/export/?state=&q=人才", {"人才队伍建设经费"}),
        ("other_reviewer", "/review/export/?state=submitted", {"基层组织建设工作经费"}),
    ],
)
def test_an_export_parameter_inside_ones_scope_selects_those_forms(
    request, client_for, scope, persona, url, projects
):
    user = request.getfixturevalue(persona)
    response = client_for(user).get(filled(url, scope))
    assert response.status_code == 200
    assert summary_projects(response) == projects


# Nothing to export: a page that says so, never an empty file.


@pytest.fixture
def nobody(db):
    """An account in no department and no finance bureau."""
    return make_user("nobody")


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("nobody", "/evaluations/export/?year=2023"),
        ("other_editor", "/evaluations/export/?year=2023"),
        ("other_editor", "/evaluations/export/?year=2023&department={other_department}"),
        ("reviewer", "/review/export/?year=2023&state=approved"),
        ("other_reviewer", "/review/export/?state="),
    ],
)
def test_an_export_with_nothing_in_it_is_a_page_saying_so_never_an_empty_file(
    request, client_for, evaluation, other_department, persona, url
):
    user = request.getfixturevalue(persona)
    url = url.format(other_department=other_department.pk)
    response = client_for(user).get(url)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert not response.has_header("Content-Disposition")
    assert "没有可下载的自评表" in response.content.decode()


def test_the_page_saying_there_is_nothing_to_export_has_its_english(
    client_for, other_editor, evaluation, settings
):
    client = client_for(other_editor)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get("/evaluations/export/?year=2023").content.decode()
    assert "There is no form to download here" in page


# Download and zip-entry file names carry no bidirectional or control characters.

UNSAFE = (
    [chr(code) for code in range(0x00, 0x20)]
    + [chr(code) for code in range(0x7F, 0xA0)]
    + ["\u200e", "\u200f", "\u2028", "\u2029", "\ufeff"]
    + [chr(code) for code in range(0x202A, 0x202F)]
    + [chr(code) for code in range(0x2066, 0x206A)]
    + list('/\\:*?"<>|')
)


@pytest.mark.parametrize("character", UNSAFE, ids=lambda c: f"U+{ord(c):04X}")
def test_a_file_name_drops_every_control_bidi_and_path_character(character):
    name = file_names.file_name(f"党员{character}教育培训经费", "xlsx")
    assert name in ("党员教育培训经费.xlsx", "党员 教育培训经费.xlsx")


@pytest.mark.parametrize(
    ("stem", "expected"),
    [
        ("gpj.\u202eslx", "gpj.slx.zip"),
        ("../../etc/passwd", "etcpasswd.zip"),
        ("  ..", "forms.zip"),
        ("\u202e\u2066", "forms.zip"),
        ("组织部\n\t 2023", "组织部 2023.zip"),
        ("CON", "_CON.zip"),
        ("nul", "_nul.zip"),
    ],
)
def test_a_file_name_is_plain_text_that_no_system_takes_for_something_else(stem, expected):
    assert file_names.file_name(stem, "zip") == expected


def test_a_long_file_name_is_cut_to_what_file_systems_hold_without_splitting_a_character():
    name = file_names.file_name("绩" * 300, "xlsx")
    assert name.endswith("绩.xlsx")
    assert len(name.encode()) <= 255


HOSTILE = "\u202e组织部\u2066/..\\x\u200f\u202a部门\x1b\x7f\x85\n"


def download_name(response):
    disposition = response["Content-Disposition"]
    if "filename*=utf-8''" in disposition:
        return urllib.parse.unquote(disposition.split("filename*=utf-8''")[1])
    return disposition.split('filename="')[1].rstrip('"')


def assert_plain(name):
    assert name == file_names.file_name(name.rsplit(".", 1)[0], name.rsplit(".", 1)[1]), name
    assert not any(character in name for character in UNSAFE), name


@pytest.fixture
def hostile_names(evaluation):
    """The form's project and department, code and name, with bidi and path characters: all of
    HOSTILE that a one-line text may hold (the database refuses control characters)."""
    stored = one_line(HOSTILE)
    Project.objects.filter(pk=evaluation.project_id).update(name=f"党员{stored}经费")
    Department.objects.filter(pk=evaluation.project.department_id).update(
        name=stored, code="D\u202e/-1"
    )
    return evaluation


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("editor", "/evaluations/{form}/excel/"),
        ("editor", "/evaluations/export/?year=2023"),
        ("editor", "/evaluations/export/?year=2023&department={department}"),
        ("reviewer", "/evaluations/export/?year=2023"),
        ("reviewer", "/review/export/?state="),
        ("reviewer", "/review/export/?state=&department={department}"),
    ],
)
def test_every_download_and_every_file_in_a_zip_has_a_plain_name(
    request, client_for, hostile_names, persona, url
):
    user = request.getfixturevalue(persona)
    url = url.format(form=hostile_names.pk, department=hostile_names.project.department_id)
    response = client_for(user).get(url)
    assert response.status_code == 200
    name = download_name(response)
    assert_plain(name)
    assert "组织部" in name or "党员" in name or "自评表" in name
    if name.endswith(".zip"):
        content = b"".join(response.streaming_content)
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.namelist()
        assert len(entries) >= 2
        for entry in entries:
            assert_plain(entry)


def test_two_departments_whose_names_differ_only_in_dropped_characters_are_two_files(
    client_for, admin_user, make_form, department, bureau
):
    twin = Department.objects.create(
        code=f"{department.code}\u202e", name=f"{department.name}\u202e", bureau=bureau
    )
    make_form("党员教育培训经费")
    make_form("老干部队伍建设经费", owner=twin)
    response = client_for(admin_user).get("/evaluations/export/?year=2023")
    content = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        entries = archive.namelist()
    first = writer.department_file_name(department)
    assert sorted(entries) == sorted([first, first.replace(".xlsx", " (2).xlsx"), "汇总表.xlsx"])


# The review queue's export.


def test_an_empty_queue_offers_no_download(client_for, reviewer, evaluation):
    page = client_for(reviewer).get("/review/?year=2023&state=approved").content.decode()
    assert reverse("excel_queue_export") not in page


def test_the_queue_offers_its_download_with_the_line_that_says_an_export_is_under_way(
    client_for, reviewer, scope
):
    page = client_for(reviewer).get("/review/?state=").content.decode()
    assert 'id="export-status"' in page
    assert 'data-export-count="2"' in page
    assert "js/excel-export.js" in page


def test_the_queue_offers_the_download_of_what_it_shows_when_a_filter_does_not_apply(
    client_for, reviewer, scope, foreign_department
):
    # The page falls back to every department for a department it does not know; its download
    # holds those forms too rather than answer 404.
    page = client_for(reviewer).get(f"/review/?state=&department={foreign_department.pk}")
    link = 'href="/review/export/?year=2023&amp;state=" download data-export-count="2"'
    assert link in page.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?state=", "部门预算项目支出绩效自评表（2023）.zip"),
        ("?year=2023&state=submitted", "部门预算项目支出绩效自评表（2023，待审核）.zip"),
        ("?state=draft", "部门预算项目支出绩效自评表（2023，草稿）.zip"),
        (
            "?state=&department={other_department}",
            "中共攀枝花市西区区委党校 部门预算项目支出绩效自评表（2023）.zip",
        ),
        (
            "?state=submitted&department={other_department}",
            "中共攀枝花市西区区委党校 部门预算项目支出绩效自评表（2023，待审核）.zip",
        ),
    ],
)
def test_the_queue_download_is_named_after_its_year_state_and_department(
    client_for, reviewer, scope, query, expected
):
    response = client_for(reviewer).get("/review/export/" + filled(query, scope))
    assert download_name(response) == expected


def test_the_queue_download_named_in_english_keeps_the_official_title(
    client_for, reviewer, scope, settings
):
    client = client_for(reviewer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/review/export/?state=submitted")
    assert download_name(response) == "部门预算项目支出绩效自评表（2023，Submitted）.zip"


EXPORT_URLS = [
    "/evaluations/{form}/excel/",
    "/evaluations/export/?year=2023",
    "/review/export/?state=",
]


@pytest.mark.parametrize("url", EXPORT_URLS)
def test_a_download_answers_the_token_its_link_carried_with_a_cookie(
    client_for, reviewer, scope, url
):
    # The page's script watches for the cookie to take its "exporting…" line away.
    url = filled(url, scope)
    joined = "&" if "?" in url else "?"
    response = client_for(reviewer).get(f"{url}{joined}export_token=k3J9x-_a")
    assert response.status_code == 200
    cookie = response.cookies["export_done"]
    assert cookie.value == "k3J9x-_a"
    assert cookie["path"] == "/"
    assert not cookie["httponly"]


@pytest.mark.parametrize("token", ["", "a;b", "a b", "é", "x" * 65])
def test_a_token_that_is_not_a_plain_word_sets_no_cookie(client_for, reviewer, scope, token):
    response = client_for(reviewer).get("/review/export/", {"state": "", "export_token": token})
    assert response.status_code == 200
    assert "export_done" not in response.cookies


def test_the_page_saying_there_is_nothing_to_export_answers_the_token_too(
    client_for, other_editor, evaluation
):
    response = client_for(other_editor).get("/evaluations/export/?year=2023&export_token=abc")
    assert response.status_code == 404
    assert response.cookies["export_done"].value == "abc"


# The summary sheet (汇总表) prints as a titled landscape table.


@pytest.mark.parametrize(
    ("persona", "url", "title"),
    [
        ("editor", "/evaluations/export/?year=2023", "部门预算项目支出绩效自评汇总表（2023）"),
        (
            "reviewer",
            "/review/export/?state=submitted&department={other_department}",
            "中共攀枝花市西区区委党校 部门预算项目支出绩效自评汇总表（2023，待审核）",
        ),
    ],
)
def test_the_summary_has_a_title_row_over_its_header_row(
    request, client_for, scope, persona, url, title
):
    user = request.getfixturevalue(persona)
    sheet = summary_sheet(client_for(user).get(filled(url, scope)))
    assert sheet["A1"].value == title
    assert "A1:I1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet["A1"].font.bold
    assert [cell.value for cell in sheet[2]] == [
        "部门",
        "项目名称",
        "状态",
        "全年预算数（万元）",
        "实际完成数（万元）",
        "执行率（%）",
        "指标",
        "审核提示",
        "通过日期",
    ]


def test_the_summary_shows_each_forms_state_as_the_pages_do(client_for, reviewer, scope):
    sheet = summary_sheet(client_for(reviewer).get("/evaluations/export/?year=2023"))
    states = {row[1]: row[2] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert states == {
        "党员教育培训经费": "草稿",
        "人才队伍建设经费": "待审核",
    }


def test_the_summary_prints_landscape_one_page_wide_with_its_header_on_every_page(
    client_for, editor, evaluation
):
    sheet = summary_sheet(client_for(editor).get("/evaluations/export/?year=2023"))
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.paperSize == int(sheet.PAPERSIZE_A4)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    # One page wide is the default of fitToWidth, which a workbook may leave unwritten.
    assert (sheet.page_setup.fitToWidth or 1, sheet.page_setup.fitToHeight) == (1, 0)
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.freeze_panes == "A3"


def test_the_summary_of_the_export_command_has_its_title_and_page_setup(tmp_path, evaluation):
    target = tmp_path / "all.zip"
    arguments = ["--year", "2023", "--output", str(target)]
    call_command("export_evaluations", *arguments, stdout=io.StringIO())
    with zipfile.ZipFile(target) as archive:
        sheet = load_workbook(io.BytesIO(archive.read(writer.SUMMARY_NAME))).active
    assert sheet["A1"].value == "部门预算项目支出绩效自评汇总表（2023）"
    assert sheet.print_title_rows == "$2:$2"


def test_a_long_project_name_gets_a_summary_row_tall_enough_to_print_it_whole(
    client_for, editor, evaluation
):
    Project.objects.filter(pk=evaluation.project_id).update(name="公开招聘聘任制公务员" * 3)
    sheet = summary_sheet(client_for(editor).get("/evaluations/export/?year=2023"))
    # 30 characters of double width in a column 36 wide: two lines.
    # Stored in whole pixels of 0.75 points: the next above two lines.
    assert sheet.row_dimensions[3].height == 28.5 >= 2 * layout.LINE_HEIGHT
