"""Publication packages (a department's, the bureau's of every approved report), the report's
downloads and print view on its page, and the commands that export them."""

import io
import zipfile

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from departments.models import BureauMembership
from evaluations.models import Evaluation, Project
from exports import jobs
from exports.models import ExportJob, ExportPart
from publishing import exporters, packages, pdf
from reports import content as report_content
from reports import demo as report_demo
from reports.models import Report
from tests.printed import headings, pdf_text, word
from tests.test_headers import assert_safe_page

REPORT_NAME = "中国共产党攀枝花市西区委员会组织部2023年度部门预算绩效评价报告"


def approve(report):
    now = timezone.now()
    Report.objects.filter(pk=report.pk).update(state="approved", submitted_at=now, approved_at=now)


@pytest.fixture
def report(department, year, editor, make_form):
    """组织部's report of 2023 with two forms: 党员教育培训经费 and 人才队伍建设经费."""
    forms = [make_form(), make_form("人才队伍建设经费")]
    report_demo.classify(forms, editor)
    return report_content.open_report(department, year, editor)


@pytest.fixture
def other_report(other_department, year, editor, make_form):
    make_form("干部队伍建设经费", owner=other_department)
    return report_content.open_report(other_department, year, editor)


def unzipped(content):
    archive = zipfile.ZipFile(io.BytesIO(content))
    return {name: archive.read(name) for name in archive.namelist()}


def streamed(response):
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    return unzipped(b"".join(response.streaming_content))


def assert_opens(name, content):
    if name.endswith(".pdf"):
        assert content.startswith(b"%PDF-"), name
    elif name.endswith(".docx"):
        assert word(content).paragraphs, name
    elif name.endswith(".xlsx"):
        assert load_workbook(io.BytesIO(content)).worksheets, name


def test_a_departments_package_holds_its_report_and_each_form_as_xlsx_and_pdf(weasyprint, report):
    entries = dict(packages.department_entries(report))
    assert sorted(entries) == sorted(
        [
            f"{REPORT_NAME}.pdf",
            f"{REPORT_NAME}.docx",
            "附表/党员教育培训经费（2023）.xlsx",
            "附表/党员教育培训经费（2023）.pdf",
            "附表/人才队伍建设经费（2023）.xlsx",
            "附表/人才队伍建设经费（2023）.pdf",
        ]
    )
    for name, content in entries.items():
        assert_opens(name, content)
    assert "党员教育培训经费" in pdf_text(entries["附表/党员教育培训经费（2023）.pdf"])


def test_two_forms_whose_names_come_out_the_same_are_two_entries(weasyprint, report, make_form):
    twin = make_form("基层组织建设工作经费")
    Project.objects.filter(pk=twin.project_id).update(name="党员教育培训经费?")
    names = [name for name, _content in packages.department_entries(report)]
    assert len(names) == len(set(names)) == 8
    assert "附表/党员教育培训经费（2023） (2).pdf" in names


def test_the_bureaus_package_holds_the_approved_reports_and_names_the_others(
    weasyprint, bureau, year, report, other_report
):
    approve(report)
    approved, left_out = packages.bureau_reports(bureau, year)
    entries = dict(packages.bureau_entries(bureau, year))
    folder = f"{report.department.code} {report.department.name}/"
    assert f"{folder}{REPORT_NAME}.pdf" in entries
    assert f"{folder}附表/人才队伍建设经费（2023）.xlsx" in entries
    assert not any(other_report.department.name in name for name in entries)
    note = entries[packages.NOTE_NAME].decode("utf-8-sig")
    assert other_report.department.name in note
    assert [item.department for item in approved] == [report.department]
    assert left_out == [(other_report.department, other_report)]


def test_the_report_page_offers_its_print_view_files_and_package(client_for, viewer, report):
    page = client_for(viewer).get(reverse("report_detail", args=[report.department_id, 2023]))
    for name in (
        "report_print",
        "report_pdf_export",
        "report_docx_export",
        "report_package_export",
    ):
        assert reverse(name, args=[report.department_id, 2023]) in page.text, name


def test_the_print_view_is_the_report_with_its_forms_after_it(client_for, reviewer, report):
    page = client_for(reviewer).get(reverse("report_print", args=[report.department_id, 2023]))
    assert page.status_code == 200
    text = page.text
    assert text.index("一、部门（单位）基本情况") < text.index("附表：部门预算项目支出绩效自评表")
    assert text.index("附表：部门预算项目支出绩效自评表") < text.index('class="official-form"')
    assert text.count('class="official-form"') == 2
    assert "css/print.css" in text
    assert_safe_page(page, "report_print")


