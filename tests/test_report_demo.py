"""The demo's department report: the 组织部's 2023 report as its accounts publish it, flagged
figure by figure against its forms."""

import re
from decimal import Decimal

import pytest

from evaluations.demo.seed import load_demo
from reports import checks, figures, presenter
from reports.models import Report


@pytest.fixture
def demo_report(edition):
    load_demo()
    return Report.objects.get(department__code="510403-101", year=2023)


def test_the_demo_report_computes_the_table_of_its_forms(demo_report):
    found = figures.of(demo_report)

    recurring, one_off = found.classes
    assert (recurring.count, recurring.budget, recurring.actual) == (
        5,
        Decimal("85"),
        Decimal("48.65"),
    )
    assert (one_off.budget, one_off.actual, one_off.execution_rate) == (
        Decimal("83.91"),
        Decimal("18.05"),
        Decimal("21.51"),
    )
    assert found.total.execution_rate == Decimal("39.49")
    assert (found.pre_assessment, found.has_targets, found.monitored) == (5, 5, 5)


def test_the_seeds_class_paragraph_is_flagged_figure_by_figure(demo_report):
    flags = [
        flag.message
        for flag in checks.run(demo_report).flags
        if flag.code == "figure_contradicts_forms" and flag.anchor == "section-class_paragraphs"
    ]

    assert len(flags) == 6
    assert any(
        "常年项目" in message and "48.65万元" in message and "85.00万元" in message
        for message in flags
    )
    assert any(
        "常年项目" in message and "100%" in message and "57.24%" in message for message in flags
    )
    assert any(
        "阶段（一次性）项目" in message and "18.05万元" in message and "83.91万元" in message
        for message in flags
    )
    assert any("阶段（一次性）项目" in message and "21.51%" in message for message in flags)
    assert sum("0个" in message and "2个" in message for message in flags) == 2


def test_the_seeds_counts_of_projects_under_a_tenth_left_are_flagged(demo_report):
    flags = [
        flag.message
        for flag in checks.run(demo_report).flags
        if flag.anchor == "section-execution_counts"
    ]

    assert len(flags) == 2
    assert all("0个" in message and "3个" in message for message in flags)


def test_the_demo_report_has_everything_required_and_its_forms_waiting(demo_report):
    result = checks.run(demo_report)

    assert result.problems == []
    waiting = [flag for flag in result.flags if flag.code == "forms_not_approved"]
    assert len(waiting) == 1
    assert re.search(r"\b8\b", waiting[0].message)
    assert "老干部队伍建设经费" not in waiting[0].message  # approved
    assert "党员教育培训经费" in waiting[0].message
    assert not [flag for flag in result.flags if flag.code in ("other_year", "template_debris")]


def test_the_demo_reports_page_shows_the_seeds_narrative_and_the_drafted_paragraph(demo_report):
    view = presenter.build(demo_report)

    assert view.section("functions").paragraphs[1].startswith("1.负责全区党的组织体系")
    assert view.section("class_paragraphs").edited
    assert "85.00万元" in view.section("class_paragraphs").drafted
    management = view.section("management")
    assert not management.edited
    assert (
        "组织对党员教育培训经费、基层组织建设工作经费等 5 个项目开展了预算事前绩效评估"
        not in management.text
    )
    assert "等 5 个项目开展了预算事前绩效评估" in management.text
    assert "绩效自评得分为 100 分" in management.text
    assert [form.project.name for form in view.forms][:2] == [
        "人才队伍建设经费",
        "党员教育培训经费",
    ]


def test_loading_the_demo_again_keeps_the_report(demo_report):
    demo_report.sections.filter(key="staff").update(text="改过的")

    load_demo()

    assert Report.objects.get(pk=demo_report.pk).typed_texts()["staff"] == "改过的"
