"""A department's report goes through the same declared steps as a form (evaluations/steps.py),
taken through evaluations/workflow.py: both levels where the year has the 主管部门 stage, the
blocking checks of reports/checks.py on submission, the same history rows, pins to the
outline's sections, notifications and locking.

The permission matrix is derived from the declaration as for a form
(tests/test_two_level_review.py): every step × every state × every persona.
"""

from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction

from departments.models import BureauMembership
from evaluations import notifications, steps, subjects, workflow
from evaluations.models import Evaluation, Notification, PinnedComment, Transition
from reports import outline
from reports import pins as report_pins
from reports.models import Report, ReportSection
from tests.conftest import make_user
from tests.test_two_level_review import COMMENT, PERSONA_ROLES
from tests.test_workflow_races import run_at_once, slow_announcements  # noqa: F401

State = Evaluation.State


def make_report(department, year, **fields):
    """A report its checks let through: every required section written, score and summary."""
    report = Report.objects.create(
        department=department,
        year=year,
        self_score=fields.pop("self_score", Decimal("90")),
        summary=fields.pop("summary", "整体完成年度目标。"),
        **fields,
    )
    ReportSection.objects.bulk_create(
        ReportSection(report=report, key=section.key, text=f"{section.heading}的情况。")
        for section in outline.SECTIONS
        if section.required
    )
    return report


@pytest.fixture
def unit_report(unit, year, two_levels):
    return make_report(unit, year)


@pytest.fixture
def report(department, year):
    return make_report(department, year)


def put_in(report, state, passed=False):
    Report.objects.filter(pk=report.pk).update(state=state)
    if passed:
        Report.objects.filter(pk=report.pk).update(passed_at="2024-03-01T00:00Z")
    report.refresh_from_db()


def pin_on(report, key, comment="请核实。"):
    target = next(t for t in report_pins.targets(report) if t.section == key)
    return workflow.Pin(target, comment)


@pytest.mark.parametrize("state", list(State))
@pytest.mark.parametrize("step", steps.STEPS, ids=lambda step: step.name)
@pytest.mark.parametrize("persona", list(PERSONA_ROLES))
def test_every_step_on_a_report_is_taken_only_by_its_role_from_its_states(
    request, unit_report, step, state, persona
):
    user = request.getfixturevalue(persona)
    put_in(unit_report, state)
    may = step.role in PERSONA_ROLES[persona]
    fits = step.route in (steps.ALWAYS, steps.WITH_SUPERVISOR, steps.NOT_PASSED)
    if not may:
        with pytest.raises(PermissionDenied):
            workflow.take(step.name, unit_report, user, COMMENT)
    elif state in step.sources and fits:
        transition = workflow.take(step.name, unit_report, user, COMMENT)
        assert (transition.report, transition.evaluation) == (unit_report, None)
        assert (transition.from_state, transition.to_state, transition.step) == (
            state,
            step.target,
            step.name,
        )
    else:
        with pytest.raises(workflow.Refused):
            workflow.take(step.name, unit_report, user, COMMENT)
    if not (may and state in step.sources and fits):
        assert Report.objects.get(pk=unit_report.pk).state == state
        assert not Transition.objects.exists()


def test_a_units_report_goes_to_its_supervisor_then_to_finance(
    unit_report, unit_editor, supervisor, reviewer
):
    workflow.submit(unit_report, unit_editor)
    assert unit_report.state == State.SUPERVISOR
    assert unit_report.submitted_at is not None
    workflow.pass_on(unit_report, supervisor)
    assert (unit_report.state, unit_report.passed_at is not None) == (State.SUBMITTED, True)
    workflow.approve(unit_report, reviewer)
    unit_report.refresh_from_db()
    assert unit_report.state == State.APPROVED
    assert unit_report.approved_at is not None
    history = unit_report.transitions.order_by("created_at", "id")
    assert [t.step for t in history] == ["submit_to_supervisor", "pass_on", "approve"]
    assert [str(t.level_label) for t in history] == ["单位", "主管部门", "财政局"]


def test_a_departments_report_goes_to_finance_directly(report, editor, reviewer, two_levels):
    workflow.submit(report, editor)
    assert report.state == State.SUBMITTED


def test_a_finance_reviewer_before_the_supervisor_is_refused_naming_the_report(
    unit_report, unit_editor, reviewer
):
    workflow.submit(unit_report, unit_editor)
    with pytest.raises(workflow.Refused, match="此报告"):
        workflow.approve(unit_report, reviewer)
    assert Report.objects.get(pk=unit_report.pk).state == State.SUPERVISOR


def test_submitting_an_incomplete_report_is_refused_with_its_problems(department, year, editor):
    report = make_report(department, year, self_score=None)
    ReportSection.objects.filter(report=report, key="staff").delete()
    with pytest.raises(workflow.NotReady) as refused:
        workflow.submit(report, editor)
    assert "报告" in str(refused.value)
    assert {problem.code for problem in refused.value.problems} == {
        "section_empty",
        "self_score_missing",
    }
    assert Report.objects.get(pk=report.pk).state == State.DRAFT
    assert not Transition.objects.exists()


