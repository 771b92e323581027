"""The department report's review in Chromium: the department edits a drafted sentence, sees the
contradiction flagged and submits all the same; the reviewer finds the report in the queue and
returns it with a comment pinned to a section; the department reads it beside that section."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import Report
from tests.browser.conftest import login
from tests.test_report_workflow import make_report

pytestmark = pytest.mark.browser


def test_a_flagged_report_is_submitted_and_returned_with_a_comment_on_a_section(
    browser_page, live_server, editor, reviewer, report_forms, console_errors
):
    page = browser_page
    first = report_forms[0]
    # Every narrative written already: the test types only the sentence it checks.
    report = make_report(first.project.department, first.year)
    report_url = f"{live_server.url}/reports/{report.department_id}/{report.year_id}/"

    login(page, live_server, editor)
    page.goto(report_url + "edit/")
    paragraphs = page.locator("#section-class_paragraphs")
    text = paragraphs.locator("textarea")
    text.fill(text.input_value().replace("85.00万元", "48.65万元", 1))
    page.get_by_role("button", name="保存草稿").click()
    expect(paragraphs.locator("[data-section-flag]")).to_contain_text("48.65万元")

    # Flags do not stop submitting: the reviewers see them with the report.
    page.goto(report_url)
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".badge.state-submitted").first).to_be_visible()
    expect(page.get_by_role("button", name="撤回")).to_be_visible()

    login(page, live_server, reviewer)
    waiting = page.locator("[data-waiting-reports]")
    expect(waiting).to_contain_text(report.department.name)
    waiting.get_by_role("link", name="审核").click()
    expect(page.locator("[data-flags]")).to_contain_text("48.65万元")
    page.get_by_label("审核意见", exact=True).fill("请按自评表核实数据。")
    pin = page.locator('details[data-pin="pin-section-staff"]')
    pin.locator("summary").click()
    pin.locator("textarea").fill("人员概况与决算不符。")
    page.get_by_role("button", name="退回修改").click()
    page.wait_for_url(re.compile(r"/review/$"))

    login(page, live_server, editor)
    page.goto(report_url + "edit/")
    expect(page.locator("#returned-comment")).to_contain_text("请按自评表核实数据。")
    expect(page.locator("#section-staff .pinned-comment")).to_contain_text("人员概况与决算不符。")
    expect(page.locator(".pinned-comment")).to_have_count(1)

    assert Report.objects.get(pk=report.pk).state == "returned"
    assert console_errors == []
