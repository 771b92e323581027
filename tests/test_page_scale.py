"""Pages whose work could grow with the number of forms: the forms list in pages of whole
departments, the overview's rates counted by the database, the queue's counts and sort, the
stored fund totals, and an import written in bulk. Query counts are compared at two sizes."""

import importlib
import io

import pytest
from django.apps import apps
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    OuterRef,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import NullIf
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from departments.models import Department, Membership
from evaluations import content, form_list, importing, overview
from evaluations.demo.seed import create_form
from evaluations.excel import writer
from evaluations.models import HUNDRED, Evaluation, FundLine, Project
from evaluations.money import Funds
from evaluations.templatetags import review_tags
from tests.conftest import make_user

State = Evaluation.State
SEED = "党员教育培训经费"


@pytest.fixture
def many(bureau, year, editor, seed_forms):
    """grow(n): n more copies of a seed form in each of three departments, which a viewer of
    all three reads."""
    departments = [
        Department.objects.create(code=f"S-{number}", name=f"西区单位{number}", bureau=bureau)
        for number in range(1, 4)
    ]
    viewer = make_user("province_viewer")
    for department in departments:
        Membership.objects.create(user=viewer, department=department, role=Membership.Role.VIEWER)
    made = []

    def grow(count):
        for department in departments:
            for _ in range(count):
                project = Project.objects.create(
                    department=department, name=f"{SEED}{len(made) + 1}"
                )
                form = {**seed_forms[SEED], "project": project.name}
                made.append(create_form(project, year, form, editor))
        return made

    grow.viewer = viewer
    grow.departments = departments
    return grow


def submit(forms):
    # As the workflow leaves them, without the history the pages do not read.
    Evaluation.objects.filter(pk__in=[form.pk for form in forms]).update(
        state=State.SUBMITTED, submitted_at=timezone.now()
    )


def queries(client, url, **params):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def names(response):
    return [section.department.name for section in response.context["sections"]]


# The forms list


def test_the_forms_list_takes_as_many_queries_for_more_forms(many, client_for):
    client = client_for(many.viewer)
    many(1)
    few = queries(client, reverse("evaluation_list"), year=2023)
    many(3)
    assert queries(client, reverse("evaluation_list"), year=2023) == few


def test_the_forms_list_pages_hold_whole_departments(many, client_for, monkeypatch):
    many(2)
    monkeypatch.setattr(form_list, "FORMS_PER_PAGE", 4)
    client = client_for(many.viewer)
    first = client.get(reverse("evaluation_list"), {"year": 2023})
    assert names(first) == ["西区单位1", "西区单位2"]
    assert all(len(section.forms) == 2 for section in first.context["sections"])
    assert "page=2" in first.text
    second = client.get(reverse("evaluation_list"), {"year": 2023, "page": 2})
    assert names(second) == ["西区单位3"]
    assert "page=3" not in second.text


def test_a_department_with_more_forms_than_a_page_has_a_page_of_its_own():
    departments = [Department(pk=number) for number in range(1, 5)]
    counts = {1: 1, 2: 250, 3: 1}
    assert [[d.pk for d in page] for page in form_list.chunks(departments, counts)] == [
        [1],
        [2],
        [3, 4],
    ]


def test_a_page_holds_at_most_so_many_departments(monkeypatch):
    monkeypatch.setattr(form_list, "DEPARTMENTS_PER_PAGE", 2)
    departments = [Department(pk=number) for number in range(1, 6)]
    assert [len(page) for page in form_list.chunks(departments, {})] == [2, 2, 1]


def test_many_departments_can_be_searched_by_name(many, client_for, monkeypatch):
    many(1)
    monkeypatch.setattr(form_list, "SEARCH_FROM", 3)
    client = client_for(many.viewer)
    page = client.get(reverse("evaluation_list"), {"year": 2023})
    assert 'id="department-search"' in page.text
    found = client.get(reverse("evaluation_list"), {"year": 2023, "q": "单位2"})
    assert names(found) == ["西区单位2"]
    nothing = client.get(reverse("evaluation_list"), {"year": 2023, "q": "东区"})
    assert names(nothing) == []
    assert "No department matches." in nothing.text or "没有匹配的部门" in nothing.text


def test_a_member_of_a_few_departments_gets_one_page_and_no_search(client_for, editor, evaluation):
    response = client_for(editor).get(reverse("evaluation_list"), {"year": 2023, "q": "x"})
    assert response.context["listed"].page is None
    assert not response.context["listed"].searchable
    assert names(response) == [evaluation.project.department.name]
    assert 'id="department-search"' not in response.text


