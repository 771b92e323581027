"""Blocking checks before submitting, and review flags, on the real seed forms."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from evaluations import checks
from evaluations.models import Evaluation, FundLine, Indicator


def codes(findings):
    return [finding.code for finding in findings]


def cost_rows(evaluation):
    return evaluation.indicators.filter(category__parent__name="成本指标").order_by("position")


# Blocking checks


def test_a_complete_seed_form_has_no_blocking_problem(evaluation):
    assert checks.run(evaluation).problems == []


def test_empty_header_fields_block_submitting(evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(supervising_unit=" ", implementing_unit="")
    evaluation.refresh_from_db()
    problems = checks.run(evaluation).problems
    assert [(p.code, p.anchor) for p in problems] == [
        ("header", "id_supervising_unit"),
        ("header", "id_implementing_unit"),
    ]


def test_a_form_without_any_budget_cannot_be_submitted(evaluation):
    FundLine.objects.filter(evaluation=evaluation).update(budget=None)
    assert codes(checks.run(evaluation).problems) == ["budget"]


def test_a_budget_of_zero_is_no_budget(evaluation):
    FundLine.objects.filter(evaluation=evaluation).update(budget=0)
    assert codes(checks.run(evaluation).problems) == ["budget"]


def test_both_goal_texts_are_needed(evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(goal="", achieved="")
    evaluation.refresh_from_db()
    assert [p.anchor for p in checks.run(evaluation).problems] == ["id_goal", "id_achieved"]


def test_each_required_level1_needs_an_indicator(evaluation):
    Indicator.objects.filter(evaluation=evaluation, category__parent__name="满意度指标").delete()
    problems = checks.run(evaluation).problems
    assert codes(problems) == ["category"]
    assert "满意度指标" in problems[0].message


def test_which_level1_are_required_is_set_per_year(evaluation, year):
    Indicator.objects.filter(evaluation=evaluation, category__parent__name="满意度指标").delete()
    year.required_categories.set(year.edition.level1().exclude(name="满意度指标"))
    assert checks.run(evaluation).problems == []


def test_every_row_needs_a_name_a_target_and_an_actual(evaluation):
    row = evaluation.indicators.first()
    Indicator.objects.filter(pk=row.pk).update(target="", actual=" ")
    problems = checks.run(evaluation).problems
    assert [(p.code, p.anchor) for p in problems] == [("row", f"indicator-{row.pk}")]
    assert "年度设定指标值、实际完成值" in problems[0].message


def test_every_failure_is_listed_at_once(evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(goal="", implementing_unit="")
    FundLine.objects.filter(evaluation=evaluation).update(budget=None)
    Indicator.objects.filter(pk=evaluation.indicators.first().pk).update(name="")
    evaluation.refresh_from_db()
    assert codes(checks.run(evaluation).problems) == ["header", "budget", "goal", "row"]


def test_every_problem_links_to_a_place_on_the_edit_page(client_for, editor, evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(goal="", implementing_unit="")
    FundLine.objects.filter(evaluation=evaluation).update(budget=None)
    Indicator.objects.filter(evaluation=evaluation, category__parent__name="满意度指标").delete()
    Indicator.objects.filter(pk=evaluation.indicators.first().pk).update(target="")
    evaluation.refresh_from_db()
    page = client_for(editor).get(reverse("evaluation_edit", args=[evaluation.pk])).text
    problems = checks.run(evaluation).problems
    assert len(problems) == 5
    for problem in problems:
        assert f'href="#{problem.anchor}"' in page
        assert f'id="{problem.anchor}"' in page


# Review flags


def test_the_seed_52_percent_row_without_a_reason_is_flagged(evaluation):
    row = evaluation.indicators.get(completion_rate=Decimal("52.37"))
    flagged = [f for f in checks.run(evaluation).flags if f.code == "missing_reason"]
    assert [f.anchor for f in flagged] == [f"indicator-{row.pk}"]


def test_a_shortfall_with_a_reason_is_not_flagged(evaluation):
    Indicator.objects.filter(evaluation=evaluation, completion_rate=Decimal("52.37")).update(
        reason="部分培训延至下年度"
    )
    assert "missing_reason" not in codes(checks.run(evaluation).flags)


def test_money_mostly_unspent_while_every_result_shows_100_is_flagged(make_form):
    evaluation = make_form("到村任职选调生补助资金")
    flags = checks.run(evaluation).flags
    assert codes(flags) == ["low_execution"]
    assert "21.83%" in flags[0].message


def test_the_execution_threshold_is_set_per_year(make_form, year):
    year.execution_threshold = Decimal(20)
    year.save()
    assert checks.run(make_form("到村任职选调生补助资金")).flags == []


def test_a_result_below_100_explains_low_spending(make_form):
    evaluation = make_form("到村任职选调生补助资金")
    Indicator.objects.filter(evaluation=evaluation, category__parent__name="效益指标").update(
        completion_rate=80, reason="部分选调生提前结束任职"
    )
    assert "low_execution" not in codes(checks.run(evaluation).flags)


def test_spending_more_than_the_budget_is_flagged(evaluation):
    FundLine.objects.filter(evaluation=evaluation, source__name="本级财政资金").update(actual=31)
    FundLine.objects.filter(evaluation=evaluation, source__name="其他资金").update(actual=2)
    flags = [f for f in checks.run(evaluation).flags if f.code == "over_budget"]
    assert len(flags) == 2
    assert "本级财政资金" in flags[0].message
    assert "其他资金" in flags[1].message


def test_cost_rows_in_yuan_and_wan_that_add_up_are_not_flagged(make_form):
    # 80374 + 36414.73 元 + 21.4 万元 = 33.08 万元; 26904.8 + 36414.73 元 + 0.89 万元 = 7.22 万元.
    evaluation = make_form("到村任职选调生补助资金")
    assert "cost_mismatch" not in codes(checks.run(evaluation).flags)


def test_a_typo_in_a_cost_row_is_flagged(make_form):
    evaluation = make_form("到村任职选调生补助资金")
    Indicator.objects.filter(pk=cost_rows(evaluation)[0].pk).update(target="8037 元")
    flags = [f for f in checks.run(evaluation).flags if f.code == "cost_mismatch"]
    assert len(flags) == 1
    assert "25.85 万元" in flags[0].message
    assert "33.08 万元" in flags[0].message


def test_a_cost_row_in_yuan_off_by_less_than_a_fen_of_wan_is_not_flagged(make_form):
    evaluation = make_form("到村任职选调生补助资金")
    Indicator.objects.filter(pk=cost_rows(evaluation)[0].pk).update(target="80400 元")
    assert "cost_mismatch" not in codes(checks.run(evaluation).flags)


def test_cost_rows_not_in_money_are_left_alone(evaluation):
    Indicator.objects.filter(evaluation=evaluation, category__parent__name="成本指标").update(
        target="控制在预算内", actual="未超预算"
    )
    assert "cost_mismatch" not in codes(checks.run(evaluation).flags)


def test_the_actual_column_is_checked_against_the_actual_funds(evaluation):
    FundLine.objects.filter(evaluation=evaluation, source__name="本级财政资金").update(actual=20)
    flags = [f for f in checks.run(evaluation).flags if f.code == "cost_mismatch"]
    assert len(flags) == 1
    assert "实际完成数" in flags[0].message


def test_a_hand_entered_rate_more_than_a_point_off_the_figures_is_flagged(evaluation):
    row = evaluation.indicators.get(completion_rate=Decimal("52.37"))
    Indicator.objects.filter(pk=row.pk).update(completion_rate=Decimal("55"), reason="延期")
    flags = [f for f in checks.run(evaluation).flags if f.code == "rate_differs"]
    assert [f.anchor for f in flags] == [f"indicator-{row.pk}"]
    assert "52.37%" in flags[0].message


def test_a_rate_within_a_point_is_not_flagged(make_form):
    # 11.97 of 12 is 99.75%, written 100% in the seed.
    evaluation = make_form("老干部队伍建设经费")
    assert "rate_differs" not in codes(checks.run(evaluation).flags)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("34187 元", Decimal("3.4187")),
        ("30 万元", Decimal(30)),
        ("≤30万元", Decimal(30)),
        ("１２ 万元", Decimal(12)),
        ("≥90%", None),
        ("12 人", None),
        ("已完成", None),
        ("", None),
    ],
)
def test_money_is_read_from_cost_row_texts(text, expected):
    assert checks.money_in_wan(text) == expected


# Naming the rows a finding is about

# What makes each check that speaks of a row find it.
ROW_FINDINGS = {
    "row": {"actual": ""},
    "missing_reason": {"completion_rate": Decimal(50), "reason": ""},
    "rate_differs": {
        "target": "10 次",
        "actual": "10 次",
        "completion_rate": Decimal(50),
        "reason": "延期",
    },
}


def quantity_rows(evaluation):
    return list(evaluation.indicators.filter(category__name="数量指标").order_by("position"))


def findings(evaluation):
    result = checks.run(evaluation)
    return [*result.problems, *result.flags]


def messages_about(rows, found, code):
    """The message of `code` about each of `rows`, in their order; one each."""
    by_anchor = {}
    for finding in found:
        if finding.code == code:
            assert finding.anchor not in by_anchor, finding
            by_anchor[finding.anchor] = finding.message
    return [by_anchor[f"indicator-{row.pk}"] for row in rows]


def set_rows(rows, **fields):
    Indicator.objects.filter(pk__in=[row.pk for row in rows]).update(**fields)


@pytest.mark.parametrize("code", ROW_FINDINGS)
def test_each_row_a_check_speaks_of_is_named_by_its_三级指标(evaluation, code):
    rows = quantity_rows(evaluation)
    set_rows(rows, **ROW_FINDINGS[code])
    found = messages_about(rows, findings(evaluation), code)
    for message, row in zip(found, rows, strict=True):
        assert f"“{row.name}”" in message
    assert len(set(found)) == len(rows) == 3


@pytest.mark.parametrize("code", ROW_FINDINGS)
def test_a_row_without_a_三级指标_is_named_by_its_number_in_its_group(evaluation, code):
    rows = quantity_rows(evaluation)
    set_rows(rows, name="", **ROW_FINDINGS[code])
    found = messages_about(rows, findings(evaluation), code)
    for number, message in enumerate(found, start=1):
        assert f"产出指标 · 数量指标下的第 {number} 行" in message


def test_rows_of_a_group_with_the_same_三级指标_are_told_apart_by_their_number(evaluation):
    rows = quantity_rows(evaluation)
    set_rows(rows, name="党员培训", **ROW_FINDINGS["row"])
    messages = [finding.message for finding in findings(evaluation) if finding.code == "row"]
    assert len(set(messages)) == 3
    assert all("党员培训" in message for message in messages)
    assert "第 2 行" in messages[1]


def test_rows_are_named_in_english_too(evaluation):
    first, second, _third = quantity_rows(evaluation)
    set_rows([first], **ROW_FINDINGS["row"])
    set_rows([second], name="", **ROW_FINDINGS["row"])
    with translation.override("en"):
        messages = [finding.message for finding in findings(evaluation) if finding.code == "row"]
    assert messages == [
        f"“{first.name}” under 产出指标 · 数量指标 has no 实际完成值.",
        "Row 2 under 产出指标 · 数量指标 has no 三级指标、实际完成值.",
    ]


@pytest.mark.parametrize("code", ROW_FINDINGS)
def test_a_long_三级指标_is_shortened_in_a_message(evaluation, code):
    first = quantity_rows(evaluation)[0]
    set_rows([first], name="很长的指标名称\n" * 40, **ROW_FINDINGS[code])
    (message,) = messages_about([first], findings(evaluation), code)
    assert "很长的指标名称 很长的指标名称" in message
    assert "\n" not in message
    assert len(message) < 120


def test_every_finding_about_a_row_names_it(evaluation):
    rows = evaluation.indicators.order_by("pk")
    for row, fields in zip(rows, ROW_FINDINGS.values(), strict=False):
        set_rows([row], **fields)
    names = {f"indicator-{row.pk}": row.name for row in evaluation.indicators.all()}
    about_rows = [finding for finding in findings(evaluation) if finding.anchor in names]
    assert {finding.code for finding in about_rows} == set(ROW_FINDINGS)
    for finding in about_rows:
        assert f"“{names[finding.anchor]}”" in finding.message, finding
