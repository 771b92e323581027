"""Blocking checks before submitting, and review flags, on the real seed forms."""

from decimal import Decimal

import pytest
from django.urls import reverse

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
