"""The demo: the 西区 finance bureau, the 组织部 with its units, and its ten real 2023 forms in
the Panzhihua layout; beside them the published examples of the scored layouts, each in its own
bureau with a reviewer and an editor (天长 in the national layout, 大英 in Sichuan's).

Loading is idempotent: what exists is kept as it is (a demo user's edits survive a second
`make run`), what is missing is created. Demo users exist only through this module.
"""

import datetime
import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from config.texts import one_line
from departments.models import BureauMembership, Department, FinanceBureau, Membership
from evaluations import content, pins, workflow
from evaluations.demo import examples, two_levels
from evaluations.models import Edition, Evaluation, Project, Year
from reports import demo as report_demo

DEMO_PASSWORD = "demo-pass-2023"
SEED_FILE = Path(__file__).with_name("seed_forms_2023.json")
EDITION = "2021版"
BUREAU = ("510403-CZ", "攀枝花市西区财政局")
ORGANISATION_DEPARTMENT = ("510403-101", "中国共产党攀枝花市西区委员会组织部")
PARTY_SCHOOL = ("510403-102", "中共攀枝花市西区区委党校")


def read_seed():
    return json.loads(SEED_FILE.read_text(encoding="utf-8"))


@transaction.atomic
def load_demo():
    seed = read_seed()
    edition = Edition.objects.get(name=EDITION)
    bureau, _ = FinanceBureau.objects.get_or_create(code=BUREAU[0], defaults={"name": BUREAU[1]})
    department = _department(ORGANISATION_DEPARTMENT, bureau)
    for index, name in enumerate(seed["subunits"], start=1):
        _department((f"{ORGANISATION_DEPARTMENT[0]}-{index:02d}", name), bureau, parent=department)
    party_school = _department(PARTY_SCHOOL, bureau)

    # Deadlines ahead of today, so that the demo shows days left rather than years overdue.
    today = timezone.localdate()
    year = _year(seed["year"], edition, deadline=today + datetime.timedelta(days=14))
    _year(seed["year"] + 1, edition, deadline=today + datetime.timedelta(days=120))

    editor = _user("editor", "组织部 填报员")
    _membership(editor, department, Membership.Role.EDITOR)
    _membership(_user("viewer", "组织部 查看员"), department, Membership.Role.VIEWER)
    _membership(_user("dangxiao", "党校 填报员"), party_school, Membership.Role.EDITOR)
    reviewer = _user("reviewer", "财政局 审核员")
    BureauMembership.objects.get_or_create(user=reviewer, bureau=bureau)
    _user("admin", "系统管理员", is_staff=True, is_superuser=True)

    created = {}
    for form in seed["forms"]:
        project, _ = Project.objects.get_or_create(
            department=department, name=one_line(form["project"])
        )
        if not Evaluation.objects.filter(project=project, year=year).exists():
            created[project.name] = create_form(project, year, form, editor)
    report_demo.classify(created.values(), editor)
    _review_some(created, editor, reviewer)
    report_demo.load(department, year, editor)
    made = two_levels.load(bureau, department, seed, _user)
    return len(created) + made + _load_examples(deadline=today + datetime.timedelta(days=21))


# The published examples: their logins' place name, and whether the demo hands the form in (the
# national one waits in its reviewer's queue; Sichuan's is a draft its editor can change).
EXAMPLES = {"national": ("tianchang", True), "sichuan": ("daying", False)}


def _load_examples(deadline):
    made = 0
    for layout_key, (place, submitted) in EXAMPLES.items():
        example = examples.read_examples()[layout_key]
        department_name, bureau_name = example["department"][1], example["bureau"][1]
        editor = _user(f"editor-{place}", f"{department_name} 填报员")
        new = not examples.is_loaded(layout_key)
        department, evaluation = examples.load_example(layout_key, editor, deadline=deadline)
        _membership(editor, department, Membership.Role.EDITOR)
        reviewer = _user(f"reviewer-{place}", f"{bureau_name} 审核员")
        BureauMembership.objects.get_or_create(user=reviewer, bureau=department.bureau)
        if new:
            made += 1
            if submitted:
                workflow.submit(evaluation, editor)
    return made


def _review_some(created, editor, reviewer):
    """Take some newly created forms through the real workflow, so that every page has
    something to show: a queue to work through, an approval, a return with a pinned comment."""
    for name in [*SUBMITTED, *APPROVED, *RETURNED]:
        if name in created:
            workflow.submit(created[name], editor)
    for name in APPROVED:
        if name in created:
            workflow.approve(created[name], reviewer, comment="资料齐全，同意。")
    for name, (row_name, comment) in RETURNED.items():
        if name in created:
            evaluation = created[name]
            row = evaluation.indicators.get(name=row_name)
            target = next(t for t in pins.targets(evaluation) if t.indicator == row)
            workflow.return_(
                evaluation,
                reviewer,
                "请补充未完成指标的原因和改进措施后重新提交。",
                pins=[workflow.Pin(target, comment)],
            )


# What the demo's reviewer has done so far with the seed forms; the others stay drafts.
SUBMITTED = [
    "2023年春节前走访慰问区委联系服务专家人才慰问金",
    "2023年攀枝花市公开招聘聘任制公务员专家测评和综合评价考务费",
    "到村任职选调生补助资金",
]
APPROVED = ["老干部队伍建设经费", "2023年新录用公务员（选调生）初任培训经费"]
RETURNED = {"党员教育培训经费": ("党员教育培训经费", "完成率 52.37%，请说明未完成原因。")}


def create_form(project, year, form, user):
    """One form from its plain description (the seed file's shape, that of Content.as_data)."""
    return content.save(
        Evaluation(project=project, year=year), content.Content.from_data(form), user
    )


def _department(code_and_name, bureau, parent=None):
    code, name = code_and_name
    department, _ = Department.objects.get_or_create(
        code=code, defaults={"name": name, "bureau": bureau, "parent": parent}
    )
    return department


def _year(number, edition, deadline):
    year, created = Year.objects.get_or_create(
        year=number, defaults={"edition": edition, "deadline": deadline}
    )
    if created:
        year.required_categories.set(edition.level1())
    return year


def _user(username, full_name, **flags):
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": full_name, "email": f"{username}@example.org", **flags},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def _membership(user, department, role):
    Membership.objects.get_or_create(user=user, department=department, defaults={"role": role})
