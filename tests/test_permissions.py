"""The permission matrix: every persona against every page that touches a form.

One row per URL: the status each persona gets. 302 for anonymous is the login redirect; 404 means
"not in your scope" (ids of other departments' forms reveal nothing); 403 means "visible, but your
role may not do this".
"""

import pytest
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from exports.models import ExportJob
from reports.models import Report

PERSONAS = [
    "anonymous",
    "editor",
    "viewer",
    "other_editor",
    "reviewer",
    "other_reviewer",
    "admin_user",
]


def row(name, method="get", *, anonymous=302, **statuses):
    statuses["anonymous"] = anonymous
    missing = set(PERSONAS) - set(statuses)
    assert not missing, f"{name}: no expectation for {missing}"
    return pytest.param(name, method, statuses, id=f"{method.upper()} {name}")


# The form under test belongs to `department` (editor, viewer; reviewed by `reviewer`).
MATRIX = [
    row(
        "evaluation_list",
        editor=200,
        viewer=200,
        other_editor=200,
        reviewer=200,
        other_reviewer=200,
        admin_user=200,
    ),
    row(
        "evaluation_new",
        editor=200,
        viewer=403,
        other_editor=200,
        reviewer=403,
        other_reviewer=403,
        admin_user=403,
    ),
    row(
        "evaluation_detail",
        editor=200,
        viewer=200,
        other_editor=404,
        reviewer=200,
        other_reviewer=404,
        admin_user=200,
    ),
    row(
        "evaluation_edit",
        editor=200,
        viewer=403,
        other_editor=404,
        reviewer=403,
        other_reviewer=404,
        admin_user=403,
    ),
    row(
        "evaluation_copy",
        "post",
        editor=302,
        viewer=403,
        other_editor=404,
        reviewer=403,
        other_reviewer=404,
        admin_user=403,
    ),
    # Excel: a form's workbook for whoever sees the form; a year's .zip holds what each persona
    # sees, and those who see none of that year's forms get a page saying so (404); imports only
    # for editors.
    row(
        "evaluation_excel",
        editor=200,
        viewer=200,
        other_editor=404,
        reviewer=200,
        other_reviewer=404,
        admin_user=200,
    ),
    # A form's PDF for exactly those who get its workbook.
    row(
        "evaluation_pdf",
        editor=200,
        viewer=200,
        other_editor=404,
        reviewer=200,
        other_reviewer=404,
        admin_user=200,
    ),
    row(
        "excel_year_export",
        editor=200,
        viewer=200,
        other_editor=404,
        reviewer=200,
        other_reviewer=404,
        admin_user=200,
    ),
    row(
        "excel_import",
        editor=200,
        viewer=403,
        other_editor=200,
        reviewer=403,
        other_reviewer=403,
        admin_user=403,
    ),
    row(
        "excel_import",
        "post",
        editor=200,
        viewer=403,
        other_editor=200,
        reviewer=403,
        other_reviewer=403,
        admin_user=403,
    ),
    row(
        "excel_queue_export",
        editor=403,
        viewer=403,
        other_editor=403,
        reviewer=200,
        other_reviewer=404,
        admin_user=403,
    ),
    # The review conversation. Only the department's editors submit and withdraw; only
    # reviewers of the overseeing bureau review; only administrators reopen.
    row(
        "evaluation_submit",
        "post",
        editor=302,
        viewer=403,
        other_editor=404,
        reviewer=403,
        other_reviewer=404,
        admin_user=403,
    ),
    row(
        "evaluation_withdraw",
        "post",
        editor=302,
        viewer=403,
        other_editor=404,
        reviewer=403,
        other_reviewer=404,
        admin_user=403,
    ),
    row(
        "evaluation_review",
        editor=403,
        viewer=403,
        other_editor=404,
        reviewer=200,
        other_reviewer=404,
        admin_user=403,
    ),
    row(
        "evaluation_review",
        "post",
        editor=403,
        viewer=403,
        other_editor=404,
        reviewer=400,
        other_reviewer=404,
        admin_user=403,
    ),
    row(
        "evaluation_reopen",
        editor=403,
        viewer=403,
        other_editor=404,
        reviewer=403,
        other_reviewer=404,
        admin_user=200,
    ),
    row(
        "evaluation_reopen",
        "post",
        editor=403,
        viewer=403,
        other_editor=404,
        reviewer=403,
        other_reviewer=404,
        admin_user=400,
    ),
    row(
        "review_queue",
        editor=403,
        viewer=403,
        other_editor=403,
        reviewer=200,
        other_reviewer=200,
        admin_user=403,
    ),
    row(
        "review_overview",
        editor=403,
        viewer=403,
        other_editor=403,
        reviewer=200,
        other_reviewer=200,
        admin_user=403,
    ),
    # The department's report of the form's year: its members and reviewers read it (the page
    # says when it is not started yet), its editors change it.
    row(
        "report_detail",
        editor=200,
        viewer=200,
        other_editor=404,
        reviewer=200,
        other_reviewer=404,
        admin_user=200,
    ),
    row(
        "report_edit",
        editor=200,
        viewer=403,
        other_editor=404,
        reviewer=403,
        other_reviewer=404,
        admin_user=403,
    ),
    row(
        "report_edit",
        "post",
        editor=400,
        viewer=403,
        other_editor=404,
        reviewer=403,
        other_reviewer=404,
        admin_user=403,
    ),
    # The report's print view, files and publication package: for whoever reads the report.
    # They are tried on an approved report of the form's department (see REPORTED).
    *(
        row(
            name,
            editor=200,
            viewer=200,
            other_editor=404,
            reviewer=200,
            other_reviewer=404,
            admin_user=200,
        )
        for name in (
            "report_print",
            "report_pdf_export",
            "report_docx_export",
            "report_package_export",
        )
    ),
    # The bureau's package of every approved report: its finance reviewers only; another
    # bureau's reviewer gets their own bureau's, which has no approved report (404 saying so).
    row(
        "publication_package_export",
        editor=404,
        viewer=404,
        other_editor=404,
        reviewer=200,
        other_reviewer=404,
        admin_user=404,
    ),
    row(
        "export_jobs",
        editor=200,
        viewer=200,
        other_editor=200,
        reviewer=200,
        other_reviewer=200,
        admin_user=200,
    ),
    # The editor's own background export of the form's department (`export` below).
    *(
        row(
            name,
            editor=200,
            viewer=404,
            other_editor=404,
            reviewer=404,
            other_reviewer=404,
            admin_user=404,
        )
        for name in ("export_job", "export_job_status", "export_job_download")
    ),
    row(
        "notifications_read",
        "post",
        editor=302,
        viewer=302,
        other_editor=302,
        reviewer=302,
        other_reviewer=302,
        admin_user=302,
    ),
]


