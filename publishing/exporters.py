"""What can be downloaded or packaged, one exporter each: a name, a file type and `render()`.

Views, packages and commands look exporters up here by identifier rather than each knowing how
a file is made. Access is decided before an exporter is called (departments/access.py); an
exporter renders what it is given.
"""

from evaluations import official
from evaluations.excel import writer
from evaluations.excel.file_names import file_name
from publishing import pdf


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
    content_type = "application/pdf"

    def render(self, evaluation):
        return pdf.render_template(
            "publishing/form.html",
            {"evaluation": evaluation, "sheet": official.sheet(evaluation)},
        )


class FormWorkbook(FormExporter):
    """A form alone as its official workbook (evaluations/excel/writer.py)."""

    identifier = "form-xlsx"
    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def render(self, evaluation):
        return writer.form_workbook(evaluation)


EXPORTERS = {exporter.identifier: exporter for exporter in (FormPDF(), FormWorkbook())}


def get(identifier):
    return EXPORTERS[identifier]


def forms_of(evaluations):
    """Forms in the order a package and a report's 附表 list them."""
    return writer.with_content(evaluations).order_by("project__name", "pk")
