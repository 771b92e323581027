"""The demo's two-level review: the unit's 2024 form waits at its 主管部门."""

import pytest
from django.contrib.auth import get_user_model

from evaluations import workflow
from evaluations.demo.seed import load_demo
from evaluations.models import BureauYear, Evaluation

User = get_user_model()


@pytest.fixture
def demo(db, edition):
    load_demo()


def test_the_units_2024_form_waits_for_its_supervisor(demo):
    form = Evaluation.objects.get(project__name="党员远程教育站点运行维护经费")
    assert (form.year_id, form.state) == (2024, Evaluation.State.SUPERVISOR)
    assert form.project.department.name == "中共攀枝花市西区区委组织部党员教育中心"
    names = set(form.indicators.values_list("name", flat=True))
    assert names
    assert all("远教站点" in name for name in names)
    assert BureauYear.objects.get(year=2024).supervisor_stage


def test_the_finance_reviewer_is_refused_until_the_supervisor_passes_it(demo):
    form = Evaluation.objects.get(project__name="党员远程教育站点运行维护经费")
    reviewer = User.objects.get(username="reviewer")
    supervisor = User.objects.get(username="supervisor")
    with pytest.raises(workflow.Refused, match="主管部门"):
        workflow.approve(form, reviewer)
    workflow.pass_on(form, supervisor)
    workflow.approve(form, reviewer)
    assert form.state == Evaluation.State.APPROVED


def test_loading_the_demo_again_makes_no_second_form(demo):
    load_demo()
    assert Evaluation.objects.filter(project__name="党员远程教育站点运行维护经费").count() == 1
