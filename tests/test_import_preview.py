"""The import preview: each sheet's outcome (creates, updates, or skipped and why), what an update
changes, a warning when the form was saved after its workbook was downloaded; the confirmation
writes the importable forms in one transaction, exactly as previewed."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.utils import timezone, translation
from openpyxl import load_workbook

from evaluations import importing
from evaluations.changes import Change
from evaluations.excel import writer
from evaluations.models import Evaluation
from tests.conftest import plan_field

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def edited(content, edit):
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        edit(sheet)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def workbook_of(evaluations):
    out = io.BytesIO()
    writer.write_forms(evaluations, out)
    return out.getvalue()


def set_state(evaluation, state):
    now = timezone.now()
    Evaluation.objects.filter(pk=evaluation.pk).update(
        state=state,
        submitted_at=None if state == "draft" else now,
        approved_at=now if state == "approved" else None,
    )


def preview(department, content, user):
    return importing.preview(department, importing.read_files([("f.xlsx", content)]), user)


@pytest.fixture
def batch(make_form):
    """The department's workbook of three forms: a draft, a submitted and an approved one."""
    draft = make_form("党员教育培训经费")
    submitted = make_form("老干部队伍建设经费")
    approved = make_form("到村任职选调生补助资金")
    content = workbook_of(Evaluation.objects.order_by("project__name"))
    set_state(submitted, "submitted")
    set_state(approved, "approved")
    return draft, submitted, approved, edited(content, lambda sheet: sheet.__setitem__("F12", "改"))


def outcomes(plan):
    return {step.sheet.project: step.action for step in plan.steps}


# Sheets of forms that cannot change are skipped, saying why


def test_a_departments_own_workbook_imports_its_drafts_and_skips_the_filed_forms(
    department, editor, batch
):
    draft, submitted, approved, content = batch

    plan = preview(department, content, editor)
    importing.apply(department, plan.workbooks, editor, confirmed=plan.fingerprint)

    assert plan.ok
    assert outcomes(plan) == {
        "党员教育培训经费": "update",
        "老干部队伍建设经费": "skip",
        "到村任职选调生补助资金": "skip",
    }
    assert Evaluation.objects.get(pk=draft.pk).achieved == "改"
    assert Evaluation.objects.get(pk=submitted.pk).achieved != "改"
    assert Evaluation.objects.get(pk=approved.pk).achieved != "改"


def test_each_skipped_sheet_says_why(department, editor, batch):
    plan = preview(department, batch[3], editor)
    reasons = {step.sheet.project: step.reason for step in plan.steps if step.action == "skip"}
    assert reasons == {
        "老干部队伍建设经费": "The form is submitted and waits for the finance bureau's review; "
        "withdraw it to change it.",
        "到村任职选调生补助资金": "The form is approved; only an administrator can reopen it.",
    }


def test_what_is_wrong_in_a_skipped_sheet_does_not_stop_the_others(department, editor, batch):
    def bad_amount_in_the_approved_form(sheet):
        if sheet["D3"].value == "到村任职选调生补助资金":
            sheet["E9"] = "三十"

    plan = preview(department, edited(batch[3], bad_amount_in_the_approved_form), editor)

    assert plan.ok, plan.problems()
    assert outcomes(plan)["到村任职选调生补助资金"] == "skip"


def test_every_sheet_is_skipped_for_a_user_who_does_not_edit_the_department(
    department, other_editor, batch
):
    plan = preview(department, batch[3], other_editor)
    assert set(outcomes(plan).values()) == {"skip"}
    assert {step.reason for step in plan.steps} == {
        "You do not edit the forms of 中国共产党攀枝花市西区委员会组织部."
    }
    assert not plan.ok


def test_when_every_sheet_is_skipped_nothing_is_imported_and_the_preview_says_so(
    client_for, department, editor, evaluation
):
    content = workbook_of(Evaluation.objects.all())
    set_state(evaluation, "approved")
    client = client_for(editor)
    location = upload(client, department, content)["Location"]
    page = client.get(location).content.decode()
    response = client.post(location, {"plan": plan_field(page)}, follow=True)

    assert "已跳过" in page
    assert "没有可导入的表：每个工作表都已跳过，原因见上。" in page
    assert "<button" not in page.split('id="import-plan"')[1]
    assert "未导入任何内容" in response.content.decode()


# The confirmation writes what was previewed, or nothing


def test_a_form_submitted_since_the_preview_stops_the_whole_confirmation(
    make_form, department, editor
):
    first = make_form("党员教育培训经费")
    second = make_form("老干部队伍建设经费")
    content = edited(workbook_of(Evaluation.objects.all()), lambda s: s.__setitem__("F12", "改"))
    plan = preview(department, content, editor)
    set_state(second, "submitted")

    with pytest.raises(importing.ImportRefused, match="changed since the preview"):
        importing.apply(department, plan.workbooks, editor, confirmed=plan.fingerprint)

    assert not Evaluation.objects.filter(pk__in=[first.pk, second.pk], achieved="改").exists()


