"""The form edition in use since 2021: its fund sources and indicator taxonomy."""

from django.db import migrations

EDITION = "2021版"
FUND_SOURCES = ["上级财政资金", "本级财政资金", "其他资金"]
TAXONOMY = [
    ("产出指标", [("数量指标", ""), ("质量指标", ""), ("时效指标", "")]),
    ("成本指标", [("经济成本指标", ""), ("社会成本指标", ""), ("生态环境成本指标", "")]),
    (
        "效益指标",
        [
            ("经济效益指标", ""),
            ("社会效益指标", ""),
            ("生态效益指标", ""),
            ("可持续影响指标", ""),
        ],
    ),
    ("满意度指标", [("满意度指标", "服务对象满意度指标")]),
]


def create_edition(apps, schema_editor):
    Edition = apps.get_model("evaluations", "Edition")
    FundSource = apps.get_model("evaluations", "FundSource")
    IndicatorCategory = apps.get_model("evaluations", "IndicatorCategory")
    edition, created = Edition.objects.get_or_create(name=EDITION)
    if not created:
        return
    for position, name in enumerate(FUND_SOURCES, start=1):
        FundSource.objects.create(edition=edition, name=name, position=position)
    for position, (level1, children) in enumerate(TAXONOMY, start=1):
        parent = IndicatorCategory.objects.create(edition=edition, name=level1, position=position)
        for child_position, (level2, aliases) in enumerate(children, start=1):
            IndicatorCategory.objects.create(
                edition=edition,
                parent=parent,
                name=level2,
                aliases=aliases,
                position=child_position,
            )


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0001_initial")]

    operations = [migrations.RunPython(create_edition, migrations.RunPython.noop)]
