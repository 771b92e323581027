"""Synthetic forms for benchmarks and load tests: real shapes, invented content.

`generate(departments=N, forms_per_department=M, year=Y)` makes departments `SYN-0001`…
overseen by the demo finance bureau (so the demo `reviewer` sees them all), one editor login
per department (`dept0001`… with the demo password), and M forms per department: money in one
to three fund sources, 8–30 indicators across the whole taxonomy, and a realistic mix of states
(draft, submitted, returned, approved) with the history rows those states imply.

With `layout=` a scored layout's key, the forms are that layout's: filed by departments
`SYN-<layout>-0001`… (logins `<layout>0001`…) of the bureau of the layout's published example
(so `reviewer-tianchang` or `reviewer-daying` sees them), in that bureau's year in the layout,
with its edition's sources and taxonomy, and weights that add up to the rules' total, natures,
units, scores the rules give and the reasons they ask for.

Rows are written in bulk: this is a data generator, not the workflow, and it never changes the
state of an existing form. Running it again adds nothing that is already there.
"""

import datetime
import random
from decimal import ROUND_FLOOR, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from departments.models import Department, FinanceBureau, Membership
from evaluations import content, layouts, scoring
from evaluations.completion import AT_MOST, parse_quantity
from evaluations.demo import examples
from evaluations.demo.seed import BUREAU, DEMO_PASSWORD, EDITION
from evaluations.models import (
    BureauYear,
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
# The national edition's names for two of them.
ROWS_BY_LEVEL2["成本指标"] = ROWS_BY_LEVEL2["经济成本指标"]
ROWS_BY_LEVEL2["服务对象满意度指标"] = ROWS_BY_LEVEL2["满意度指标"]
# What the texts a layout prints besides the goals say.
TEXTS = {
    "process_summary": "按年度计划组织实施，资金按进度拨付，年底前完成各项工作。",
    "conclusion": "项目按计划实施，基本完成年度目标。",
    "problems": "部分工作进度偏慢。",
    "improvements": "加强项目进度管理，提前谋划下年度工作。",
    "project_leader": "张明",
    "finance_leader": "李华",
}
EXECUTION_REASON = "部分资金未能按期支付，将于下年度完成支付。"
SHORT_REASON = "部分工作延至下年度完成"
OVERSHOOT_REASON = "实际需求高于年初预计"


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


def _weights(total, count):
    """`count` whole weights that add up to `total`, the first ones a point more."""
    base = (total / count).to_integral_value(rounding=ROUND_FLOOR)
    weights = [base] * count
    for index in range(int(total - base * count)):
        weights[index] += 1
    weights[-1] += total - sum(weights)
    return weights


def _score(rows, rng, layout, rules):
    """Give rows of a scored layout what it prints instead of completion rates: weights that add
    up, natures and units where it has those columns, the scores the rules give (a few entered
    a little off, as departments do) and the reasons they ask for."""
    weights = _weights(rules.total_weight - rules.execution_weight, len(rows))
    for row, weight in zip(rows, weights, strict=True):
        target, actual = parse_quantity(row.target), parse_quantity(row.actual)
        if layout.has("nature"):
            if target is None:
                row.nature = scoring.QUALITATIVE
            else:
                row.nature = scoring.LESS if target[0] in AT_MOST else scoring.MORE
        if layout.has("unit") and target is not None and actual and actual[2] == target[2]:
            row.unit = target[2]
            row.target, row.actual = f"{target[1]:f}", f"{actual[1]:f}"
        row.completion_rate = None
        row.weight = weight
        computed = scoring.indicator_score(row.nature, row.target, row.actual, weight, rules)
        if computed is None:
            # A qualitative row: the department picks a band, mostly the top one.
            computed = weight if rng.random() < 0.8 else scoring.points(weight * Decimal("0.8"))
        if rng.random() < 0.05:
            computed = max(computed - 1, Decimal(0))
        row.score = computed
        needed = scoring.reason_needed(row.nature, row.target, row.actual, rules)
        if needed is None or rng.random() < 0.3:
            row.reason = ""
        else:
            row.reason = SHORT_REASON if needed == scoring.BELOW_TARGET else OVERSHOOT_REASON


def login_prefix(layout_key):
    """What the editor logins of a layout's synthetic departments start with."""
    return "dept" if layout_key == layouts.DEFAULT else layout_key


def _bureau(layout_key):
    """The bureau a layout's synthetic departments are filed under, and their codes' and
    logins' prefixes."""
    if layout_key == layouts.DEFAULT:
        bureau, _ = FinanceBureau.objects.get_or_create(
            code=BUREAU[0], defaults={"name": BUREAU[1]}
        )
        return bureau, "SYN-", login_prefix(layout_key)
    example = examples.read_examples().get(layout_key)
    code, name = example["bureau"] if example else (f"SYN-{layout_key}-CZ", f"{layout_key}财政局")
    bureau, _ = FinanceBureau.objects.get_or_create(code=code, defaults={"name": name})
    return bureau, f"SYN-{layout_key}-", login_prefix(layout_key)


def _year_settings(bureau, layout_key, year):
    """The Year (made if missing, with the seed's edition) and the settings the bureau files it
    with: the Year's own for the default layout, else the bureau's year in the layout."""
    edition = Edition.objects.get(name=EDITION)
    year_obj, created = Year.objects.get_or_create(
        year=year, defaults={"edition": edition, "deadline": datetime.date(year + 1, 3, 31)}
    )
    if created:
        year_obj.required_categories.set(edition.level1())
    if layout_key != layouts.DEFAULT:
        examples.bureau_year(bureau, year, layout_key)
    settings = BureauYear.settings_for(bureau.pk, year_obj)
    if settings.layout != layout_key:
        raise ValueError(f"{bureau} files {year} in the {settings.layout} layout, not {layout_key}")
    return year_obj, settings


@transaction.atomic
def generate(departments, forms_per_department, year, seed=0, layout=layouts.DEFAULT):
    bureau, code_prefix, login_prefix = _bureau(layout)
    year_obj, settings = _year_settings(bureau, layout, year)
    form_layout, rules = settings.form_layout, settings.scoring_rules
    place = bureau.name.removesuffix("财政局")
    edition = settings.edition
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
            code=f"{code_prefix}{number:04d}",
            defaults={
                "name": f"{place}{area}{rng.choice(UNITS)}（{number}）",
                "bureau": bureau,
            },
        )
        user, _ = User.objects.get_or_create(
            username=f"{login_prefix}{number:04d}",
            defaults={"password": password, "first_name": f"{department.name} 填报员"},
        )
        Membership.objects.get_or_create(
            user=user, department=department, defaults={"role": Membership.Role.EDITOR}
        )
        projects = [
            Project(
                department=department,
                name=f"{year}年{rng.choice(AREAS)}{rng.choice(KINDS)}{i}",
                code=f"SYN{year}{number:04d}{i:04d}" if form_layout.has("project_code") else "",
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
                    **{name: text for name, text in TEXTS.items() if form_layout.has(name)},
                )
            )
        Evaluation.objects.bulk_create(evaluations)
        lines, indicators, transitions, explained = [], [], [], []
        for evaluation in evaluations:
            used = set(rng.sample(range(len(sources)), rng.choice([1, 1, 1, 2, 3])))
            executed = Decimal(rng.randint(20, 100)) / 100
            budget = actual = Decimal(0)
            mine = []
            for index, source in enumerate(sources):
                line = FundLine(evaluation=evaluation, source=source)
                if index in used:
                    line.budget = Decimal(rng.randint(50, 500000)) / 100
                    line.actual = (line.budget * executed).quantize(Decimal("0.01"))
                    if "initial_budget" in form_layout.fund_columns:
                        line.initial_budget = line.budget
                    budget, actual = budget + line.budget, actual + line.actual
                mine.append(line)
            # The totals the form's save would store beside its lines.
            content.set_totals(evaluation, mine)
            lines += mine
            rows = _indicator_rows(rng, categories, evaluation.project.name, budget, actual, year)
            if rules is not None:
                _score(rows, rng, form_layout, rules)
                if form_layout.has("execution_reason") and scoring.execution_reason_needed(
                    actual, budget, rules
                ):
                    evaluation.execution_reason = EXECUTION_REASON
                    explained.append(evaluation)
            for row in rows:
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
        Evaluation.objects.bulk_update(explained, ["execution_reason"], batch_size=2000)
        Evaluation.objects.bulk_update(evaluations, content.TOTALS, batch_size=500)
        FundLine.objects.bulk_create(lines, batch_size=2000)
        Indicator.objects.bulk_create(indicators, batch_size=2000)
        Transition.objects.bulk_create(transitions, batch_size=2000)
        made += len(evaluations)
    return made
