"""The department report as .docx and as PDF: the outline's headings, its texts, the computed
tables with the forms' figures, then the 附表 with every form in its layout."""

import pytest

from publishing import exporters, printing
from reports import content as report_content
from reports import demo as report_demo
from reports import outline
from reports.models import Report
from tests.printed import headings, pdf_pages, pdf_text, table_texts, word

TYPED = "组织部内设股室 5 个，下属二级预算单位 2 个。"


@pytest.fixture
def report(department, year, editor, report_forms):
    report = Report.objects.create(department=department, year=year)
    report_content.save(report, report_content.Edit(texts={"organisation": TYPED}), editor)
    return Report.objects.get(pk=report.pk)


def outline_headings(year):
    return [
        (section.level, section.heading_for(year))
        for section in outline.SECTIONS
        if section.heading
    ]


def class_rows(document):
    """The rows of the class table: the table whose header names 项目类别 and 结余率."""
    for table in document.tables:
        rows = table_texts(table)
        if rows[0][0] == "项目类别" and any("结余率" in text for text in rows[0]):
            return rows
    raise AssertionError("no class table")


def test_the_docx_has_the_outlines_headings_in_words_heading_styles(report):
    document = word(exporters.get("report-docx").render(report))
    assert headings(document) == outline_headings(2023)
    assert document.paragraphs[0].style.name == "Title"
    title = document.paragraphs[0].text
    assert title == "中国共产党攀枝花市西区委员会组织部2023年度部门预算绩效评价报告"


def test_the_docx_holds_the_typed_text_and_the_drafted_sentences(report):
    document = word(exporters.get("report-docx").render(report))
    texts = [paragraph.text for paragraph in document.paragraphs]
    assert TYPED in texts
    drafted = printing.of(report).view.section("class_paragraphs").text
    assert drafted
    for line in drafted.splitlines():
        assert line.strip() in texts


def test_the_docx_class_table_has_the_forms_figures(report):
    rows = class_rows(word(exporters.get("report-docx").render(report)))
    recurring = next(row for row in rows if row[0] == "常年项目")
    assert recurring[1:] == ["5", "85.00", "48.65", "57.24", "2", "3"]
    one_off = next(row for row in rows if row[0] == "阶段（一次性）项目")
    assert one_off[1:] == ["5", "83.91", "18.05", "21.51", "2", "3"]
    assert rows[-1][:5] == ["合计", "10", "168.91", "66.70", "39.49"]


def test_the_docx_appendix_has_every_form_as_a_table_in_its_layout(report, report_forms):
    document = word(exporters.get("report-docx").render(report))
    names = [form.project.name for form in report_forms]
    form_tables = [
        rows
        for rows in (table_texts(table) for table in document.tables)
        if rows[0][0] == "项目名称" and rows[1][0] == "项目主管单位"
    ]
    assert sorted(rows[0][1] for rows in form_tables) == sorted(names)
    party = next(rows for rows in form_tables if rows[0][1] == "党员教育培训经费")
    assert next(row for row in party if "年度资金总额：" in row)[-3:] == [
        "30.00",
        "15.71",
        "52.37%",
    ]
    # The 附表 heading comes after every heading of the report, and the forms after it.
    assert headings(document)[-1] == (1, "附表：部门预算项目支出绩效自评表（2023年度）")


def test_the_docx_writes_chinese_in_east_asian_fonts(report):
    document = word(exporters.get("report-docx").render(report))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3"):
        fonts = document.styles[name].element.rPr.rFonts
        east_asian = fonts.get(
            "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
        )
        assert east_asian in ("宋体", "黑体"), name


def test_the_pdf_holds_the_headings_figures_and_forms_as_searchable_text(weasyprint, report):
    content = exporters.get("report-pdf").render(report)
    text = pdf_text(content)
    for _level, heading in outline_headings(2023):
        assert "".join(heading.split()) in text, heading
    for figure in ("85.00", "48.65", "57.24", "83.91", "18.05", "21.51", "168.91", "66.70"):
        assert figure in text, figure
    assert "".join(TYPED.split()) in text
    # The forms follow the report, each on pages of its own.
    appendix = text.index("附表：部门预算项目支出绩效自评表（2023年度）")
    assert text.index("党员教育培训经费", text.index("项目名称", appendix)) > appendix
    assert text.count("部门预算项目支出绩效自评表（2023年度）") >= 1
    assert text.count("项目实施单位") == 10
    assert pdf_pages(content) > 10


def test_a_draft_with_flags_exports_all_the_same(
    weasyprint, department, year, editor, report_forms
):
    report_demo.load(department, year, editor)
    report = Report.objects.get(department=department, year=year)
    printed = printing.of(report)
    assert printed.flags
    assert word(exporters.get("report-docx").render(report, printed)).tables
    assert "常年项目" in pdf_text(exporters.get("report-pdf").render(report, printed))


def test_the_docx_aligns_names_left_and_figures_right(report):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = word(exporters.get("report-docx").render(report))
    table = next(table for table in document.tables if table.rows[0].cells[0].text == "项目名称")
    cells = table.rows[1].cells
    assert cells[0].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT
    assert cells[1].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.LEFT  # 项目类别
    assert cells[2].paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT
