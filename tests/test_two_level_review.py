"""Two-level review: a 二级单位's form goes to its 主管部门 first, then to the finance bureau.

The permission matrix is derived from the workflow's declaration (evaluations/steps.py): every
step × every state × every persona, each persona holding the roles listed in PERSONA_ROLES.
"""

import pytest
from django.core.exceptions import PermissionDenied

from departments.models import Membership
from evaluations import notifications, steps, workflow
from evaluations.models import Evaluation, Transition
from tests.conftest import make_user

State = Evaluation.State
COMMENT = "请补充说明。"


@pytest.fixture
def unit_form(make_form, unit, two_levels):
    return make_form("党员教育培训经费", owner=unit)


PERSONA_ROLES = {
    "unit_editor": {steps.EDITOR},
    "supervisor": {steps.SUPERVISOR},
    "other_supervisor": set(),
    "editor": set(),  # an editor of the parent edits its own forms, not its units'
    "reviewer": {steps.FINANCE},
    "other_reviewer": set(),
    "admin_user": {steps.ADMIN},
}


def put_in(evaluation, state, passed=False):
    Evaluation.objects.filter(pk=evaluation.pk).update(state=state)
    if passed:
        Evaluation.objects.filter(pk=evaluation.pk).update(passed_at="2024-03-01T00:00Z")
    evaluation.refresh_from_db()


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("step", steps.STEPS, ids=lambda step: step.name)
@pytest.mark.parametrize("persona", list(PERSONA_ROLES))
def test_every_step_is_taken_only_by_its_role_from_its_states(
    request, unit_form, step, state, persona
):
    user = request.getfixturevalue(persona)
    put_in(unit_form, state)
    may = step.role in PERSONA_ROLES[persona]
    # A 二级单位's form in a year with the stage: steps for forms without it never apply.
    fits = step.route in (steps.ALWAYS, steps.WITH_SUPERVISOR, steps.NOT_PASSED)
    if not may:
        with pytest.raises(PermissionDenied):
            workflow.take(step.name, unit_form, user, COMMENT)
    elif state in step.sources and fits:
        transition = workflow.take(step.name, unit_form, user, COMMENT)
        assert (transition.from_state, transition.to_state, transition.step) == (
            state,
            step.target,
            step.name,
        )
    else:
        with pytest.raises(workflow.Refused):
            workflow.take(step.name, unit_form, user, COMMENT)
    if not (may and state in step.sources and fits):
        assert Evaluation.objects.get(pk=unit_form.pk).state == state
        assert not Transition.objects.exists()


def test_a_units_form_goes_to_its_supervisor_then_to_finance(
    unit_form, unit_editor, supervisor, reviewer
):
    workflow.submit(unit_form, unit_editor)
    assert unit_form.state == State.SUPERVISOR
    workflow.pass_on(unit_form, supervisor)
    assert unit_form.state == State.SUBMITTED
    assert unit_form.passed_at is not None
    workflow.approve(unit_form, reviewer)
    assert unit_form.state == State.APPROVED
    levels = [str(t.level_label) for t in unit_form.transitions.order_by("created_at", "id")]
    assert levels == ["单位", "主管部门", "财政局"]


def test_a_department_without_a_parent_goes_to_finance_directly(
    evaluation, editor, reviewer, two_levels
):
    workflow.submit(evaluation, editor)
    assert evaluation.state == State.SUBMITTED


def test_without_the_stage_a_units_form_goes_to_finance_directly(
    make_form, unit, unit_editor, year
):
    form = make_form("党员教育培训经费", owner=unit)
    workflow.submit(form, unit_editor)
    assert form.state == State.SUBMITTED


def test_a_finance_reviewer_acting_before_the_supervisor_passed_is_refused_saying_so(
    unit_form, unit_editor, reviewer
):
    workflow.submit(unit_form, unit_editor)
    with pytest.raises(workflow.Refused, match="主管部门"):
        workflow.approve(unit_form, reviewer)
    with pytest.raises(workflow.Refused, match="主管部门"):
        workflow.return_(unit_form, reviewer, COMMENT)
    unit_form.refresh_from_db()
    assert unit_form.state == State.SUPERVISOR
    assert unit_form.transitions.count() == 1


def test_a_supervisor_of_another_parent_cannot_act(unit_form, unit_editor, other_supervisor):
    workflow.submit(unit_form, unit_editor)
    with pytest.raises(PermissionDenied):
        workflow.pass_on(unit_form, other_supervisor)


