"""The report's review on its pages: the buttons derived from the steps, the review page with its
flags and a comment per section, the comments beside their sections on the edit page, the
history, reopening, and the reports in the reviewers' queue. Outsiders get 404."""

import pytest
from django.urls import reverse

from evaluations import workflow
from evaluations.models import Evaluation
from reports.models import Report, ReportSection
from tests.test_report_workflow import make_report

State = Evaluation.State
STEP_URLS = ("report_submit", "report_withdraw", "report_review", "report_reopen")


@pytest.fixture
def report(department, year):
    return make_report(department, year)


def at(name, report):
    return reverse(name, args=[report.department_id, report.year_id])


def page(client, name, report):
    response = client.get(at(name, report))
    assert response.status_code == 200
    return response.content.decode()


def queue(client):
    response = client.get(reverse("review_queue"))
    assert response.status_code == 200
    return response.content.decode()


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def test_the_editor_submits_from_the_reports_page_and_can_withdraw(client_for, report, editor):
    client = client_for(editor)
    assert 'data-step="submit"' in page(client, "report_detail", report)
    response = client.post(at("report_submit", report), follow=True)
    assert Report.objects.get(pk=report.pk).state == State.SUBMITTED
    assert messages_of(response)[-1].startswith("已提交审核")
    shown = response.content.decode()
    assert 'data-step="withdraw"' in shown
    assert 'data-step="submit"' not in shown
    assert "data-history" in shown
    response = client.post(at("report_withdraw", report))
    assert response["Location"] == at("report_edit", report)
    assert Report.objects.get(pk=report.pk).state == State.DRAFT


def test_an_incomplete_report_is_not_submitted_and_the_edit_page_says_why(
    client_for, department, year, editor
):
    report = make_report(department, year, summary="")
    response = client_for(editor).post(at("report_submit", report), follow=True)
    assert response.redirect_chain[-1][0] == at("report_edit", report)
    assert messages_of(response)[-1] == "报告未提交：还有 1 项须先填写完整。"
    assert Report.objects.get(pk=report.pk).state == State.DRAFT


