from decimal import Decimal

from playwright.sync_api import expect

from evaluations.models import Evaluation
from tests.browser.conftest import login


def section(page, level2):
    return page.locator("[data-section]").filter(
        has=page.get_by_role("heading", name=level2, exact=False)
    )


def test_an_editor_adds_rows_in_two_groups_sees_live_totals_saves_and_reopens(
    browser_page, live_server, editor, evaluation
):
    page = browser_page
    login(page, live_server, editor)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/edit/")

    # The funds block adds up as the user types: 30 本级 + 10 上级.
    page.get_by_label("上级财政资金 全年预算数").fill("10")
    page.get_by_label("上级财政资金 实际完成数").fill("5")
    expect(page.locator('[data-total="budget"]')).to_have_text("40.00")
    expect(page.locator('[data-total="actual"]')).to_have_text("20.71")
    expect(page.locator('[data-total="rate"]')).to_have_text("51.78%")

    quantity = section(page, "数量指标")
    quantity.locator("[data-add-row]").click()
    quantity.get_by_label("三级指标").last.fill("新增培训班次")
    quantity.get_by_label("年度设定指标值").last.fill("30 万元")
    quantity.get_by_label("实际完成值").last.fill("15.71 万元")
    suggestion = quantity.locator("[data-suggestion]").last
    expect(suggestion).to_be_visible()
    expect(suggestion.locator("[data-suggested-value]")).to_have_text("52.37")
    suggestion.locator("[data-use-suggestion]").click()
    expect(quantity.get_by_label("完成率（%）").last).to_have_value("52.37")
    quantity.get_by_label("未完成原因和改进措施").last.fill("部分培训延至下年度")

    satisfaction = section(page, "满意度指标")
    satisfaction.locator("[data-add-row]").click()
    satisfaction.get_by_label("三级指标").last.fill("学员满意度")
    satisfaction.get_by_label("年度设定指标值").last.fill("≥90%")
    satisfaction.get_by_label("实际完成值").last.fill("95%")
    expect(satisfaction.locator("[data-suggested-value]").last).to_have_text("100.00")
    # Moved above the existing 满意度 row.
    satisfaction.locator('[data-move="up"]').last.click()

    page.locator('button[value="save"]').click()
    expect(page.locator(".alert-success")).to_be_visible()

    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/edit/")
    expect(page.locator('[data-total="budget"]')).to_have_text("40.00")
    expect(section(page, "数量指标").get_by_label("三级指标").last).to_have_value("新增培训班次")
    expect(section(page, "满意度指标").get_by_label("三级指标").first).to_have_value("学员满意度")

    saved = Evaluation.objects.get(pk=evaluation.pk)
    added = saved.indicators.get(name="新增培训班次")
    assert added.category.name == "数量指标"
    assert added.completion_rate == Decimal("52.37")
    satisfaction_rows = [row.name for row in saved.indicators.filter(category__name="满意度指标")]
    assert satisfaction_rows[0] == "学员满意度"
    assert saved.fund_lines.get(source__name="上级财政资金").budget == Decimal("10")


def test_the_suggestion_shows_only_while_the_rate_differs_from_it(
    browser_page, live_server, editor, evaluation
):
    page = browser_page
    login(page, live_server, editor)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/edit/")
    row = section(page, "经济成本指标").locator("[data-row]").first
    rate = row.get_by_label("完成率（%）")
    suggestion = row.locator("[data-suggestion]")

    expect(rate).to_have_value("52.37")
    expect(suggestion).to_be_hidden()
    rate.fill("50")
    expect(suggestion).to_be_visible()
    expect(suggestion.locator("[data-suggested-value]")).to_have_text("52.37")
    suggestion.locator("[data-use-suggestion]").click()
    expect(rate).to_have_value("52.37")
    expect(suggestion).to_be_hidden()
    rate.fill("５２．３７％")
    expect(suggestion).to_be_hidden()


def test_the_column_headers_of_every_indicator_section_line_up(
    browser_page, live_server, editor, evaluation
):
    page = browser_page
    login(page, live_server, editor)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/edit/")
    # Sections with rows and empty ones (社会成本指标 has none): each header cell starts where
    # the same column starts in every other section.
    starts = page.locator(".indicator-table thead tr").evaluate_all(
        "rows => rows.map(row => [...row.cells].map("
        "cell => Math.round(cell.getBoundingClientRect().left)))"
    )
    assert len(starts) > 5
    assert all(row == starts[0] for row in starts), starts
