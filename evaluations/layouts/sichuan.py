"""部门预算项目支出绩效自评表 of Sichuan's 预算管理一体化 system, report 510000_0013zp.

shared/layouts/sichuan-510000_0013zp.md: the project code before its name, the account of the
work, 10 points for budget execution with a reason below 90%, 指标性质 and 度量单位 per indicator,
a 合计 row, then 评价结论, 存在问题, 改进措施 and who is responsible.
"""

from django.utils.translation import gettext_lazy as _

from evaluations import scoring
from evaluations.layouts.declaration import (
    Block,
    Field,
    FundColumn,
    Funds,
    IndicatorColumn,
    Indicators,
    Label,
    Layout,
    Section,
    Total,
    Value,
)

TITLE = "部门预算项目支出绩效自评表"
REPORT = "报表编号:510000_0013zp"

FUNDS = Funds(
    section=Section("预算执行情况({execution_weight}分)"),
    labels="B:C",
    header_label="年度预算数(万元)",
    total_label="总额",
    first_source_prefix="其中:",
    columns=(
        FundColumn("initial_budget", "年初预算", "D", variants=("年初预算数",)),
        FundColumn("budget", "调整后预算数", "E"),
        FundColumn("actual", "预算执行数", "F"),
        FundColumn("rate", "预算执行率", "G"),
        FundColumn("weight", "权重", "H", source_text="/"),
        FundColumn("score", "得分", "I", source_text="/"),
        FundColumn("reason", "原因", "J:K"),
    ),
)

INDICATORS = Indicators(
    section=Section("绩效指标({indicator_weight}分)"),
    columns=(
        IndicatorColumn("level1", "一级指标", "B"),
        IndicatorColumn("level2", "二级指标", "C"),
        IndicatorColumn("name", "三级指标", "D"),
        IndicatorColumn("nature", "指标性质", "E"),
        IndicatorColumn("target", "指标值", "F", number_if_quantitative=True),
        IndicatorColumn("unit", "度量单位", "G"),
        IndicatorColumn("actual", "完成值", "H", number_if_quantitative=True),
        IndicatorColumn("weight", "权重", "I"),
        IndicatorColumn("score", "得分", "J"),
        IndicatorColumn("reason", "未完成原因分析", "K"),
    ),
)

TOTAL = Total("合计", columns="A:H", weight="I", score="J", rest="K")

LAYOUT = Layout(
    key="sichuan",
    name=_("Sichuan 部门预算项目支出绩效自评表 (一体化 510000_0013zp)"),
    title=TITLE,
    edition="四川一体化版",
    fields=(
        Field("project", "项目名称", required=True),
        Field("project_code", "项目编码"),
        Field("supervising_unit", "主管部门", required=True),
        Field("implementing_unit", "实施单位", variants=("实施单位(盖章)",), required=True),
        Field("goal", "项目年度目标", required=True),
        Field("achieved", "年度目标完成情况", required=True),
        Field(
            "process_summary",
            "项目实施内容及过程概述",
            variants=("2.项目实施内容及过程概述",),
            required=True,
        ),
        Field(
            "execution_reason",
            "原因",
            # The template's instruction, left in filled forms: no reason was written.
            template=("1.预算执行率=预算执行数/调整后预算数",),
        ),
        Field("conclusion", "评价结论", required=True),
        Field("problems", "存在问题"),
        Field("improvements", "改进措施"),
        Field("project_leader", "项目负责人"),
        Field("finance_leader", "财务负责人"),
    ),
    funds=FUNDS,
    indicators=INDICATORS,
    sheet=(
        Block(rows=((Label(REPORT, "A:K", style="note"),),)),
        Block(
            rows=(
                (
                    Label(
                        TITLE + "({year}年度)",
                        "A:K",
                        style="title",
                        variants=(TITLE + "（{year}年度）",),
                    ),
                ),
            )
        ),
        Block(
            rows=(
                (Label("项目名称", "A"), Value("project", "B:K", with_code=True)),
                (
                    Label("主管部门", "A"),
                    Value("supervising_unit", "B:E"),
                    Label("实施单位(盖章)", "F:G", variants=("实施单位",)),
                    Value("implementing_unit", "H:K"),
                ),
            )
        ),
        Block(
            section=Section("项目基本情况"),
            rows=(
                (
                    Label("1.项目年度目标完成情况", "B:C", rows=2),
                    Label("项目年度目标", "D:G"),
                    Label("年度目标完成情况", "H:K"),
                ),
                (Value("goal", "D:G"), Value("achieved", "H:K")),
                (
                    Label("2.项目实施内容及过程概述", "B:C", variants=("项目实施内容及过程概述",)),
                    Value("process_summary", "D:K"),
                ),
            ),
        ),
        FUNDS,
        INDICATORS,
        TOTAL,
        Block(
            rows=(
                (Label("评价结论", "A:B"), Value("conclusion", "C:K")),
                (Label("存在问题", "A:B"), Value("problems", "C:K")),
                (Label("改进措施", "A:B"), Value("improvements", "C:K")),
                (
                    Value("project_leader", "A:E", prefix="项目负责人："),
                    Value("finance_leader", "F:K", prefix="财务负责人："),
                ),
            )
        ),
    ),
    widths={
        "A": 5,
        "B": 9,
        "C": 11,
        "D": 22,
        "E": 8,
        "F": 12,
        "G": 8,
        "H": 12,
        "I": 7,
        "J": 7,
        "K": 22,
    },
    year_format="({year}年度)",
    rules=scoring.SICHUAN,
    total=TOTAL,
)