@pytest.mark.parametrize("name", STEP_URLS)
@pytest.mark.parametrize("persona", ["other_editor", "other_reviewer", "other_supervisor"])
def test_outsiders_get_404_on_every_step_of_a_report(
    request, client_for, report, submitted_report_state, name, persona
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(at(name, report)).status_code in (404, 405)
    assert client.post(at(name, report), {"decision": "approve"}).status_code == 404
    assert Report.objects.get(pk=report.pk).state == submitted_report_state


@pytest.fixture
def submitted_report_state(report, editor):
    workflow.submit(report, editor)
    return State.SUBMITTED


@pytest.mark.parametrize(
    ("persona", "name", "status"),
    [
        ("viewer", "report_submit", 403),
        ("reviewer", "report_withdraw", 403),
        ("editor", "report_review", 403),
        ("viewer", "report_review", 403),
        ("reviewer", "report_reopen", 403),
    ],
)
def test_a_member_who_sees_the_report_but_lacks_the_role_gets_403(
    request, client_for, report, submitted_report_state, persona, name, status
):
    client = client_for(request.getfixturevalue(persona))
    assert client.post(at(name, report), {"decision": "return"}).status_code == status
    assert Report.objects.get(pk=report.pk).state == submitted_report_state


def test_a_report_not_started_has_no_steps_to_take(client_for, department, year, reviewer):
    response = client_for(reviewer).get(f"/reports/{department.pk}/{year.year}/review/")
    assert response.status_code == 404


def test_the_reviewer_returns_with_a_comment_pinned_to_a_section(
    client_for, report, editor, reviewer
):
    ReportSection.objects.filter(report=report, key="use_of_results").update(
        text="包括内部应用、自评公开、问题整改和应用反馈等情况。"
    )
    workflow.submit(report, editor)
    client = client_for(reviewer)
    shown = page(client, "report_review", report)
    assert "data-flags" in shown
    assert "包括内部应用" in shown
    assert 'data-pin="pin-section-staff"' in shown
    assert 'value="approve"' in shown
    assert 'value="return"' in shown

    refused = client.post(at("report_review", report), {"decision": "return", "comment": ""})
    assert refused.status_code == 400
    assert Report.objects.get(pk=report.pk).state == State.SUBMITTED

    response = client.post(
        at("report_review", report),
        {"decision": "return", "comment": "请修改。", "pin-section-staff": "人数与决算不符。"},
    )
    assert response["Location"] == reverse("review_queue")
    returned = Report.objects.get(pk=report.pk)
    assert returned.state == State.RETURNED
    pin = returned.transitions.get(step="return").pins.get()
    assert (pin.section, pin.comment) == ("staff", "人数与决算不符。")

    edit = page(client_for(editor), "report_edit", report)
    assert 'id="returned-comment"' in edit
    assert "请修改。" in edit
    beside = edit.index('data-section-pin="staff"')
    assert edit.index('id="section-staff"') < beside < edit.index('id="section-income"')
    assert "人数与决算不符。" in edit


def test_the_reviewer_approves_and_the_history_shows_both_steps(
    client_for, report, editor, reviewer
):
    workflow.submit(report, editor)
    client_for(reviewer).post(at("report_review", report), {"decision": "approve"})
    assert Report.objects.get(pk=report.pk).state == State.APPROVED
    shown = page(client_for(editor), "report_detail", report)
    assert shown.count("list-group-item") >= 2
    assert "财政局" in shown
    assert 'data-step="withdraw"' not in shown


def test_a_decision_posted_after_another_reviewer_decided_changes_nothing(
    client_for, report, editor, reviewer
):
    workflow.submit(report, editor)
    workflow.approve(report, reviewer)
    response = client_for(reviewer).post(
        at("report_review", report), {"decision": "return", "comment": "晚了"}, follow=True
    )
    assert messages_of(response)[-1].startswith("未作任何更改")
    assert Report.objects.get(pk=report.pk).state == State.APPROVED


def test_an_administrator_reopens_an_approved_report_with_a_reason(
    client_for, report, editor, reviewer, admin_user
):
    workflow.submit(report, editor)
    workflow.approve(report, reviewer)
    client = client_for(admin_user)
    assert 'data-step="reopen"' in page(client, "report_detail", report)
    assert client.post(at("report_reopen", report), {"reason": ""}).status_code == 400
    client.post(at("report_reopen", report), {"reason": "数据有误。"})
    reopened = Report.objects.get(pk=report.pk)
    assert (reopened.state, reopened.approved_at) == (State.RETURNED, None)


def test_the_finance_queue_lists_the_submitted_report_with_its_review_link(
    client_for, report, other_department, year, editor, other_editor, reviewer
):
    other = make_report(other_department, year)
    workflow.submit(report, editor)
    shown = queue(client_for(reviewer))
    assert "data-waiting-reports" in shown
    assert at("report_review", report) in shown
    assert at("report_review", other) not in shown  # a draft waits for nobody yet


def test_a_units_report_waits_in_its_supervisors_queue_then_in_finances(
    client_for, unit, year, two_levels, unit_editor, supervisor, reviewer
):
    report = make_report(unit, year)
    workflow.submit(report, unit_editor)
    assert at("report_review", report) in queue(client_for(supervisor))
    assert "data-waiting-reports" not in queue(client_for(reviewer))
    workflow.pass_on(report, supervisor)
    assert at("report_review", report) in queue(client_for(reviewer))
    assert "data-waiting-reports" not in queue(client_for(supervisor))


def test_a_reviewer_who_also_edits_the_department_does_not_find_its_report_to_decide(
    client_for, report, editor, editing_reviewer
):
    workflow.submit(report, editor)
    assert "data-waiting-reports" not in queue(client_for(editing_reviewer))
    response = client_for(editing_reviewer).post(
        at("report_review", report), {"decision": "approve"}
    )
    assert response.status_code == 403
