import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from playwright.sync_api import expect

from evaluations.forms import AmountField, PercentField
from evaluations.models import Evaluation, Indicator
from evaluations.templatetags.evaluation_tags import amount
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


def edit_page(page, live_server, user, evaluation):
    login(page, live_server, user)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/edit/")


def test_after_a_failed_save_focus_is_on_the_first_error_and_each_link_leads_to_its_entry(
    browser_page, live_server, editor, evaluation, console_errors
):
    page = browser_page
    edit_page(page, live_server, editor, evaluation)
    quantity = section(page, "数量指标")
    page.get_by_label("上级财政资金 全年预算数").fill("十二")
    quantity.get_by_label("完成率（%）").nth(1).fill("百分之百")
    page.locator('button[value="save"]').click()

    summary = page.locator("[data-error-summary]")
    expect(summary.get_by_role("link")).to_have_count(2)
    expect(page.get_by_label("上级财政资金 全年预算数")).to_be_focused()
    expect(page.locator("[data-ready]")).to_have_count(0)
    summary.get_by_role("link").nth(1).click()
    expect(section(page, "数量指标").get_by_label("完成率（%）").nth(1)).to_be_focused()
    # The refused save itself is answered 400, which Chromium logs; nothing else may be.
    assert [error for error in console_errors if "status of 400" not in error] == []


# Typed values the server reads or refuses; the page must judge each as the server does.
AMOUNTS = [
    "12", "11.97", "1,234.5", "１２．５", " 0 ", "0.000001", "", "abc", "十二", "12万", "-3",
    "-0", "-0.5", "1.0000001", "0.0000000", "100000000", "99999999.999999", "99999999.9999999",
    "1e3", "1e400", "1e-7", "1e999999999999", ".5", "5.", "+5", "NaN", "Infinity", "1_000",
    "١٢", "1 000", "1\u00a0000", "1,2,3", "0x10", "12.3.4",
]  # fmt: skip
PERCENTS = [
    "100", "52.37", "52.37%", "100%", "１００％", "abc", "百分之百", "-1", "-0", "10000",
    "10000.001", "10001", "1e4", "1e5", "NaN", "Infinity", "1_0", "1,000", "50%%", "%", "",
    " 7 ", "0.005", ".5e1",
]  # fmt: skip


def verdict(field, typed):
    """What the server says of `typed`: (value, None) or (None, message)."""
    try:
        return field.clean(typed), None
    except ValidationError as error:
        return None, error.messages[0]


def marking(page, field):
    """What the page says of a field: its message, or None when it is not marked invalid."""
    invalid = "is-invalid" in (field.get_attribute("class") or "")
    feedback = page.locator(f"#{field.get_attribute('id')}_error")
    if not invalid:
        expect(feedback).to_have_count(0)
        return None
    assert field.get_attribute("aria-invalid") == "true"
    expect(feedback).to_be_visible()
    return feedback.inner_text()


def test_the_page_judges_every_amount_as_the_server_does(
    browser_page, live_server, editor, evaluation
):
    page = browser_page
    edit_page(page, live_server, editor, evaluation)
    field = page.get_by_label("上级财政资金 全年预算数")
    for typed in AMOUNTS:
        field.fill(typed)
        value, message = verdict(AmountField(), typed)
        assert marking(page, field) == message, typed
        total = page.locator('[data-total="budget"]')
        # 本级财政资金 has 30 of budget; a refused amount is left out, visibly.
        expect(total).to_have_text("—" if message else amount(Decimal(30) + (value or 0)))


def test_the_page_judges_every_completion_rate_as_the_server_does(
    browser_page, live_server, editor, evaluation
):
    page = browser_page
    edit_page(page, live_server, editor, evaluation)
    field = section(page, "数量指标").get_by_label("完成率（%）").first
    for typed in PERCENTS:
        field.fill(typed)
        assert marking(page, field) == verdict(PercentField(), typed)[1], typed


def test_a_refused_amount_is_marked_at_once_and_the_totals_say_so(
    browser_page, live_server, editor, evaluation
):
    page = browser_page
    edit_page(page, live_server, editor, evaluation)
    field = page.get_by_label("本级财政资金 实际完成数")
    field.fill("abc")
    expect(field).to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator(f"#{field.get_attribute('id')}_error")).to_have_text(
        "请输入以万元为单位的数字，例如 12、11.97 或 1,234.5。"
    )
    expect(page.locator('[data-total="actual"]')).to_have_text("—")
    expect(page.locator('[data-total="rate"]')).to_have_text("—")
    expect(page.locator("[data-fund-row]").nth(1).locator("[data-rate]")).to_have_text("—")
    expect(page.locator('[data-total="budget"]')).to_have_text("30.00")

    field.fill("15.71")
    expect(field).not_to_have_class(re.compile(r"\bis-invalid\b"))
    expect(page.locator('[data-total="actual"]')).to_have_text("15.71")
    expect(page.locator('[data-total="rate"]')).to_have_text("52.37%")


def test_a_removed_row_stays_visible_and_undo_brings_it_back(
    browser_page, live_server, editor, evaluation, console_errors
):
    page = browser_page
    edit_page(page, live_server, editor, evaluation)
    first, second, third = evaluation.indicators.filter(category__name="数量指标")
    rows = section(page, "数量指标").locator("[data-row]")

    rows.nth(1).get_by_label("删除此行").check()
    expect(rows.nth(1)).to_be_visible()
    expect(rows.nth(1)).to_have_class(re.compile(r"\bis-removed\b"))
    expect(rows.nth(1).get_by_label("三级指标")).not_to_be_editable()
    undo = rows.nth(1).get_by_role("button", name="撤销")
    expect(undo).to_be_focused()
    undo.click()
    expect(rows.nth(1)).not_to_have_class(re.compile(r"\bis-removed\b"))
    expect(rows.nth(1).get_by_label("删除此行")).not_to_be_checked()
    expect(rows.nth(1).get_by_label("三级指标")).to_be_editable()

    # Undone, the row is kept; removed again, it is deleted; other edits are saved with it.
    rows.nth(0).get_by_label("三级指标").fill("改名的第一行")
    rows.nth(2).get_by_label("删除此行").check()
    page.locator('button[value="save"]').click()
    expect(page.locator(".alert-success")).to_be_visible()
    names = list(
        Evaluation.objects.get(pk=evaluation.pk)
        .indicators.filter(category__name="数量指标")
        .values_list("name", flat=True)
    )
    assert names == ["改名的第一行", second.name]
    assert third.name not in names
    assert console_errors == []


def test_a_check_link_highlights_the_row_it_leads_to(browser_page, live_server, editor, evaluation):
    first, second = evaluation.indicators.filter(category__name="数量指标")[:2]
    Indicator.objects.filter(pk=second.pk).update(actual="")
    page = browser_page
    edit_page(page, live_server, editor, evaluation)

    def look(row):
        return page.locator(f"#indicator-{row.pk} > td").first.evaluate(
            "cell => getComputedStyle(cell).boxShadow + getComputedStyle(cell).backgroundColor"
        )

    before = look(second)
    page.locator("[data-problems]").get_by_role("link", name=second.name).click()
    expect(page.locator(f"#indicator-{second.pk}")).to_be_in_viewport()
    assert look(second) != before
    assert look(first) == before


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
