import zipfile

from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from evaluations.excel import writer
from tests.browser.conftest import login


def run_worker():
    """A database worker in this process: every task waiting, then it stops."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="browser-test",
        excluded_queue_names=[],
    ).run()


def test_a_big_export_shows_its_progress_without_reloading_and_is_downloaded(
    browser_page,
    live_server,
    reviewer,
    make_form,
    evaluation,
    other_department,
    settings,
    tmp_path,
    console_errors,
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.EXPORT_JOB_THRESHOLD = 1
    settings.MEDIA_ROOT = tmp_path / "media"
    make_form("基层组织建设工作经费", owner=other_department)
    page = browser_page
    login(page, live_server, reviewer)
    page.goto(f"{live_server.url}/review/?year=2023&state=")
    link = page.locator('a[href^="/review/export/"]')
    assert link.get_attribute("download") is None  # it opens the job's page
    link.click()

    page.wait_for_url("**/exports/*/")
    box = page.locator("#export-job")
    expect(box.locator("[data-export-done]")).to_have_text("0")
    expect(box.locator("[data-export-download]")).to_be_hidden()
    page.evaluate("window.stayedOnThePage = true")

    run_worker()

    expect(box.locator("[data-export-percent]")).to_have_text("100")
    expect(box.locator("[data-export-done]")).to_have_text("2")
    assert page.locator("#export-progress").evaluate("bar => bar.value") == 2
    assert page.evaluate("window.stayedOnThePage") is True
    with page.expect_download() as download:
        box.locator("[data-export-download]").click()
    assert download.value.suggested_filename == "部门预算项目支出绩效自评表（2023）.zip"
    saved = tmp_path / "export.zip"
    download.value.save_as(saved)
    with zipfile.ZipFile(saved) as archive:
        assert writer.SUMMARY_NAME in archive.namelist()
        assert len(archive.namelist()) == 3

    page.get_by_role("link", name="下载", exact=True).first.click()
    expect(page.locator("[data-export-jobs]")).to_contain_text("已完成")
    assert console_errors == []
