"""The scored layouts' rules (budget execution, indicators, total, grade) on published forms."""

from decimal import Decimal as D

import pytest

from evaluations import scoring
from evaluations.scoring import LESS, MORE, NATIONAL, PROVINCIAL_CAPS, SICHUAN, Rules


def test_the_budget_score_is_the_capped_execution_rate_times_its_weight():
    assert scoring.budget_score(D("76"), D("100"), NATIONAL) == D("7.60")
    assert scoring.budget_score(D("880"), D("880"), NATIONAL) == D("10.00")
    assert scoring.budget_score(D("120"), D("100"), NATIONAL) == D("10.00")
    assert scoring.budget_score(D("1"), D("3"), Rules(execution_weight=D(20))) == D("6.67")


@pytest.mark.parametrize(("executed", "budget"), [(None, D(5)), (D(5), None), (D(5), D(0))])
def test_no_budget_score_without_a_budget_and_an_execution(executed, budget):
    assert scoring.budget_score(executed, budget, NATIONAL) is None


def test_sichuan_asks_a_reason_for_an_execution_rate_under_ninety_percent():
    assert scoring.execution_reason_needed(D("89.99"), D("100"), SICHUAN)
    assert not scoring.execution_reason_needed(D("90"), D("100"), SICHUAN)
    assert not scoring.execution_reason_needed(D("10"), D("100"), NATIONAL)


# A Shanxi township clinic's 数量指标 rows, weight 2: target, actual, entered, formula.
SHANXI = [
    ("100.00%", "97.30%", D("1.9"), D("1.95")),
    ("214", "203", D("1.8"), D("1.90")),
    ("120", "69", D("1"), D("1.15")),
    ("3807", "3224", D("1.9"), D("1.69")),
]


@pytest.mark.parametrize(("target", "actual", "entered", "computed"), SHANXI)
def test_more_is_better_scores_the_share_of_the_target_reached(target, actual, entered, computed):
    assert scoring.indicator_score("", target, actual, D(2), NATIONAL) == computed


def test_an_entered_score_far_from_the_formula_is_flagged_by_the_tolerance_setting():
    def flagged(rules):
        return [
            scoring.score_differs(entered, scoring.indicator_score("", t, a, D(2), rules), rules)
            for t, a, entered, _computed in SHANXI
        ]

    # The published example flags 3807 → 3224 (entered 1.9, formula 1.694): a tolerance of
    # 0.2 points does; the default of 0.5 flags none of the four.
    assert flagged(Rules(score_tolerance=D("0.2"))) == [False, False, False, True]
    assert flagged(NATIONAL) == [False, False, False, False]


def test_less_is_better_scores_the_target_over_the_actual_or_linearly():
    assert scoring.indicator_score(LESS, "3.36万元", "3.36万元", D(30), SICHUAN) == D("30.00")
    assert scoring.indicator_score(LESS, "10", "8", D(10), NATIONAL) == D("10.00")
    assert scoring.indicator_score(LESS, "10", "12.5", D(10), NATIONAL) == D("8.00")
    linear = Rules(less_is_better=scoring.LINEAR)
    assert scoring.indicator_score(LESS, "10", "12.5", D(10), linear) == D("7.50")
    assert scoring.indicator_score(LESS, "10", "20", D(10), linear) == D("0.00")
    assert scoring.indicator_score(LESS, "10", "25", D(10), linear) == D("0.00")


def test_a_target_written_with_at_most_scores_as_less_is_better_without_a_nature():
    assert scoring.indicator_score("", "≤10天", "12.5天", D(10), NATIONAL) == D("8.00")


def test_equal_scores_as_more_is_better_except_against_a_zero_target():
    assert scoring.indicator_score("=", "100%", "100%", D(30), SICHUAN) == D("30.00")
    assert scoring.indicator_score("=", "100", "50", D(30), SICHUAN) == D("15.00")
    assert scoring.indicator_score("=", "0", "0", D(5), SICHUAN) == D("5.00")
    assert scoring.indicator_score("=", "0", "1", D(5), SICHUAN) == D("0.00")
    assert scoring.indicator_score(MORE, "0", "1", D(5), SICHUAN) == D("5.00")


def test_a_negative_actual_counts_as_nothing():
    assert scoring.indicator_score(MORE, "10", "-5", D(10), NATIONAL) == D("0.00")


@pytest.mark.parametrize(
    ("nature", "target", "actual", "weight"),
    [
        ("定性", "合格", "合格", D(10)),
        ("", "合格", "合格", D(10)),
        ("", "90%", "95人", D(10)),
        (MORE, "13台", "13台", None),
    ],
)
def test_no_score_is_computed_where_the_rules_give_none(nature, target, actual, weight):
    assert scoring.indicator_score(nature, target, actual, weight, NATIONAL) is None


def test_the_variant_signs_real_files_write_read_as_the_natures():
    assert scoring.nature_of("≧", "1") == MORE
    assert scoring.nature_of("≦", "1") == LESS
    assert scoring.nature_of("═", "1") == scoring.EQUAL


