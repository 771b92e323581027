"""Downloads of PDFs, Word documents and publication packages, and the report's print view.

Each starts from departments/access.py exactly as the page it is offered on: a form's PDF as
its workbook, a report's files and package as the report's page (its department's members and
reviewers), the bureau's package as the results page (the bureau's finance reviewers).
A package of more than EXPORT_JOB_THRESHOLD forms is made in the background (exports/kinds.py).
"""

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config.events import log_event
from departments import access
from evaluations.excel_views import answered, download, in_language, nothing_to_export
from exports import jobs
from exports.kinds import KINDS
from publishing import exporters, packages, pdf, printing


def without_pdfs(request):
    """None where PDFs can be made; else the answer of a download that needs them (503): a
    machine where WeasyPrint cannot start serves every other page and every workbook."""
    try:
        pdf.check()
    except pdf.Unavailable:
        return render(
            request,
            "publishing/pdf_unavailable.html",
            {"back": reverse("home")},
            status=503,
        )
    return None


@require_GET
def evaluation_pdf(request, pk):
    evaluation = access.evaluation_for_viewing(request.user, pk)
    if unavailable := without_pdfs(request):
        return unavailable
    exporter = exporters.get("form-pdf")
    log_event("export", user=request.user, evaluation=evaluation.pk, format="pdf")
    response = HttpResponse(exporter.render(evaluation), content_type=exporter.content_type)
    return download(request, response, exporter.file_name(evaluation))


def _report(request, department, year):
    """(the report, None) for someone who sees the department; (None, a page saying there is
    no report yet) when it is not started."""
    department, year, report = access.report_for_viewing(request.user, department, year)
    if report is not None:
        return report, None
    page = nothing_to_export(
        request,
        _("%(department)s has not started its report for %(year)s.")
        % {"department": department.name, "year": year.year},
        reverse("report_detail", args=[department.pk, year.year]),
        _("Back to the report"),
    )
    return None, page


@require_GET
def report_print(request, department, year):
    """The report as it prints, the forms after it: the HTML its PDF is made of."""
    report, missing = _report(request, department, year)
    if missing:
        return missing
    context = printing.context(printing.of(report))
    return render(request, "publishing/report.html", {**context, "on_screen": True})


def _report_file(request, department, year, identifier):
    report, missing = _report(request, department, year)
    if missing:
        return missing
    exporter = exporters.get(identifier)
    if exporter.content_type == exporters.PDF and (unavailable := without_pdfs(request)):
        return unavailable
    log_event("export", user=request.user, report=report.pk, format=exporter.extension)
    response = HttpResponse(exporter.render(report), content_type=exporter.content_type)
    return download(request, response, exporter.file_name(report))


@require_GET
def report_pdf(request, department, year):
    return _report_file(request, department, year, "report-pdf")


@require_GET
def report_docx(request, department, year):
    return _report_file(request, department, year, "report-docx")


def streamed_zip(request, entries, name):
    """A package as a streamed .zip download: the first entry goes out as soon as it is made."""
    chunks = in_language(packages.zip_chunks(entries), request.LANGUAGE_CODE)
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    # Proxies that buffer would hold the first bytes back; the download must start at once.
    response["X-Accel-Buffering"] = "no"
    return download(request, response, name)


def in_background(request, kind, params, title):
    """The job's page for a package of more than EXPORT_JOB_THRESHOLD forms (the kind counts
    them, through departments/access.py), else None: the package is streamed."""
    forms = KINDS[kind].forms(request.user, params)
    if forms.count() <= settings.EXPORT_JOB_THRESHOLD:
        return None
    started = jobs.start(request.user, kind, params, title=title, file_stem=title, forms=forms)
    return answered(request, redirect("export_job", started.pk))


@require_GET
def report_package(request, department, year):
    report, missing = _report(request, department, year)
    if missing:
        return missing
    if unavailable := without_pdfs(request):
        return unavailable
    log_event("export", user=request.user, report=report.pk, format="package")
    params = {"department": report.department_id, "year": report.year_id}
    title = packages.department_title(report)
    if job := in_background(request, "department_publication", params, title):
        return job
    return streamed_zip(
        request, packages.department_entries(report), packages.department_file_name(report)
    )
