from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from departments import access
from evaluations.content import EditRefused
from reports import content as report_content
from reports import outline, presenter
from reports.forms import ReportForm, text_field_name


@require_GET
def report_detail(request, department, year):
    department, year, report = access.report_for_viewing(request.user, department, year)
    can_edit = access.can_edit_department(request.user, department.pk)
    if report is None:
        if not can_edit:
            return render(
                request, "reports/not_started.html", {"department": department, "year": year}
            )
        report = report_content.open_report(department, year, request.user)
    return render(
        request,
        "reports/detail.html",
        {
            "view": presenter.build(report),
            "report": report,
            "can_edit": can_edit and report.is_editable_state,
        },
    )


@require_http_methods(["GET", "POST"])
def report_edit(request, department, year):
    department, year, report = access.report_for_editing(request.user, department, year)
    report = report or report_content.open_report(department, year, request.user)
    if not report.is_editable_state:
        messages.info(
            request,
            _("This report is %(state)s and cannot be changed now.")
            % {"state": report.get_state_display()},
        )
        return redirect("report_detail", department.pk, year.year)
    view = presenter.build(report)
    data = request.POST if request.method == "POST" else None
    form = ReportForm(data, initial=_initial(report, view))
    refusal, status = None, 200
    if data is not None and not form.is_valid():
        status = 400
    elif data is not None:
        try:
            report_content.save(
                report, _edit(request, form), request.user, version=form.cleaned_data["version"]
            )
        except EditRefused as error:
            refusal, status = str(error), 409
        else:
            messages.success(request, _("The report is saved."))
            return redirect("report_edit", department.pk, year.year)
    return render(
        request,
        "reports/edit.html",
        {
            "view": view,
            "report": report,
            "form": form,
            "sections": [
                (section, form[text_field_name(section.key)] if section.section.has_text else None)
                for section in view.sections
            ],
            "refusal": refusal,
        },
        status=status,
    )


def _initial(report, view):
    """What the page opens with: each section's text as it reads (drafted sentences as drafted,
    a narrative not written yet with last year's text)."""
    initial = {
        "version": report.version,
        "self_score": report.self_score,
        "summary": report.summary,
    }
    for section in view.sections:
        if section.section.has_text:
            initial[text_field_name(section.key)] = section.text or section.last_year or ""
    return initial


def _edit(request, form):
    """The page's texts as an Edit; the reset button of a drafted section clears its text, so
    that it follows the forms again."""
    texts = form.texts()
    reset = request.POST.get("reset")
    if reset in texts and outline.get(reset).is_drafted:
        texts[reset] = None
    return report_content.Edit(
        texts=texts,
        self_score=form.cleaned_data["self_score"],
        summary=form.cleaned_data["summary"],
    )
