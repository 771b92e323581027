"""`render_workbooks`: forms as workbooks and their PDFs, printed by LibreOffice.

Without soffice the rendering test is skipped locally; CI installs LibreOffice and runs
`make render` besides.
"""

import io
import shutil

import pytest
from django.core.management import CommandError, call_command

from evaluations.excel import writer


def test_it_renders_a_form_to_pdf_beside_its_workbook(tmp_path, evaluation):
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = io.StringIO()
    call_command("render_workbooks", str(evaluation.pk), "--output", str(tmp_path), stdout=out)
    workbook = tmp_path / writer.form_file_name(evaluation)
    pdf = workbook.with_suffix(".pdf")
    assert workbook.is_file()
    assert pdf.read_bytes().startswith(b"%PDF")
    assert "Rendered 1 forms" in out.getvalue()


def test_without_soffice_it_says_what_to_install(tmp_path, evaluation, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(CommandError, match="libreoffice-calc-nogui"):
        call_command("render_workbooks", str(evaluation.pk), "--output", str(tmp_path / "out"))
    assert not (tmp_path / "out").exists()


def test_an_unknown_form_is_refused(tmp_path, evaluation):
    with pytest.raises(CommandError, match="no form 999999"):
        call_command("render_workbooks", "999999", "--output", str(tmp_path))


@pytest.mark.parametrize("arguments", [[], ["1", "--year", "2023"], ["--year", "2023", "--demo"]])
def test_it_takes_forms_or_a_year_or_the_demo(tmp_path, arguments):
    with pytest.raises(CommandError, match="one of them"):
        call_command("render_workbooks", *arguments, "--output", str(tmp_path))


def test_the_demo_forms_include_the_example_of_every_scored_layout(make_form, example_form):
    from evaluations.management.commands import render_workbooks

    seed_form = make_form()
    seed_form.project.department.code = "510403-101"
    seed_form.project.department.save()
    examples = [example_form("national"), example_form("sichuan")]
    found = render_workbooks.Command()._forms([], None, True)
    assert {form.pk for form in found} == {seed_form.pk, *(form.pk for form in examples)}
