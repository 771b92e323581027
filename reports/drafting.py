"""The report's sentences drafted from its figures, written as the seed writes them.

Three sections are drafted (reports/outline.py): the paragraph of each project class under
三（二）, the counts of 三（二）2.项目执行, and the accounts' 预算绩效管理情况. Each sentence
declares the figures it quotes (`Slot`s: what the figure is called, how it is written, its
unit), so that reports/checks.py reads the same figures back out of a text the department has
edited and compares them with the forms.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from evaluations.money import CENT
from reports import figures as report_figures

NUMBER = r"([0-9０-９][0-9０-９,，.．]*)"
# What a sentence about the whole report (not one class) is filed under.
WHOLE = None


@dataclass(frozen=True)
class Slot:
    name: str
    # How the messages name the figure (the sentence's own words).
    label: str
    # The figure as the sentence writes it: NUMBER is the figure.
    pattern: str
    unit: str

    @property
    def regex(self):
        return re.compile(self.pattern.replace("N", NUMBER))


COUNT = Slot("count", "项目总数", r"(?:总数|数量)\s*N\s*个", "个")
BUDGET = Slot("budget", "预算总金额", r"预算总金额\s*N\s*万元", "万元")
RATE = Slot("rate", "预算执行总体进度", r"执行总体进度(?:为|是)?\s*N\s*[%％]", "%")
ABOVE = Slot("above", "预算结余率大于 10%的项目", r"大于\s*10\s*[%％]\s*的项目共计\s*N\s*个", "个")
BELOW = Slot("below", "结余率小于 10%的项目", r"小于\s*10\s*[%％]\s*的(?:项目)?\s*N\s*个", "个")
PRE_ASSESSMENT = Slot(
    "pre_assessment", "开展预算事前绩效评估的项目", r"N\s*个项目开展了(?:预算)?事前绩效评估", "个"
)
HAS_TARGETS = Slot("has_targets", "编制绩效目标的项目", r"N\s*个项目编制了绩效目标", "个")
MONITORED = Slot("monitored", "开展绩效监控的项目", r"N\s*个项目开展(?:了)?绩效监控", "个")
SELF_SCORE = Slot("self_score", "绩效自评得分", r"绩效自评得分(?:为|是)?\s*N\s*分", "分")

# The slots each drafted section quotes, per class (CLASS) or for the whole report (WHOLE).
CLASS = "class"
SLOTS = {
    "class_paragraphs": (CLASS, (COUNT, BUDGET, RATE, ABOVE)),
    "execution_counts": (CLASS, (COUNT, BELOW)),
    "management": (WHOLE, (PRE_ASSESSMENT, HAS_TARGETS, MONITORED, SELF_SCORE)),
}
# How many projects the 预算绩效管理情况 names before its 等 N 个项目.
NAMED_PROJECTS = 2


def money(value):
    return f"{(value or Decimal(0)).quantize(CENT)}"


def percent(value):
    return "—" if value is None else f"{value}"


def score(value):
    return "—" if value is None else f"{value.normalize():f}"


def values(key, report, found):
    """{class key or WHOLE: {slot name: the figure}} that the section's sentences quote."""
    scope, slots = SLOTS[key]
    if scope == WHOLE:
        return {WHOLE: {slot.name: _whole_value(slot, report, found) for slot in slots}}
    return {
        item.key: {
            "count": Decimal(item.count),
            "budget": item.budget,
            "rate": item.execution_rate,
            "above": Decimal(item.above_limit),
            "below": Decimal(item.below_limit),
        }
        for item in found.classes
    }


def _whole_value(slot, report, found):
    if slot is SELF_SCORE:
        return report.self_score
    return Decimal(getattr(found, slot.name))


def draft(key, report, found=None):
    """The drafted text of section `key` from the report's figures."""
    found = found or report_figures.of(report)
    return DRAFTERS[key](report, found)


def class_paragraphs(report, found):
    return "\n".join(
        f"{item.label}绩效分析。该类项目总数 {item.count} 个，涉及预算总金额 "
        f"{money(item.budget)}万元，1—12 月预算执行总体进度为 {percent(item.execution_rate)}%，"
        f"其中：预算结余率大于 10%的项目共计 {item.above_limit} 个。"
        for item in found.classes
    )


def execution_counts(report, found):
    counts = "".join(
        f"{item.label}总数 {item.count} 个，其中结余率小于 10%的 {item.below_limit} 个。"
        for item in found.classes
    )
    return f"{report.year_id} 年部门预算{counts}"


def management(report, found):
    year = report.year_id
    name = report.department.name

    def projects(flag):
        chosen = [item.name for item in found.projects if getattr(item.evaluation, flag)]
        named = "、".join(chosen[:NAMED_PROJECTS])
        if len(chosen) > NAMED_PROJECTS:
            named += "等"
        return f"{named} {len(chosen)} 个项目"

    first = (
        f"根据预算绩效管理要求，本单位在 {year} 年度预算编制阶段，组织对"
        f"{projects('pre_assessment')}开展了预算事前绩效评估，对{projects('has_targets')}"
        f"编制了绩效目标，预算执行过程中，选取{projects('monitored')}开展绩效监控。"
    )
    summary = report.summary.rstrip("。")
    second = (
        f"组织对 {year} 年度一般公共预算、政府性基金预算、国有资本经营预算、社会保险基金预算以及"
        f"资本资产、债券资金等全面开展绩效自评，形成{name}部门整体（含部门预算项目）绩效自评报告，"
        f"其中，{name}部门整体（含部门预算项目）绩效自评得分为 {score(report.self_score)} 分，"
        f"绩效自评综述：{summary}。"
    )
    return f"{first}\n{second}"


DRAFTERS = {
    "class_paragraphs": class_paragraphs,
    "execution_counts": execution_counts,
    "management": management,
}
