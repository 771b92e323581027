"""The department report's drafted sentences and its checks: each flag, and its absence."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluations import content as form_content
from evaluations.models import Evaluation
from reports import checks, drafting
from reports import content as report_content
from reports.models import Report

DEBRIS = "包括内部应用、自评公开、问题整改和应用反馈等情况。"


@pytest.fixture
def report(department, year, report_forms, editor):
    report = Report.objects.create(department=department, year=year)
    return report_content.save(
        report,
        report_content.Edit(self_score=Decimal(100), summary="较好保障了单位正常运转"),
        editor,
    )


def write(report, editor, **texts):
    return report_content.save(
        report,
        report_content.Edit(texts=texts, self_score=report.self_score, summary=report.summary),
        editor,
    )


def flags(report, code=None):
    found = checks.run(report).flags
    return [flag for flag in found if code is None or flag.code == code]


def test_the_class_paragraphs_are_drafted_as_the_seed_writes_them(report):
    assert drafting.draft("class_paragraphs", report) == (
        "常年项目绩效分析。该类项目总数 5 个，涉及预算总金额 85.00万元，1—12 月预算执行总体进度为 "
        "57.24%，其中：预算结余率大于 10%的项目共计 2 个。\n"
        "阶段（一次性）项目绩效分析。该类项目总数 5 个，涉及预算总金额 83.91万元，1—12 月预算执行"
        "总体进度为 21.51%，其中：预算结余率大于 10%的项目共计 2 个。"
    )


def test_the_counts_of_project_execution_are_drafted(report):
    assert drafting.draft("execution_counts", report) == (
        "2023 年部门预算常年项目总数 5 个，其中结余率小于 10%的 3 个。"
        "阶段（一次性）项目总数 5 个，其中结余率小于 10%的 3 个。"
    )


def test_the_management_paragraph_quotes_the_facts_the_score_and_the_summary(report):
    text = drafting.draft("management", report)

    assert "组织对人才队伍建设经费、党员教育培训经费等 5 个项目开展了预算事前绩效评估" in text
    assert "对人才队伍建设经费、党员教育培训经费等 5 个项目编制了绩效目标" in text
    assert "选取人才队伍建设经费、党员教育培训经费等 5 个项目开展绩效监控。" in text
    assert "绩效自评得分为 100 分，绩效自评综述：较好保障了单位正常运转。" in text


def test_drafted_sentences_are_not_flagged(report):
    assert flags(report, "figure_contradicts_forms") == []


def test_an_edited_sentence_that_agrees_with_the_forms_is_not_flagged(report, editor):
    write(
        report,
        editor,
        class_paragraphs="常年项目：共 5 个，预算总金额 85万元，执行总体进度为 57.2%。",
    )

    assert flags(report, "figure_contradicts_forms") == []


def test_each_contradicting_figure_is_flagged_with_what_is_typed_and_computed(report, editor):
    write(
        report,
        editor,
        class_paragraphs=(
            "常年项目绩效分析。该类项目总数 4 个，涉及预算总金额 85.00万元，1—12 月预算执行总体"
            "进度为 57.3%，其中：预算结余率大于 10%的项目共计 2 个。"
        ),
    )

    messages = [flag.message for flag in flags(report, "figure_contradicts_forms")]

    assert len(messages) == 2
    assert "4个" in messages[0]
    assert "5个" in messages[0]
    assert "常年项目" in messages[0]
    assert "57.3%" in messages[1]
    assert "57.24%" in messages[1]


def test_the_short_name_of_a_class_is_read_as_the_class(report, editor):
    write(report, editor, execution_counts="阶段项目数量 5 个，其中预算结余率小于 10%的 0 个。")

    (flag,) = flags(report, "figure_contradicts_forms")

    assert "阶段（一次性）项目" in flag.message
    assert "0个" in flag.message
    assert "3个" in flag.message
    assert flag.anchor == "section-execution_counts"


def test_an_edited_management_paragraph_is_checked_against_the_facts_and_the_score(report, editor):
    write(
        report,
        editor,
        management="组织对 6 个项目开展了预算事前绩效评估，对 5 个项目编制了绩效目标，"
        "绩效自评得分为 95 分。",
    )

    messages = [flag.message for flag in flags(report, "figure_contradicts_forms")]

    assert len(messages) == 2
    assert "6个" in messages[0]
    assert "95分" in messages[1]
    assert "100分" in messages[1]


def test_template_debris_is_flagged_wherever_it_is(report, editor):
    assert flags(report, "template_debris") == []

    write(report, editor, use_of_results=f"我部将绩效自评结果运用到预算编制中。{DEBRIS}")

    (flag,) = flags(report, "template_debris")
    assert flag.anchor == "section-use_of_results"


@pytest.mark.parametrize(
    "text", ["附件：2022年市委组织部部门整体绩效评价报告", "部门预算项目支出绩效自评表（2022年度）"]
)
def test_a_title_of_another_year_is_flagged(report, editor, text):
    write(report, editor, conclusion=text)

    (flag,) = flags(report, "other_year")

    assert "2022" in flag.message
    assert "2023" in flag.message


def test_the_reports_own_year_and_other_years_outside_titles_are_not_flagged(report, editor):
    write(
        report,
        editor,
        conclusion="2023 年度预算执行情况较好。依据中办发〔2022〕31 号文件，2022 年起实施。",
    )

    assert flags(report, "other_year") == []


def test_forms_not_yet_approved_are_counted_and_listed(report, editor, reviewer):
    (flag,) = flags(report, "forms_not_approved")
    assert re.search(r"\b10\b", flag.message)
    assert all(form.project.name in flag.message for form in report.forms())

    now = timezone.now()
    Evaluation.objects.filter(project__department=report.department).update(
        state="approved", submitted_at=now, approved_at=now
    )

    assert flags(report, "forms_not_approved") == []


def test_a_form_without_class_is_flagged(report, editor):
    assert flags(report, "form_unclassified") == []
    Evaluation.objects.filter(project__name="干部队伍建设经费").update(project_class="")

    (flag,) = flags(report, "form_unclassified")

    assert "干部队伍建设经费" in flag.message


def test_empty_required_sections_and_a_missing_score_block_submitting(report, editor):
    problems = checks.run(report).problems
    assert {problem.anchor for problem in problems} >= {"section-organisation", "section-staff"}
    assert "self_score_missing" not in {problem.code for problem in problems}

    report = report_content.save(report, report_content.Edit(texts={"staff": "人员"}), editor)

    codes = [problem.code for problem in checks.run(report).problems]
    assert "self_score_missing" in codes
    assert "summary_missing" in codes
    assert "section-staff" not in {problem.anchor for problem in checks.run(report).problems}


def test_an_unscored_layout_never_questions_the_self_score(report):
    assert flags(report, "self_score_unsupported") == []


@pytest.fixture
def scored_report(example_form, editor):
    """The national example's department, whose one form has a 总分 of 90: ten points below
    the example's."""
    evaluation = example_form("national")
    saved = form_content.of(evaluation)
    row = max(saved.indicators, key=lambda row: row.score or 0)
    row.score -= 10
    form_content.save(evaluation, saved, editor)
    return Report.objects.create(department=evaluation.department, year=evaluation.year)


def test_a_self_score_above_the_forms_mean_by_more_than_the_tolerance_is_flagged(
    scored_report, editor
):
    from reports import figures

    mean = figures.of(scored_report).mean_score
    assert mean == Decimal(90)
    scored_report.self_score = mean + checks.SCORE_TOLERANCE
    scored_report.save()
    assert flags(scored_report, "self_score_unsupported") == []

    scored_report.self_score = mean + checks.SCORE_TOLERANCE + Decimal("0.01")
    scored_report.save()

    (flag,) = flags(scored_report, "self_score_unsupported")
    assert str(mean) in flag.message
