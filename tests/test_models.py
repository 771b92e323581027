from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from evaluations.demo.seed import ORGANISATION_DEPARTMENT, load_demo, read_seed
from evaluations.models import Evaluation, FundLine, Indicator, IndicatorCategory, Project


def test_amounts_cannot_be_negative_in_the_database(evaluation):
    line = evaluation.fund_lines.first()
    line.budget = Decimal("-1")
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_a_project_has_one_form_per_year(evaluation, year, editor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.create(project=evaluation.project, year=year, supervising_unit="x")


def test_a_department_names_each_project_once(evaluation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Project.objects.create(department=evaluation.project.department, name="党员教育培训经费")


def test_a_form_has_one_line_per_fund_source(evaluation):
    line = evaluation.fund_lines.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        FundLine.objects.create(evaluation=evaluation, source=line.source)


def test_completion_rates_stay_in_range_in_the_database(evaluation):
    row = evaluation.indicators.first()
    row.completion_rate = Decimal("-0.01")
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_unknown_states_are_refused_by_the_database(evaluation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(state="lost")


def test_six_decimals_of_wan_yuan_hold_a_fen(evaluation):
    line = evaluation.fund_lines.first()
    line.budget = Decimal("12345678.000001")
    line.save()
    line.refresh_from_db()
    assert line.budget == Decimal("12345678.000001")


@pytest.mark.django_db
def test_the_demo_holds_every_seed_form_exactly():
    load_demo()
    seed = read_seed()
    ours = Evaluation.objects.filter(project__department__code=ORGANISATION_DEPARTMENT[0])
    assert ours.filter(year=2023).count() == len(seed["forms"]) == 10
    assert Indicator.objects.filter(evaluation__in=ours).count() == sum(
        len(form["indicators"]) for form in seed["forms"]
    )
    for form in seed["forms"]:
        evaluation = Evaluation.objects.get(project__name=form["project"], year=2023)
        assert evaluation.goal == form["goal"]
        assert evaluation.achieved == form["achieved"]
        assert evaluation.implementing_unit == form["implementing_unit"]
        for line in evaluation.fund_lines.select_related("source"):
            given = next(given for given in form["funds"] if given["source"] == line.source.name)
            assert line.budget == (Decimal(given["budget"]) if given["budget"] else None)
            assert line.actual == (Decimal(given["actual"]) if given["actual"] else None)
        printed = form["printed"]
        budget = sum((line.budget or 0 for line in evaluation.fund_lines.all()), Decimal(0))
        assert budget == Decimal(printed["total_budget"]), form["project"]
        stored = [
            (r.category.parent.name, r.category.name, r.name, r.target, r.actual, r.reason)
            for r in evaluation.indicators.order_by("position")
        ]
        # Rows are kept in the taxonomy's order, and in the order given within a 二级.
        order = [c.name_path() for c in evaluation.year_settings.edition.level2()]
        given = [
            (r["level1"], r["level2"], r["name"], r["target"], r["actual"], r["reason"])
            for r in sorted(
                form["indicators"], key=lambda r: order.index((r["level1"], r["level2"]))
            )
        ]
        assert stored == given


@pytest.mark.django_db
def test_loading_the_demo_twice_keeps_what_is_there():
    load_demo()
    evaluation = Evaluation.objects.get(project__name="党员教育培训经费")
    Evaluation.objects.filter(pk=evaluation.pk).update(goal="edited by a demo user")
    assert load_demo() == 0
    assert Evaluation.objects.get(pk=evaluation.pk).goal == "edited by a demo user"
    # The ten seed forms, the unit's 2024 form and the two published examples.
    assert Evaluation.objects.count() == 13


def test_the_seed_form_with_the_shortfall_keeps_its_blank_reason(evaluation):
    row = evaluation.indicators.get(name="党员教育培训经费")
    assert (row.target, row.actual, row.completion_rate, row.reason) == (
        "30 万元",
        "15.71 万元",
        Decimal("52.37"),
        "",
    )


def test_fetching_a_forms_content_gives_each_row_its_category(evaluation):
    rows = {
        row.pk: (row.category.name, row.category.parent.name) for row in Indicator.objects.all()
    }
    evaluation.fetch_content()
    fetched = evaluation.indicators.all()
    assert {row.pk: (row.category.name, row.category.parent.name) for row in fetched} == rows


def test_a_row_under_another_editions_category_keeps_it_when_fetched(evaluation):
    other = IndicatorCategory.objects.filter(parent__isnull=False).exclude(
        edition=evaluation.year_settings.edition
    )[0]
    row = evaluation.indicators.first()
    Indicator.objects.filter(pk=row.pk).update(category=other)
    evaluation.fetch_content()
    fetched = next(found for found in evaluation.indicators.all() if found.pk == row.pk)
    assert fetched.category == other
    assert fetched.category.parent == other.parent
