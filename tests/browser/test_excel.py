import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from evaluations.models import Evaluation
from tests.browser.conftest import login


def test_an_editor_downloads_a_form_edits_it_in_excel_and_imports_it_through_the_preview(
    browser_page, live_server, editor, department, evaluation, tmp_path
):
    page = browser_page
    login(page, live_server, editor)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/")

    with page.expect_download() as download:
        page.locator(f'a[href="/evaluations/{evaluation.pk}/excel/"]').click()
    assert download.value.suggested_filename == "党员教育培训经费（2023）.xlsx"
    downloaded = tmp_path / "downloaded.xlsx"
    download.value.save_as(downloaded)
    workbook = load_workbook(downloaded)
    sheet = workbook.active
    assert sheet["D3"].value == "党员教育培训经费"
    sheet["F12"] = "全部完成，培训延至下年度的部分已安排"
    sheet["F19"] = "18 万元"
    sheet["G19"] = "60%"
    edited = tmp_path / "党员教育培训经费.xlsx"
    workbook.save(edited)

    page.goto(f"{live_server.url}/evaluations/import/?department={department.pk}")
    page.locator('input[type="file"]').set_input_files(edited)
    page.locator("main form button.btn-primary").click()

    plan = page.locator("#import-plan")
    expect(plan).to_contain_text("党员教育培训经费")
    expect(plan.locator(".badge.text-bg-primary")).to_be_visible()  # updates the draft
    saved = Evaluation.objects.get(pk=evaluation.pk)
    assert saved.achieved == "已完成"  # nothing written before the confirmation

    page.locator("main form button.btn-primary").click()
    expect(page.locator(".alert-success")).to_be_visible()

    saved = Evaluation.objects.get(pk=evaluation.pk)
    row = saved.indicators.get(name="党员教育培训经费")
    assert (saved.achieved, row.actual, str(row.completion_rate)) == (
        "全部完成，培训延至下年度的部分已安排",
        "18 万元",
        "60.00",
    )


@pytest.mark.parametrize("where", ["list", "queue"])
def test_the_exporting_line_goes_away_once_the_download_has_begun(
    browser_page, live_server, editor, reviewer, department, evaluation, where
):
    page = browser_page
    if where == "list":
        login(page, live_server, editor)
        page.goto(f"{live_server.url}/evaluations/?year=2023")
        link = page.locator(f'a[href*="department={department.pk}"][data-export-count]')
    else:
        login(page, live_server, reviewer)
        page.goto(f"{live_server.url}/review/?year=2023&state=")
        link = page.locator("a[data-export-count]")
    status = page.locator("#export-status")

    with page.expect_download() as download:
        link.click()
        expect(status).to_be_visible()
    assert download.value.suggested_filename.endswith(".zip")

    expect(status).to_be_hidden()
    # The cookie the answer set is gone too: the next download waits for its own.
    assert "export_done" not in page.evaluate("document.cookie")
