"""部门预算项目支出绩效自评表 as Panzhihua prints it (shared/official-layout.md): no scores.

The seed's layout: completion rates instead of scores, three header rows, nothing after the last
indicator row.
"""

from django.utils.translation import gettext_lazy as _

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
    Value,
)

TITLE = "部门预算项目支出绩效自评表"

FUNDS = Funds(
    section=Section("项目资金（万元）", columns="A:C", vertical=False),
    labels="D",
    header_label="",
    total_label="年度资金总额：",
    first_source_prefix="其中：",
    columns=(
        FundColumn("budget", "全年预算数", "E"),
        FundColumn("actual", "实际完成数", "F"),
        FundColumn("rate", "执行率（%）", "G:H"),
    ),
)

INDICATORS = Indicators(
    section=Section("绩效指标"),
    columns=(
        IndicatorColumn("level1", "一级指标", "B"),
        IndicatorColumn("level2", "二级指标", "C"),
        IndicatorColumn("name", "三级指标", "D"),
        IndicatorColumn("target", "年度设定指标值", "E"),
        IndicatorColumn("actual", "实际完成值", "F"),
        IndicatorColumn("completion_rate", "完成率（%）", "G"),
        IndicatorColumn("reason", "未完成原因和改进措施", "H"),
    ),
)

LAYOUT = Layout(
    key="panzhihua",
    name=_("Panzhihua 部门预算项目支出绩效自评表"),
    title=TITLE,
    edition="2021版",
    fields=(
        Field("project", "项目名称", required=True),
        Field("supervising_unit", "项目主管单位", required=True),
        Field("implementing_unit", "项目实施单位", required=True),
        Field("goal", "年度设定目标", required=True),
        Field("achieved", "实际完成情况", required=True),
    ),
    funds=FUNDS,
    indicators=INDICATORS,
    sheet=(
        Block(rows=((Label(TITLE, "A:H", style="title"),),)),
        Block(rows=((Label("（{year}年度）", "A:H", style="subtitle"),),)),
        Block(
            rows=(
                (Label("项目名称", "A:C"), Value("project", "D:H")),
                (Label("项目主管单位", "A:C"), Value("supervising_unit", "D:H")),
                (Label("项目实施单位", "A:C"), Value("implementing_unit", "D:H")),
            )
        ),
        FUNDS,
        Block(
            section=Section("年度总体目标"),
            rows=(
                (Label("年度设定目标", "B:E"), Label("实际完成情况", "F:H")),
                (Value("goal", "B:E"), Value("achieved", "F:H")),
            ),
        ),
        INDICATORS,
    ),
    widths={"A": 5, "B": 7, "C": 9, "D": 26, "E": 24, "F": 18, "G": 10, "H": 24},
)