# The queue opens on submitted forms; the form under test is a draft.
QUERIES = {"excel_queue_export": "&state="}
# Downloads that make PDFs: skipped where WeasyPrint cannot start, except in CI.
PDFS = {
    "evaluation_pdf",
    "report_pdf_export",
    "report_package_export",
    "publication_package_export",
}
# URLs tried with the department's report of the form's year approved.
REPORTED = {
    "report_print",
    "report_pdf_export",
    "report_docx_export",
    "report_package_export",
    "publication_package_export",
}


@pytest.fixture
def export(settings, tmp_path, client_for, editor, evaluation, make_form):
    """A finished background export the editor asked for."""
    settings.MEDIA_ROOT = tmp_path
    settings.EXPORT_JOB_THRESHOLD = 1
    make_form("人才队伍建设经费")
    client_for(editor).get(f"/evaluations/export/?year={evaluation.year_id}")
    return ExportJob.objects.get()


def url_for(name, evaluation, job=None):
    """The URL about `evaluation`: by its id, or its department and year (the department's
    report), or with the year as a query; about `job` for a background export's pages."""
    if job:
        return reverse(name, kwargs={"pk": job.pk})
    report = {"department": evaluation.project.department_id, "year": evaluation.year_id}
    for kwargs in ({"pk": evaluation.pk}, report):
        try:
            return reverse(name, kwargs=kwargs)
        except NoReverseMatch:
            pass
    return reverse(name) + f"?year={evaluation.year_id}" + QUERIES.get(name, "")


@pytest.mark.parametrize(("name", "method", "statuses"), MATRIX)
@pytest.mark.parametrize("persona", PERSONAS)
def test_permission_matrix(
    request, client_for, evaluation, next_year, name, method, statuses, persona
):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = client_for(user)
    if name in PDFS:
        request.getfixturevalue("weasyprint")
    if name in REPORTED:
        now = timezone.now()
        Report.objects.create(
            department=evaluation.project.department,
            year=evaluation.year,
            state="approved",
            submitted_at=now,
            approved_at=now,
        )
    job = (
        request.getfixturevalue("export")
        if name.startswith("export_job_") or name == "export_job"
        else None
    )
    response = getattr(client, method)(url_for(name, evaluation, job))
    assert response.status_code == statuses[persona], (persona, name, response.status_code)
