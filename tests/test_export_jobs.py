"""Big exports as background jobs: one task per department, then one that assembles the zip.

The suite runs tasks in the request that enqueues them (ImmediateBackend, pyproject.toml), so
these tests run the real tasks; those that look at a job half way enqueue into the dummy
backend and run the tasks themselves.
"""

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook

from departments.models import BureauMembership, Membership
from evaluations.excel import writer
from exports import jobs
from exports.models import ExportJob, ExportPart

DUMMY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
YEAR_EXPORT = "/evaluations/export/?year=2023"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_JOB_THRESHOLD = 1
    settings.EXPORT_RETRY_SECONDS = 0


@pytest.fixture
def forms(make_form, evaluation, other_department):
    """Two forms of 组织部 (the editor's), one of 党校: three forms, two departments."""
    second = make_form("人才队伍建设经费")
    theirs = make_form("基层组织建设工作经费", owner=other_department)
    return [evaluation, second, theirs]


def entries(content):
    """{name: cell values of every sheet} of a zip's workbooks, and its other files' text."""
    found = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            data = archive.read(name)
            if name.endswith(".xlsx"):
                book = load_workbook(io.BytesIO(data))
                found[name] = {
                    ws.title: [list(row) for row in ws.iter_rows(values_only=True)]
                    for ws in book.worksheets
                }
            else:
                found[name] = data.decode("utf-8-sig")
    return found


