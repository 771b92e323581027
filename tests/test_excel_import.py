"""Importing filled workbooks: what real files contain is read, what is unsafe or wrong is refused
and nothing is written, submitted and approved forms are never overwritten."""

import io
import zipfile
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from evaluations import content, importing
from evaluations.excel import writer
from evaluations.excel.reader import display_name
from evaluations.models import Evaluation, FundLine, Indicator, Project


@pytest.fixture(autouse=True)
def english():
    # The messages are asserted in the source language, whatever the catalogue says.
    with translation.override("en"):
        yield


def edited(content, edit, sheet=0):
    workbook = load_workbook(io.BytesIO(content))
    edit(workbook.worksheets[sheet])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def preview(department, *files):
    return importing.plan(department, importing.read_files(files))


def messages_of(plan):
    return plan.problems()


@pytest.fixture
def original_rows(evaluation):
    return rows_of(evaluation)


@pytest.fixture
def exported(evaluation, original_rows):
    """The 党员教育培训经费 form as downloaded, and then deleted: importing it creates it again."""
    content = writer.form_workbook(evaluation)
    evaluation.delete()
    Project.objects.all().delete()
    return content


def imported_form():
    return Evaluation.objects.select_related("project").get()


def rows_of(evaluation):
    return list(
        evaluation.indicators.values_list("category__parent__name", "category__name", "name")
    )


# What real files contain


@pytest.mark.parametrize(
    ("cell", "variant"),
    [
        ("A3", " 项目 名称 "),
        ("A6", "项目资金(万元)"),
        ("D7", "年度资金总额:"),
        ("D8", "其中:上级财政资金"),
        ("G13", "完成率(％)"),
        ("B14", "产出"),
        ("C14", "数量"),
        ("C20", "社会效益 指标"),
        ("B24", "满意度"),
        ("C24", "服务对象满意度指标"),
    ],
)
def test_label_variants_are_read_as_the_canonical_label(
    exported, original_rows, department, editor, cell, variant
):
    content = edited(exported, lambda sheet: sheet.__setitem__(cell, variant))

    plan = preview(department, ("form.xlsx", content))

    assert plan.ok, messages_of(plan)
    importing.apply(department, plan.workbooks, editor)
    assert rows_of(imported_form()) == original_rows


def test_the_满意度_alias_is_stored_as_the_canonical_二级指标(exported, department, editor):
    content = edited(exported, lambda sheet: sheet.__setitem__("C24", "服务对象满意度指标"))
    importing.apply(department, importing.read_files([("f.xlsx", content)]), editor)
    assert rows_of(imported_form())[-1] == ("满意度指标", "满意度指标", "服务对象满意率")


def test_numbers_stored_as_text_are_read_as_amounts(exported, department, editor):
    def as_text(sheet):
        sheet["E9"] = "30.00"
        sheet["F9"] = " 1,５.71 "

    importing.apply(
        department, importing.read_files([("f.xlsx", edited(exported, as_text))]), editor
    )
    line = FundLine.objects.get(source__name="本级财政资金")
    assert (line.budget, line.actual) == (Decimal(30), Decimal("15.71"))


@pytest.mark.parametrize(
    ("value", "number_format", "expected"),
    [
        ("52.37%", "General", "52.37"),
        ("52.37", "General", "52.37"),
        (0.5237, "0.00%", "52.37"),
        (52.37, "General", "52.37"),
        (1, "0%", "100.00"),
    ],
)
def test_percentages_as_text_or_numbers_are_read_as_completion_rates(
    exported, department, editor, value, number_format, expected
):
    def rate(sheet):
        sheet["G19"] = value
        sheet["G19"].number_format = number_format

    importing.apply(department, importing.read_files([("f.xlsx", edited(exported, rate))]), editor)
    assert str(Indicator.objects.get(name="党员教育培训经费").completion_rate) == expected


def test_empty_fund_sources_stay_blank(exported, department, editor):
    def no_money(sheet):
        for cell in ("E7", "F7", "E9", "F9", "G9"):
            sheet[cell] = None

    importing.apply(
        department, importing.read_files([("f.xlsx", edited(exported, no_money))]), editor
    )
    lines = FundLine.objects.values_list("budget", "actual")
    assert set(lines) == {(None, None)}


