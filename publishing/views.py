"""Downloads of PDFs, Word documents and publication packages. Each starts from
departments/access.py, exactly as the Excel downloads do (evaluations/excel_views.py)."""

from django.http import HttpResponse
from django.views.decorators.http import require_GET

from config.events import log_event
from departments import access
from evaluations.excel_views import download
from publishing import exporters


@require_GET
def evaluation_pdf(request, pk):
    evaluation = access.evaluation_for_viewing(request.user, pk)
    exporter = exporters.get("form-pdf")
    log_event("export", user=request.user, evaluation=evaluation.pk, format="pdf")
    response = HttpResponse(exporter.render(evaluation), content_type=exporter.content_type)
    return download(request, response, exporter.file_name(evaluation))
