"""The finance bureau's oversight of a year: the 抽查复核 sample and the 结果通报 table.

Both pages belong to the reviewers of one bureau (a reviewer of several picks it); anyone else
gets 404, as for another department's forms.
"""

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from config.events import log_event
from departments import access
from evaluations import results, results_workbook, sampling
from evaluations.excel.file_names import file_name
from evaluations.excel_views import nothing_to_export
from evaluations.models import Evaluation, Sample, SampledForm
from evaluations.views import selected_year
from evaluations.waiting import Desk
from publishing import packages
from publishing import views as publishing_views


def _bureau(request):
    """The bureau whose oversight the user asks for: one they review for, else 404."""
    bureaus = access.reviewed_bureaus(request.user).order_by("code")
    if not bureaus.exists():
        raise Http404(_("There is no such page."))
    wanted = request.GET.get("bureau") or request.POST.get("bureau")
    if wanted:
        return get_object_or_404(bureaus, pk=_id(wanted)), bureaus
    return bureaus.first(), bureaus


def _id(value):
    """An id from a request: a number, or there is no such thing (404)."""
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404(_("There is no such page.")) from None


def _year(request):
    year, years = selected_year(request, Desk.REVIEW)
    if year is None:
        raise Http404(_("There is no such year."))
    return year, years


@require_GET
def sampling_page(request):
    bureau, bureaus = _bureau(request)
    year, years = _year(request)
    sample = Sample.objects.filter(bureau=bureau, year=year).first()
    sampled = []
    addable = []
    if sample is not None:
        sampled = list(
            sample.forms.select_related("evaluation__project__department", "reviewed_by")
        )
        taken = {row.evaluation_id for row in sampled}
        addable = [form for form in sampling.candidates(bureau, year) if form.pk not in taken]
    return render(
        request,
        "evaluations/sampling.html",
        {
            "bureau": bureau,
            "bureaus": bureaus,
            "year": year,
            "years": years,
            "sample": sample,
            "sampled": sampled,
            "addable": addable,
            "verified": sampling.verify(sample) if sample else None,
            "results": SampledForm.Result.choices,
            "candidates": sampling.candidates(bureau, year).count(),
        },
    )


@require_POST
def sampling_action(request):
    """Draw, add, remove, issue, withdraw the issue, or record a result; then back to the page."""
    bureau, _bureaus = _bureau(request)
    year, _years = _year(request)
    action = request.POST.get("action")
    sample = Sample.objects.filter(bureau=bureau, year=year).first()
    try:
        if action == "draw":
            sampling.draw(bureau, year, request.user, **_rule(request.POST))
            messages.success(request, _("The sample is drawn."))
        elif sample is None:
            raise Http404(_("There is no sample of this year."))
        elif action in ("add", "remove"):
            form = get_object_or_404(
                Evaluation,
                pk=_id(request.POST.get("evaluation")),
                project__department__bureau=bureau,
            )
            getattr(sampling, action)(sample, form, request.user)
        elif action == "issue":
            sampling.issue(sample, request.user)
            messages.success(
                request, _("The sample is issued: departments see their sampled forms.")
            )
        elif action == "withdraw":
            sampling.withdraw_issue(sample, request.user)
            messages.success(request, _("The issue is withdrawn."))
        elif action == "record":
            sampled = get_object_or_404(sample.forms, pk=_id(request.POST.get("sampled")))
            sampling.record(
                sampled,
                request.user,
                request.POST.get("result", ""),
                request.POST.get("comment", ""),
            )
            messages.success(request, _("The re-review result is recorded."))
        else:
            raise Http404(_("There is no such page."))
    except sampling.SamplingRefused as refusal:
        messages.error(request, str(refusal))
    query = f"?bureau={bureau.pk}&year={year.year}"
    return redirect(reverse("sampling") + query)


def _rule(data):
    """The draw's rule and seed as posted; a value that is not a number is a clear refusal."""
    try:
        percentage = Decimal(data["percentage"]) if data.get("percentage") else None
        per_department = int(data["per_department"]) if data.get("per_department") else None
        seed = int(data["seed"]) if data.get("seed") else None
    except (InvalidOperation, ValueError):
        raise sampling.SamplingRefused(
            _("The percentage, the number per department and the seed must be numbers.")
        ) from None
    if percentage is not None and not percentage.is_finite():
        raise sampling.SamplingRefused(_("The percentage must be more than 0 and at most 100."))
    if seed is not None and not 0 <= seed < 2**sampling.SEED_BITS:
        raise sampling.SamplingRefused(
            _("The seed is a whole number from 0 to %(max)s.") % {"max": 2**sampling.SEED_BITS - 1}
        )
    return {"percentage": percentage, "per_department": per_department, "seed": seed}


@require_GET
def results_page(request):
    bureau, bureaus = _bureau(request)
    year, years = _year(request)
    table = results.build(bureau, year, request.GET.get("sort", "department"))
    return render(
        request,
        "evaluations/results.html",
        {
            "bureau": bureau,
            "bureaus": bureaus,
            "year": year,
            "years": years,
            "table": table,
            "columns": results.COLUMNS,
            "package_forms": packages.bureau_forms(bureau, year).count(),
        },
    )


@require_GET
def results_download(request):
    bureau, _bureaus = _bureau(request)
    year, _years = _year(request)
    table = results.build(bureau, year, request.GET.get("sort", "department"))
    response = HttpResponse(
        results_workbook.render(table),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Disposition"] = content_disposition_header(
        True, file_name(f"{bureau.name}{year.year}年度绩效自评结果通报", "xlsx")
    )
    return response


@require_GET
def publication_package(request):
    """Every department's publication package whose report of the year is approved, for the
    bureau's finance reviewers; 说明.txt names the departments left out."""
    bureau, _bureaus = _bureau(request)
    year, _years = _year(request)
    approved, left_out = packages.bureau_reports(bureau, year)
    if not approved:
        return nothing_to_export(
            request,
            _("No department of %(bureau)s has an approved report for %(year)s.")
            % {"bureau": bureau.name, "year": year.year},
            f"{reverse('results')}?bureau={bureau.pk}&year={year.year}",
            _("Back to the results"),
        )
    if unavailable := publishing_views.without_pdfs(request):
        return unavailable
    log_event("export", user=request.user, year=year.year, for_bureau=bureau.pk, format="package")
    params = {"bureau": bureau.pk, "year": year.year}
    title = packages.bureau_title(bureau, year.year)
    if job := publishing_views.in_background(request, "publication", params, title):
        return job
    return publishing_views.streamed_zip(
        request,
        packages.bureau_entries(bureau, year, approved, left_out),
        packages.bureau_file_name(bureau, year.year),
    )
