"""Every demo form, exported and imported back into a database without it, is the same form."""

import io
import zipfile

import pytest

from evaluations import importing
from evaluations.demo.seed import read_seed
from evaluations.editing import start_evaluation
from evaluations.excel import writer
from evaluations.models import Evaluation, Project

SEED_PROJECTS = [form["project"] for form in read_seed()["forms"]]


def snapshot(evaluation):
    """A form field for field and row for row, in the order the form shows its rows."""
    return {
        "project": evaluation.project.name,
        "department": evaluation.project.department_id,
        "year": evaluation.year_id,
        "state": evaluation.state,
        "units": (evaluation.supervising_unit, evaluation.implementing_unit),
        "goals": (evaluation.goal, evaluation.achieved),
        "funds": [
            (line.source.name, line.budget, line.actual)
            for line in evaluation.fund_lines.select_related("source")
        ],
        "indicators": [
            (
                row.category.parent.name,
                row.category.name,
                row.name,
                row.target,
                row.actual,
                row.completion_rate,
                row.reason,
            )
            for row in evaluation.indicators.select_related("category__parent")
        ],
    }


def forget_everything():
    Evaluation.objects.all().delete()
    Project.objects.all().delete()


def import_into(department, files, user):
    workbooks = importing.read_files(files)
    return importing.apply(department, workbooks, user)


@pytest.mark.parametrize("project_name", SEED_PROJECTS, ids=range(len(SEED_PROJECTS)))
def test_a_seed_form_downloaded_and_imported_again_is_the_same_form(
    make_form, department, editor, client_for, project_name
):
    evaluation = make_form(project_name)
    before = snapshot(evaluation)
    response = client_for(editor).get(f"/evaluations/{evaluation.pk}/excel/")
    forget_everything()

    result = import_into(department, [("form.xlsx", response.content)], editor)

    assert result.count(importing.CREATE) == 1
    assert snapshot(Evaluation.objects.get()) == before


def test_all_ten_seed_forms_exported_as_a_zip_and_imported_again_are_the_same_forms(
    make_form, department, editor
):
    before = sorted(
        (snapshot(make_form(name)) for name in SEED_PROJECTS), key=lambda form: form["project"]
    )
    exported = b"".join(writer.zip_chunks(Evaluation.objects.all()))
    with zipfile.ZipFile(io.BytesIO(exported)) as archive:
        workbook = archive.read(writer.department_file_name(department))
    forget_everything()

    import_into(department, [("组织部.xlsx", workbook)], editor)

    after = sorted(
        (snapshot(evaluation) for evaluation in Evaluation.objects.all()),
        key=lambda form: form["project"],
    )
    assert after == before


def test_a_blank_new_form_comes_back_blank(department, year, editor, client_for):
    evaluation = start_evaluation(department, year, "新项目", "recurring", editor)
    before = snapshot(evaluation)
    response = client_for(editor).get(f"/evaluations/{evaluation.pk}/excel/")
    forget_everything()

    import_into(department, [("new.xlsx", response.content)], editor)

    assert snapshot(Evaluation.objects.get()) == before


def test_texts_that_look_like_formulas_or_span_lines_come_back_as_written(
    evaluation, department, editor, client_for
):
    evaluation.goal = "=SUM(A1:A9)\n第二行：-5%"
    evaluation.save()
    evaluation.indicators.filter(name="党员教育培训经费").update(
        target="+30 万元", actual="@15.71", reason="-"
    )
    before = snapshot(evaluation)
    response = client_for(editor).get(f"/evaluations/{evaluation.pk}/excel/")
    forget_everything()

    import_into(department, [("f.xlsx", response.content)], editor)

    assert snapshot(Evaluation.objects.get()) == before
