"""Excel downloads and workbook imports. Each starts from departments/access.py.

Downloads show exactly what the pages show; an import writes only into a department the user
edits. Out of scope answers 404, visible but not allowed 403.
"""

import base64
import json
import secrets
import zlib

from django import forms
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
from evaluations.excel import writer
from evaluations.models import Year

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Pending imports kept in the session between preview and confirmation; older ones are dropped.
# They are compressed: the session is saved again on every request until the import is done.
SESSION_KEY = "excel_imports"
PENDING_KEPT = 3
MAX_FILES = 20


def _download(response, file_name):
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    response["Cache-Control"] = "private, no-store"
    return response


def _in_language(chunks, language):
    # The chunks are made after the view has returned, when the request's language may be gone.
    with translation.override(language):
        yield from chunks


def _zip(request, evaluations, file_name):
    chunks = _in_language(writer.zip_chunks(evaluations), translation.get_language())
    response = StreamingHttpResponse(chunks, content_type="application/zip")
    # Proxies that buffer would hold the first bytes back; the download must start at once.
    response["X-Accel-Buffering"] = "no"
    return _download(response, file_name)


@require_GET
def evaluation_excel(request, pk):
    evaluation = access.evaluation_for_viewing(request.user, pk)
    log_event("export", user=request.user, evaluation=evaluation.pk)
    response = HttpResponse(writer.form_workbook(evaluation), content_type=XLSX)
    return _download(response, writer.form_file_name(evaluation))


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
    name = f"部门预算项目支出绩效自评表（{year.year}）"
    if "department" in request.GET:
        department = _department(
            access.visible_departments(request.user), request.user, request.GET["department"]
        )
        evaluations = evaluations.filter(project__department=department)
        name = f"{department.name} {name}"
    log_event(
        "export", user=request.user, year=year.year, department=request.GET.get("department", "all")
    )
    return _zip(request, evaluations, writer.file_name(name) + ".zip")


@require_GET
def queue_export(request):
    """Every form the review queue selects with the same filters, all pages of it: a .zip."""
    if not access.is_reviewer(request.user):
        raise PermissionDenied
    selected = queue.build(request.user, request.GET)
    year = selected.year.year if selected.year else ""
    log_event("export", user=request.user, year=year, department="review queue")
    # All pages of the queue: the paginator holds the filtered forms (or their ids) unpaged.
    selection = selected.page.paginator.object_list
    evaluations = access.reviewable_evaluations(request.user).filter(pk__in=selection)
    return _zip(request, evaluations, writer.file_name(f"审核 自评表（{year}）") + ".zip")


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
            "部门预算项目支出绩效自评表. Nothing is saved before you confirm the preview."
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
        workbooks = importing.read_files(
            [(upload.name, upload) for upload in form.cleaned_data["files"]]
        )
        plan = importing.plan(form.cleaned_data["department"], workbooks)
        return redirect("excel_import_preview", _keep(request, plan.as_data()))
    return render(request, "evaluations/import_upload.html", {"form": form})


@require_http_methods(["GET", "POST"])
def import_preview(request, token):
    data = _kept(request, token)
    department = _department(
        access.editable_departments(request.user), request.user, data["department"]
    )
    workbooks = importing.workbooks_from_data(data)
    if request.method == "POST":
        try:
            result = importing.apply(department, workbooks, request.user)
        except importing.ImportRefused as refusal:
            messages.error(request, _("Nothing was imported: %(reasons)s") % {"reasons": refusal})
            return redirect("excel_import_preview", token)
        _forget(request, token)
        messages.success(
            request,
            _("Imported: %(created)s new forms, %(updated)s forms updated.")
            % {
                "created": result.count(importing.CREATE),
                "updated": result.count(importing.UPDATE),
            },
        )
        year = result.steps[0].sheet.year
        return redirect(f"{reverse('evaluation_list')}?year={year}")
    plan = importing.plan(department, workbooks)
    return render(request, "evaluations/import_preview.html", {"plan": plan, "token": token})
