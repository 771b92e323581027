"""Two-level review in Chromium: a 二级单位 submits, its 主管部门 returns it, the unit fixes it, the
主管部门 passes it on, the finance bureau approves."""

import re

import pytest
from playwright.sync_api import expect

from evaluations.models import Evaluation, Transition
from tests.browser.conftest import login

pytestmark = pytest.mark.browser


def test_a_units_form_goes_through_its_supervisor_then_finance(
    browser_page,
    live_server,
    make_form,
    unit,
    unit_editor,
    supervisor,
    reviewer,
    two_levels,
    console_errors,
):
    page = browser_page
    form = make_form("老干部队伍建设经费", owner=unit)
    edit_url = f"{live_server.url}/evaluations/{form.pk}/edit/"
    review_url = f"{live_server.url}/evaluations/{form.pk}/review/"

    login(page, live_server, unit_editor)
    page.goto(edit_url)
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".badge.state-supervisor").first).to_be_visible()

    # The finance reviewer sees it waiting at the 主管部门, with nothing to decide yet.
    login(page, live_server, reviewer)
    page.goto(review_url)
    expect(page.locator("[data-nothing-to-decide]")).to_contain_text("主管部门")

    # The 主管部门 finds it in its queue and returns it.
    login(page, live_server, supervisor)
    expect(page.locator("[data-queue]")).to_contain_text("老干部队伍建设经费")
    page.locator("[data-queue]").get_by_role("link", name="老干部队伍建设经费").click()
    page.get_by_label("审核意见", exact=True).fill("请补充实际完成情况。")
    page.get_by_role("button", name="退回修改").click()
    page.wait_for_url(re.compile(r"/review/"))

    # The unit fixes it and submits again: it goes to the 主管部门 again.
    login(page, live_server, unit_editor)
    page.goto(edit_url)
    page.locator("#id_achieved").fill("全部完成，老干部活动按计划开展。")
    page.get_by_role("button", name="提交审核").click()
    expect(page.locator(".badge.state-supervisor").first).to_be_visible()

    login(page, live_server, supervisor)
    page.goto(review_url)
    page.get_by_role("button", name="通过，报财政局").click()
    page.wait_for_url(re.compile(r"/review/"))

    # The finance queue shows that the 主管部门 passed it, and the reviewer approves.
    login(page, live_server, reviewer)
    expect(page.locator("[data-queue] [data-passed]")).to_have_count(1)
    page.goto(review_url)
    page.get_by_role("button", name="审核通过").click()
    page.wait_for_url(re.compile(r"/review/"))

    assert Evaluation.objects.get(pk=form.pk).state == Evaluation.State.APPROVED
    assert list(Transition.objects.values_list("step", flat=True)) == [
        "submit_to_supervisor",
        "return_by_supervisor",
        "submit_to_supervisor",
        "pass_on",
        "approve",
    ]
    assert console_errors == []
