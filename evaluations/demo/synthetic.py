"""Synthetic forms for benchmarks and load tests: real shapes, invented content.

`generate(departments=N, forms_per_department=M, year=Y)` makes departments `SYN-0001`…
overseen by the demo finance bureau (so the demo `reviewer` sees them all), one editor login
per department (`dept0001`… with the demo password), and M forms per department: money in one
to three fund sources, 8–30 indicators across the whole taxonomy, and a realistic mix of states
(draft, submitted, returned, approved) with the history rows those states imply.

Rows are written in bulk: this is a data generator, not the workflow, and it never changes the
state of an existing form. Running it again adds nothing that is already there.
"""

import datetime
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from departments.models import Department, FinanceBureau, Membership
from evaluations.demo.seed import BUREAU, DEMO_PASSWORD, EDITION
from evaluations.models import (
    Edition,
    Evaluation,
    FundLine,
    Indicator,
    Project,
    Transition,
    Year,
)

AREAS = [
    "党员教育",
    "干部培训",
    "人才引进",
    "基层治理",
    "老干部服务",
    "社区建设",
    "乡村振兴",
    "安全生产",
    "生态保护",
    "公共卫生",
    "文化惠民",
    "就业服务",
    "养老服务",
    "教育培训",
]
KINDS = ["工作经费", "专项资金", "补助资金", "建设经费", "运行经费", "奖励资金"]
UNITS = ["局", "中心", "办公室", "服务站", "委员会"]
STATES = [
    (Evaluation.State.DRAFT, 40),
    (Evaluation.State.SUBMITTED, 30),
    (Evaluation.State.RETURNED, 10),
    (Evaluation.State.APPROVED, 20),
]
# What each state's history looks like: the transitions that led there.
PATHS = {
    Evaluation.State.DRAFT: [],
    Evaluation.State.SUBMITTED: [("draft", "submitted")],
    Evaluation.State.RETURNED: [("draft", "submitted"), ("submitted", "returned")],
    Evaluation.State.APPROVED: [("draft", "submitted"), ("submitted", "approved")],
}
ROWS_BY_LEVEL2 = {
    "数量指标": [("开展{area}活动次数", "≥{n}次", "{m}次"), ("覆盖人数", "{n}人", "{m}人")],
    "质量指标": [("{area}任务完成质量", "≥95%", "{p}%"), ("资料归档完整率", "100%", "100%")],
    "时效指标": [("完成时间", "{year}年12月底前", "已按时完成")],
    "经济成本指标": [("{project}", "{budget} 万元", "{actual} 万元")],
    "社会成本指标": [("对社会的负面影响", "无", "无")],
    "生态环境成本指标": [("对生态环境的影响", "无", "无")],
    "经济效益指标": [("带动相关产业发展", "有所提升", "达到预期目标")],
    "社会效益指标": [
        ("{area}水平持续提升", "明显提升", "达到预期目标"),
        ("群众获得感增强", "逐步增强", "已完成"),
    ],
    "生态效益指标": [("生态环境改善", "有所改善", "达到预期目标")],
    "可持续影响指标": [("长效机制建立", "逐步建立", "已建立")],
    "满意度指标": [("服务对象满意度", "≥90%", "{p}%")],
}


def _weighted_state(rng):
    return rng.choices([state for state, _ in STATES], [weight for _, weight in STATES])[0]


def _indicator_rows(rng, categories, project, budget, actual, year):
    """8–30 rows: every 一级 present, the rest spread over the taxonomy."""
    by_level1 = {}
    for category in categories:
        by_level1.setdefault(category.parent_id, []).append(category)
    chosen = [rng.choice(group) for group in by_level1.values()]
    chosen += rng.choices(categories, k=rng.randint(8, 30) - len(chosen))
    chosen.sort(key=lambda category: (category.parent.position, category.position))
    rows = []
    for position, category in enumerate(chosen, start=1):
        name, target, result = rng.choice(ROWS_BY_LEVEL2.get(category.name, [("{area}", "", "")]))
        n = rng.randint(2, 200)
        values = {
            "area": rng.choice(AREAS),
            "project": project,
            "n": n,
            "m": n if rng.random() < 0.8 else rng.randint(1, n),
            "p": rng.choice([90, 95, 98, 100]),
            "year": year,
            "budget": budget,
            "actual": actual,
        }
        rate = Decimal(100) if rng.random() < 0.85 else Decimal(rng.randint(3000, 9999)) / 100
        rows.append(
            Indicator(
                category=category,
                name=name.format(**values),
                target=target.format(**values),
                actual=result.format(**values),
                completion_rate=rate,
                reason="" if rate == 100 or rng.random() < 0.3 else "部分工作延至下年度完成",
                position=position,
            )
        )
    return rows