def test_a_reason_is_needed_below_target_and_at_the_overshoot_ratio():
    assert scoring.reason_needed("", "100", "99", NATIONAL) == scoring.BELOW_TARGET
    assert scoring.reason_needed(LESS, "10", "11", NATIONAL) == scoring.BELOW_TARGET
    assert scoring.reason_needed("", "100", "129.99", NATIONAL) is None
    assert scoring.reason_needed("", "100", "130", NATIONAL) == scoring.FAR_ABOVE_TARGET
    assert scoring.reason_needed("", "100", "140", Rules(overshoot_ratio=D("1.5"))) is None
    assert scoring.reason_needed("定性", "合格", "不合格", NATIONAL) is None


def test_a_qualitative_band_bounds_the_score_in_points_of_the_weight():
    assert scoring.band_range("部分达成年度指标并具有一定效果", D(10), NATIONAL) == (
        D("6.00"),
        D("8.00"),
    )
    assert scoring.band_range("no such band", D(10), NATIONAL) is None


def test_the_total_score_is_capped_by_the_execution_rate_when_the_rules_say_so():
    capped = Rules(caps=PROVINCIAL_CAPS)
    rows = [D(40), D(30), D(20)]
    assert scoring.total_score(D("7.5"), rows, D(75), D(100), NATIONAL) == D("97.50")
    assert scoring.total_score(D("7.5"), rows, D(75), D(100), capped) == D("89.00")
    assert scoring.total_score(D("4.5"), rows, D(45), D(100), capped) == D("59.00")
    assert scoring.total_score(D("8"), rows, D(80), D(100), capped) == D("98.00")
    assert scoring.total_score(None, [None], None, None, NATIONAL) is None


@pytest.mark.parametrize(
    ("total", "grade"),
    [
        (D(100), "优"),
        (D(90), "优"),
        (D("89.99"), "良"),
        (D(80), "良"),
        (D(60), "中"),
        (D(59), "差"),
    ],
)
def test_grades_follow_their_lower_bounds(total, grade):
    assert scoring.grade(total, NATIONAL) == grade


def test_the_tianchang_water_bureau_form_scores_100():
    # 天长市水利局 2022, national layout: nine indicators of weight 10, all fully met.
    rows = [
        ("", "1", "1"),
        ("", "1", "1"),
        ("", "合格", "合格"),
        ("", "100%", "100%"),
        ("", "在预算范围内", "在预算范围内"),
        ("", "安全度汛", "安全度汛"),
        ("", "不受损失", "不受损失"),
        ("", "良性运行", "良性运行"),
        ("", "90%", "100%"),
    ]
    computed = [scoring.indicator_score(n, t, a, D(10), NATIONAL) for n, t, a in rows]
    assert [score for score in computed if score is not None] == [D("10.00")] * 4
    entered = [D(10)] * len(rows)
    assert not any(
        scoring.score_differs(e, c, NATIONAL) for e, c in zip(entered, computed, strict=True)
    )
    budget = scoring.budget_score(D(880), D(880), NATIONAL)
    assert scoring.total_weight([D(10)] * len(rows), NATIONAL) == D(100)
    total = scoring.total_score(budget, entered, D(880), D(880), NATIONAL)
    assert total == D("100.00")
    assert scoring.grade(total, NATIONAL) == "优"


def test_the_daying_justice_bureau_form_scores_100():
    # 大英县司法局 2023, Sichuan layout: budget 3.36 adjusted, 3.36 executed.
    rows = [("=", "100%", "100%"), (MORE, "13台", "13台"), (LESS, "3.36万元", "3.36万元")]
    computed = [scoring.indicator_score(n, t, a, D(30), SICHUAN) for n, t, a in rows]
    assert computed == [D("30.00")] * 3
    budget = scoring.budget_score(D("3.36"), D("3.36"), SICHUAN)
    assert budget == D("10.00")
    assert scoring.total_weight([D(30)] * 3, SICHUAN) == D(100)
    assert scoring.total_score(budget, computed, D("3.36"), D("3.36"), SICHUAN) == D("100.00")
    assert not scoring.execution_reason_needed(D("3.36"), D("3.36"), SICHUAN)


def test_rules_survive_being_stored_as_settings():
    rules = Rules(caps=PROVINCIAL_CAPS, execution_reason_below=D("0.9"), overshoot_deduction=D(2))
    assert Rules.from_settings(rules.as_settings()) == rules
    assert Rules.from_settings({}) == NATIONAL
    assert Rules.from_settings({"execution_weight": "20"}).execution_weight == D(20)


@pytest.mark.parametrize(
    "stored",
    [{"execution_wieght": 10}, {"execution_weight": "ten"}, {"less_is_better": "neither"}],
)
def test_stored_settings_that_are_wrong_are_refused(stored):
    with pytest.raises(scoring.RulesError, match="unknown|not a number|less_is_better"):
        Rules.from_settings(stored)
