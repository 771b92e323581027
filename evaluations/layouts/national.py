"""项目支出绩效自评表 of the national 2020 rules (财预〔2020〕10号 附件1), with scores.

shared/layouts/national-2020.md: 年初预算数 beside 全年预算数, 分值 and 得分 for the execution rate
and every indicator, a 总分 row under the indicators.
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
    Refused,
    Section,
    Total,
    Value,
)

TITLE = "项目支出绩效自评表"

FUNDS = Funds(
    section=Section("项目资金（万元）"),
    labels="B:C",
    header_label="",
    total_label="年度资金总额",
    first_source_prefix="其中：",
    columns=(
        FundColumn("initial_budget", "年初预算数", "D"),
        FundColumn("budget", "全年预算数", "E", variants=("全年预算数(A)",)),
        FundColumn("actual", "全年执行数", "F", variants=("全年执行数(B)",)),
        FundColumn("weight", "分值", "G", source_text="—"),
        FundColumn("rate", "执行率", "H", variants=("执行率(B/A)",)),
        FundColumn("score", "得分", "I", source_text="—"),
    ),
)

INDICATORS = Indicators(
    section=Section("绩效指标"),
    columns=(
        IndicatorColumn("level1", "一级指标", "B"),
        IndicatorColumn("level2", "二级指标", "C"),
        IndicatorColumn("name", "三级指标", "D"),
        IndicatorColumn("target", "年度指标值", "E", variants=("年度指标值(A)",)),
        IndicatorColumn("actual", "实际完成值", "F", variants=("实际完成值(B)",)),
        IndicatorColumn("weight", "分值", "G"),
        IndicatorColumn("score", "得分", "H"),
        IndicatorColumn("reason", "偏差原因分析及改进措施", "I"),
    ),
)

TOTAL = Total("总分", columns="A:F", weight="G", score="H", rest="I")

LAYOUT = Layout(
    key="national",
    name=_("National 项目支出绩效自评表 (财预〔2020〕10号)"),
    title=TITLE,
    edition="全国2020版",
    fields=(
        Field("project", "项目名称", required=True),
        Field("supervising_unit", "主管部门", required=True),
        Field("implementing_unit", "实施单位", required=True),
        Field("goal", "预期目标", variants=("年度目标",), required=True),
        Field("achieved", "实际完成情况", required=True),
    ),
    funds=FUNDS,
    indicators=INDICATORS,
    sheet=(
        Block(rows=((Label(TITLE, "A:I", style="title"),),)),
        Block(rows=((Label("（{year}年度）", "A:I", style="subtitle"),),)),
        Block(
            rows=(
                (Label("项目名称", "A"), Value("project", "B:I")),
                (
                    Label("主管部门", "A"),
                    Value("supervising_unit", "B:D"),
                    Label("实施单位", "E"),
                    Value("implementing_unit", "F:I"),
                ),
            )
        ),
        FUNDS,
        Block(
            section=Section("年度总体目标"),
            rows=(
                (Label("预期目标", "B:E"), Label("实际完成情况", "F:I")),
                (Value("goal", "B:E"), Value("achieved", "F:I")),
            ),
        ),
        INDICATORS,
        TOTAL,
    ),
    widths={"A": 5, "B": 9, "C": 11, "D": 24, "E": 16, "F": 16, "G": 7, "H": 9, "I": 24},
    rules=scoring.NATIONAL,
    total=TOTAL,
    refused=(
        # Yunnan's 公开14表 prints the same form with a 部门 row above and amounts in 元.
        Refused(_("Yunnan 公开14表"), marks=("公开14表",)),
    ),
)
