"""Every download: the names of the files, whatever the names they are made of."""

import io
import urllib.parse
import zipfile

import pytest

from departments.models import Department
from evaluations.excel import file_names, writer
from evaluations.models import Project

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
    """The form's project and department, code and name, with bidi, control and path
    characters."""
    Project.objects.filter(pk=evaluation.project_id).update(name=f"党员{HOSTILE}经费")
    Department.objects.filter(pk=evaluation.project.department_id).update(
        name=HOSTILE, code="D\u202e/-1"
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
