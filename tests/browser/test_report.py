"""The department report in Chromium: edit a drafted sentence so that a figure contradicts the
forms, save, and see the contradiction flagged."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_an_edited_figure_that_contradicts_the_forms_is_flagged(
    browser_page, live_server, editor, report_forms, console_errors
):
    page = browser_page
    login(page, live_server, editor)
    page.goto(f"{live_server.url}/evaluations/?year=2023")
    page.locator("[data-report-link]").click()
    expect(page.locator("#section-class_paragraphs")).to_contain_text("预算总金额 85.00万元")
    expect(page.locator("#section-class_paragraphs [data-section-flag]")).to_have_count(0)

    page.get_by_role("link", name="编辑").click()
    paragraphs = page.locator("#section-class_paragraphs")
    expect(paragraphs.locator("[data-drafted]")).to_be_visible()
    text = paragraphs.locator("textarea")
    text.fill(text.input_value().replace("85.00万元", "48.65万元", 1))
    page.get_by_role("button", name="保存草稿").click()

    expect(paragraphs.locator("[data-edited]")).to_be_visible()
    flag = paragraphs.locator("[data-section-flag]")
    expect(flag).to_have_count(1)
    expect(flag).to_contain_text("常年项目")
    expect(flag).to_contain_text("48.65万元")
    expect(flag).to_contain_text("85.00万元")
    expect(page.locator("[data-flags]")).to_contain_text("48.65万元")
    assert console_errors == []
