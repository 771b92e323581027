"""An export's life as a background job: asked for, one task per department, assembled,
told, downloaded, expired.

`start` makes the job and its parts and enqueues one `export_department` task per department;
workers take them in parallel, each writing its department's entries into a part file in
storage. The task that finishes the last part enqueues `assemble_export`, which copies the
parts into one zip (stored, not compressed again: workbooks are zips already), adds the kind's
last entries (汇总表.xlsx; a publication package's 说明.txt) and, if some department failed,
说明.txt saying which and why.

A task that raises is tried again, EXPORT_ATTEMPTS times in all (the database backend retries
nothing by itself, so each task enqueues its own next attempt, EXPORT_RETRY_SECONDS later where
the backend can wait); a department that still fails is reported in the job and in 说明.txt,
and the others are exported all the same.

Tasks come from django_tasks, Django 6's Tasks API backported: with Django 6 the import becomes
`from django.tasks import task`, nothing else changes.
"""

import logging
import shutil
import tempfile
import zipfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from config.events import log_event
from config.texts import one_line
from evaluations.excel import writer
from exports.kinds import KINDS
from exports.models import ExportJob, ExportPart

Job = ExportJob.State
Part = ExportPart.State
NOTE_NAME = "说明.txt"
PARTS = "exports/parts"


def start(user, kind, params, *, title, file_stem, forms):
    """A job for `kind` with `params`, one part per department of `forms` (the forms the
    user sees now, counted by the view). The same export asked for again while it is being
    prepared is that job, not a second one."""
    running = ExportJob.objects.filter(
        user=user, kind=kind, params=params, state__in=[Job.WAITING, Job.RUNNING]
    ).first()
    if running:
        return running
    departments = list(writer._departments_of(forms))
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            kind=kind,
            params=params,
            language=translation.get_language() or settings.LANGUAGE_CODE,
            title=title,
            file_stem=file_stem,
            total=len(departments),
            forms=forms.count(),
        )
        parts = ExportPart.objects.bulk_create(
            ExportPart(job=job, department=department, position=position)
            for position, department in enumerate(departments)
        )
        for part in parts:
            export_department.enqueue(part.pk)
    log_event("export_job", user=user, job=job.pk, kind=kind, departments=job.total)
    return ExportJob.objects.get(pk=job.pk)


def _again(task_, *args):
    backend = task_.get_backend()
    if backend.supports_defer:
        wait = timedelta(seconds=settings.EXPORT_RETRY_SECONDS)
        task_ = task_.using(run_after=timezone.now() + wait)
    task_.enqueue(*args)


def _entry_info(name):
    return zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])


def _add(archive, name, write):
    """An entry made by write(file): made in a temporary file first, as writers need to seek."""
    with tempfile.TemporaryFile() as made:
        write(made)
        made.seek(0)
        with archive.open(_entry_info(name), "w", force_zip64=True) as entry:
            shutil.copyfileobj(made, entry, writer.CHUNK)


@task()
def export_department(part_id, attempt=1):
    """One department's entries of a job, into a part file."""
    part = ExportPart.objects.select_related("job__user", "department").get(pk=part_id)
    job = part.job
    if part.state != Part.WAITING or job.state not in (Job.WAITING, Job.RUNNING):
        return
    ExportJob.objects.filter(pk=job.pk, state=Job.WAITING).update(state=Job.RUNNING)
    kind = KINDS[job.kind]
    forms = kind.forms(job.user, job.params).filter(project__department=part.department)
    if not forms.exists():
        _finish_part(part, state=Part.FAILED, failure=ExportPart.Failure.NO_ACCESS)
        return
    rows = []
    try:
        with translation.override(job.language), tempfile.TemporaryFile() as made:
            with zipfile.ZipFile(made, "w", zipfile.ZIP_STORED) as archive:
                entries = kind.department_entries(forms, part.department, rows, job.params)
                for name, write in entries:
                    _add(archive, name, write)
            made.seek(0)
            stored = default_storage.save(f"{PARTS}/{job.pk}/{part.position}.zip", File(made))
    except Exception as error:
        reason = f"{type(error).__name__}: {error}"
        log_event(
            "export_part_failed",
            level=logging.WARNING,
            job=job.pk,
            department=part.department.code,
            attempt=attempt,
            error=reason,
        )
        ExportPart.objects.filter(pk=part.pk).update(attempts=attempt, error=reason)
        if attempt < settings.EXPORT_ATTEMPTS:
            _again(export_department, part_id, attempt + 1)
        else:
            _finish_part(part, state=Part.FAILED, failure=ExportPart.Failure.ERROR)
        return
    _finish_part(part, state=Part.DONE, attempts=attempt, file=stored, rows=rows)


def _finish_part(part, **changes):
    """Count the part done (or failed); the last one of the job enqueues the assembly."""
    with transaction.atomic():
        job = ExportJob.objects.select_for_update().get(pk=part.job_id)
        # Tasks may run twice (a worker stopped half way): a part counts once.
        if not ExportPart.objects.filter(pk=part.pk, state=Part.WAITING).update(**changes):
            if changes.get("file"):
                default_storage.delete(changes["file"])
            return
        ExportJob.objects.filter(pk=job.pk).update(done=F("done") + 1)
        if job.done + 1 == job.total:
            assemble_export.enqueue(job.pk)