def test_unmerged_group_cells_with_the_label_on_every_row_are_read(exported, department, editor):
    def unmerge(sheet):
        for merged in [str(m) for m in sheet.merged_cells.ranges if str(m)[0] in "BC"]:
            if int(merged.split(":")[0][1:]) >= 14:
                sheet.unmerge_cells(merged)
        for row in range(14, 19):
            sheet.cell(row, 2, "产出指标")
        for row in range(14, 17):
            sheet.cell(row, 3, "数量指标")

    importing.apply(
        department, importing.read_files([("f.xlsx", edited(exported, unmerge))]), editor
    )
    assert [row[:2] for row in rows_of(imported_form())[:5]] == [
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("产出指标", "数量指标"),
        ("产出指标", "质量指标"),
        ("产出指标", "时效指标"),
    ]


def test_unmerged_group_cells_left_blank_below_the_first_are_read(
    exported, original_rows, department, editor
):
    def unmerge(sheet):
        for merged in ["B14:B18", "C14:C16", "B20:B23", "C20:C23"]:
            sheet.unmerge_cells(merged)

    importing.apply(
        department, importing.read_files([("f.xlsx", edited(exported, unmerge))]), editor
    )
    # Each row under the 一级 and 二级 of the blank cells above it, as in the merged original.
    assert rows_of(imported_form()) == original_rows


def test_extra_empty_rows_and_columns_around_and_inside_the_form_are_ignored(
    exported, department, editor
):
    def pad(sheet):
        for merged in [str(m) for m in sheet.merged_cells.ranges]:
            sheet.unmerge_cells(merged)
        sheet.insert_rows(20)  # an empty row among the indicator rows
        sheet.insert_rows(1, 2)  # two empty rows before the title
        sheet.insert_cols(1)  # an empty column before A
        sheet.cell(40, 12, None)
        sheet["M3"] = None

    content = edited(exported, pad)
    plan = preview(department, ("f.xlsx", content))

    assert plan.ok, messages_of(plan)
    importing.apply(department, plan.workbooks, editor)
    assert len(rows_of(imported_form())) == 11


def test_several_sheets_and_several_files_are_imported_together(make_form, department, editor):
    first = writer.form_workbook(make_form("党员教育培训经费"))
    make_form("老干部队伍建设经费")
    make_form("到村任职选调生补助资金")
    two_sheets = io.BytesIO()
    writer.write_forms(Evaluation.objects.exclude(project__name="党员教育培训经费"), two_sheets)
    Evaluation.objects.all().delete()

    files = [("a.xlsx", first), ("b.xlsx", two_sheets.getvalue())]
    result = importing.apply(department, importing.read_files(files), editor)

    assert result.count(importing.CREATE) == 3
    assert Evaluation.objects.count() == 3


def test_new_forms_are_drafts_of_the_department_for_the_year_of_the_sheet(
    exported, department, editor
):
    importing.apply(department, importing.read_files([("f.xlsx", exported)]), editor)
    form = imported_form()
    assert (form.state, form.project.department, form.year_id) == ("draft", department, 2023)


# Updating and never overwriting


def test_a_draft_is_updated_in_place_and_keeps_its_state(evaluation, department, editor):
    content = edited(
        writer.form_workbook(evaluation), lambda sheet: sheet.__setitem__("F12", "全部完成")
    )

    plan = preview(department, ("f.xlsx", content))
    importing.apply(department, plan.workbooks, editor)

    evaluation.refresh_from_db()
    assert (plan.steps[0].action, evaluation.achieved, evaluation.state) == (
        "update",
        "全部完成",
        "draft",
    )
    assert evaluation.version == 2


def test_a_returned_form_is_updated(evaluation, department, editor):
    Evaluation.objects.filter(pk=evaluation.pk).update(state="returned")
    content = edited(
        writer.form_workbook(evaluation), lambda sheet: sheet.__setitem__("F12", "补充")
    )
    importing.apply(department, importing.read_files([("f.xlsx", content)]), editor)
    evaluation.refresh_from_db()
    assert (evaluation.achieved, evaluation.state) == ("补充", "returned")


@pytest.mark.parametrize("state", ["submitted", "approved"])
def test_submitted_and_approved_forms_are_never_overwritten(evaluation, department, editor, state):
    now = timezone.now()
    Evaluation.objects.filter(pk=evaluation.pk).update(
        state=state, submitted_at=now, approved_at=now if state == "approved" else None
    )
    content = edited(writer.form_workbook(evaluation), lambda sheet: sheet.__setitem__("F12", "改"))

    plan = preview(department, ("f.xlsx", content))
    with pytest.raises(importing.ImportRefused, match="every sheet is skipped"):
        importing.apply(department, plan.workbooks, editor)

    assert plan.steps[0].action == "skip"
    evaluation.refresh_from_db()
    assert evaluation.achieved == "已完成"


