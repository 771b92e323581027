"""The workflow: every allowed and refused transition, who may make it, and what it records."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from departments.models import BureauMembership
from evaluations import pins, workflow
from evaluations.models import Evaluation, PinnedComment, Transition
from tests.conftest import make_user

State = Evaluation.State
ALL_STATES = list(State)


def put_in(evaluation, state):
    """The form in `state` as the workflow would have left it, without going through it."""
    now = timezone.now()
    Evaluation.objects.filter(pk=evaluation.pk).update(
        state=state,
        submitted_at=None if state == State.DRAFT else now,
        approved_at=now if state == State.APPROVED else None,
    )
    evaluation.refresh_from_db()
    return evaluation


# action, who acts, states it moves from, state it moves to
ACTIONS = {
    "submit": ("editor", {State.DRAFT, State.RETURNED}, State.SUBMITTED),
    "withdraw": ("editor", {State.SUPERVISOR, State.SUBMITTED}, State.DRAFT),
    "approve": ("reviewer", {State.SUBMITTED}, State.APPROVED),
    "return_": ("reviewer", {State.SUBMITTED}, State.RETURNED),
    "reopen": ("admin_user", {State.APPROVED}, State.RETURNED),
}


def act(action, evaluation, user):
    if action == "return_":
        return workflow.return_(evaluation, user, "请补充未完成原因。")
    if action == "reopen":
        return workflow.reopen(evaluation, user, "决算数据有更正。")
    return getattr(workflow, action)(evaluation, user)


@pytest.mark.parametrize("state", ALL_STATES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_each_action_moves_only_from_its_states(request, evaluation, action, state):
    persona, allowed, target = ACTIONS[action]
    user = request.getfixturevalue(persona)
    put_in(evaluation, state)
    if state in allowed:
        transition = act(action, evaluation, user)
        assert (transition.from_state, transition.to_state) == (state, target)
        assert Evaluation.objects.get(pk=evaluation.pk).state == target
    else:
        with pytest.raises(workflow.Refused):
            act(action, evaluation, user)
        assert Evaluation.objects.get(pk=evaluation.pk).state == state
        assert not Transition.objects.filter(evaluation=evaluation).exists()


PERSONAS = ["editor", "viewer", "other_editor", "reviewer", "other_reviewer", "admin_user"]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_only_the_right_role_may_act(request, evaluation, action, persona):
    allowed_persona, allowed_states, target = ACTIONS[action]
    put_in(evaluation, sorted(allowed_states)[0])
    user = request.getfixturevalue(persona)
    if persona == allowed_persona:
        act(action, evaluation, user)
        transition = Transition.objects.get(evaluation=evaluation)
        assert (transition.actor, transition.to_state) == (user, target)
        assert Evaluation.objects.get(pk=evaluation.pk).state == target
    else:
        with pytest.raises(PermissionDenied):
            act(action, evaluation, user)
        assert not Transition.objects.filter(evaluation=evaluation).exists()


def test_submitting_records_who_when_and_the_form_as_submitted(evaluation, editor):
    transition = workflow.submit(evaluation, editor)
    evaluation.refresh_from_db()
    assert (transition.actor, transition.from_state, transition.to_state) == (
        editor,
        State.DRAFT,
        State.SUBMITTED,
    )
    assert evaluation.submitted_at is not None
    assert transition.snapshot["project"] == "党员教育培训经费"
    assert len(transition.snapshot["indicators"]) == 11


def test_submitting_counts_the_review_flags(evaluation, editor):
    workflow.submit(evaluation, editor)
    evaluation.refresh_from_db()
    # The 52.37% row without a reason, and 52.37% spent while every result shows 100%.
    assert evaluation.flag_count == 2


def test_the_callers_copy_shows_the_new_state(evaluation, editor):
    workflow.submit(evaluation, editor)
    assert evaluation.state == State.SUBMITTED


def test_submitting_lists_every_blocking_problem_and_changes_nothing(evaluation, editor):
    Evaluation.objects.filter(pk=evaluation.pk).update(goal="", achieved="", supervising_unit="")
    evaluation.refresh_from_db()
    with pytest.raises(workflow.NotReady) as refused:
        workflow.submit(evaluation, editor)
    assert [problem.code for problem in refused.value.problems] == ["header", "goal", "goal"]
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.DRAFT
    assert not Transition.objects.exists()


def test_a_second_submission_is_refused_with_who_was_first(evaluation, editor):
    workflow.submit(evaluation, editor)
    with pytest.raises(workflow.Refused) as refused:
        workflow.submit(evaluation, editor)
    assert "组织部 填报员" in str(refused.value)
    assert Transition.objects.count() == 1


def test_withdrawing_makes_the_form_a_draft_again(evaluation, editor):
    workflow.submit(evaluation, editor)
    workflow.withdraw(evaluation, editor)
    evaluation.refresh_from_db()
    assert (evaluation.state, evaluation.submitted_at) == (State.DRAFT, None)


def test_a_form_cannot_be_withdrawn_once_a_reviewer_has_acted(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    with pytest.raises(workflow.Refused):
        workflow.withdraw(evaluation, editor)


def test_approving_stamps_the_time_and_takes_an_optional_comment(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    transition = workflow.approve(evaluation, reviewer, "  同意。 ")
    evaluation.refresh_from_db()
    assert evaluation.approved_at is not None
    assert transition.comment == "同意。"


def test_approving_without_a_comment_is_fine(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    assert workflow.approve(evaluation, reviewer).comment == ""


def test_returning_needs_a_comment(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    with pytest.raises(workflow.Refused):
        workflow.return_(evaluation, reviewer, "   ")
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.SUBMITTED


def test_it_returns_a_submitted_form_with_a_comment(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    transition = workflow.return_(evaluation, reviewer, "请补充未完成原因。")
    assert (transition.to_state, transition.comment) == (State.RETURNED, "请补充未完成原因。")
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.RETURNED


def test_returning_pins_comments_to_a_fund_row_the_goals_and_an_indicator_row(
    evaluation, editor, reviewer
):
    workflow.submit(evaluation, editor)
    targets = {target.key: target for target in pins.targets(evaluation)}
    row = evaluation.indicators.get(completion_rate=52.37)
    source = evaluation.year.edition.fund_sources.get(name="本级财政资金")
    chosen = [
        workflow.Pin(targets[f"funds-{source.pk}"], "执行率偏低，请说明。"),
        workflow.Pin(targets["goals"], "实际完成情况过于笼统。"),
        workflow.Pin(targets[f"indicator-{row.pk}"], "52.37% 未说明原因。"),
        # A blank comment is no comment.
        workflow.Pin(targets["goals"], "   "),
    ]
    transition = workflow.return_(evaluation, reviewer, "请修改。", chosen)
    stored = {(pin.place, pin.comment) for pin in transition.pins.all()}
    assert stored == {
        ("funds", "执行率偏低，请说明。"),
        ("goals", "实际完成情况过于笼统。"),
        ("indicator", "52.37% 未说明原因。"),
    }


def test_a_comment_cannot_be_pinned_to_another_forms_row(evaluation, make_form, editor, reviewer):
    other = make_form("干部队伍建设经费")
    workflow.submit(evaluation, editor)
    foreign = pins.targets(other)[-1]
    with pytest.raises(ValueError, match="another form"):
        workflow.return_(evaluation, reviewer, "请修改。", [workflow.Pin(foreign, "x")])
    assert not PinnedComment.objects.exists()
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.SUBMITTED


def test_a_returned_form_is_resubmitted(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    workflow.return_(evaluation, reviewer, "请修改。")
    workflow.submit(evaluation, editor)
    states = list(Transition.objects.values_list("to_state", flat=True))
    assert states == [State.SUBMITTED, State.RETURNED, State.SUBMITTED]


def test_an_administrator_reopens_an_approved_form_with_a_reason(
    evaluation, editor, reviewer, admin_user
):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    transition = workflow.reopen(evaluation, admin_user, "决算数据有更正。")
    evaluation.refresh_from_db()
    assert (evaluation.state, evaluation.approved_at) == (State.RETURNED, None)
    assert transition.comment == "决算数据有更正。"


def test_reopening_needs_a_reason(evaluation, editor, reviewer, admin_user):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    with pytest.raises(workflow.Refused):
        workflow.reopen(evaluation, admin_user, "")
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.APPROVED


def test_a_reviewer_of_another_bureau_cannot_act_on_the_form(evaluation, editor, other_reviewer):
    workflow.submit(evaluation, editor)
    with pytest.raises(PermissionDenied):
        workflow.approve(evaluation, other_reviewer)


@pytest.mark.parametrize("action", ["approve", "return_"])
def test_nobody_decides_on_a_form_of_a_department_they_edit(evaluation, editing_reviewer, action):
    workflow.submit(evaluation, editing_reviewer)
    with pytest.raises(PermissionDenied):
        act(action, evaluation, editing_reviewer)
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.SUBMITTED


def test_an_inactive_editor_cannot_submit(evaluation, editor):
    editor.is_active = False
    editor.save()
    with pytest.raises(PermissionDenied):
        workflow.submit(evaluation, editor)


def test_the_history_keeps_every_round(evaluation, editor, reviewer, admin_user):
    workflow.submit(evaluation, editor)
    workflow.withdraw(evaluation, editor)
    workflow.submit(evaluation, editor)
    workflow.return_(evaluation, reviewer, "第一轮意见")
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer, "同意")
    workflow.reopen(evaluation, admin_user, "更正")
    history = list(
        Transition.objects.values_list("actor__username", "from_state", "to_state", "comment")
    )
    assert history == [
        ("editor", "draft", "submitted", ""),
        ("editor", "submitted", "draft", ""),
        ("editor", "draft", "submitted", ""),
        ("reviewer", "submitted", "returned", "第一轮意见"),
        ("editor", "returned", "submitted", ""),
        ("reviewer", "submitted", "approved", "同意"),
        ("admin", "approved", "returned", "更正"),
    ]


# Races


def test_of_two_reviewers_approving_at_once_the_second_is_told_and_nothing_doubles(
    evaluation, editor, reviewer, bureau
):
    colleague = make_user("colleague", first_name="财政局 另一位审核员")
    BureauMembership.objects.create(user=colleague, bureau=bureau)
    workflow.submit(evaluation, editor)
    # Both opened the form while it was submitted: the second acts on a stale copy.
    first_copy = Evaluation.objects.get(pk=evaluation.pk)
    second_copy = Evaluation.objects.get(pk=evaluation.pk)
    workflow.approve(first_copy, colleague)
    with pytest.raises(workflow.Refused) as refused:
        workflow.return_(second_copy, reviewer, "请修改")
    assert "财政局 另一位审核员" in str(refused.value)
    assert Transition.objects.filter(to_state__in=["approved", "returned"]).count() == 1
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.APPROVED


def test_a_double_click_on_submit_submits_once(evaluation, editor):
    first_click = Evaluation.objects.get(pk=evaluation.pk)
    second_click = Evaluation.objects.get(pk=evaluation.pk)
    workflow.submit(first_click, editor)
    with pytest.raises(workflow.Refused):
        workflow.submit(second_click, editor)
    assert Transition.objects.count() == 1


def test_the_dates_follow_the_state_in_the_database(evaluation):
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(
            approved_at=timezone.now() - datetime.timedelta(days=1)
        )