def _rows(parts):
    # Part by part from the database, so that memory holds one department's rows at a time.
    for part in parts:
        yield from ExportPart.objects.values_list("rows", flat=True).get(pk=part.pk)


def _note(failed):
    lines = [_("These departments' forms are not in this export:"), ""]
    for part in failed:
        department = part.department
        lines.append(f"- {department.code} {department.name}：{part.get_failure_display()}")
    return "\ufeff" + "\r\n".join(lines) + "\r\n"


def _write_zip(job, done, failed, made):
    kind = KINDS[job.kind]
    # The names the instant download gives: a department's own, or made unique as there.
    names = {writer.SUMMARY_NAME, NOTE_NAME}
    with zipfile.ZipFile(made, "w", zipfile.ZIP_STORED) as archive:
        for part in done:
            with default_storage.open(part.file) as stored, zipfile.ZipFile(stored) as source:
                for info in source.infolist():
                    name = writer._unique(info.filename, names)
                    with (
                        source.open(info) as entry,
                        archive.open(_entry_info(name), "w", force_zip64=True) as copy,
                    ):
                        shutil.copyfileobj(entry, copy, writer.CHUNK)
        closing = set()
        for name, write in kind.closing_entries(job, _rows(done), failed):
            _add(archive, name, write)
            closing.add(name)
        # A kind whose last entries are a 说明.txt of its own says there what failed.
        if failed and NOTE_NAME not in closing:
            archive.writestr(_entry_info(NOTE_NAME), _note(failed).encode())


def _remove_parts(job):
    for name in job.parts.exclude(file="").values_list("file", flat=True):
        default_storage.delete(name)
    job.parts.update(file="", rows=[])


@task()
def assemble_export(job_id, attempt=1):
    """The job's zip from its parts, once every department is done or failed."""
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    if job.state != Job.RUNNING:
        return
    parts = list(job.parts.select_related("department").defer("rows"))
    done = [part for part in parts if part.state == Part.DONE]
    failed = [part for part in parts if part.state == Part.FAILED]
    if not done:
        _finished(job, Job.FAILED)
        return
    try:
        with translation.override(job.language), tempfile.TemporaryFile() as made:
            _write_zip(job, done, failed, made)
            size = made.tell()
            made.seek(0)
            stored = default_storage.save(f"exports/{job.pk}.zip", File(made))
    except Exception as error:
        log_event(
            "export_assembly_failed",
            level=logging.WARNING,
            job=job.pk,
            attempt=attempt,
            error=f"{type(error).__name__}: {error}",
        )
        if attempt < settings.EXPORT_ATTEMPTS:
            _again(assemble_export, job_id, attempt + 1)
        else:
            _finished(job, Job.FAILED)
        return
    _finished(job, Job.READY, file=stored, size=size)


def _finished(job, state, **changes):
    now = timezone.now()
    changes.update(state=state, finished_at=now)
    if state == Job.READY:
        changes["expires_at"] = now + timedelta(days=settings.EXPORT_RETENTION_DAYS)
    ExportJob.objects.filter(pk=job.pk).update(**changes)
    _remove_parts(job)
    job.refresh_from_db()
    log_event("export_job_finished", user=job.user, job=job.pk, state=state, size=job.size)
    tell(job)


def tell(job):
    """Mail the user that the export is ready (or could not be made); never raises: the job is
    done whatever the mail server says, and the dashboard says so too."""
    if not job.user.email:
        return
    try:
        with translation.override(job.language):
            if job.state == Job.READY:
                subject = _("Your export is ready: %(title)s")
                body = _(
                    "The export “%(title)s” you asked for is ready. It can be downloaded until "
                    "%(expires)s:"
                )
            else:
                subject = _("Your export could not be made: %(title)s")
                body = _("The export “%(title)s” you asked for could not be made. Details:")
            names = {
                "title": job.title,
                "expires": job.expires_at
                and timezone.localtime(job.expires_at).strftime("%Y-%m-%d %H:%M"),
            }
            link = settings.SITE_URL.rstrip("/") + reverse("export_job", args=[job.pk])
            text = f"{body % names}\n\n{link}\n"
            EmailMessage(one_line(subject % names), text, to=[job.user.email]).send()
    except Exception as error:
        log_event(
            "mail_failed",
            level=logging.ERROR,
            job=job.pk,
            recipients=1,
            error=f"{type(error).__name__}: {error}",
        )


def remove_expired(now=None):
    """Delete the files of exports past their expiry; the jobs stay listed as expired."""
    now = now or timezone.now()
    removed = 0
    for job in ExportJob.objects.filter(state=Job.READY, expires_at__lte=now):
        default_storage.delete(job.file.name)
        ExportJob.objects.filter(pk=job.pk).update(state=Job.EXPIRED, file="")
        removed += 1
    # Parts of jobs that never got assembled (their worker vanished) go after the same time.
    stale = now - timedelta(days=settings.EXPORT_RETENTION_DAYS)
    unfinished = ExportJob.objects.filter(
        created_at__lte=stale, state__in=[Job.WAITING, Job.RUNNING]
    )
    for job in unfinished:
        _remove_parts(job)
        ExportJob.objects.filter(pk=job.pk).update(state=Job.FAILED, finished_at=now)
    if removed:
        log_event("exports_expired", removed=removed)
    return removed


@task()
def remove_expired_exports():
    return remove_expired()
