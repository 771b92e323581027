"""Personas and a real form, shared by every test.

- editor: edits the forms of `department`; viewer: reads them.
- other_editor: edits `other_department`, a sibling under the same finance bureau.
- reviewer: reviews every department of `bureau`; other_reviewer: of `other_bureau` only.
- admin_user: superuser.
"""

import datetime
import importlib
import re

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from departments.models import BureauMembership, Department, FinanceBureau, Membership
from evaluations.demo.examples import load_example
from evaluations.demo.seed import create_form, read_seed
from evaluations.excel import writer
from evaluations.models import Edition, Project, Year
from reports import demo as report_demo
from tests import printed

PASSWORD = "a-long-test-password-2023"


def plan_field(page):
    """The fingerprint of the plan an import preview shows, which its confirmation posts."""
    found = re.search(r'name="plan" value="([^"]*)"', page)
    return found[1] if found else ""


def confirm_import(client, preview_url, follow=False, **posted):
    """Confirm an import as its preview page does: with the plan the preview shows."""
    page = client.get(preview_url).content.decode()
    return client.post(preview_url, {"plan": plan_field(page), **posted}, follow=follow)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashing costs a third of a second per user; the suite creates hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_user(username, **flags):
    return get_user_model().objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.org", **flags
    )


@pytest.fixture
def edition(db):
    # Transactional tests (the browser tests) flush the tables, data migrations included.
    if not Edition.objects.filter(name="2021版").exists():
        migration = importlib.import_module("evaluations.migrations.0002_official_edition")
        migration.create_edition(apps, None)
        migration = importlib.import_module(
            "evaluations.migrations.0007_national_and_sichuan_editions"
        )
        migration.create_editions(apps, None)
    return Edition.objects.get(name="2021版")


@pytest.fixture
def bureau(db):
    return FinanceBureau.objects.create(code="CZ-1", name="攀枝花市西区财政局")


@pytest.fixture
def other_bureau(db):
    return FinanceBureau.objects.create(code="CZ-2", name="攀枝花市东区财政局")


@pytest.fixture
def department(bureau):
    return Department.objects.create(
        code="D-1", name="中国共产党攀枝花市西区委员会组织部", bureau=bureau
    )


@pytest.fixture
def other_department(bureau):
    return Department.objects.create(code="D-2", name="中共攀枝花市西区区委党校", bureau=bureau)


@pytest.fixture
def foreign_department(other_bureau):
    return Department.objects.create(code="D-9", name="攀枝花市东区教育局", bureau=other_bureau)


@pytest.fixture
def year(edition):
    year = Year.objects.create(year=2023, edition=edition, deadline=datetime.date(2024, 3, 31))
    year.required_categories.set(edition.level1())
    return year


@pytest.fixture
def next_year(edition):
    year = Year.objects.create(year=2024, edition=edition, deadline=datetime.date(2025, 3, 31))
    year.required_categories.set(edition.level1())
    return year


@pytest.fixture
def unit(department):
    """A 二级单位 of the 组织部."""
    return Department.objects.create(
        code="D-1-01",
        name="中共攀枝花市西区区委组织部党员教育中心",
        bureau=department.bureau,
        parent=department,
    )