def downloaded(client, job):
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_an_export_up_to_the_threshold_is_sent_at_once(client_for, reviewer, forms, settings):
    settings.EXPORT_JOB_THRESHOLD = 3
    response = client_for(reviewer).get(YEAR_EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert not ExportJob.objects.exists()


def test_a_bigger_export_becomes_a_job_and_opens_its_page(client_for, reviewer, forms):
    response = client_for(reviewer).get(YEAR_EXPORT)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{job.pk}/"
    assert (job.user, job.kind, job.params, job.forms, job.total) == (
        reviewer,
        "year",
        {"year": 2023},
        3,
        2,
    )
    assert job.state == ExportJob.State.READY


def test_the_jobs_zip_holds_the_same_workbooks_as_the_instant_download(
    client_for, reviewer, forms, settings
):
    client = client_for(reviewer)
    settings.EXPORT_JOB_THRESHOLD = 500
    instant = entries(b"".join(client.get(YEAR_EXPORT).streaming_content))
    settings.EXPORT_JOB_THRESHOLD = 1
    client.get(YEAR_EXPORT)
    job = ExportJob.objects.get()
    assert (job.done, job.total) == (2, 2)
    assert set(job.parts.values_list("state", flat=True)) == {ExportPart.State.DONE}
    assert entries(downloaded(client, job)) == instant
    assert len(instant) == 3  # two departments' workbooks and 汇总表.xlsx


def test_the_same_export_asked_for_while_it_is_prepared_is_the_same_job(
    client_for, reviewer, forms, settings
):
    settings.TASKS = DUMMY
    client = client_for(reviewer)
    first = client.get(YEAR_EXPORT)
    second = client.get(YEAR_EXPORT)
    assert first["Location"] == second["Location"]
    assert ExportJob.objects.count() == 1


def test_the_review_queues_selection_becomes_a_job_of_that_selection(
    client_for, reviewer, forms, settings
):
    settings.EXPORT_JOB_THRESHOLD = 0
    client = client_for(reviewer)
    client.get("/review/export/?year=2023&state=&q=培训")
    job = ExportJob.objects.get()
    assert job.kind == "queue"
    assert job.total == 1
    summary = entries(downloaded(client, job))[writer.SUMMARY_NAME]["汇总表"]
    assert {row[1] for row in summary[2:]} == {"党员教育培训经费"}


@pytest.fixture
def failing(monkeypatch, other_department):
    """Writing 党校's workbook raises the first `times` times."""
    calls = []
    write = writer.write_department

    def make(times):
        def flaky(evaluations, department, target, summary):
            if department == other_department:
                calls.append(department)
                if len(calls) <= times:
                    raise OSError("disk full")
            write(evaluations, department, target, summary)

        monkeypatch.setattr(writer, "write_department", flaky)
        return calls

    return make


def test_a_department_that_fails_once_is_tried_again_and_exported(
    client_for, reviewer, forms, failing
):
    calls = failing(times=1)
    client = client_for(reviewer)
    client.get(YEAR_EXPORT)
    job = ExportJob.objects.get()
    assert len(calls) == 2
    assert job.parts.get(department=forms[2].project.department).attempts == 2
    found = entries(downloaded(client, job))
    assert jobs.NOTE_NAME not in found
    assert len(found) == 3


def test_a_department_that_keeps_failing_is_reported_and_the_others_exported(
    client_for, reviewer, forms, failing, settings
):
    calls = failing(times=99)
    client = client_for(reviewer)
    client.get(YEAR_EXPORT)
    job = ExportJob.objects.get()
    assert len(calls) == settings.EXPORT_ATTEMPTS
    part = job.parts.get(department=forms[2].project.department)
    assert (part.state, part.failure) == (ExportPart.State.FAILED, ExportPart.Failure.ERROR)
    assert "disk full" in part.error
    assert job.state == ExportJob.State.READY
    found = entries(downloaded(client, job))
    department = forms[2].project.department
    assert f"{department.code} {department.name}" in found[jobs.NOTE_NAME]
    summary = found[writer.SUMMARY_NAME]["汇总表"]
    assert {row[1] for row in summary[2:]} == {"党员教育培训经费", "人才队伍建设经费"}
    status = client.get(f"/exports/{job.pk}/status/").json()
    assert status["failed"] == [
        f"{department.code} {department.name}: {part.get_failure_display()}"
    ]
    assert department.name in client.get(f"/exports/{job.pk}/").content.decode()


def test_the_progress_says_how_many_departments_are_done(client_for, reviewer, forms, settings):
    settings.TASKS = DUMMY
    client = client_for(reviewer)
    client.get(YEAR_EXPORT)
    job = ExportJob.objects.get()
    url = f"/exports/{job.pk}/status/"
    assert client.get(url).json() | {"label": None} == {
        "state": "waiting",
        "label": None,
        "done": 0,
        "total": 2,
        "percent": 0,
        "finished": False,
        "failed": [],
        "download": None,
    }
    first, second = job.parts.all()
    jobs.export_department.call(first.pk)
    assert client.get(url).json()["percent"] == 50
    jobs.export_department.call(second.pk)
    jobs.assemble_export.call(job.pk)
    status = client.get(url).json()
    assert (status["done"], status["percent"], status["state"]) == (2, 100, "ready")
    assert status["download"] == f"/exports/{job.pk}/download/"


def test_a_department_the_user_no_longer_sees_when_its_task_runs_is_left_out(
    client_for, editor, viewer, forms, settings, department
):
    settings.TASKS = DUMMY
    client = client_for(viewer)
    # The viewer also reads 党校's forms, until the task runs.
    Membership.objects.create(
        user=viewer, department=forms[2].project.department, role=Membership.Role.VIEWER
    )
    client.get(YEAR_EXPORT)
    job = ExportJob.objects.get()
    Membership.objects.filter(user=viewer, department=forms[2].project.department).delete()
    for part in job.parts.all():
        jobs.export_department.call(part.pk)
    jobs.assemble_export.call(job.pk)
    part = job.parts.get(department=forms[2].project.department)
    assert part.failure == ExportPart.Failure.NO_ACCESS
    found = entries(downloaded(client, job))
    assert forms[2].project.department.name not in "".join(found)  # no workbook of theirs
    summary = found[writer.SUMMARY_NAME]["汇总表"]
    assert {row[1] for row in summary[2:]} == {"党员教育培训经费", "人才队伍建设经费"}


@pytest.fixture
def ready(client_for, reviewer, forms):
    client_for(reviewer).get(YEAR_EXPORT)
    return ExportJob.objects.get()


def test_the_downloads_list_shows_only_ones_own_exports(
    client_for, reviewer, other_reviewer, ready
):
    assert (
        f"/exports/{ready.pk}/download/" in client_for(reviewer).get("/exports/").content.decode()
    )
    theirs = client_for(other_reviewer).get("/exports/").content.decode()
    assert f"/exports/{ready.pk}/" not in theirs
    assert ready.title not in theirs


@pytest.mark.parametrize("persona", ["editor", "other_reviewer", "admin_user"])
@pytest.mark.parametrize("page", ["", "status/", "download/"])
def test_an_export_is_nobody_elses(request, client_for, ready, persona, page):
    client = client_for(request.getfixturevalue(persona))
    response = client.get(f"/exports/{ready.pk}/{page}")
    assert response.status_code == 404
    assert not response.has_header("Content-Disposition")


def test_a_download_is_refused_once_the_user_lost_a_department_it_holds(
    client_for, reviewer, ready
):
    client = client_for(reviewer)
    BureauMembership.objects.filter(user=reviewer).delete()
    response = client.get(f"/exports/{ready.pk}/download/")
    assert response.status_code == 403
    assert not response.has_header("Content-Disposition")
    assert "不再" in response.content.decode()


def test_expired_exports_are_removed_and_no_longer_downloaded(client_for, reviewer, ready):
    stored = ready.file.name
    assert default_storage.exists(stored)
    ExportJob.objects.filter(pk=ready.pk).update(expires_at=timezone.now() - timedelta(hours=1))
    call_command("remove_expired_exports", stdout=io.StringIO())
    ready.refresh_from_db()
    assert ready.state == ExportJob.State.EXPIRED
    assert not default_storage.exists(stored)
    assert client_for(reviewer).get(f"/exports/{ready.pk}/download/").status_code == 404


def test_a_job_kept_until_its_expiry_is_not_removed(ready):
    jobs.remove_expired()
    ready.refresh_from_db()
    assert ready.state == ExportJob.State.READY
    assert ready.expires_at - ready.finished_at == timedelta(days=7)
    assert default_storage.exists(ready.file.name)


def test_the_part_files_are_gone_once_the_zip_is_made(ready):
    assert not default_storage.exists(f"{jobs.PARTS}/{ready.pk}/0.zip")
    assert set(ready.parts.values_list("file", flat=True)) == {""}


def test_the_user_is_mailed_when_the_export_is_ready(reviewer, ready, mailoutbox):
    (mail,) = mailoutbox
    assert mail.to == [reviewer.email]
    assert ready.title in mail.subject
    assert f"/exports/{ready.pk}/" in mail.body


def test_a_ready_export_is_an_event_until_its_page_is_opened(client_for, editor, forms):
    client = client_for(editor)
    client.get(YEAR_EXPORT)
    job = ExportJob.objects.get()
    page = client.get("/evaluations/?year=2023").content.decode()
    assert f'data-ready-export="{job.pk}"' in page
    client.get(f"/exports/{job.pk}/")
    page = client.get("/evaluations/?year=2023").content.decode()
    assert "data-ready-export" not in page


def test_a_ready_export_is_an_event_on_the_review_queue_too(client_for, reviewer, ready):
    page = client_for(reviewer).get("/review/?year=2023&state=").content.decode()
    assert f'data-ready-export="{ready.pk}"' in page


def test_a_link_to_a_big_export_opens_a_page_instead_of_downloading(
    client_for, reviewer, editor, forms, settings
):
    queue = client_for(reviewer).get("/review/?year=2023&state=").content.decode()
    assert "data-export-count" not in queue
    settings.EXPORT_JOB_THRESHOLD = 500
    queue = client_for(reviewer).get("/review/?year=2023&state=").content.decode()
    assert "data-export-count" in queue