@transaction.atomic
def generate(departments, forms_per_department, year, seed=0):
    edition = Edition.objects.get(name=EDITION)
    bureau, _ = FinanceBureau.objects.get_or_create(code=BUREAU[0], defaults={"name": BUREAU[1]})
    year_obj, created = Year.objects.get_or_create(
        year=year, defaults={"edition": edition, "deadline": datetime.date(year + 1, 3, 31)}
    )
    if created:
        year_obj.required_categories.set(edition.level1())
    sources = list(edition.fund_sources.all())
    categories = list(edition.level2())
    password = make_password(DEMO_PASSWORD)
    User = get_user_model()
    now = timezone.now()
    made = 0

    for number in range(1, departments + 1):
        # One generator per department: a second run draws the same names and skips them.
        rng = random.Random(f"{seed}-{number}")
        area = AREAS[number % len(AREAS)]
        department, _ = Department.objects.get_or_create(
            code=f"SYN-{number:04d}",
            defaults={
                "name": f"攀枝花市西区{area}{rng.choice(UNITS)}（{number}）",
                "bureau": bureau,
            },
        )
        user, _ = User.objects.get_or_create(
            username=f"dept{number:04d}",
            defaults={"password": password, "first_name": f"{department.name} 填报员"},
        )
        Membership.objects.get_or_create(
            user=user, department=department, defaults={"role": Membership.Role.EDITOR}
        )
        projects = [
            Project(
                department=department, name=f"{year}年{rng.choice(AREAS)}{rng.choice(KINDS)}{i}"
            )
            for i in range(1, forms_per_department + 1)
        ]
        Project.objects.bulk_create(projects, ignore_conflicts=True)
        projects = Project.objects.filter(department=department).exclude(evaluations__year=year_obj)
        evaluations = []
        for project in projects:
            state = _weighted_state(rng)
            submitted = now - datetime.timedelta(hours=rng.randint(1, 2000))
            evaluations.append(
                Evaluation(
                    project=project,
                    year=year_obj,
                    supervising_unit=department.name,
                    implementing_unit=department.name,
                    goal=f"围绕{rng.choice(AREAS)}重点工作，按计划完成年度任务，提升服务质量和群众满意度。",
                    achieved="已完成年度目标任务。" if state != Evaluation.State.DRAFT else "",
                    state=state,
                    updated_by=user,
                    submitted_at=submitted if state != Evaluation.State.DRAFT else None,
                    approved_at=(
                        submitted + datetime.timedelta(days=2)
                        if state == Evaluation.State.APPROVED
                        else None
                    ),
                )
            )
        Evaluation.objects.bulk_create(evaluations)
        lines, indicators, transitions = [], [], []
        for evaluation in evaluations:
            used = set(rng.sample(range(len(sources)), rng.choice([1, 1, 1, 2, 3])))
            executed = Decimal(rng.randint(20, 100)) / 100
            budget = actual = Decimal(0)
            for index, source in enumerate(sources):
                line = FundLine(evaluation=evaluation, source=source)
                if index in used:
                    line.budget = Decimal(rng.randint(50, 500000)) / 100
                    line.actual = (line.budget * executed).quantize(Decimal("0.01"))
                    budget, actual = budget + line.budget, actual + line.actual
                lines.append(line)
            for row in _indicator_rows(
                rng, categories, evaluation.project.name, budget, actual, year
            ):
                row.evaluation = evaluation
                indicators.append(row)
            for before, after in PATHS[evaluation.state]:
                transitions.append(
                    Transition(
                        evaluation=evaluation,
                        actor=user,
                        from_state=before,
                        to_state=after,
                        comment="请补充未完成原因。" if after == "returned" else "",
                    )
                )
        FundLine.objects.bulk_create(lines, batch_size=2000)
        Indicator.objects.bulk_create(indicators, batch_size=2000)
        Transition.objects.bulk_create(transitions, batch_size=2000)
        made += len(evaluations)
    return made