@pytest.fixture
def unit_editor(unit):
    user = make_user("unit_editor")
    Membership.objects.create(user=user, department=unit, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def supervisor(department):
    """The 组织部's 主管部门 reviewer."""
    user = make_user("supervisor")
    Membership.objects.create(user=user, department=department, role=Membership.Role.SUPERVISOR)
    return user


@pytest.fixture
def other_supervisor(other_department):
    """A 主管部门 reviewer of another parent."""
    user = make_user("other_supervisor")
    Membership.objects.create(
        user=user, department=other_department, role=Membership.Role.SUPERVISOR
    )
    return user


@pytest.fixture
def two_levels(year, supervisor):
    """The year asks for the 主管部门 stage, and the 组织部 has its reviewer."""
    year.supervisor_stage = True
    year.save()
    return year


@pytest.fixture
def editor(department):
    user = make_user("editor", first_name="组织部 填报员")
    Membership.objects.create(user=user, department=department, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def viewer(department):
    user = make_user("viewer")
    Membership.objects.create(user=user, department=department, role=Membership.Role.VIEWER)
    return user


@pytest.fixture
def other_editor(other_department):
    user = make_user("other_editor")
    Membership.objects.create(user=user, department=other_department, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def reviewer(bureau):
    user = make_user("reviewer")
    BureauMembership.objects.create(user=user, bureau=bureau)
    return user


@pytest.fixture
def editing_reviewer(bureau, department):
    """A reviewer of the bureau who is also an editor of one of its departments."""
    user = make_user("editing_reviewer")
    BureauMembership.objects.create(user=user, bureau=bureau)
    Membership.objects.create(user=user, department=department, role=Membership.Role.EDITOR)
    return user


@pytest.fixture
def other_reviewer(other_bureau):
    user = make_user("other_reviewer")
    BureauMembership.objects.create(user=user, bureau=other_bureau)
    return user


@pytest.fixture
def admin_user(db):
    return make_user("admin", is_staff=True, is_superuser=True)


@pytest.fixture
def seed_forms():
    return {form["project"]: form for form in read_seed()["forms"]}


@pytest.fixture
def make_form(department, year, editor, seed_forms):
    """make_form("党员教育培训经费") → that seed form, filed by `department` (or another)."""

    def make(project_name="党员教育培训经费", *, owner=None, in_year=None):
        owner = owner or department
        project, _ = Project.objects.get_or_create(department=owner, name=project_name)
        return create_form(project, in_year or year, seed_forms[project_name], editor)

    return make


@pytest.fixture
def evaluation(make_form):
    """党员教育培训经费 (2023): 30 万元 budget, 15.71 actual, 11 indicators, a draft."""
    return make_form()


@pytest.fixture
def example_form(edition):
    """example_form("national") → 天长市水利局's 2022 form in the national layout;
    example_form("sichuan") → 大英县司法局's 2023 form in Sichuan's (shared/layouts/examples.md),
    each in a bureau whose year uses that layout."""

    def make(layout_key):
        return load_example(layout_key)[1]

    return make


@pytest.fixture
def layout_form(example_form, make_form):
    """layout_form(key) → a filled form in that layout: the seed's 党员教育培训经费 for the
    Panzhihua layout, the published example for the others."""

    def make(layout_key):
        return make_form() if layout_key == "panzhihua" else example_form(layout_key)

    return make


@pytest.fixture
def client_for(db):
    def make(user):
        client = Client()
        if user is not None:
            client.force_login(user)
        return client

    return make


def edit_data(evaluation, **changes):
    """The POST body the edit page sends for `evaluation` as it is saved, with `changes`: every
    value the form's layout shows.

    Keys of `changes` are field names as posted (`goal`, `fund-<source pk>-budget`,
    `indicators-0-name`, …).
    """

    def text(value):
        return "" if value is None else str(value)

    layout = evaluation.form_layout
    data = {"version": evaluation.version, "project_name": evaluation.project.name}
    for field in layout.fields:
        if field.name == "project_code":
            data["project_code"] = evaluation.project.code
        elif field.name != "project":
            data[field.name] = getattr(evaluation, field.name)
    for line in evaluation.fund_lines.all():
        for column in layout.funds.entered:
            data[f"fund-{line.source_id}-{column.name}"] = text(getattr(line, column.name))
    rows = list(evaluation.indicators.all())
    data.update(
        {
            "indicators-TOTAL_FORMS": len(rows),
            "indicators-INITIAL_FORMS": len(rows),
            "indicators-MIN_NUM_FORMS": 0,
            "indicators-MAX_NUM_FORMS": 1000,
        }
    )
    for index, row in enumerate(rows):
        prefix = f"indicators-{index}-"
        data.update(
            {
                prefix + "id": row.pk,
                prefix + "category": row.category_id,
                prefix + "position": row.position,
            }
        )
        for column in layout.indicators.columns:
            if column.name not in ("level1", "level2"):
                data[prefix + column.name] = text(getattr(row, column.name))
    data.update(changes)
    return data


def add_row(data, category, **fields):
    """Append a new indicator row to edit-page POST data, as the page's 'add a row' does."""
    index = data["indicators-TOTAL_FORMS"]
    prefix = f"indicators-{index}-"
    data[prefix + "category"] = category.pk
    data[prefix + "position"] = fields.pop("position", index + 1)
    for name in ("name", "target", "actual", "completion_rate", "reason"):
        data[prefix + name] = fields.get(name, "")
    data["indicators-TOTAL_FORMS"] = index + 1
    return index


@pytest.fixture
def downloaded_form(evaluation):
    """The 党员教育培训经费 form as downloaded, and then deleted: importing it creates it again."""
    content = writer.form_workbook(evaluation)
    evaluation.delete()
    Project.objects.all().delete()
    return content


@pytest.fixture
def report_forms(make_form, editor, seed_forms):
    """The 组织部's ten 2023 seed forms, classed and with the facts the seed's accounts give."""
    forms = [make_form(name) for name in seed_forms]
    report_demo.classify(forms, editor)
    return forms


@pytest.fixture
def weasyprint():
    """WeasyPrint and pdftotext, or the test fails in CI and is skipped elsewhere."""
    return printed.require_weasyprint()