def test_the_forms_list_shows_the_stored_totals(client_for, editor, evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(budget_total=40, execution_rate=None)
    page = client_for(editor).get(reverse("evaluation_list"), {"year": 2023}).text
    row = page.split(evaluation.project.name)[1].split("</tr>")[0]
    assert ">40.00</td>" in row
    assert ">15.71</td>" in row


def test_the_dashboard_names_the_first_returned_forms_and_counts_the_others(
    many, client_for, reviewer, monkeypatch
):
    forms = many(1)
    for evaluation in forms:
        Evaluation.objects.filter(pk=evaluation.pk).update(state=State.RETURNED)
    monkeypatch.setattr(review_tags, "RETURNED_SHOWN", 2)
    page = client_for(many.viewer).get(reverse("evaluation_list"), {"year": 2023}).text
    assert "data-more-returned" in page
    returned = page.split("data-returned")[1].split("</ul>")[0]
    assert returned.count("<li") == 2


# Stored totals


def test_a_save_stores_the_totals_and_rate_the_form_page_computes(evaluation):
    funds = Funds.of(evaluation)
    evaluation.refresh_from_db()
    assert (evaluation.budget_total, evaluation.actual_total) == (funds.budget, funds.actual)
    assert evaluation.execution_rate == funds.rate


def test_a_form_without_budget_has_no_stored_rate(evaluation, editor):
    saved = content.of(evaluation)
    for line in saved.funds:
        line.budget = None
    content.save(evaluation, saved, editor)
    evaluation.refresh_from_db()
    assert evaluation.budget_total is None
    assert evaluation.execution_rate is None


def test_the_database_refuses_a_rate_without_budget(evaluation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(budget_total=None)


def test_the_migration_stores_the_totals_of_forms_saved_before(evaluation):
    expected = Evaluation.objects.values_list("budget_total", "actual_total", "execution_rate")
    expected = list(expected)
    Evaluation.objects.update(budget_total=None, actual_total=None, execution_rate=None)
    migration = importlib.import_module("evaluations.migrations.0013_fund_totals_and_indexes")
    migration.store_totals(apps, None)
    stored = Evaluation.objects.values_list("budget_total", "actual_total", "execution_rate")
    assert list(stored) == expected


# The overview and the queue


def execution_rate():
    """Each form's execution rate in percent as it was computed before rates were stored: one
    correlated subquery over its fund lines, unrounded."""
    lines = FundLine.objects.filter(evaluation=OuterRef("pk")).order_by().values("evaluation")
    number = DecimalField()
    budget = NullIf(Sum("budget"), Value(0, output_field=number), output_field=number)
    ratio = ExpressionWrapper(Sum("actual") * Value(HUNDRED) / budget, output_field=number)
    return Subquery(lines.annotate(rate=ratio).values("rate"), output_field=number)


def old_distribution(user, year):
    """The overview's rate buckets as they were computed before: every form's rate from a
    correlated sum, bucketed in Python."""
    from departments import access

    rates = (
        access.reviewable_evaluations(user)
        .filter(year=year)
        .exclude(state=State.DRAFT)
        .annotate(execution=execution_rate())
        .filter(execution__isnull=False)
        .values_list("execution", flat=True)
    )
    counts = [0] * 11
    for value in rates:
        counts[min(int(value // 10), 10)] += 1
    return counts


@pytest.mark.parametrize(
    "actuals",
    [
        # 0 %, 10 % exactly, just below 10 %, 99.99 %, 100 %, over 100 %, no actual, no budget.
        ["0", "3", "2.999999", "29.997", "30", "45", None, "no budget"],
    ],
)
def test_the_overview_buckets_rates_as_before(many, reviewer, year, editor, actuals):
    forms = many(3)[: len(actuals)]
    for evaluation, actual in zip(forms, actuals, strict=True):
        saved = content.of(evaluation)
        for index, line in enumerate(saved.funds):
            line.actual = None
            if index:
                line.budget = None
        if actual == "no budget":
            saved.funds[0].budget = None
        elif actual is not None:
            saved.funds[0].actual = content._decimal(actual)
            saved.funds[0].budget = content._decimal("30")
        content.save(evaluation, saved, editor)
        Evaluation.objects.filter(pk=evaluation.pk).update(state=State.SUBMITTED)
    expected = old_distribution(reviewer, year)
    assert sum(expected) == 6
    assert overview.distribution(reviewer, year) == expected


def test_drafts_stay_out_of_the_overview_rates(many, reviewer, year):
    many(1)
    assert overview.distribution(reviewer, year) == [0] * 11


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("review_overview", {"year": 2023}),
        ("review_queue", {"year": 2023}),
        ("review_queue", {"year": 2023, "sort": "rate"}),
        ("review_queue", {"year": 2023, "sort": "-rate", "state": ""}),
    ],
)
def test_review_pages_take_as_many_queries_for_more_forms(
    many, client_for, reviewer, editor, url, params
):
    client = client_for(reviewer)
    submit(many(1))
    few = queries(client, reverse(url), **params)
    submit(many(3)[3:])
    assert queries(client, reverse(url), **params) == few


def test_the_queue_counts_only_the_reviewers_departments(
    many, client_for, reviewer, other_reviewer, editor
):
    submit(many(1))
    counts = client_for(reviewer).get(reverse("review_queue")).context["queue"].counts
    assert counts == {State.SUBMITTED: 3, "": 3}
    assert client_for(other_reviewer).get(reverse("review_queue")).context["queue"].counts == {
        "": 0
    }


# The import


def workbook_of(forms):
    out = io.BytesIO()
    writer.write_forms(Evaluation.objects.filter(pk__in=[form.pk for form in forms]), out)
    return out.getvalue()


def apply_queries(department, forms, editor):
    workbooks = importing.read_files([("f.xlsx", workbook_of(forms))], department)
    # A new request's user: access.py remembers on the user what it has asked already.
    editor = type(editor).objects.get(pk=editor.pk)
    with CaptureQueriesContext(connection) as captured:
        importing.apply(department, workbooks, editor)
    return len(captured)


def test_an_import_takes_as_many_queries_for_more_forms(department, make_form, editor, seed_forms):
    forms = [make_form(name) for name in list(seed_forms)[:4]]
    assert apply_queries(department, forms[:2], editor) == apply_queries(department, forms, editor)


def test_an_import_of_new_forms_takes_as_many_queries_for_more_forms(
    department, make_form, editor, seed_forms
):
    forms = [make_form(name) for name in list(seed_forms)[:4]]
    files = {count: workbook_of(forms[:count]) for count in (2, 4)}
    Evaluation.objects.all().delete()
    Project.objects.all().delete()
    found = []
    for count in (2, 4):
        workbooks = importing.read_files([("f.xlsx", files[count])], department)
        user = type(editor).objects.get(pk=editor.pk)
        with transaction.atomic():
            with CaptureQueriesContext(connection) as captured:
                importing.apply(department, workbooks, user)
            found.append(len(captured))
            transaction.set_rollback(True)
    assert found[0] == found[1]


def test_an_import_writes_what_saving_each_form_writes(department, make_form, editor, seed_forms):
    forms = [make_form(name) for name in list(seed_forms)[:3]]
    before = {form.pk: content.of(form).as_data() for form in forms}
    workbooks = importing.read_files([("f.xlsx", workbook_of(forms))], department)
    changed = {form.pk: content.of(form) for form in forms}
    for form in forms:
        edited = changed[form.pk]
        edited.texts["goal"] = "另一个目标"
        edited.funds[0].actual = None
        edited.indicators = edited.indicators[1:]
        content.save(form, edited, editor)
    importing.apply(department, workbooks, editor)
    for form in forms:
        form.refresh_from_db()
        assert content.of(form).as_data() | {"indicators": None} == before[form.pk] | {
            "indicators": None
        }
        rows = [
            {key: value for key, value in row.items() if key != "id"}
            for row in content.of(form).as_data()["indicators"]
        ]
        assert rows == [
            {key: value for key, value in row.items() if key != "id"}
            for row in before[form.pk]["indicators"]
        ]
        funds = Funds.of(form)
        assert (form.budget_total, form.actual_total, form.execution_rate) == (
            funds.budget,
            funds.actual,
            funds.rate,
        )


def test_a_batch_with_one_stale_form_saves_none(department, make_form, editor, seed_forms):
    first, second = (make_form(name) for name in list(seed_forms)[:2])
    edits = [
        content.Edit(first, content.of(first), first.version),
        content.Edit(second, content.of(second), second.version - 1),
    ]
    edits[0].content.texts["goal"] = "改过的目标"
    with pytest.raises(content.StaleEdit):
        content.save_many(edits, editor)
    first.refresh_from_db()
    assert first.goal != "改过的目标"
    assert Evaluation.objects.aggregate(n=Count("pk"))["n"] == 2


def test_fund_lines_changed_in_the_admin_update_the_stored_totals(evaluation, admin_user, rf):
    from django.contrib import admin

    from evaluations.models import FundLine

    FundLine.objects.filter(evaluation=evaluation).update(actual=None)
    request = rf.post("/")
    request.user = admin_user

    class Saved:
        instance = evaluation

        def save_m2m(self):
            pass

    admin.site._registry[Evaluation].save_related(request, Saved(), [], change=True)
    evaluation.refresh_from_db()
    assert evaluation.actual_total is None
    assert evaluation.execution_rate is None
    assert evaluation.budget_total == Funds.of(evaluation).budget
