"""The scores of a scored layout follow what is typed on the edit page, by the year's rules."""

from playwright.sync_api import expect

from departments.models import Membership
from tests.browser.conftest import login
from tests.conftest import make_user


def edit(page, live_server, evaluation):
    user = make_user(f"editor-{evaluation.pk}")
    Membership.objects.create(
        user=user, department=evaluation.project.department, role=Membership.Role.EDITOR
    )
    login(page, live_server, user)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/edit/")


def test_a_new_actual_updates_the_computed_score_the_total_and_the_grade_live(
    browser_page, live_server, example_form, console_errors
):
    evaluation = example_form("sichuan")
    page = browser_page
    edit(page, live_server, evaluation)
    expect(page.locator("[data-total-score]")).to_have_text("100.00")
    expect(page.locator("[data-grade]")).to_have_text("优")

    # 购买安可电脑台数: ≥ 13 台, 30 points; 6.5 of 13 computes 15.00.
    row = page.locator("[data-row]").first
    row.get_by_label("完成值").fill("6.5")
    expect(row.locator("[data-computed-value]")).to_have_text("15.00")
    # The entered score stays as it is until the user takes the computed one.
    expect(row.get_by_label("得分")).to_have_value("30")
    expect(page.locator("[data-total-score]")).to_have_text("100.00")
    row.locator("[data-use-computed]").click()
    expect(row.get_by_label("得分")).to_have_value("15.00")
    expect(page.locator("[data-total-score]")).to_have_text("85.00")
    expect(page.locator("[data-grade]")).to_have_text("良")

    # The weights add up in the 合计 row.
    row.get_by_label("权重").fill("20")
    expect(page.locator("[data-total-weight]")).to_have_text("90.00")
    assert console_errors == []


def test_the_budget_score_follows_the_funds(browser_page, live_server, example_form):
    evaluation = example_form("sichuan")
    page = browser_page
    edit(page, live_server, evaluation)
    reason_needed = page.locator("[data-execution-reason-needed]")
    expect(reason_needed).to_be_hidden()
    expect(page.locator("[data-budget-score]")).to_have_text("10.00")

    # 3.36 budgeted, 2.52 executed: 75%, 7.50 of 10 points, and a reason is needed under 90%.
    page.get_by_label("财政资金 预算执行数").fill("2.52")
    expect(page.locator('[data-total="rate"]')).to_have_text("75.00%")
    expect(page.locator("[data-budget-score]")).to_have_text("7.50")
    expect(page.locator("[data-total-score]")).to_have_text("97.50")
    expect(reason_needed).to_be_visible()

    # More executed than budgeted scores no more than the weight.
    page.get_by_label("财政资金 预算执行数").fill("5.04")
    expect(page.locator('[data-total="rate"]')).to_have_text("150.00%")
    expect(page.locator("[data-budget-score]")).to_have_text("10.00")
    expect(reason_needed).to_be_hidden()


def test_a_national_row_removed_no_longer_counts(browser_page, live_server, example_form):
    evaluation = example_form("national")
    page = browser_page
    edit(page, live_server, evaluation)
    expect(page.locator("[data-total-weight]")).to_have_text("100.00")
    row = page.locator("[data-row]").first
    row.get_by_label("删除此行").check()
    expect(page.locator("[data-total-weight]")).to_have_text("90.00")
    expect(page.locator("[data-total-score]")).to_have_text("90.00")
    row.locator("[data-undo-remove]").click()
    expect(page.locator("[data-total-score]")).to_have_text("100.00")
