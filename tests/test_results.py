"""结果通报: per department, the year's forms, punctuality, approvals, returns, rates, flags and
sampling, counted in the database."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations import results, sampling, workflow
from evaluations.models import Evaluation, SampledForm
from evaluations.money import Funds


@pytest.fixture
def filed(make_form, other_department, editor, other_editor, reviewer, year):
    """The 组织部: two forms submitted in time, one returned once and approved; the 党校: one
    form submitted after the deadline."""
    first = make_form("老干部队伍建设经费")
    second = make_form("到村任职选调生补助资金")
    late = make_form("2023年新录用公务员（选调生）初任培训经费", owner=other_department)
    for form in (first, second):
        workflow.submit(form, editor)
    workflow.return_(first, reviewer, "请补充。")
    workflow.submit(first, editor)
    workflow.approve(first, reviewer)
    workflow.submit(late, other_editor)
    deadline = timezone.localdate(late.submitted_at) - datetime.timedelta(days=1)
    year.deadline = deadline
    year.save()
    # The 组织部's submissions are moved before the deadline.
    for form in (first, second):
        form.transitions.update(created_at=timezone.now() - datetime.timedelta(days=30))
    return first, second, late


def test_each_department_has_its_line(filed, bureau, year):
    table = results.build(bureau, year)
    by_code = {line.department.code: line for line in table.lines}
    org, school = by_code["D-1"], by_code["D-2"]
    assert (org.forms, org.on_time, org.approved, org.returns) == (2, 2, 1, 1)
    assert (school.forms, school.on_time, school.approved, school.returns) == (1, 0, 0, 0)
    rates = [Funds.of(form).rate for form in filed[:2]]
    assert org.execution == (sum(rates) / 2).quantize(Decimal("0.01"))


def test_flags_count_only_forms_not_yet_approved(filed, bureau, year):
    first, second, _late = filed
    Evaluation.objects.filter(pk=first.pk).update(flag_count=5)
    Evaluation.objects.filter(pk=second.pk).update(flag_count=2)
    line = next(line for line in results.build(bureau, year).lines if line.department.code == "D-1")
    assert line.flags == 2


def test_sampled_forms_and_their_results_are_counted(filed, bureau, year, reviewer):
    sample = sampling.draw(bureau, year, reviewer, percentage=100, seed=1)
    sampling.issue(sample, reviewer)
    sampling.record(sample.forms.get(), reviewer, SampledForm.Result.CONFIRMED)
    line = next(line for line in results.build(bureau, year).lines if line.department.code == "D-1")
    assert (line.sampled, line.results) == (1, {"confirmed": 1})


@pytest.mark.parametrize(
    ("sort", "first"), [("department", "D-1"), ("-department", "D-2"), ("on_time", "D-2")]
)
def test_the_table_sorts_by_any_column(filed, bureau, year, sort, first):
    assert results.build(bureau, year, sort).lines[0].department.code == first


def test_an_unknown_sort_falls_back_to_departments(filed, bureau, year):
    assert results.build(bureau, year, "nonsense").sort == "department"


def test_the_queries_do_not_grow_with_the_forms(filed, bureau, year, make_form):
    with CaptureQueriesContext(connection) as few:
        results.build(bureau, year)
    make_form("党员教育培训经费")
    make_form("干部队伍建设经费")
    with CaptureQueriesContext(connection) as more:
        results.build(bureau, year)
    assert len(more) == len(few)
