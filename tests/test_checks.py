"""Blocking checks before submitting, and review flags, on the real seed forms."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from departments.models import Membership
from evaluations import checks, workflow
from evaluations.models import Evaluation, FundLine, Indicator
from tests.conftest import make_user


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


# Scored layouts: the layout's own fields and columns, and flags about scores


def english_findings(evaluation):
    with translation.override("en"):
        return findings(evaluation)


def scored_row(evaluation, name):
    return evaluation.indicators.get(name=name)


def bureau_rules(evaluation, **rules):
    """Set the form's bureau year's scoring settings; the form as it is then read afresh."""
    settings = evaluation.year_settings
    settings.rules = {name: str(value) for name, value in rules.items()}
    settings.save()
    return Evaluation.objects.get(pk=evaluation.pk)


@pytest.mark.parametrize("layout_key", ["national", "sichuan"])
def test_a_published_example_has_no_problem_and_no_flag(example_form, layout_key):
    result = checks.run(example_form(layout_key))
    assert result.problems == []
    assert result.flags == []


def test_a_sichuan_form_needs_its_account_of_the_work_and_its_conclusion(example_form):
    evaluation = example_form("sichuan")
    Evaluation.objects.filter(pk=evaluation.pk).update(process_summary=" ", conclusion="")
    evaluation.refresh_from_db()
    problems = checks.run(evaluation).problems
    assert [(p.code, p.anchor) for p in problems] == [
        ("text", "id_process_summary"),
        ("text", "id_conclusion"),
    ]
    assert "项目实施内容及过程概述" in problems[0].message


def test_required_fields_are_named_as_the_layout_labels_them(example_form):
    evaluation = example_form("national")
    Evaluation.objects.filter(pk=evaluation.pk).update(goal="")
    evaluation.refresh_from_db()
    (problem,) = checks.run(evaluation).problems
    assert (problem.code, problem.anchor) == ("goal", "id_goal")
    assert "预期目标" in problem.message


def test_a_sichuan_budget_is_its_调整后预算数(example_form):
    evaluation = example_form("sichuan")
    FundLine.objects.filter(evaluation=evaluation).update(budget=None)
    (problem,) = checks.run(evaluation).problems
    assert problem.code == "budget"
    assert "调整后预算数" in problem.message


@pytest.mark.parametrize(("layout_key", "label"), [("national", "分值"), ("sichuan", "权重")])
def test_every_row_of_a_scored_form_needs_its_weight(example_form, layout_key, label):
    evaluation = example_form(layout_key)
    row = evaluation.indicators.first()
    Indicator.objects.filter(pk=row.pk).update(weight=None, actual="")
    problems = [p for p in checks.run(evaluation).problems if p.code == "row"]
    assert [p.anchor for p in problems] == [f"indicator-{row.pk}"]
    actual = evaluation.form_layout.row_columns["actual"].label
    assert f"{actual}、{label}" in problems[0].message


def test_weights_that_do_not_add_up_to_100_are_flagged(example_form):
    evaluation = example_form("national")
    row = scored_row(evaluation, "工程质量合格")
    Indicator.objects.filter(pk=row.pk).update(weight=20)
    flags = [f for f in english_findings(evaluation) if f.code == "weights_total"]
    assert [f.message for f in flags] == [
        "分值 add up to 110 with the 10 of budget execution; they should add up to 100."
    ]
    assert flags[0].anchor == "funds"


def test_the_total_weight_is_the_bureau_years_setting(example_form):
    evaluation = bureau_rules(example_form("sichuan"), total_weight=110)
    flags = [f for f in english_findings(evaluation) if f.code == "weights_total"]
    assert [f.message for f in flags] == [
        "权重 add up to 100 with the 10 of budget execution; they should add up to 110."
    ]


def test_an_entered_score_off_the_rules_is_flagged(example_form):
    evaluation = example_form("sichuan")
    row = scored_row(evaluation, "购买安可电脑台数")
    Indicator.objects.filter(pk=row.pk).update(score=Decimal("28.5"))
    flags = [f for f in english_findings(evaluation) if f.code == "score_differs"]
    assert [f.anchor for f in flags] == [f"indicator-{row.pk}"]
    assert flags[0].message == (
        "“购买安可电脑台数” under 产出指标 · 数量指标: 得分 is entered as 28.5, but 13 → 13 "
        "gives 30 of its 30 权重."
    )


def test_the_score_tolerance_is_the_bureau_years_setting(example_form):
    evaluation = example_form("sichuan")
    Indicator.objects.filter(evaluation=evaluation, name="购买安可电脑台数").update(score=28)
    assert "score_differs" in codes(checks.run(evaluation).flags)
    evaluation = bureau_rules(evaluation, score_tolerance=2)
    assert "score_differs" not in codes(checks.run(evaluation).flags)


def test_a_scored_row_below_its_target_needs_a_reason(example_form):
    evaluation = example_form("sichuan")
    row = scored_row(evaluation, "购买安可电脑台数")
    Indicator.objects.filter(pk=row.pk).update(actual="10", score=Decimal("23.08"))
    flags = [f for f in english_findings(evaluation) if f.code == "missing_reason"]
    assert [f.anchor for f in flags] == [f"indicator-{row.pk}"]
    assert "13 → 10" in flags[0].message
    assert "未完成原因分析" in flags[0].message
    Indicator.objects.filter(pk=row.pk).update(reason="部分电脑延至次年采购")
    assert "missing_reason" not in codes(checks.run(evaluation).flags)


def test_a_row_far_above_its_target_needs_a_reason(example_form):
    evaluation = example_form("national")
    row = scored_row(evaluation, "完成中型灌区节水改造项目数量")
    Indicator.objects.filter(pk=row.pk).update(actual="2")
    flags = [f for f in english_findings(evaluation) if f.code == "missing_overshoot_reason"]
    assert [f.anchor for f in flags] == [f"indicator-{row.pk}"]
    assert "130.00%" in flags[0].message
    assert "偏差原因分析及改进措施" in flags[0].message


def test_the_overshoot_ratio_is_the_bureau_years_setting(example_form):
    evaluation = example_form("national")
    Indicator.objects.filter(evaluation=evaluation, name="完成中型灌区节水改造项目数量").update(
        actual="2"
    )
    evaluation = bureau_rules(evaluation, overshoot_ratio="2.5")
    assert checks.run(evaluation).flags == []


def spend(evaluation, actual):
    FundLine.objects.filter(evaluation=evaluation, source__name="财政资金").update(actual=actual)


def test_a_sichuan_execution_rate_under_90_percent_needs_a_reason(example_form):
    evaluation = example_form("sichuan")
    spend(evaluation, 2)
    flags = [f for f in english_findings(evaluation) if f.code == "missing_execution_reason"]
    assert [(f.message, f.anchor) for f in flags] == [
        ("预算执行率 is 59.52%, under 90.00%, but 原因 does not say why.", "funds")
    ]


def test_the_templates_instruction_is_no_execution_reason(example_form):
    evaluation = example_form("sichuan")
    spend(evaluation, 2)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        execution_reason="1.预算执行率=预算执行数/调整后预算数×100%；\n2.未完成原因："
    )
    evaluation.refresh_from_db()
    assert "missing_execution_reason" in codes(checks.run(evaluation).flags)
    Evaluation.objects.filter(pk=evaluation.pk).update(execution_reason="部分设备款次年支付")
    evaluation.refresh_from_db()
    assert "missing_execution_reason" not in codes(checks.run(evaluation).flags)


def test_a_national_form_asks_no_execution_reason(example_form):
    evaluation = example_form("national")
    FundLine.objects.filter(evaluation=evaluation, source__name="当年财政拨款").update(actual=500)
    assert "missing_execution_reason" not in codes(checks.run(evaluation).flags)


def test_a_score_above_its_weight_is_flagged(example_form):
    evaluation = example_form("sichuan")
    row = scored_row(evaluation, "成本控制数")
    Indicator.objects.filter(pk=row.pk).update(score=35)
    flags = [f for f in english_findings(evaluation) if f.code == "score_over_weight"]
    assert [(f.message, f.anchor) for f in flags] == [
        (
            "“成本控制数” under 产出指标 · 经济成本指标: 得分 35 is more than its 权重 30.",
            f"indicator-{row.pk}",
        )
    ]


def test_scores_above_what_the_execution_rate_allows_are_flagged(example_form):
    evaluation = example_form("sichuan")
    spend(evaluation, 2)
    Evaluation.objects.filter(pk=evaluation.pk).update(execution_reason="部分设备款次年支付")
    evaluation.refresh_from_db()
    assert "over_cap" not in codes(checks.run(evaluation).flags)
    settings = evaluation.year_settings
    settings.rules = {"caps": [["0.6", "96"]]}
    settings.save()
    assert "over_cap" not in codes(checks.run(Evaluation.objects.get(pk=evaluation.pk)).flags)
    settings.rules = {"caps": [["0.6", "69"]]}
    settings.save()
    evaluation = Evaluation.objects.get(pk=evaluation.pk)
    flags = [f for f in english_findings(evaluation) if f.code == "over_cap"]
    assert [(f.message, f.anchor) for f in flags] == [
        (
            "得分 add up to 95.95, but an execution rate of 59.52% allows a total of at most 69: "
            "the 合计 is 69.",
            "funds",
        )
    ]


def test_a_scored_form_has_no_completion_rate_flags(example_form):
    evaluation = example_form("national")
    Indicator.objects.filter(evaluation=evaluation).update(completion_rate=Decimal(50))
    FundLine.objects.filter(evaluation=evaluation, source__name="当年财政拨款").update(actual=100)
    found = codes(checks.run(evaluation).flags)
    assert not {"low_execution", "rate_differs"} & set(found)
    assert "missing_reason" not in found


def test_a_sichuan_cost_row_is_read_with_its_度量单位(example_form):
    evaluation = example_form("sichuan")
    row = scored_row(evaluation, "成本控制数")
    assert "cost_mismatch" not in codes(checks.run(evaluation).flags)
    Indicator.objects.filter(pk=row.pk).update(target="3")
    flags = [f for f in english_findings(evaluation) if f.code == "cost_mismatch"]
    assert len(flags) == 1
    assert "3.00 万元" in flags[0].message
    assert "调整后预算数 is 3.36 万元" in flags[0].message


def test_every_problem_of_a_national_form_links_to_a_place_on_the_edit_page(
    client_for, example_form
):
    evaluation = example_form("national")
    editor = make_user("editor-tianchang")
    Membership.objects.create(
        user=editor, department=evaluation.project.department, role=Membership.Role.EDITOR
    )
    Evaluation.objects.filter(pk=evaluation.pk).update(implementing_unit="", achieved="")
    FundLine.objects.filter(evaluation=evaluation).update(budget=None)
    Indicator.objects.filter(pk=evaluation.indicators.first().pk).update(weight=None)
    evaluation.refresh_from_db()
    page = client_for(editor).get(reverse("evaluation_edit", args=[evaluation.pk])).text
    problems = checks.run(evaluation).problems
    assert codes(problems) == ["header", "budget", "goal", "row"]
    for problem in problems:
        assert f'href="#{problem.anchor}"' in page
        assert f'id="{problem.anchor}"' in page


def test_a_scored_forms_flags_are_counted_for_the_queue_when_it_is_submitted(example_form):
    evaluation = example_form("sichuan")
    editor = make_user("editor-daying")
    Membership.objects.create(
        user=editor, department=evaluation.project.department, role=Membership.Role.EDITOR
    )
    Indicator.objects.filter(evaluation=evaluation, name="成本控制数").update(score=35)
    workflow.submit(evaluation, editor)
    # 35 is more than its weight of 30, and 5 more than the rules give.
    assert Evaluation.objects.get(pk=evaluation.pk).flag_count == 2
