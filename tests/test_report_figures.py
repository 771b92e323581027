"""The department report's figures against the table of the 组织部's 2023 forms."""

from dataclasses import replace
from decimal import Decimal

import pytest

from evaluations import content
from evaluations.models import Evaluation
from reports import figures
from reports.models import Report

D = Decimal


@pytest.fixture
def report(department, year, report_forms):
    return Report.objects.create(department=department, year=year)


def test_each_class_has_its_count_totals_rate_and_balances(report):
    found = figures.of(report)

    recurring, one_off = found.classes
    assert (recurring.label, recurring.count) == ("常年项目", 5)
    assert (recurring.budget, recurring.actual) == (D("85.00"), D("48.65"))
    assert recurring.execution_rate == D("57.24")
    assert (recurring.above_limit, recurring.below_limit) == (2, 3)
    assert (one_off.label, one_off.count) == ("阶段（一次性）项目", 5)
    assert (one_off.budget, one_off.actual) == (D("83.91"), D("18.05"))
    assert one_off.execution_rate == D("21.51")
    assert (one_off.above_limit, one_off.below_limit) == (2, 3)


def test_all_projects_add_up(report):
    total = figures.of(report).total

    assert (total.count, total.budget, total.actual) == (10, D("168.91"), D("66.70"))
    assert total.execution_rate == D("39.49")
    assert (total.above_limit, total.below_limit) == (4, 6)


def test_the_projects_above_a_tenth_left_are_those_the_table_names(report):
    found = figures.of(report)

    above = {item.name: item.balance_rate for item in found.projects if item.above_limit}
    assert above == {
        "党员教育培训经费": D("47.63"),
        "基层组织建设工作经费": D("71.87"),
        "到村任职选调生补助资金": D("78.17"),
        "基层干训机构建设补助专项资金": D("100.00"),
    }


def test_projects_come_in_class_order_with_their_rates_and_completion_extremes(report):
    projects = figures.of(report).projects

    assert [item.class_key for item in projects] == ["recurring"] * 5 + ["one_off"] * 5
    party = next(item for item in projects if item.name == "党员教育培训经费")
    assert party.execution_rate == D("52.37")
    assert (party.lowest_completion, party.highest_completion) == (D("52.37"), D("100.00"))
    assert str(party.lowest_completion) == "52.37"


def test_exactly_a_tenth_left_counts_below_the_limit(report, editor):
    evaluation = Evaluation.objects.get(project__name="老干部队伍建设经费")
    saved = content.of(evaluation)
    line = next(line for line in saved.funds if line.budget)
    line.actual = D("10.8")  # 12 budgeted: 1.2 left, exactly 10%
    content.save(evaluation, saved, editor)

    recurring = figures.of(report).of_class("recurring")

    item = next(item for item in recurring.projects if item.name == "老干部队伍建设经费")
    assert item.balance_rate == D("10.00")
    assert not item.above_limit
    assert (recurring.above_limit, recurring.below_limit) == (2, 3)


def test_a_project_without_budget_is_in_neither_balance_count(report, editor):
    evaluation = Evaluation.objects.get(project__name="老干部队伍建设经费")
    saved = content.of(evaluation)
    saved.funds = [replace(line, budget=None, actual=None) for line in saved.funds]
    content.save(evaluation, saved, editor)

    recurring = figures.of(report).of_class("recurring")

    assert recurring.count == 5
    assert (recurring.above_limit, recurring.below_limit) == (2, 2)


def test_a_form_without_class_counts_under_unclassified(report, editor):
    evaluation = Evaluation.objects.get(project__name="干部队伍建设经费")
    content.save(evaluation, replace(content.of(evaluation), facts=content.Facts()), editor)

    found = figures.of(report)

    assert [item.label for item in found.classes] == ["常年项目", "阶段（一次性）项目", "未分类"]
    assert found.classes[-1].count == 1
    assert [item.name for item in found.unclassified] == ["干部队伍建设经费"]
    assert found.total.count == 10


def test_the_three_facts_are_counted(report):
    found = figures.of(report)

    assert (found.pre_assessment, found.has_targets, found.monitored) == (5, 5, 5)


def test_the_purpose_scheme_shows_its_classes_even_without_projects(report, year):
    year.project_classes = "purpose"
    year.save()
    report.year.refresh_from_db()

    found = figures.of(Report.objects.get(pk=report.pk))

    labels = [item.label for item in found.classes]
    assert labels == ["人员类项目", "运转类项目", "特定目标类项目", "未分类"]
    assert [item.count for item in found.classes] == [0, 0, 0, 10]


def test_an_unscored_layout_has_no_mean_score(report):
    found = figures.of(report)

    assert not found.scored
    assert found.mean_score is None


def test_a_scored_layout_gives_the_mean_of_the_forms_total_scores(example_form, editor):
    from evaluations import scorecard

    evaluation = example_form("national")
    report = Report.objects.create(department=evaluation.department, year=evaluation.year)

    found = figures.of(report)

    assert found.scored
    assert found.mean_score == scorecard.of(evaluation).total_score.quantize(D("0.01"))
