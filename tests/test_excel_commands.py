"""export_evaluations and import_evaluations: the same export and import for scripts, failing
loudly (CommandError, a non-zero exit) with every problem listed."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation
from openpyxl import load_workbook

from evaluations.excel import writer
from evaluations.models import Evaluation, Project


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


@pytest.fixture
def two_forms(make_form):
    return [make_form("党员教育培训经费"), make_form("老干部队伍建设经费")]


def test_one_department_is_exported_as_a_workbook_with_a_sheet_per_form(
    tmp_path, department, two_forms
):
    target = tmp_path / "组织部.xlsx"
    output = run(
        "export_evaluations",
        "--year",
        "2023",
        "--department",
        department.code,
        "--output",
        str(target),
    )
    assert "Exported 2 forms" in output
    assert load_workbook(target).sheetnames == ["党员教育培训经费", "老干部队伍建设经费"]


def test_every_department_is_exported_as_a_zip(tmp_path, department, two_forms):
    target = tmp_path / "2023.zip"
    run("export_evaluations", "--year", "2023", "--output", str(target))
    with zipfile.ZipFile(target) as archive:
        assert sorted(archive.namelist()) == sorted(
            [writer.department_file_name(department), "汇总表.xlsx"]
        )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "1999", "--output", "x.zip"], "There is no year 1999"),
        (["--year", "2023", "--output", "x.xlsx"], "must be a .zip file"),
        (["--year", "2023", "--department", "D-1", "--output", "x.zip"], "must be a .xlsx file"),
        (["--year", "2023", "--department", "NOPE", "--output", "x.xlsx"], "no department"),
    ],
)
def test_an_export_that_cannot_be_made_fails_with_the_reason(tmp_path, two_forms, args, message):
    args = [str(tmp_path / arg) if arg.startswith("x.") else arg for arg in args]
    with pytest.raises(CommandError, match=message):
        run("export_evaluations", *args)
    assert list(tmp_path.iterdir()) == []


def test_an_export_without_forms_fails(tmp_path, year):
    with pytest.raises(CommandError, match="no forms"):
        run("export_evaluations", "--year", "2023", "--output", str(tmp_path / "x.zip"))


@pytest.fixture
def workbook_file(tmp_path, two_forms):
    path = tmp_path / "组织部.xlsx"
    writer.write_forms(Evaluation.objects.all(), path)
    Evaluation.objects.all().delete()
    Project.objects.all().delete()
    return path


def test_an_import_creates_the_forms_of_the_workbook(department, workbook_file):
    output = run("import_evaluations", str(workbook_file), "--department", department.code)
    assert "2 created, 0 updated" in output
    assert Evaluation.objects.filter(project__department=department, state="draft").count() == 2


def test_a_dry_run_reports_and_writes_nothing(department, workbook_file):
    output = run(
        "import_evaluations", str(workbook_file), "--department", department.code, "--dry-run"
    )
    assert "党员教育培训经费 (2023): create" in output
    assert not Evaluation.objects.exists()


def test_an_import_with_problems_lists_them_and_writes_nothing(tmp_path, department, workbook_file):
    workbook = load_workbook(workbook_file)
    workbook.worksheets[1]["E9"] = "十二"
    workbook.save(workbook_file)
    bad = tmp_path / "notes.xlsx"
    bad.write_text("not a workbook")

    with pytest.raises(CommandError) as refused:
        run("import_evaluations", str(workbook_file), str(bad), "--department", department.code)

    assert "Sheet 2, E9: 全年预算数 is not a number." in str(refused.value)
    assert "notes.xlsx is damaged" in str(refused.value)
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("files", "department_code", "message"),
    [(["missing.xlsx"], "D-1", "missing.xlsx"), (["ok"], "NOPE", "no department")],
)
def test_an_import_that_cannot_start_fails(
    department, workbook_file, files, department_code, message
):
    files = [str(workbook_file) if name == "ok" else name for name in files]
    with pytest.raises(CommandError, match=message):
        run("import_evaluations", *files, "--department", department_code)
