"""The demo's department report: the 组织部's 2023 report as its final accounts publish it.

The ten seed forms are classed as the report classes them (five 常年项目, five 阶段（一次性）
项目). The accounts' 预算绩效管理情况 says that five projects had a 事前绩效评估, five 绩效目标 and
five 绩效监控, naming only two of them (党员教育培训经费, 基层组织建设工作经费, both 常年): the demo
gives the three facts to the five 常年项目.

The report's sections are the seed's 第四部分 附件 as written (reports/demo_report_2023.json).
"""

import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from evaluations import content
from reports import content as report_content
from reports.models import Report

REPORT_FILE = Path(__file__).with_name("demo_report_2023.json")

RECURRING = [
    "老干部队伍建设经费",
    "干部队伍建设经费",
    "人才队伍建设经费",
    "党员教育培训经费",
    "基层组织建设工作经费",
]
ONE_OFF = [
    "2023年春节前走访慰问区委联系服务专家人才慰问金",
    "2023年攀枝花市公开招聘聘任制公务员专家测评和综合评价考务费",
    "2023年新录用公务员（选调生）初任培训经费",
    "到村任职选调生补助资金",
    "基层干训机构建设补助专项资金",
]


def facts_of(project_name):
    """The Facts the seed gives the project's 2023 form."""
    recurring = project_name in RECURRING
    return content.Facts(
        project_class="recurring" if recurring else "one_off",
        pre_assessment=recurring,
        has_targets=recurring,
        monitored=recurring,
    )


def classify(evaluations, user):
    """Give each of the seed's new forms (drafts) its class and facts, through the one save of
    a form's content."""
    for evaluation in evaluations:
        if evaluation.project.name in RECURRING + ONE_OFF:
            filled = replace(content.of(evaluation), facts=facts_of(evaluation.project.name))
            content.save(evaluation, filled, user)


def read_report():
    return json.loads(REPORT_FILE.read_text(encoding="utf-8"))


def load(department, year, editor):
    """The department's 2023 report as the seed writes it, its typed class paragraph and counts
    included (with their wrong figures: the checks flag them). A report that exists already is
    kept as it is. Returns whether it was made."""
    if Report.objects.filter(department=department, year=year).exists():
        return False
    seed = read_report()
    report = report_content.open_report(department, year, editor)
    report_content.save(
        report,
        report_content.Edit(
            texts=seed["sections"],
            self_score=Decimal(seed["self_score"]),
            summary=seed["summary"],
        ),
        editor,
    )
    return True
