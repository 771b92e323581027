"""The editions of the national 2020 layout and of Sichuan's 一体化 layout: their fund sources
and taxonomies, with the label variants real files use."""

from django.db import migrations

SATISFACTION = ("服务对象满意度指标", "满意度指标")
BENEFITS = (
    "效益指标",
    [("经济效益指标", ""), ("社会效益指标", ""), ("生态效益指标", ""), ("可持续影响指标", "")],
)
COSTS = ("成本指标", [("经济成本指标", ""), ("社会成本指标", ""), ("生态环境成本指标", "")])
EDITIONS = {
    # The 2020 rules file 成本指标 under 产出指标; forms of 2021 on give it its own 一级.
    "全国2020版": {
        "sources": [("当年财政拨款", "本年财政拨款"), ("上年结转资金", ""), ("其他资金", "")],
        "taxonomy": [
            (
                "产出指标",
                [("数量指标", ""), ("质量指标", ""), ("时效指标", ""), ("成本指标", "")],
            ),
            COSTS,
            BENEFITS,
            ("满意度指标", [SATISFACTION]),
        ],
    },
    # The 2021 taxonomy, with the 经济成本指标 that real forms file under 产出指标.
    "四川一体化版": {
        "sources": [("财政资金", ""), ("财政专户管理资金", ""), ("单位资金", ""), ("其他资金", "")],
        "taxonomy": [
            (
                "产出指标",
                [("数量指标", ""), ("质量指标", ""), ("时效指标", ""), ("经济成本指标", "")],
            ),
            COSTS,
            BENEFITS,
            ("满意度指标", [SATISFACTION]),
        ],
    },
}


def create_editions(apps, schema_editor):
    Edition = apps.get_model("evaluations", "Edition")
    FundSource = apps.get_model("evaluations", "FundSource")
    IndicatorCategory = apps.get_model("evaluations", "IndicatorCategory")
    for name, content in EDITIONS.items():
        edition, created = Edition.objects.get_or_create(name=name)
        if not created:
            continue
        for position, (source, aliases) in enumerate(content["sources"], start=1):
            FundSource.objects.create(
                edition=edition, name=source, aliases=aliases, position=position
            )
        for position, (level1, children) in enumerate(content["taxonomy"], start=1):
            parent = IndicatorCategory.objects.create(
                edition=edition, name=level1, position=position
            )
            for child_position, (level2, aliases) in enumerate(children, start=1):
                IndicatorCategory.objects.create(
                    edition=edition,
                    parent=parent,
                    name=level2,
                    aliases=aliases,
                    position=child_position,
                )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0006_layouts_and_scores")]

    operations = [migrations.RunPython(create_editions, migrations.RunPython.noop)]