def test_a_form_saved_since_the_preview_stops_the_confirmation(department, editor, evaluation):
    content = edited(writer.form_workbook(evaluation), lambda s: s.__setitem__("F12", "改"))
    plan = preview(department, content, editor)
    Evaluation.objects.filter(pk=evaluation.pk).update(version=F("version") + 1)

    with pytest.raises(importing.ImportRefused, match="changed since the preview"):
        importing.apply(department, plan.workbooks, editor, confirmed=plan.fingerprint)
    assert Evaluation.objects.get().achieved == "已完成"


# What an update changes


def changed_workbook(evaluation):
    def edit(sheet):
        sheet["F12"] = "全部完成"
        sheet["F7"] = 18
        sheet["F9"] = 18
        sheet["F19"] = "18 万元"
        sheet["D23"] = "提高党员教育成效"

    return edited(writer.form_workbook(evaluation), edit)


def test_the_preview_shows_which_fields_and_rows_an_update_changes(department, editor, evaluation):
    step = preview(department, changed_workbook(evaluation), editor).steps[0]

    changes = step.changes
    assert step.action == "update"
    assert changes.fields == [Change("实际完成情况", "已完成", "全部完成")]
    assert changes.funds == [Change("本级财政资金 实际完成数", "15.71", "18")]
    assert [(item.row["name"], item.changes) for item in changes.changed] == [
        ("党员教育培训经费", [Change("实际完成值", "15.71 万元", "18 万元")])
    ]
    assert [row["name"] for row in changes.removed] == ["提高党员教育质量"]
    assert [row["name"] for row in changes.added] == ["提高党员教育成效"]


def test_an_update_that_changes_nothing_says_so(department, editor, evaluation):
    step = preview(department, writer.form_workbook(evaluation), editor).steps[0]
    assert step.action == "update"
    assert not step.changes


def test_the_preview_page_lists_the_changes_of_each_form(
    client_for, department, editor, evaluation
):
    client = client_for(editor)
    page = client.get(upload(client, department, changed_workbook(evaluation))["Location"])
    changes = page.content.decode().split("data-import-changes")[1]

    for shown in [
        "实际完成情况",
        "已完成",
        "全部完成",
        "本级财政资金 实际完成数",
        "新增的指标行",
        "提高党员教育成效",
        "已删除的指标行",
        "提高党员教育质量",
        "修改的指标行",
        "18 万元",
    ]:
        assert shown in changes


# Saved on the web after the workbook was downloaded


def test_a_form_saved_after_its_workbook_was_downloaded_is_warned_about(
    department, editor, evaluation
):
    content = edited(writer.form_workbook(evaluation), lambda s: s.__setitem__("F12", "改"))
    Evaluation.objects.filter(pk=evaluation.pk).update(version=F("version") + 1)
    evaluation.refresh_from_db()

    plan = preview(department, content, editor)

    saved = timezone.localtime(evaluation.updated_at).strftime("%Y-%m-%d %H:%M")
    assert plan.ok
    assert [str(problem) for problem in plan.steps[0].all_problems] == [
        f"Sheet 1: 组织部 填报员 saved this form on {saved}, after this workbook was "
        "downloaded: importing it replaces what was saved then (see the changes)."
    ]
    assert plan.steps[0].all_problems[0].warning


def test_a_form_unchanged_since_its_workbook_was_downloaded_gets_no_warning(
    department, editor, evaluation
):
    content = edited(writer.form_workbook(evaluation), lambda s: s.__setitem__("F12", "改"))
    plan = preview(department, content, editor)
    assert plan.steps[0].all_problems == []


def test_every_form_of_a_department_workbook_carries_the_version_it_was_downloaded_at(
    make_form, department, editor
):
    first = make_form("党员教育培训经费")
    second = make_form("老干部队伍建设经费")
    Evaluation.objects.filter(pk=second.pk).update(version=7)
    chunks = b"".join(writer.zip_chunks(Evaluation.objects.all()))
    with zipfile.ZipFile(io.BytesIO(chunks)) as archive:
        name = writer.department_file_name(department)
        workbook = importing.read_files([(name, archive.read(name))])[0]
    assert workbook.versions == {first.pk: 1, second.pk: 7}


# The pages


def upload(client, department, content):
    return client.post(
        "/evaluations/import/",
        {"department": department.pk, "files": [SimpleUploadedFile("f.xlsx", content, XLSX)]},
    )


def test_the_preview_shows_each_sheets_outcome(client_for, department, editor, batch):
    client = client_for(editor)
    page = client.get(upload(client, department, batch[3])["Location"]).content.decode()
    rows = page.split('id="import-plan"')[1]
    assert rows.count("已跳过") == 2
    assert rows.count("更新已有自评表") == 1
    assert "此表已提交，等待财政局审核；如需修改，请先撤回。" in rows
    assert "此表已审核通过；只有管理员可以重新打开。" in rows
    assert "确认后将一次性新建 0 张、更新 1 张自评表，跳过 2 个工作表。" in page


def test_the_confirmation_writes_the_importable_forms_and_says_what_was_skipped(
    client_for, department, editor, batch
):
    client = client_for(editor)
    location = upload(client, department, batch[3])["Location"]
    page = client.get(location).content.decode()

    response = client.post(location, {"plan": plan_field(page)}, follow=True)

    assert "已导入：新建 0 张，更新 1 张，跳过 2 个工作表。" in response.content.decode()
    assert Evaluation.objects.filter(achieved="改").count() == 1