def test_a_form_submitted_between_preview_and_confirmation_is_not_overwritten(
    evaluation, department, editor
):
    content = edited(writer.form_workbook(evaluation), lambda sheet: sheet.__setitem__("F12", "改"))
    plan = preview(department, ("f.xlsx", content))
    assert plan.ok
    Evaluation.objects.filter(pk=evaluation.pk).update(
        state="submitted", submitted_at=timezone.now()
    )

    with pytest.raises(importing.ImportRefused):
        importing.apply(department, plan.workbooks, editor)
    evaluation.refresh_from_db()
    assert evaluation.achieved == "已完成"


def test_the_same_form_twice_in_one_import_is_refused(exported, department):
    plan = preview(department, ("a.xlsx", exported), ("b.xlsx", exported))
    assert not plan.ok
    assert "is also in sheet 1 of a.xlsx" in messages_of(plan)[-1]


def test_forms_of_another_department_with_the_same_name_are_not_touched(
    make_form, department, other_department, editor
):
    theirs = make_form(owner=other_department)
    content = edited(writer.form_workbook(theirs), lambda sheet: sheet.__setitem__("F12", "改"))
    result = importing.apply(department, importing.read_files([("f.xlsx", content)]), editor)
    theirs.refresh_from_db()
    assert (result.count(importing.CREATE), theirs.achieved) == (1, "已完成")


# Problems, named by sheet and cell


def test_a_bad_amount_is_named_by_sheet_and_cell(make_form, department):
    make_form("党员教育培训经费")
    make_form("老干部队伍建设经费")
    out = io.BytesIO()
    writer.write_forms(Evaluation.objects.order_by("project__name"), out)
    content = edited(out.getvalue(), lambda sheet: sheet.__setitem__("E9", "三十"), sheet=1)

    plan = preview(department, ("f.xlsx", content))

    assert not plan.ok
    assert "f.xlsx: Sheet 2, E9: 全年预算数 is not a number." in messages_of(plan)


@pytest.mark.parametrize(
    ("cell", "value", "message"),
    [
        ("B20", "影响指标", "B20: “影响指标” is not a 一级指标"),
        ("C20", "经济效益 ", None),
        ("C14", "成本指标", "C14: “成本指标” is not a 二级指标 of 产出指标"),
        ("D3", None, "D3: 项目名称 is empty."),
        ("G19", "约一半", "G19: 完成率（%） is not a percentage"),
        ("F9", -3, "F9: 实际完成数: An amount cannot be negative."),
        ("E9", 1e308, "E9: 全年预算数: That amount is too large"),
        ("F9", -1e308, "F9: 实际完成数: An amount cannot be negative."),
        ("E9", "12e3", "E9: 全年预算数: Write the amount out in full"),
        ("G19", "1e2", "G19: 完成率（%）: Write the percentage out in full"),
        ("G19", 1e308, "G19: 完成率（%） is not a percentage"),
        ("A2", "（2019年度）", "A2: 2019 is not a year open for forms."),
        ("D9", "专项资金", "D9: “专项资金” is not a fund source here"),
    ],
)
def test_each_wrong_cell_is_reported_where_it_is(exported, department, cell, value, message):
    plan = preview(
        department, ("f.xlsx", edited(exported, lambda sheet: sheet.__setitem__(cell, value)))
    )
    if message is None:
        assert plan.ok, messages_of(plan)
    else:
        assert any(message in line for line in messages_of(plan)), messages_of(plan)
        assert not plan.ok


def test_a_total_that_does_not_add_up_is_a_warning_not_an_error(exported, department):
    plan = preview(
        department, ("f.xlsx", edited(exported, lambda sheet: sheet.__setitem__("E7", 31)))
    )
    assert plan.ok
    assert "E7: 年度资金总额 31 does not match" in messages_of(plan)[0]


def test_an_unknown_layout_says_what_was_expected_where(department):
    workbook = Workbook()
    workbook.active["A1"] = "项目支出明细"
    workbook.active["B2"] = 12
    out = io.BytesIO()
    workbook.save(out)

    plan = preview(department, ("f.xlsx", out.getvalue()))

    assert not plan.ok
    assert "expected 项目名称 in A3" in messages_of(plan)[0]


def test_a_moved_label_says_which_cell_should_hold_what(exported, department):
    plan = preview(
        department, ("f.xlsx", edited(exported, lambda sheet: sheet.__setitem__("A4", "主管")))
    )
    assert (
        "A4: The layout is not recognised: expected 项目主管单位 here, found “主管”."
        in messages_of(plan)[0]
    )


