"""The outline of the 部门预算绩效评价报告, declared once: the page, the checks and the exports
iterate it.

The sections are those of both seeds' reports, with their official headings. Each is one of:

- a heading (HEADING): a part or a chapter whose text is in the sections under it;
- narrative (NARRATIVE): typed by the department, offered last year's text as a start;
- computed (COMPUTED): a table that always follows the forms, never typed;
- drafted (DRAFTED): sentences drafted from the figures. They follow the forms until the
  department edits them; an edited text is then checked against the figures.

A section with an empty heading continues the one before it (the seed writes the drafted
sentence of 三（二）2 after the narrative of 2.项目执行, in the same paragraph).
"""

from dataclasses import dataclass

TITLE = "部门预算绩效评价报告"


class Kind:
    HEADING = "heading"
    NARRATIVE = "narrative"
    COMPUTED = "computed"
    DRAFTED = "drafted"


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    kind: str
    # 1 for 一、…, 2 for （一）…, 3 for 1.…
    level: int
    # A narrative section that must not be empty when the report is submitted.
    required: bool = False

    @property
    def is_typed(self):
        return self.kind == Kind.NARRATIVE

    @property
    def is_computed(self):
        return self.kind == Kind.COMPUTED

    @property
    def is_drafted(self):
        return self.kind == Kind.DRAFTED

    @property
    def has_text(self):
        """Whether a ReportSection row may hold this section's text."""
        return self.kind in (Kind.NARRATIVE, Kind.DRAFTED)

    def heading_for(self, year):
        return self.heading.format(year=year)


def _narrative(key, heading, level):
    return Section(key, heading, Kind.NARRATIVE, level, required=True)


SECTIONS = (
    Section("basics", "一、部门（单位）基本情况", Kind.HEADING, 1),
    _narrative("organisation", "（一）机构组成", 2),
    _narrative("functions", "（二）机构职能", 2),
    _narrative("staff", "（三）人员概况", 2),
    Section("funds", "二、部门资金收支情况", Kind.HEADING, 1),
    _narrative("income", "（一）收入情况", 2),
    _narrative("spending", "（二）支出情况", 2),
    _narrative("balances", "（三）结余分配和结转结余情况", 2),
    Section("analysis", "三、部门预算绩效分析", Kind.HEADING, 1),
    Section("overall", "（一）部门预算总体绩效分析", Kind.HEADING, 2),
    _narrative("effectiveness", "1.履职效能", 3),
    _narrative("budgeting", "2.预算管理", 3),
    _narrative("accounting", "3.财务管理", 3),
    _narrative("assets", "4.资产管理", 3),
    _narrative("procurement", "5.采购管理", 3),
    Section("projects", "（二）部门预算项目绩效分析", Kind.HEADING, 2),
    # One paragraph per project class of the year, then the table they are drafted from.
    Section("class_paragraphs", "", Kind.DRAFTED, 2),
    Section("class_table", "", Kind.COMPUTED, 2),
    _narrative("decisions", "1.项目决策", 3),
    _narrative("execution", "2.项目执行", 3),
    Section("execution_counts", "", Kind.DRAFTED, 3),
    _narrative("results", "3.目标实现", 3),
    Section("project_table", "", Kind.COMPUTED, 2),
    _narrative("key_areas", "（三）重点领域绩效分析", 2),
    _narrative("use_of_results", "（四）绩效结果应用情况", 2),
    Section("conclusions", "四、评价结论及建议", Kind.HEADING, 1),
    _narrative("conclusion", "（一）评价结论", 2),
    _narrative("problems", "（二）存在问题", 2),
    _narrative("suggestions", "（三）改进建议", 2),
    # The paragraph the final accounts quote under （四）预算绩效管理情况: outside the report's
    # numbering, drafted from the forms' three facts, the self-score and the summary.
    Section("management", "预算绩效管理情况", Kind.DRAFTED, 1),
    Section("forms", "附表：部门预算项目支出绩效自评表（{year}年度）", Kind.COMPUTED, 1),
)
BY_KEY = {section.key: section for section in SECTIONS}
# Captions of the computed tables that have no official heading of their own.
CAPTIONS = {
    "class_table": "部门预算项目分类执行情况",
    "project_table": "部门预算项目执行情况",
}


def section_choices():
    return [(item.key, item.heading or item.key) for item in SECTIONS if item.has_text]


def get(key):
    return BY_KEY[key]
