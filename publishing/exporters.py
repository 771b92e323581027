"""What can be downloaded or packaged, one exporter each: a name, a file type and `render()`.

Views, packages and commands look exporters up here by identifier rather than each knowing how
a file is made. Access is decided before an exporter is called (departments/access.py); an
exporter renders what it is given: a form, or a department report.
"""

import io

from evaluations import official
from evaluations.excel import writer
from evaluations.excel.file_names import file_name
from publishing import pdf, printing, word

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class Exporter:
    identifier = ""
    extension = ""
    content_type = ""

    def render(self, subject):
        raise NotImplementedError

    def stem(self, subject):
        raise NotImplementedError

    def file_name(self, subject, number=None):
        return file_name(self.stem(subject), self.extension, number)


class FormExporter(Exporter):
    def stem(self, evaluation):
        return f"{evaluation.project.name}（{evaluation.year_id}）"


class FormPDF(FormExporter):
    """A form alone as PDF: the official view its page prints."""

    identifier = "form-pdf"
    extension = "pdf"
    content_type = PDF

    def render(self, evaluation):
        return pdf.render_template(
            "publishing/form.html",
            {"evaluation": evaluation, "sheet": official.sheet(evaluation)},
        )


class FormWorkbook(FormExporter):
    """A form alone as its official workbook (evaluations/excel/writer.py)."""

    identifier = "form-xlsx"
    extension = "xlsx"
    content_type = XLSX

    def render(self, evaluation):
        return writer.form_workbook(evaluation)


class ReportExporter(Exporter):
    """A department report; `render(report, printed=None)` takes the printed report
    (publishing/printing.py) when the caller has built it already."""

    def stem(self, report):
        return f"{report.department.name}{report.year_id}年度部门预算绩效评价报告"

    def printed(self, report, printed):
        return printed or printing.of(report)


class ReportPDF(ReportExporter):
    """The report for the 公开 board: its print view, the forms after the report, one file."""

    identifier = "report-pdf"
    extension = "pdf"
    content_type = PDF

    def render(self, report, printed=None):
        printed = self.printed(report, printed)
        return pdf.render_template("publishing/report.html", printing.context(printed))


class ReportDocx(ReportExporter):
    """The report as a Word document, the forms as tables in their layouts in its 附表."""

    identifier = "report-docx"
    extension = "docx"
    content_type = DOCX

    def render(self, report, printed=None):
        buffer = io.BytesIO()
        word.report(self.printed(report, printed)).save(buffer)
        return buffer.getvalue()


EXPORTERS = {
    exporter.identifier: exporter
    for exporter in (FormPDF(), FormWorkbook(), ReportPDF(), ReportDocx())
}


def get(identifier):
    return EXPORTERS[identifier]


def for_extension(kind, extension):
    """The exporter of `kind` ("form", "report") writing `.extension` files, or None."""
    return EXPORTERS.get(f"{kind}-{extension.lower().lstrip('.')}")
