"""The whole review cycle in Chromium: submit, return with a pinned comment, fix, resubmit,
approve, and the department sees its form approved and read-only."""

import re

import pytest
from playwright.sync_api import expect

from evaluations.models import Evaluation, Transition
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_a_form_goes_round_the_whole_review_cycle(
    browser_page, live_server, editor, reviewer, evaluation, console_errors
):
    page = browser_page
    row = evaluation.indicators.get(completion_rate="52.37")
    edit_url = f"{live_server.url}/evaluations/{evaluation.pk}/edit/"

    # The editor sees the flags before submitting, then submits.
    login(page, live_server, editor)
    page.goto(edit_url)
    expect(page.locator("[data-flags] li")).to_have_count(2)
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".badge.state-submitted").first).to_be_visible()
    expect(page.get_by_role("button", name="撤回")).to_be_visible()

    # The reviewer finds it in the queue and returns it with a comment pinned to the 52.37% row.
    login(page, live_server, reviewer)
    expect(page.locator("[data-queue]")).to_contain_text("党员教育培训经费")
    page.locator("[data-queue]").get_by_role("link", name="党员教育培训经费").click()
    expect(page.locator("[data-flag-count]")).to_have_text("2")
    page.get_by_label("审核意见", exact=True).fill("请补充未完成原因。")
    pin = page.locator(f'details[data-pin="pin-indicator-{row.pk}"]')
    pin.locator("summary").click()
    pin.locator("textarea").fill("完成率 52.37%，请说明原因和改进措施。")
    page.get_by_role("button", name="退回修改").click()
    page.wait_for_url(re.compile(r"/review/"))

    # The editor reads the comment beside that row, fixes it and submits again.
    login(page, live_server, editor)
    page.goto(edit_url)
    pinned_row = page.locator(f"#indicator-{row.pk}")
    expect(pinned_row.locator(".pinned-comment")).to_contain_text("请说明原因和改进措施")
    expect(page.locator(".pinned-comment")).to_have_count(1)
    expect(page.locator("#returned-comment")).to_contain_text("请补充未完成原因。")
    pinned_row.locator('textarea[name$="-reason"]').fill("部分培训因故延至下年度开展。")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".badge.state-submitted").first).to_be_visible()

    # The reviewer sees what changed, that the pinned row was changed, and approves.
    login(page, live_server, reviewer)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/review/")
    changes = page.locator("#changes")
    expect(changes.locator('[data-pin-status="changed"]')).to_have_count(1)
    expect(changes.locator("[data-changed-row]")).to_contain_text("部分培训因故延至下年度开展。")
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_url(re.compile(r"/review/"))

    # The editor sees the form approved and read-only.
    login(page, live_server, editor)
    page.goto(edit_url)
    page.wait_for_url(re.compile(rf"/evaluations/{evaluation.pk}/$"))
    expect(page.locator(".badge.state-approved").first).to_be_visible()
    expect(page.get_by_role("button", name="提交审核")).to_have_count(0)
    expect(page.get_by_role("button", name="撤回")).to_have_count(0)
    expect(page.locator("#history [data-history] > li")).to_have_count(4)

    assert Evaluation.objects.get(pk=evaluation.pk).state == Evaluation.State.APPROVED
    assert list(Transition.objects.values_list("to_state", flat=True)) == [
        "submitted",
        "returned",
        "submitted",
        "approved",
    ]
    assert console_errors == []


def test_the_overview_draws_its_charts(
    browser_page, live_server, reviewer, evaluation, console_errors
):
    page = browser_page
    login(page, live_server, reviewer)
    page.goto(f"{live_server.url}/review/overview/")
    for chart in ("#progress-chart", "#rates-chart"):
        expect(page.locator(chart)).to_be_visible()
        # Chart.js keeps the chart it drew on the canvas; nothing drawn means no chart.
        assert page.evaluate(f"Chart.getChart(document.querySelector('{chart}')) !== undefined")
    assert console_errors == []