def test_the_reports_downloads_are_its_pdf_docx_and_package(
    weasyprint, client_for, reviewer, report
):
    client = client_for(reviewer)
    args = [report.department_id, 2023]
    response = client.get(reverse("report_pdf_export", args=args))
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    assert "一、部门（单位）基本情况" in pdf_text(response.content)
    response = client.get(reverse("report_docx_export", args=args))
    assert headings(word(response.content))[0] == (1, "一、部门（单位）基本情况")
    assert f"{REPORT_NAME}.docx" in streamed(
        client.get(reverse("report_package_export", args=args))
    )


def test_a_report_not_started_has_nothing_to_download_and_says_so(
    client_for, viewer, department, evaluation
):
    for name in ("report_print", "report_pdf_export", "report_package_export"):
        response = client_for(viewer).get(reverse(name, args=[department.pk, 2023]))
        assert response.status_code == 404
        assert not response.has_header("Content-Disposition")
        assert "报告" in response.content.decode() or "report" in response.content.decode()


def test_the_results_page_offers_the_bureaus_package(client_for, reviewer, bureau, evaluation):
    page = client_for(reviewer).get(reverse("results"), {"year": 2023}).text
    assert reverse("publication_package_export") in page


def test_the_bureaus_package_download(weasyprint, client_for, reviewer, bureau, report):
    url = reverse("publication_package_export")
    assert client_for(reviewer).get(url, {"year": 2023}).status_code == 404
    approve(report)
    response = client_for(reviewer).get(url, {"year": 2023, "bureau": bureau.pk})
    names = streamed(response)
    assert packages.NOTE_NAME in names
    assert any(name.endswith(f"/{REPORT_NAME}.pdf") for name in names)
    assert "filename*=utf-8''" in response["Content-Disposition"]


# The commands.


def test_export_report_writes_the_docx_or_the_pdf_its_extension_names(
    weasyprint, report, department, tmp_path
):
    out = io.StringIO()
    call_command(
        "export_report",
        department=department.code,
        year=2023,
        output=tmp_path / "r.docx",
        stdout=out,
    )
    assert headings(word((tmp_path / "r.docx").read_bytes()))[0] == (1, "一、部门（单位）基本情况")
    assert "2 forms" in out.getvalue()
    call_command(
        "export_report",
        department=department.code,
        year=2023,
        output=tmp_path / "r.pdf",
        stdout=io.StringIO(),
    )
    assert "人才队伍建设经费" in pdf_text((tmp_path / "r.pdf").read_bytes())


def test_a_draft_exports_with_its_flags_listed(
    weasyprint, department, year, editor, report_forms, tmp_path
):
    report_demo.load(department, year, editor)
    out = io.StringIO()
    call_command(
        "export_report",
        department=department.code,
        year=2023,
        output=tmp_path / "r.docx",
        stdout=out,
    )
    text = out.getvalue()
    assert "draft" in text
    assert "flags:" in text
    assert "48.65" in text
    assert (tmp_path / "r.docx").exists()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"department": "nope", "year": 2023}, "There is no department with the code nope."),
        ({"year": 1999}, "There is no year 1999."),
        ({"output": "r.txt"}, "The output must be a .docx or a .pdf file"),
        ({"department": "other"}, "has no report for 2023: nothing to export"),
    ],
)
def test_export_report_says_what_is_missing_and_writes_nothing(
    report, department, other_department, tmp_path, arguments, message
):
    given = {"department": department.code, "year": 2023, "output": "r.pdf", **arguments}
    if given["department"] == "other":
        given["department"] = other_department.code
    given["output"] = tmp_path / given["output"]
    with pytest.raises(CommandError, match=message.replace(".", r"\.")):
        call_command("export_report", **given)
    assert list(tmp_path.iterdir()) == []


def test_export_publication_of_one_department(weasyprint, report, department, tmp_path):
    out = io.StringIO()
    target = tmp_path / "p.zip"
    call_command(
        "export_publication", year=2023, department=department.code, output=target, stdout=out
    )
    names = unzipped(target.read_bytes())
    assert f"{REPORT_NAME}.pdf" in names
    assert len(names) == 6
    assert "Exported 6 files" in out.getvalue()


def test_export_publication_of_every_bureau_lists_what_it_leaves_out(
    weasyprint, report, other_report, bureau, tmp_path
):
    target = tmp_path / "p.zip"
    with pytest.raises(CommandError, match="No department has an approved report for 2023"):
        call_command("export_publication", year=2023, output=target, stdout=io.StringIO())
    assert not target.exists()
    approve(report)
    out = io.StringIO()
    call_command("export_publication", year=2023, output=target, stdout=out)
    names = unzipped(target.read_bytes())
    folder = f"{bureau.name}2023年度绩效自评公开材料/"
    assert f"{folder}{packages.NOTE_NAME}" in names
    assert f"{folder}{report.department.code} {report.department.name}/{REPORT_NAME}.docx" in names
    assert f"Left out: {other_report.department.code}" in out.getvalue()


