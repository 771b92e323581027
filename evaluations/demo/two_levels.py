"""The demo's two-level review: the 组织部's 党员教育中心 (a 二级单位) files its 2024 form,
which goes to the 组织部 as its 主管部门 before the finance bureau (whose 2024 needs that stage).

The form's indicators are the 远教站点 rows of the 组织部's 2023 党员教育培训经费 form.
"""

import datetime

from django.utils import timezone

from departments.models import Department, Membership
from evaluations import content, workflow
from evaluations.models import BureauYear, Edition, Evaluation, Project, Year

PROJECT = "党员远程教育站点运行维护经费"
SOURCE_FORM = "党员教育培训经费"
MARK = "远教站点"


def load(bureau, department, seed, user_of):
    """The unit's submitted 2024 form, its editor `unit-editor` and the 组织部's 主管部门
    reviewer `supervisor`; returns how many forms it made (0 or 1)."""
    number = seed["year"] + 1
    unit = Department.objects.get(parent=department, name=seed["subunits"][0])
    editor = user_of("unit-editor", "党员教育中心 填报员")
    Membership.objects.get_or_create(
        user=editor, department=unit, defaults={"role": Membership.Role.EDITOR}
    )
    supervisor = user_of("supervisor", "组织部 主管部门审核员")
    Membership.objects.get_or_create(
        user=supervisor, department=department, defaults={"role": Membership.Role.SUPERVISOR}
    )
    year = Year.objects.get(year=number)
    edition = Edition.objects.get(pk=year.edition_id)
    settings, created = BureauYear.objects.get_or_create(
        bureau=bureau,
        year=year,
        defaults={
            "layout": year.layout,
            "edition": edition,
            "deadline": timezone.localdate() + datetime.timedelta(days=120),
            "supervisor_stage": True,
        },
    )
    if created:
        # The 远教站点 rows are 产出 and 效益 indicators.
        settings.required_categories.set(edition.level1().filter(name__in=["产出指标", "效益指标"]))
    project, _ = Project.objects.get_or_create(department=unit, name=PROJECT)
    if Evaluation.objects.filter(project=project, year=year).exists():
        return 0
    source = next(form for form in seed["forms"] if form["project"] == SOURCE_FORM)
    filled = content.Content.from_data(
        {
            "project": PROJECT,
            "supervising_unit": department.name,
            "implementing_unit": unit.name,
            "goal": "保障全区远教站点专线和村（社区）站点正常运行，落实站点工作人员绩效。",
            "achieved": "全区远教站点全年正常运行，站点工作人员绩效按时兑现。",
            "funds": [{"source": "本级财政资金", "budget": "5", "actual": "4.8"}],
            "indicators": [row for row in source["indicators"] if MARK in row["name"]],
        }
    )
    form = content.save(Evaluation(project=project, year=year), filled, editor)
    workflow.submit(form, editor)
    return 1
