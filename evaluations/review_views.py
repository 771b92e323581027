"""The review conversation: submitting and withdrawing (the department), the queue, the review
page and its decision (the finance bureau), reopening (administrators), and the overview.

Every view finds its form or list through departments/access.py and changes state only through
evaluations/workflow.py.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from departments import access
from evaluations import (
    changes,
    checks,
    content,
    notifications,
    overview,
    pins,
    queue,
    steps,
    workflow,
)
from evaluations.models import Evaluation
from evaluations.review_forms import ReopenForm, ReviewForm
from evaluations.views import EditPage, official_context, selected_year
from evaluations.waiting import Desk


@require_POST
def evaluation_submit(request, pk):
    evaluation = access.evaluation_for_editing(request.user, pk)
    if "version" in request.POST:
        refused = _save_typed(request, evaluation)
        if refused:
            return refused
    try:
        transition = workflow.submit(evaluation, request.user)
    except workflow.NotReady as not_ready:
        # The edit page lists every problem, each linking to its place.
        messages.error(request, str(not_ready))
        return redirect("evaluation_edit", evaluation.pk)
    except workflow.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("evaluation_detail", evaluation.pk)
    messages.success(request, _done(transition, evaluation))
    return redirect("evaluation_detail", evaluation.pk)


def _done(transition, evaluation):
    """What the page says once a step is taken, as the step declares it."""
    return transition.declared_step.done % {"subject": evaluation}


def _save_typed(request, evaluation):
    """提交审核 on the edit page saves what was typed first, as 保存草稿 would; a page that does
    not save is shown again, and nothing is submitted."""
    if not evaluation.is_editable_state:
        return None  # submitted meanwhile: the workflow's refusal says by whom
    page = EditPage(evaluation, request.POST)
    if not page.is_valid():
        return render(request, "evaluations/edit.html", page.context(), status=400)
    try:
        page.save(request.user)
    except content.EditRefused as refusal:
        evaluation.refresh_from_db(fields=["state"])
        if not evaluation.is_editable_state:
            return None
        page.refusal = str(refusal)
        return render(request, "evaluations/edit.html", page.context(), status=409)
    return None


@require_POST
def evaluation_withdraw(request, pk):
    evaluation = access.evaluation_for_editing(request.user, pk)
    try:
        transition = workflow.withdraw(evaluation, request.user)
    except workflow.Refused as refusal:
        messages.error(request, str(refusal))
        return redirect("evaluation_detail", evaluation.pk)
    messages.success(request, _done(transition, evaluation))
    return redirect("evaluation_edit", evaluation.pk)


@require_GET
def review_queue(request):
    if not access.is_reviewer(request.user):
        raise PermissionDenied
    return render(
        request,
        "evaluations/queue.html",
        {"queue": queue.build(request.user, request.GET), "today": timezone.localdate()},
    )


@require_http_methods(["GET", "POST"])
def evaluation_review(request, pk):
    evaluation = access.evaluation_for_review(request.user, pk)
    notifications.mark_read(request.user, evaluation)
    decisions = [
        step for step in workflow.available(evaluation, request.user) if steps.reviewing(step)
    ]
    posted = _posted(request)
    if posted is None:
        # Only shown: the page reads the form's rows and funds several times.
        evaluation.fetch_content()
    form = ReviewForm(posted, targets=pins.targets(evaluation), decisions=decisions)
    wanted = steps.BY_NAME.get((posted or {}).get("decision"))
    if wanted is not None and wanted not in decisions:
        # Another level holds the form, or someone decided since the page was opened: the
        # workflow says which, and nothing changes.
        try:
            workflow.take(wanted.name, evaluation, request.user, posted.get("comment", ""))
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        return redirect("evaluation_review", evaluation.pk)
    if form.is_valid():
        step = steps.get(form.cleaned_data["decision"])
        try:
            transition = workflow.take(
                step.name,
                evaluation,
                request.user,
                form.cleaned_data["comment"],
                form.pins() if step.target == Evaluation.State.RETURNED else (),
            )
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
            return redirect("evaluation_review", evaluation.pk)
        messages.success(request, _done(transition, evaluation))
        return redirect("review_queue")
    return render(
        request,
        "evaluations/review.html",
        _review_context(evaluation, form),
        status=400 if form.is_bound else 200,
    )


def _review_context(evaluation, form):
    since = changes.since_last_submission(evaluation)
    returned = pins.latest_return(evaluation)
    heeded = pins.heeded(returned, since) if since is not None and returned else []
    return {
        **official_context(evaluation),
        "back": "review_queue",
        "form": form,
        "decisions": form.decisions,
        "flags": checks.run(evaluation).flags,
        "changes": since,
        "heeded": heeded,
    }


@require_http_methods(["GET", "POST"])
def evaluation_reopen(request, pk):
    evaluation = access.evaluation_for_reopening(request.user, pk)
    form = ReopenForm(_posted(request))
    if form.is_valid():
        try:
            workflow.reopen(evaluation, request.user, form.cleaned_data["reason"])
        except workflow.Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("Reopened: the department can change the form again."))
        return redirect("evaluation_detail", evaluation.pk)
    return render(
        request,
        "evaluations/reopen.html",
        {"evaluation": evaluation, "form": form},
        status=400 if form.is_bound else 200,
    )


def _posted(request):
    return request.POST if request.method == "POST" else None


@require_GET
def review_overview(request):
    if not access.is_reviewer(request.user):
        raise PermissionDenied
    year, years = selected_year(request, Desk.REVIEW)
    rows = overview.progress(request.user, year) if year else []
    rates = overview.distribution(request.user, year) if year else []
    return render(
        request,
        "evaluations/overview.html",
        {
            "year": year,
            "years": years,
            "rows": rows,
            "columns": overview.columns(rows),
            "rates": zip(overview.bucket_labels(), rates, strict=False),
            "chart": overview.chart_data(rows, rates),
        },
    )


@require_POST
def notifications_read(request):
    access.notifications_for(request.user).filter(read_at__isnull=True).update(
        read_at=timezone.now()
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "home"
    return redirect(back)