def test_export_publication_refuses_another_extension_and_a_missing_year(report, tmp_path):
    with pytest.raises(CommandError, match="must be a .zip file"):
        call_command("export_publication", year=2023, output=tmp_path / "p.pdf")
    with pytest.raises(CommandError, match="There is no year 1999"):
        call_command("export_publication", year=1999, output=tmp_path / "p.zip")
    assert Evaluation.objects.exists()


# Where WeasyPrint cannot start, the PDF downloads say so and everything else works.


@pytest.fixture
def without_weasyprint(monkeypatch):
    def unavailable():
        raise pdf.Unavailable("cannot load library 'libpango-1.0-0'")

    monkeypatch.setattr(pdf, "check", unavailable)


def test_without_weasyprint_the_pdf_downloads_say_so_and_the_workbook_downloads(
    without_weasyprint, client_for, reviewer, report, bureau
):
    client = client_for(reviewer)
    form = report.forms().first()
    args = [report.department_id, 2023]
    approve(report)
    for url in (
        reverse("evaluation_pdf", args=[form.pk]),
        reverse("report_pdf_export", args=args),
        reverse("report_package_export", args=args),
        reverse("publication_package_export") + "?year=2023",
    ):
        response = client.get(url)
        assert response.status_code == 503, url
        assert not response.has_header("Content-Disposition"), url
        assert "WeasyPrint" in response.content.decode(), url
    assert client.get(reverse("evaluation_excel", args=[form.pk])).status_code == 200
    assert client.get(reverse("report_docx_export", args=args)).status_code == 200


def test_without_weasyprint_the_commands_say_what_to_install(
    without_weasyprint, report, department, tmp_path
):
    for command, output in (("export_report", "r.pdf"), ("export_publication", "p.zip")):
        with pytest.raises(CommandError, match="libpango-1.0-0"):
            call_command(command, department=department.code, year=2023, output=tmp_path / output)
    assert list(tmp_path.iterdir()) == []


# A package of more than EXPORT_JOB_THRESHOLD forms is made in the background.


