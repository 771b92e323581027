"""State changes, imports and exports each write one line on the jixiao.events logger, with the
user and department, once the change is committed."""

import logging

import pytest

from config.logfmt import LogfmtFormatter
from evaluations import importing, workflow
from evaluations.excel import writer

pytestmark = pytest.mark.django_db


def events(caplog):
    return [LogfmtFormatter().format(r) for r in caplog.records if r.name == "jixiao.events"]


def test_a_transition_is_logged_when_it_is_committed(
    evaluation, editor, caplog, django_capture_on_commit_callbacks
):
    with caplog.at_level(logging.INFO, logger="jixiao.events"):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            workflow.submit(evaluation, editor)
        assert events(caplog) == []
        for callback in callbacks:
            callback()
    (line,) = events(caplog)
    assert "event=transition user=editor dept=D-1" in line
    assert f"evaluation={evaluation.pk} from_state=draft to_state=submitted" in line


def test_an_export_is_logged(client_for, reviewer, evaluation, caplog):
    with caplog.at_level(logging.INFO, logger="jixiao.events"):
        response = client_for(reviewer).get(f"/evaluations/{evaluation.pk}/excel/")
    assert response.status_code == 200
    (line,) = events(caplog)
    assert "event=export user=reviewer dept=- bureau=CZ-1 " in line
    assert f"evaluation={evaluation.pk}" in line


def test_an_import_is_logged_with_what_it_did(
    evaluation, department, editor, caplog, django_capture_on_commit_callbacks
):
    content = writer.form_workbook(evaluation)
    workbooks = importing.read_files([("form.xlsx", content)])
    with (
        caplog.at_level(logging.INFO, logger="jixiao.events"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        importing.apply(department, workbooks, editor)
    (line,) = events(caplog)
    assert "event=import user=editor dept=D-1" in line
    assert "department=D-1 files=1 forms_created=0 forms_updated=1" in line


def test_a_refused_import_is_logged(department, editor, caplog):
    workbooks = importing.read_files([("empty.xlsx", b"not a workbook")])
    with (
        caplog.at_level(logging.INFO, logger="jixiao.events"),
        pytest.raises(importing.ImportRefused),
    ):
        importing.apply(department, workbooks, editor)
    (line,) = events(caplog)
    assert "event=import_refused user=editor" in line
