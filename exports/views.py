"""The user's background exports: a job's page and its progress, the downloads list, the
download. A job is its asker's alone: anyone else's id answers 404."""

from django.conf import settings
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from config.events import log_event
from evaluations.excel.file_names import file_name
from exports.kinds import KINDS
from exports.models import ExportJob, ExportPart

Job = ExportJob.State
LISTED = 50


def _own(request, pk):
    return get_object_or_404(ExportJob.objects.filter(user=request.user), pk=pk)


def _seen(job):
    """Looking at a finished job is reading its dashboard event."""
    if job.finished and job.seen_at is None:
        job.seen_at = timezone.now()
        ExportJob.objects.filter(pk=job.pk).update(seen_at=job.seen_at)


def status(job):
    """What the job's page shows, as its script polls it."""
    failed = job.parts.filter(state=ExportPart.State.FAILED).select_related("department")
    return {
        "state": job.state,
        "label": job.get_state_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.finished,
        "failed": [
            f"{part.department.code} {part.department.name}: {part.get_failure_display()}"
            for part in failed
        ],
        "download": reverse("export_job_download", args=[job.pk])
        if job.state == Job.READY
        else None,
    }


@require_GET
def export_job(request, pk):
    job = _own(request, pk)
    _seen(job)
    return render(
        request, "exports/job.html", {"job": job, "status": status(job), "kind": KINDS[job.kind]}
    )


@require_GET
def export_job_status(request, pk):
    job = _own(request, pk)
    if job.finished:
        _seen(job)
    response = JsonResponse(status(job))
    response["Cache-Control"] = "no-store"
    return response


@require_GET
def export_jobs(request):
    jobs = ExportJob.objects.filter(user=request.user)[:LISTED]
    return render(
        request,
        "exports/list.html",
        {"jobs": jobs, "retention": settings.EXPORT_RETENTION_DAYS},
    )


@require_GET
def export_job_download(request, pk):
    """The finished zip, streamed from storage, if the user still sees every department in it
    (departments/access.py, through the kind)."""
    job = _own(request, pk)
    if job.state != Job.READY:
        raise Http404(_("This export is not ready, or no longer kept."))
    held = set(job.parts.filter(state=ExportPart.State.DONE).values_list("department", flat=True))
    allowed = KINDS[job.kind].departments(request.user).filter(pk__in=held)
    if set(allowed.values_list("pk", flat=True)) != held:
        log_event("export_download_refused", user=request.user, job=job.pk)
        page = render(
            request,
            "evaluations/nothing_to_export.html",
            {
                "reason": _(
                    "This export holds forms of departments you no longer see. Ask for the "
                    "export again: it will hold the forms you see now."
                ),
                "back": reverse("export_jobs"),
                "back_label": _("Back to your downloads"),
            },
            status=403,
        )
        return page
    _seen(job)
    log_event("export_download", user=request.user, job=job.pk)
    response = FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=file_name(job.file_stem, "zip"),
        content_type="application/zip",
    )
    response["Cache-Control"] = "private, no-store"
    return response