# Refusals: nothing is read, nothing is written


def xlsx_bytes():
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def with_doctype():
    """A workbook whose XML declares entities, as billion-laughs files do."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == "xl/workbook.xml":
                data = b'<!DOCTYPE x [<!ENTITY a "a">]>' + data.split(b"?>", 1)[-1]
            archive.writestr(member, data)
    return out.getvalue()


def zip_bomb():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (3 * 1024 * 1024))
    return out.getvalue()


OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("forms.xls", OLE, "is not an .xlsx workbook"),
        ("forms.csv", b"a,b\n", "is not an .xlsx workbook"),
        ("forms.xlsx", b"just some text", "is damaged or not a workbook"),
        ("forms.xlsx", OLE + "EncryptedPackage".encode("utf-16-le"), "protected by a password"),
        ("forms.xlsx", OLE, "old .xls workbook"),
        ("forms.xlsx", xlsx_bytes()[:600], "is damaged"),
        ("forms.xlsx", zip_bomb(), "expands to more than"),
        ("forms.xlsx", with_doctype(), "is damaged"),
    ],
    ids=["xls name", "csv", "text", "encrypted", "old xls", "truncated", "zip bomb", "doctype"],
)
def test_unsafe_or_unreadable_files_are_refused_with_a_clear_message(
    settings, department, name, content, message
):
    settings.IMPORT_MAX_UNZIPPED_BYTES = 1024 * 1024
    plan = preview(department, (name, content))
    assert not plan.ok
    assert message in messages_of(plan)[0]


def test_a_file_over_the_size_limit_is_refused(settings, exported, department):
    settings.IMPORT_MAX_BYTES = len(exported) - 1
    plan = preview(department, ("f.xlsx", exported))
    assert "is larger than" in messages_of(plan)[0]


def test_nothing_is_written_when_one_of_the_files_is_refused(exported, department, editor):
    workbooks = importing.read_files([("good.xlsx", exported), ("bad.xlsx", b"not a workbook")])
    with pytest.raises(importing.ImportRefused):
        importing.apply(department, workbooks, editor)
    assert not Evaluation.objects.exists()
    assert not Project.objects.exists()


def test_nothing_is_written_when_writing_fails_halfway(make_form, department, editor, monkeypatch):
    make_form("党员教育培训经费")
    make_form("老干部队伍建设经费")
    out = io.BytesIO()
    writer.write_forms(Evaluation.objects.all(), out)
    Evaluation.objects.all().delete()
    Project.objects.all().delete()
    workbooks = importing.read_files([("f.xlsx", out.getvalue())])
    written = []
    write_rows = content._save_rows

    def fail_after_the_forms(forms, edits, editions):
        # The forms and their fund lines are written by now; their rows are not.
        written.extend(Evaluation.objects.values_list("pk", flat=True))
        write_rows(forms, edits, editions)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(content, "_save_rows", fail_after_the_forms)

    with pytest.raises(RuntimeError):
        importing.apply(department, workbooks, editor)
    assert len(written) == 2
    assert not Evaluation.objects.exists()
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("client_name", "shown"),
    [
        ("../../etc/passwd.xlsx", "passwd.xlsx"),
        ("..\\..\\Windows\\win.xlsx", "win.xlsx"),
        ("自评 表.xlsx", "自评 表.xlsx"),
        ("<script>?.xlsx", "script.xlsx"),
        ("???", "workbook.xlsx"),
        ("..", "workbook.xlsx"),
    ],
)
def test_the_uploaded_file_name_is_only_a_label_never_a_path(client_name, shown):
    assert display_name(client_name) == shown


def test_a_total_without_any_source_amount_is_an_error_since_the_money_would_be_lost(
    exported, department
):
    def total_only(sheet):
        sheet["E9"] = None
        sheet["F9"] = None

    plan = preview(department, ("f.xlsx", edited(exported, total_only)))
    assert not plan.ok
    assert "E7: 年度资金总额 has 全年预算数 30 but no fund source has any" in messages_of(plan)[0]


def test_an_unreadable_source_amount_is_reported_once_not_also_as_a_total_mismatch(
    exported, department
):
    plan = preview(
        department, ("f.xlsx", edited(exported, lambda sheet: sheet.__setitem__("E9", "三十")))
    )
    assert messages_of(plan) == ["f.xlsx: Sheet 1, E9: 全年预算数 is not a number."]
