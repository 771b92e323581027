"""Excel downloads and workbook imports. Each starts from departments/access.py.

Downloads show exactly what the pages show; an import writes only into a department the user
edits. Out of scope answers 404, visible but not allowed 403.
"""

import base64
import json
import re
import secrets
import zlib

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from config.events import log_event
from departments import access
from evaluations import importing, queue
from evaluations.excel import layout, writer
from evaluations.excel.file_names import file_name
from evaluations.models import Evaluation, Year
from exports import jobs

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Pending imports kept in the session between preview and confirmation; older ones are dropped.
# They are compressed: the session is saved again on every request until the import is done.
SESSION_KEY = "excel_imports"
PENDING_KEPT = 3
MAX_FILES = 20
# A download link's script sends a token and waits for this cookie to say the answer came.
EXPORT_COOKIE = "export_done"
EXPORT_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")


def download(request, response, file_name):
    """The response as a file to save, never kept by a cache; every download answers so."""
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["Cache-Control"] = "private, no-store"
    return answered(request, response)


def answered(request, response):
    """The response, with the cookie the download link's script waits for (excel-export.js):
    once it is set the browser has the answer, and shows a download's progress itself."""
    token = request.GET.get("export_token", "")
    if EXPORT_TOKEN.fullmatch(token):
        response.set_cookie(
            EXPORT_COOKIE,
            token,
            max_age=60,
            samesite="Strict",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=False,  # read by the page's script
        )
    return response


def nothing_to_export(request, reason, back, back_label):
    """No file when there is nothing in it: a page that says why, as a 404."""
    page = render(
        request,
        "evaluations/nothing_to_export.html",
        {"reason": reason, "back": back, "back_label": back_label},
        status=404,
    )
    return answered(request, page)


def in_language(chunks, language):
    # The chunks are made after the view has returned, when the request's language may be gone.
    with translation.override(language):
        yield from chunks


def _zip(request, evaluations, *, year, department=None, state=None, job=None):
    """The forms as a .zip, named and its summary titled after the year, department and state
    they were chosen by. More than EXPORT_JOB_THRESHOLD forms are prepared in the background
    instead, as `job` (kind, parameters) says, and the user is sent to the job's page."""
    chosen = f"（{year}，{state.label}）" if state else f"（{year}）"
    prefix = f"{department.name} " if department else ""
    title = f"{prefix}{writer.SUMMARY_TITLE}{chosen}"
    stem = f"{prefix}{layout.TITLE}{chosen}"
    if job and evaluations.count() > settings.EXPORT_JOB_THRESHOLD:
        kind, params = job
        started = jobs.start(
            request.user, kind, params, title=title, file_stem=stem, forms=evaluations
        )
        return answered(request, redirect("export_job", started.pk))
    chunks = writer.zip_chunks(evaluations, title=title)
    response = StreamingHttpResponse(
        in_language(chunks, translation.get_language()), content_type="application/zip"
    )
    # Proxies that buffer would hold the first bytes back; the download must start at once.
    response["X-Accel-Buffering"] = "no"
    return download(request, response, file_name(stem, "zip"))


@require_GET
def evaluation_excel(request, pk):
    evaluation = access.evaluation_for_viewing(request.user, pk)
    log_event("export", user=request.user, evaluation=evaluation.pk)
    response = HttpResponse(writer.form_workbook(evaluation), content_type=XLSX)
    return download(request, response, writer.form_file_name(evaluation))