@pytest.fixture
def in_jobs(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EXPORT_JOB_THRESHOLD = 1
    settings.EXPORT_RETRY_SECONDS = 0


def job_zip(client, job):
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    return unzipped(b"".join(response.streaming_content))


def readable(name, content):
    """What an entry says, without the moment it was made at."""
    if name.endswith(".pdf"):
        return pdf_text(content)
    if name.endswith(".docx"):
        return [paragraph.text for paragraph in word(content).paragraphs]
    if name.endswith(".xlsx"):
        book = load_workbook(io.BytesIO(content))
        return [list(ws.iter_rows(values_only=True)) for ws in book.worksheets]
    return content


def same_entries(streamed_entries, made_entries):
    assert sorted(streamed_entries) == sorted(made_entries)
    for name, content in streamed_entries.items():
        assert readable(name, made_entries[name]) == readable(name, content), name


def test_a_departments_package_up_to_the_threshold_is_streamed(
    weasyprint, in_jobs, settings, client_for, viewer, report
):
    settings.EXPORT_JOB_THRESHOLD = 2
    url = reverse("report_package_export", args=[report.department_id, 2023])
    assert len(streamed(client_for(viewer).get(url))) == 6
    assert not ExportJob.objects.exists()


def test_a_bigger_departments_package_is_a_job_with_the_same_entries(
    weasyprint, in_jobs, settings, client_for, viewer, report
):
    client = client_for(viewer)
    url = reverse("report_package_export", args=[report.department_id, 2023])
    settings.EXPORT_JOB_THRESHOLD = 500
    instant = streamed(client.get(url))
    page = client.get(reverse("report_detail", args=[report.department_id, 2023])).text
    assert f'{url}" download>' in page
    settings.EXPORT_JOB_THRESHOLD = 1
    page = client.get(reverse("report_detail", args=[report.department_id, 2023])).text
    assert f'{url}" download>' not in page
    response = client.get(url)
    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{job.pk}/"
    assert (job.kind, job.forms, job.total, job.state) == ("department_publication", 2, 1, "ready")
    assert job.title == f"{report.department.name}2023年度绩效自评公开材料"
    same_entries(instant, job_zip(client, job))


def test_a_bureaus_package_up_to_the_threshold_is_streamed(
    weasyprint, in_jobs, settings, client_for, reviewer, bureau, report
):
    approve(report)
    settings.EXPORT_JOB_THRESHOLD = 2
    url = reverse("publication_package_export")
    assert packages.NOTE_NAME in streamed(client_for(reviewer).get(url, {"year": 2023}))
    assert not ExportJob.objects.exists()


def test_a_bigger_bureaus_package_is_a_job_with_the_same_entries(
    weasyprint, in_jobs, settings, client_for, reviewer, bureau, report, other_report
):
    approve(report)
    approve(other_report)
    client = client_for(reviewer)
    url = reverse("publication_package_export")
    query = {"year": 2023, "bureau": bureau.pk}
    link = f'{url}?bureau={bureau.pk}&year=2023" download>'
    settings.EXPORT_JOB_THRESHOLD = 500
    instant = streamed(client.get(url, query))
    assert link in client.get(reverse("results"), query).text
    settings.EXPORT_JOB_THRESHOLD = 2
    assert link not in client.get(reverse("results"), query).text
    response = client.get(url, query)
    job = ExportJob.objects.get()
    assert response["Location"] == f"/exports/{job.pk}/"
    assert (job.kind, job.params, job.forms, job.total) == ("publication", query, 3, 2)
    made = job_zip(client, job)
    same_entries(instant, made)
    assert instant[packages.NOTE_NAME] == made[packages.NOTE_NAME]


def test_a_reviewer_of_another_bureau_gets_no_package_and_no_download(
    weasyprint, in_jobs, client_for, reviewer, other_reviewer, bureau, report
):
    approve(report)
    url = reverse("publication_package_export")
    response = client_for(other_reviewer).get(url, {"year": 2023, "bureau": bureau.pk})
    assert response.status_code == 404
    assert not ExportJob.objects.exists()
    client_for(reviewer).get(url, {"year": 2023, "bureau": bureau.pk})
    job = ExportJob.objects.get()
    theirs = client_for(other_reviewer).get(f"/exports/{job.pk}/download/")
    assert theirs.status_code == 404
    assert not theirs.has_header("Content-Disposition")


def test_a_reviewer_no_longer_of_the_bureau_cannot_download_its_package(
    weasyprint, in_jobs, client_for, reviewer, bureau, report
):
    approve(report)
    client = client_for(reviewer)
    client.get(reverse("publication_package_export"), {"year": 2023, "bureau": bureau.pk})
    job = ExportJob.objects.get()
    BureauMembership.objects.filter(user=reviewer).delete()
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 403
    assert not response.has_header("Content-Disposition")


def test_a_department_whose_task_runs_after_its_reviewer_left_is_left_out(
    weasyprint, in_jobs, settings, client_for, reviewer, bureau, report, other_report
):
    approve(report)
    approve(other_report)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    client_for(reviewer).get(reverse("publication_package_export"), {"year": 2023})
    job = ExportJob.objects.get()
    BureauMembership.objects.filter(user=reviewer).delete()
    for part in job.parts.all():
        jobs.export_department.call(part.pk)
    assert set(job.parts.values_list("failure", flat=True)) == {ExportPart.Failure.NO_ACCESS}
    jobs.assemble_export.call(job.pk)
    job.refresh_from_db()
    assert job.state == ExportJob.State.FAILED


def test_a_department_that_fails_is_reported_and_the_others_packaged(
    weasyprint, in_jobs, monkeypatch, client_for, reviewer, bureau, report, other_report
):
    approve(report)
    approve(other_report)
    render = exporters.get("report-docx").render

    def failing(subject, *args):
        if subject == other_report:
            raise OSError("disk full")
        return render(subject, *args)

    monkeypatch.setattr(exporters.get("report-docx"), "render", failing)
    client = client_for(reviewer)
    client.get(reverse("publication_package_export"), {"year": 2023})
    job = ExportJob.objects.get()
    assert job.state == ExportJob.State.READY
    part = job.parts.get(department=other_report.department)
    assert (part.state, part.failure) == (ExportPart.State.FAILED, ExportPart.Failure.ERROR)
    made = job_zip(client, job)
    assert not any(other_report.department.name in name for name in made)
    assert any(name.endswith(f"/{REPORT_NAME}.docx") for name in made)
    note = made[packages.NOTE_NAME].decode("utf-8-sig")
    failed_line = f"{other_report.department.code} {other_report.department.name}（"
    assert failed_line + part.get_failure_display() in note
    assert f"{report.department.code} {report.department.name}" in note
    status = client.get(f"/exports/{job.pk}/status/").json()
    assert [line.split(":")[0] for line in status["failed"]] == [
        f"{other_report.department.code} {other_report.department.name}"
    ]