def test_submitting_records_the_reports_flags(report, editor):
    ReportSection.objects.filter(report=report, key="use_of_results").update(
        text="包括内部应用、自评公开、问题整改和应用反馈等情况。"
    )
    workflow.submit(report, editor)
    assert Report.objects.get(pk=report.pk).flag_count >= 1


def test_a_return_pins_comments_to_sections_the_department_reads_on_editing(
    report, editor, reviewer
):
    workflow.submit(report, editor)
    transition = workflow.return_(
        report, reviewer, COMMENT, pins=[pin_on(report, "staff", "人数与决算不符。")]
    )
    pin = transition.pins.get()
    assert (pin.place, pin.section, pin.label) == ("section", "staff", "（三）人员概况")
    report.refresh_from_db()
    assert report_pins.open_comments(report)["staff"].comment == "人数与决算不符。"
    workflow.submit(report, editor)
    report.refresh_from_db()
    assert report_pins.open_comments(report) == {}


def test_every_section_below_the_parts_is_a_pin_target(report):
    keys = [target.section for target in report_pins.targets(report)]
    assert keys == [s.key for s in outline.SECTIONS if s.kind != outline.Kind.HEADING]
    labels = {target.section: target.label for target in report_pins.targets(report)}
    assert labels["forms"] == "附表：部门预算项目支出绩效自评表（2023年度）"
    assert labels["class_table"] == outline.CAPTIONS["class_table"]


def test_a_pin_on_a_place_of_a_form_is_refused_on_a_report(report, editor, reviewer, evaluation):
    workflow.submit(report, editor)
    form_goals = next(t for t in subjects.FORM.targets(evaluation) if t.key == "goals")
    with pytest.raises(ValueError, match="no section"):
        workflow.return_(report, reviewer, COMMENT, pins=[workflow.Pin(form_goals, "x")])
    assert Report.objects.get(pk=report.pk).state == State.SUBMITTED


def test_the_database_keeps_a_history_row_about_exactly_one_thing(report, evaluation, editor):
    with pytest.raises(IntegrityError), transaction.atomic():
        Transition.objects.create(
            evaluation=evaluation, report=report, from_state="draft", to_state="submitted"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Transition.objects.create(from_state="draft", to_state="submitted")


def test_the_database_keeps_a_section_pin_naming_its_section(report, editor):
    transition = workflow.submit(report, editor)
    with pytest.raises(IntegrityError), transaction.atomic():
        PinnedComment.objects.create(transition=transition, place="section", label="x", comment="y")
    with pytest.raises(IntegrityError), transaction.atomic():
        PinnedComment.objects.create(
            transition=transition, place="goals", section="staff", label="x", comment="y"
        )


def test_each_step_on_a_report_tells_who_acts_next(
    unit_report, unit_editor, supervisor, reviewer, django_capture_on_commit_callbacks
):
    unit_editor.email, supervisor.email = "unit@example.org", "sup@example.org"
    unit_editor.save(), supervisor.save()
    with django_capture_on_commit_callbacks(execute=True):
        submitted = workflow.submit(unit_report, unit_editor)
    assert set(notifications.recipients(submitted)) == {supervisor}
    assert [m.to for m in mail.outbox] == [["sup@example.org"]]
    assert f"/reports/{unit_report.department_id}/2023/review/" in mail.outbox[0].body
    assert "部门预算绩效评价报告" in mail.outbox[0].subject
    passed = workflow.pass_on(unit_report, supervisor)
    assert set(notifications.recipients(passed)) == {reviewer, unit_editor}
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        returned = workflow.return_(
            unit_report, reviewer, COMMENT, pins=[pin_on(unit_report, "income")]
        )
    assert set(notifications.recipients(returned)) == {unit_editor}
    body = mail.outbox[0].body
    assert f"/reports/{unit_report.department_id}/2023/edit/" in body
    assert "（一）收入情况：请核实。" in body
    assert Notification.objects.filter(recipient=unit_editor, transition=returned).exists()


def test_the_dashboard_lists_the_reports_events_and_opening_it_reads_them(report, editor, reviewer):
    workflow.submit(report, editor)
    workflow.approve(report, reviewer)
    events = notifications.dashboard_events(editor)
    assert [event.transition.subject for event in events.unread] == [report]
    assert events.unread[0].transition.subject_name == (
        f"{report.department.name}部门预算绩效评价报告（2023）"
    )
    assert notifications.path(events.unread[0].transition, for_editors=True) == (
        f"/reports/{report.department_id}/2023/"
    )
    notifications.mark_read(editor, report)
    assert notifications.dashboard_events(editor).unread == []


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("slow_announcements")
def test_two_reviewers_deciding_a_report_at_once_make_one_step(
    department, year, editor, reviewer, bureau
):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("needs a database that waits for locks")
    colleague = make_user("colleague")
    BureauMembership.objects.create(user=colleague, bureau=bureau)
    report = make_report(department, year)
    workflow.submit(report, editor)
    first, second = Report.objects.get(pk=report.pk), Report.objects.get(pk=report.pk)

    outcomes = run_at_once(
        lambda: workflow.approve(first, reviewer),
        lambda: workflow.return_(second, colleague, COMMENT),
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Refused", "Transition"]
    assert report.transitions.count() == 2
    refused = next(outcome for outcome in outcomes if isinstance(outcome, workflow.Refused))
    assert "此报告" in str(refused)