def _department(departments, user, pk):
    """The department `pk` among `departments`; 404 outside the user's scope, 403 otherwise."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    found = departments.filter(pk=pk).first()
    if found is None:
        get_object_or_404(access.visible_departments(user), pk=pk)
        raise PermissionDenied
    return found


@require_GET
def year_export(request):
    """Every form of a year the user sees, or those of one department: a .zip."""
    try:
        year = get_object_or_404(Year, year=int(request.GET.get("year", "")))
    except ValueError:
        raise Http404 from None
    evaluations = access.visible_evaluations(request.user).filter(year=year)
    department = None
    if "department" in request.GET:
        department = _department(
            access.visible_departments(request.user), request.user, request.GET["department"]
        )
        evaluations = evaluations.filter(project__department=department)
    if not evaluations.exists():
        if department:
            reason = _("%(department)s has no form for %(year)s.")
        elif access.visible_departments(request.user).exists():
            reason = _("None of the forms you can see is of %(year)s.")
        else:
            reason = _(
                "Your account does not belong to a department or a finance bureau yet. Ask an "
                "administrator to add you."
            )
        names = {"department": department and department.name, "year": year.year}
        return nothing_to_export(
            request, reason % names, reverse("home"), _("Back to the start page")
        )
    log_event(
        "export", user=request.user, year=year.year, department=request.GET.get("department", "all")
    )
    params = {"year": year.year}
    if department:
        params["department"] = department.pk
    return _zip(request, evaluations, year=year.year, department=department, job=("year", params))


@require_GET
def queue_export(request):
    """Every form the review queue selects with the same filters, all pages of it: a .zip.

    A filter the queue's page would drop (a department outside the bureau's, a year or state
    that does not exist) answers 404 here rather than export the whole queue instead.
    """
    if not access.is_reviewer(request.user):
        raise PermissionDenied
    if request.GET.get("department"):
        _department(
            access.review_departments(request.user), request.user, request.GET["department"]
        )
    selected = queue.build(request.user, request.GET)
    if selected.filters.dropped():
        raise Http404
    if not selected.page.paginator.count:
        return nothing_to_export(
            request,
            _("No form in the review queue matches these filters."),
            f"{reverse('review_queue')}?{selected.export_query()}",
            _("Back to the queue"),
        )
    year = selected.year.year
    log_event("export", user=request.user, year=year, department="review queue")
    # All pages of the queue: the paginator holds the filtered forms (or their ids) unpaged.
    selection = selected.page.paginator.object_list
    evaluations = access.reviewable_evaluations(request.user).filter(pk__in=selection)
    state = selected.filters.value("state")
    return _zip(
        request,
        evaluations,
        year=year,
        department=selected.filters.value("department"),
        state=Evaluation.State(state) if state else None,
        job=("queue", {"query": selected.export_query()}),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class WorkbooksField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        uploads = data if isinstance(data, list | tuple) else [data]
        if len(uploads) > MAX_FILES:
            raise forms.ValidationError(
                _("At most %(count)s files at a time.") % {"count": MAX_FILES}
            )
        cleaned = []
        for upload in uploads:
            cleaned.append(super().clean(upload, initial))
        return cleaned


class ImportForm(forms.Form):
    department = forms.ModelChoiceField(
        label=gettext_lazy("Department"), queryset=None, empty_label=None
    )
    files = WorkbooksField(
        label=gettext_lazy("Workbooks (.xlsx)"),
        help_text=gettext_lazy(
            "One or more .xlsx files, each with one or more sheets in the official layout of "
            "their year (see above). Nothing is saved before you confirm the preview."
        ),
    )

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments
        self.fields["department"].widget.attrs["class"] = "form-select"


def _pending(request):
    return request.session.get(SESSION_KEY, {})


def _keep(request, data):
    pending = _pending(request)
    token = secrets.token_urlsafe(12)
    packed = zlib.compress(json.dumps(data, ensure_ascii=False).encode(), level=6)
    pending[token] = base64.b64encode(packed).decode("ascii")
    for stale in list(pending)[:-PENDING_KEPT]:
        del pending[stale]
    request.session[SESSION_KEY] = pending
    return token


def _kept(request, token):
    packed = _pending(request).get(token)
    if packed is None:
        raise Http404(_("This import has expired. Upload the files again."))
    return json.loads(zlib.decompress(base64.b64decode(packed)))


def _forget(request, token):
    pending = _pending(request)
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


@require_http_methods(["GET", "POST"])
def import_upload(request):
    departments = access.editable_departments(request.user).order_by("name")
    initial = {}
    if "department" in request.GET:
        initial["department"] = _department(departments, request.user, request.GET["department"])
    elif not departments.exists():
        raise PermissionDenied
    form = ImportForm(
        request.POST or None, request.FILES or None, departments=departments, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        department = form.cleaned_data["department"]
        workbooks = importing.read_files(
            [(upload.name, upload) for upload in form.cleaned_data["files"]], department
        )
        plan = importing.plan(department, workbooks)
        return redirect("excel_import_preview", _keep(request, plan.as_data()))
    return render(
        request,
        "evaluations/import_upload.html",
        {
            "form": form,
            "layouts_by_year": importing.layouts_by_year(departments.select_related("bureau")),
        },
    )


@require_http_methods(["GET", "POST"])
def import_preview(request, token):
    data = _kept(request, token)
    department = _department(
        access.editable_departments(request.user), request.user, data["department"]
    )
    workbooks = importing.workbooks_from_data(data)
    if request.method == "POST":
        try:
            result = importing.apply(
                department, workbooks, request.user, confirmed=request.POST.get("plan", "")
            )
        except importing.ImportRefused as refusal:
            messages.error(request, _("Nothing was imported: %(reasons)s") % {"reasons": refusal})
            return redirect("excel_import_preview", token)
        _forget(request, token)
        counts = {
            "created": result.count_created,
            "updated": result.count_updated,
            "skipped": result.count_skipped,
        }
        if counts["skipped"]:
            done = _(
                "Imported: %(created)s new forms, %(updated)s forms updated, %(skipped)s sheets "
                "skipped."
            )
        else:
            done = _("Imported: %(created)s new forms, %(updated)s forms updated.")
        messages.success(request, done % counts)
        year = next(step.sheet.year for step in result.steps if step.action != importing.SKIP)
        return redirect(f"{reverse('evaluation_list')}?year={year}")
    plan = importing.preview(department, workbooks, request.user)
    return render(request, "evaluations/import_preview.html", {"plan": plan, "token": token})
