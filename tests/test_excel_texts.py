"""Texts in workbooks: whatever a form holds, every export opens; every export of a valid form
imports back as it was, the longest texts the app allows included."""

import io
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from config import texts
from evaluations import importing
from evaluations.excel import layout, writer
from evaluations.models import Evaluation, Indicator, Project
from tests.test_excel_roundtrip import forget_everything, import_into, snapshot

pytestmark = pytest.mark.django_db

FEW = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Every character Python holds except lone surrogates, which no database here can store.
anything = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
HOSTILE_NAMES = ["\x01", "\x1b[31m", "\x7f", "a\nb", "\ufffe", "[1]:*?/\\", "'", "history", " "]


def in_memory(evaluation, text):
    """The form as the writer reads it, with `text` in every text it shows, whatever the
    database would accept: rows saved before the current rules held anything."""
    form = writer.with_content(Evaluation.objects.filter(pk=evaluation.pk)).get()
    form.project.name = text
    form.project.department.name = text
    for name in ("supervising_unit", "implementing_unit", "goal", "achieved"):
        setattr(form, name, text)
    for row in form.indicators.all():
        row.name = row.target = row.actual = row.reason = text
    return form


def written(form, text):
    """The form's workbook and the summary sheet, with `text` in the edition's labels too."""
    form_book = io.BytesIO()
    form_writer = writer.FormWriter(form_book)
    taxonomy = form_writer.taxonomy(form.year.edition)
    for category in taxonomy.level2:
        category.name = category.parent.name = text
    for source in taxonomy.sources:
        source.name = text
    funds, count = form_writer.add(form)
    summary = writer.Summary()
    summary.add(form, funds, count)
    form_writer.save()
    summary_book = io.BytesIO()
    summary.save(summary_book)
    return [form_book.getvalue(), summary_book.getvalue()]


def assert_excel_would_take(title):
    assert title.strip()
    assert len(title.encode("utf-16-le")) // 2 <= 31
    assert not set(title) & set("[]:*?/\\")
    assert not title.startswith("'")
    assert not title.endswith("'")
    assert not any(
        unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or ch in "\ufffe\uffff" for ch in title
    )


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_form_whose_name_holds_control_characters_exports_a_workbook_that_opens(evaluation, name):
    for content in written(in_memory(evaluation, f"党员{name}经费"), f"指标{name}"):
        workbook = load_workbook(io.BytesIO(content))
        for title in workbook.sheetnames:
            assert_excel_would_take(title)


@FEW
@given(text=anything)
def test_whatever_a_form_holds_every_export_opens(evaluation, text):
    form_book, summary = written(in_memory(evaluation, text), text)
    workbook = load_workbook(io.BytesIO(form_book))
    assert_excel_would_take(workbook.sheetnames[0])
    load_workbook(io.BytesIO(summary))


@FEW
@given(names=st.lists(anything, min_size=1, max_size=6))
def test_sheet_titles_follow_excels_rules_and_stay_unique(names):
    taken = set()
    workbook = Workbook(write_only=True)
    for name in names:
        workbook.create_sheet(layout.sheet_name(name, taken))
    out = io.BytesIO()
    workbook.save(out)
    titles = load_workbook(io.BytesIO(out.getvalue())).sheetnames
    assert len({title.lower() for title in titles}) == len(names)
    for title in titles:
        assert_excel_would_take(title)


# Back in


def longest(limit, line="党员教育培训经费"):
    text = "\n".join([line] * (limit // (len(line) + 1)))
    return text + "字" * (limit - len(text))


def test_a_form_with_every_text_at_its_limit_comes_back_as_it_was(
    evaluation, department, editor, client_for
):
    Project.objects.filter(pk=evaluation.project_id).update(name="项" * texts.SHORT_TEXT)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        supervising_unit="主" * texts.SHORT_TEXT,
        implementing_unit="实" * texts.SHORT_TEXT,
        goal=longest(texts.LONG_TEXT),
        achieved=longest(texts.LONG_TEXT, "=SUM(A1:A9)"),
    )
    Indicator.objects.filter(evaluation=evaluation).update(
        name=longest(texts.CELL_TEXT),
        target=longest(texts.CELL_TEXT, "≥95%"),
        actual=longest(texts.CELL_TEXT, "-5"),
        # Looks like Excel's escape of a character, but is not one: Excel escapes only
        # control characters.
        reason=longest(texts.CELL_TEXT, "_x0041_"),
    )
    before = snapshot(Evaluation.objects.get(pk=evaluation.pk))
    response = client_for(editor).get(f"/evaluations/{evaluation.pk}/excel/")
    forget_everything()

    result = import_into(department, [("form.xlsx", response.content)], editor)

    assert result.ok
    assert snapshot(Evaluation.objects.get()) == before


@FEW
@given(text=anything, lines=anything)
def test_every_text_the_app_accepts_comes_back_from_its_export(
    evaluation, department, editor, text, lines
):
    name = texts.one_line(text) or "项目"
    Project.objects.filter(pk=evaluation.project_id).update(name=name)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        supervising_unit=texts.one_line(text) or "组织部",
        implementing_unit=texts.one_line(lines),
        goal=texts.multi_line(lines),
        achieved=texts.multi_line(text),
    )
    Indicator.objects.filter(evaluation=evaluation).update(
        target=texts.multi_line(text), reason=texts.multi_line(lines)
    )
    stored = Evaluation.objects.get(pk=evaluation.pk)
    workbooks = importing.read_files([("f.xlsx", writer.form_workbook(stored))])
    sheet = workbooks[0].sheets[0]
    assert sheet.errors == []
    assert sheet.content["project"] == name
    assert sheet.content["implementing_unit"] == stored.implementing_unit
    assert (sheet.content["goal"], sheet.content["achieved"]) == (stored.goal, stored.achieved)
    row = stored.indicators.first()
    assert (sheet.content["indicators"][0]["target"], sheet.content["indicators"][0]["reason"]) == (
        row.target,
        row.reason,
    )


def test_what_excel_writes_for_a_carriage_return_is_read_as_a_line_break(evaluation, department):
    workbook = load_workbook(io.BytesIO(writer.form_workbook(evaluation)))
    # Excel keeps a CR of a pasted text, and an underscore escape of its own, this way.
    workbook.worksheets[0]["B12"] = "第一行_x000D_\n第二行，_x005F_x0041_ 照写"
    out = io.BytesIO()
    workbook.save(out)
    sheet = importing.read_files([("f.xlsx", out.getvalue())])[0].sheets[0]
    assert sheet.content["goal"] == "第一行\n第二行，_x0041_ 照写"