def test_a_form_returned_by_finance_comes_up_again_through_the_supervisor(
    unit_form, unit_editor, supervisor, reviewer
):
    workflow.submit(unit_form, unit_editor)
    workflow.pass_on(unit_form, supervisor)
    workflow.return_(unit_form, reviewer, COMMENT)
    assert (unit_form.state, unit_form.passed_at) == (State.RETURNED, None)
    workflow.submit(unit_form, unit_editor)
    assert unit_form.state == State.SUPERVISOR


def test_withdrawing_works_until_the_next_level_has_acted(unit_form, unit_editor, supervisor):
    workflow.submit(unit_form, unit_editor)
    workflow.withdraw(unit_form, unit_editor)
    assert unit_form.state == State.DRAFT
    workflow.submit(unit_form, unit_editor)
    workflow.pass_on(unit_form, supervisor)
    with pytest.raises(workflow.Refused):
        workflow.withdraw(unit_form, unit_editor)
    assert Evaluation.objects.get(pk=unit_form.pk).state == State.SUBMITTED


def test_the_supervisor_returns_with_a_comment_to_the_unit(unit_form, unit_editor, supervisor):
    workflow.submit(unit_form, unit_editor)
    with pytest.raises(workflow.Refused):
        workflow.return_(unit_form, supervisor, "")
    transition = workflow.return_(unit_form, supervisor, COMMENT)
    assert (transition.step, unit_form.state) == ("return_by_supervisor", State.RETURNED)


def test_each_step_tells_who_acts_next(unit_form, unit_editor, supervisor, reviewer):
    submitted = workflow.submit(unit_form, unit_editor)
    assert set(notifications.recipients(submitted)) == {supervisor}
    passed = workflow.pass_on(unit_form, supervisor)
    assert set(notifications.recipients(passed)) == {reviewer, unit_editor}
    approved = workflow.approve(unit_form, reviewer)
    assert set(notifications.recipients(approved)) == {unit_editor}


def test_the_steps_leave_every_state_but_approved_only_by_reopening():
    for state in State:
        assert steps.leaving(state), state
    assert [step.name for step in steps.leaving(State.APPROVED)] == ["reopen"]


def test_nobody_reviews_a_form_of_a_department_they_edit(unit_form, unit, department):
    user = make_user("both")
    Membership.objects.create(user=user, department=department, role=Membership.Role.SUPERVISOR)
    Membership.objects.create(user=user, department=unit, role=Membership.Role.EDITOR)
    workflow.submit(unit_form, user)
    with pytest.raises(PermissionDenied):
        workflow.pass_on(unit_form, user)


def test_every_state_has_its_colour():
    from django.conf import settings

    css = (settings.BASE_DIR / "static" / "css" / "app.css").read_text()
    assert [state for state in State if f".state-{state.value} " not in css] == []


def test_the_history_shows_the_level_of_every_step(
    client_for, unit_form, unit_editor, supervisor, reviewer
):
    workflow.submit(unit_form, unit_editor)
    workflow.pass_on(unit_form, supervisor)
    page = client_for(unit_editor).get(f"/evaluations/{unit_form.pk}/").text
    assert page.count("data-level>") == 2
    assert "主管部门</span>" in page


def test_a_units_form_goes_to_finance_when_its_supervisor_has_no_reviewer(
    make_form, unit, unit_editor, year
):
    year.supervisor_stage = True
    year.save()
    form = make_form("党员教育培训经费", owner=unit)
    workflow.submit(form, unit_editor)
    assert form.state == State.SUBMITTED


def test_whoever_passed_a_form_on_does_not_also_decide_it(
    unit_form, unit_editor, supervisor, bureau
):
    from departments.models import BureauMembership

    BureauMembership.objects.create(user=supervisor, bureau=bureau)
    workflow.submit(unit_form, unit_editor)
    workflow.pass_on(unit_form, supervisor)
    with pytest.raises(workflow.Refused, match="主管部门"):
        workflow.approve(unit_form, supervisor)


def test_the_editors_link_after_passing_on_opens_a_page_they_may_see(
    unit_form, unit_editor, supervisor
):
    workflow.submit(unit_form, unit_editor)
    passed = workflow.pass_on(unit_form, supervisor)
    assert notifications.path(passed, for_editors=True) == f"/evaluations/{unit_form.pk}/"
    assert notifications.path(passed) == f"/evaluations/{unit_form.pk}/review/"
