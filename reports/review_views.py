"""The review of a department's report: submitting and withdrawing (its editors), the review page
and its decision (the 主管部门's and the finance bureau's reviewers), reopening (administrators).

The same declared steps as a form's (evaluations/steps.py), taken through evaluations/workflow.py;
every view finds its report through departments/access.py.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from departments import access
from evaluations import notifications, steps, workflow
from evaluations.models import Evaluation
from evaluations.review_forms import ReopenForm, ReviewForm
from reports import pins, presenter


def _done(transition, report):
    return transition.declared_step.done % {"subject": report}


@require_POST
def report_submit(request, department, year):
    report = access.report_for_workflow(request.user, department, year)
    try:
        transition = workflow.submit(report, request.user)
    except workflow.NotReady as not_ready:
        # The edit page lists every problem, each linking to its section.
        messages.error(request, str(not_ready))
        return redirect("report_edit", report.department_id, report.year_id)
    except workflow.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("report_detail", report.department_id, report.year_id)
    messages.success(request, _done(transition, report))
    return redirect("report_detail", report.department_id, report.year_id)


@require_POST
def report_withdraw(request, department, year):
    report = access.report_for_workflow(request.user, department, year)
    try:
        transition = workflow.withdraw(report, request.user)
    except workflow.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("report_detail", report.department_id, report.year_id)
    messages.success(request, _done(transition, report))
    return redirect("report_edit", report.department_id, report.year_id)


@require_http_methods(["GET", "POST"])
def report_review(request, department, year):
    report = access.report_for_review(request.user, department, year)
    notifications.mark_read(request.user, report)
    decisions = [step for step in workflow.available(report, request.user) if steps.reviewing(step)]
    posted = request.POST if request.method == "POST" else None
    form = ReviewForm(posted, targets=pins.targets(report), decisions=decisions)
    wanted = steps.BY_NAME.get((posted or {}).get("decision"))
    if wanted is not None and wanted not in decisions:
        # Another level holds the report, or someone decided since the page was opened: the
        # workflow says which, and nothing changes.
        try:
            workflow.take(wanted.name, report, request.user, posted.get("comment", ""))
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        return redirect("report_review", report.department_id, report.year_id)
    if form.is_valid():
        step = steps.get(form.cleaned_data["decision"])
        try:
            transition = workflow.take(
                step.name,
                report,
                request.user,
                form.cleaned_data["comment"],
                form.pins() if step.target == Evaluation.State.RETURNED else (),
            )
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect("report_review", report.department_id, report.year_id)
        messages.success(request, _done(transition, report))
        return redirect("review_queue")
    return render(
        request,
        "reports/review.html",
        {
            "view": presenter.build(report),
            "report": report,
            "form": form,
            "decisions": decisions,
            "returned": pins.latest_return(report),
        },
        status=400 if form.is_bound else 200,
    )


@require_http_methods(["GET", "POST"])
def report_reopen(request, department, year):
    report = access.report_for_reopening(request.user, department, year)
    form = ReopenForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            transition = workflow.reopen(report, request.user, form.cleaned_data["reason"])
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _done(transition, report))
        return redirect("report_detail", report.department_id, report.year_id)
    return render(
        request,
        "reports/reopen.html",
        {"report": report, "form": form},
        status=400 if form.is_bound else 200,
    )
