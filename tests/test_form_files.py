"""A form alone as PDF (the print view of its page, through WeasyPrint) and as a Word table in
its layout; the PDF download beside the Excel one; what a print page may load."""

import pytest
from django.urls import reverse

from evaluations import official
from evaluations.layouts.declaration import Block, Label
from evaluations.official import sheet_text
from publishing import exporters, pdf, word
from tests.printed import pdf_text, table_texts
from tests.printed import word as read_word

LAYOUTS = ["panzhihua", "national", "sichuan"]


def labels_of(evaluation):
    layout = evaluation.form_layout
    rules = evaluation.year_settings.scoring_rules
    fixed = [
        sheet_text(cell.text, evaluation.year_id, rules)
        for part in layout.sheet
        if isinstance(part, Block)
        for row in part.rows
        for cell in row
        if isinstance(cell, Label) and cell.text
    ]
    return fixed + [column.label for column in layout.indicators.columns]


def squeezed(text):
    return "".join(str(text).split())


def test_a_forms_pdf_holds_its_project_its_figures_and_its_rows_as_searchable_text(
    weasyprint, evaluation
):
    text = pdf_text(exporters.get("form-pdf").render(evaluation))
    assert "部门预算项目支出绩效自评表" in text
    assert "（2023年度）" in text
    assert "党员教育培训经费" in text
    for figure in ("30.00", "15.71", "52.37%"):
        assert figure in text
    for row in evaluation.indicators.all():
        assert squeezed(row.name) in text


@pytest.mark.parametrize("key", LAYOUTS)
def test_a_forms_pdf_prints_the_labels_of_its_layout(weasyprint, layout_form, key):
    evaluation = layout_form(key)
    text = pdf_text(exporters.get("form-pdf").render(evaluation))
    assert squeezed(evaluation.project.name) in text
    for label in labels_of(evaluation):
        assert squeezed(label) in text, label


def test_text_a_department_typed_prints_as_text_and_loads_nothing(weasyprint, evaluation):
    typed = '<link rel="stylesheet" href="http://example.com/x.css"><img src="file:///etc/passwd">'
    evaluation.goal = typed
    evaluation.save(update_fields=["goal"])
    text = pdf_text(exporters.get("form-pdf").render(evaluation))
    assert squeezed(typed) in text


def test_the_form_page_offers_the_pdf_beside_the_excel_download(client_for, viewer, evaluation):
    page = client_for(viewer).get(reverse("evaluation_detail", args=[evaluation.pk])).text
    excel = page.index(reverse("evaluation_excel", args=[evaluation.pk]))
    assert page.index(reverse("evaluation_pdf", args=[evaluation.pk]), excel) - excel < 400


def test_the_pdf_download_is_named_after_the_form_and_never_cached(
    weasyprint, client_for, reviewer, evaluation
):
    response = client_for(reviewer).get(reverse("evaluation_pdf", args=[evaluation.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert "filename*=utf-8''%E5%85%9A" in response["Content-Disposition"]  # 党…
    assert "党员教育培训经费" in pdf_text(response.content)


# What a print page may load: the project's static files, nothing else.


def test_a_print_page_loads_the_projects_stylesheets():
    body, media_type = pdf.static_file(pdf.BASE_URL + "static/css/print.css")
    assert media_type == "text/css"
    assert b"Noto Serif CJK SC" in body


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/x.css",
        "https://example.com/static/css/app.css",
        "file:///etc/passwd",
        "data:text/css,body{}",
        pdf.BASE_URL + "static/../config/settings.py",
        pdf.BASE_URL + "static/%2e%2e/config/settings.py",
        pdf.BASE_URL + "static/css/none.css",
        pdf.BASE_URL + "config/settings.py",
    ],
)
def test_a_print_page_may_load_nothing_else(url):
    with pytest.raises(pdf.Refused):
        pdf.static_file(url)


def test_the_renderer_refuses_what_the_page_links_outside_the_static_files(weasyprint):
    fetcher = pdf.fetcher()
    with pytest.raises(pdf.Refused):
        fetcher("file:///etc/passwd")
    assert fetcher(pdf.BASE_URL + "static/css/app.css").read().startswith(b"/*")


# The form as a Word table.


@pytest.mark.parametrize("key", LAYOUTS)
def test_a_form_in_word_is_one_table_of_its_layouts_rows_and_merged_cells(layout_form, key):
    evaluation = layout_form(key)
    sheet = official.sheet(evaluation)
    made = word.document()
    word.form(made, evaluation)
    document = read_word(_saved(made))
    table = document.tables[0]
    assert len(table.rows) == len(sheet.body)
    assert len(table.columns) == len(sheet.widths)
    # Every cell of the official view where the page places it, over the rows and columns it
    # spans there, and nowhere beyond them.
    for row, column, cell in word.placed(sheet.body):
        corner = table.cell(row, column)
        assert corner.text == word.shown(cell), (row, column)
        last = table.cell(row + cell.rowspan - 1, column + cell.colspan - 1)
        assert last._tc is corner._tc, (row, column)
        if column + cell.colspan < len(sheet.widths):
            assert table.cell(row, column + cell.colspan)._tc is not corner._tc
    title = next(paragraph.text for paragraph in document.paragraphs if paragraph.text)
    assert title == sheet.head[0].cells[0].value
    assert any(evaluation.project.name in text for row in table_texts(table) for text in row)


def test_a_form_in_word_shows_its_figures_as_the_page_does(evaluation):
    made = word.document()
    word.form(made, evaluation)
    rows = table_texts(read_word(_saved(made)).tables[0])
    total = next(row for row in rows if "年度资金总额：" in row)
    assert total[-3:] == ["30.00", "15.71", "52.37%"]
    # A cell spanning rows is one cell: 项目资金（万元） opens the funds block's five rows.
    funds = [row for row in rows if row and row[0] == "项目资金（万元）"]
    assert len(funds) == 5


def _saved(made):
    import io

    buffer = io.BytesIO()
    made.save(buffer)
    return buffer.getvalue()
