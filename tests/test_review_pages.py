"""The review conversation through its pages: submitting from the edit page, the review page and
its decision, pinned comments beside their rows, withdrawing, reopening, the dashboard."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from evaluations import workflow
from evaluations.models import Evaluation, Indicator, Transition
from tests.conftest import edit_data

State = Evaluation.State


def url(name, evaluation):
    return reverse(name, args=[evaluation.pk])


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def in_english(client):
    """Messages worded in the source language, whatever the catalogues say."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def submitted(evaluation, editor):
    workflow.submit(evaluation, editor)
    return evaluation


@pytest.fixture
def cost_row(evaluation):
    return evaluation.indicators.get(completion_rate="52.37")


def return_with_pin(client, evaluation, row, comment="52.37% 未说明原因。"):
    return client.post(
        url("evaluation_review", evaluation),
        {"decision": "return", "comment": "请补充说明。", f"pin-indicator-{row.pk}": comment},
    )


# Submitting


def test_the_edit_page_offers_submitting_to_an_editor(client_for, editor, evaluation):
    page = client_for(editor).get(url("evaluation_edit", evaluation)).text
    assert f'formaction="{url("evaluation_submit", evaluation)}"' in page
    assert "提交审核" in page


def test_the_edit_page_shows_the_review_flags_before_submitting(client_for, editor, evaluation):
    page = client_for(editor).get(url("evaluation_edit", evaluation)).text
    flags = re.search(r"<ul class=\"mb-0\" data-flags>(.*?)</ul>", page, re.S).group(1)
    assert flags.count("<li>") == 2


def test_submitting_from_the_edit_page_saves_what_was_typed_first(client_for, editor, evaluation):
    data = edit_data(evaluation, achieved="全年完成党员培训 1904 人次。")
    response = client_for(editor).post(url("evaluation_submit", evaluation), data)
    assert response["Location"] == url("evaluation_detail", evaluation)
    evaluation.refresh_from_db()
    assert (evaluation.state, evaluation.achieved) == (
        State.SUBMITTED,
        "全年完成党员培训 1904 人次。",
    )
    snapshot = Transition.objects.get().snapshot
    assert snapshot["achieved"] == "全年完成党员培训 1904 人次。"


def test_a_submission_with_problems_goes_back_to_the_edit_page_listing_them(
    client_for, editor, evaluation
):
    client = in_english(client_for(editor))
    data = edit_data(evaluation, goal="", achieved="")
    response = client.post(url("evaluation_submit", evaluation), data, follow=True)
    assert response.redirect_chain[-1][0] == url("evaluation_edit", evaluation)
    assert messages_of(response) == [
        "The form was not submitted: 2 entries must be completed first."
    ]
    page = response.text
    assert 'href="#id_goal"' in page
    assert 'href="#id_achieved"' in page
    evaluation.refresh_from_db()
    assert evaluation.state == State.DRAFT


def test_a_submission_that_does_not_validate_shows_the_edit_page_again(
    client_for, editor, evaluation
):
    source = evaluation.fund_lines.first().source_id
    data = edit_data(evaluation, **{f"fund-{source}-budget": "三十"})
    response = client_for(editor).post(url("evaluation_submit", evaluation), data)
    assert response.status_code == 400
    assert f'action="{url("evaluation_edit", evaluation)}"' in response.text
    assert Evaluation.objects.get(pk=evaluation.pk).state == State.DRAFT


def test_a_double_submission_tells_the_second_click_who_submitted(client_for, editor, evaluation):
    client = client_for(editor)
    data = edit_data(evaluation)
    client.post(url("evaluation_submit", evaluation), data)
    response = client.post(url("evaluation_submit", evaluation), data, follow=True)
    assert "组织部 填报员" in messages_of(response)[-1]
    assert Transition.objects.count() == 1


def test_a_submitted_form_is_read_only_to_the_department(client_for, editor, submitted):
    client = client_for(editor)
    response = client.get(url("evaluation_edit", submitted))
    assert response["Location"] == url("evaluation_detail", submitted)
    page = client.get(url("evaluation_detail", submitted)).text
    assert "撤回" in page
    assert url("evaluation_edit", submitted) not in page


def test_the_department_withdraws_a_submitted_form(client_for, editor, submitted):
    response = client_for(editor).post(url("evaluation_withdraw", submitted))
    assert response["Location"] == url("evaluation_edit", submitted)
    assert Evaluation.objects.get(pk=submitted.pk).state == State.DRAFT


# The review page


def test_the_review_page_shows_the_official_form_and_its_flags(client_for, reviewer, submitted):
    page = client_for(reviewer).get(url("evaluation_review", submitted)).text
    assert "部门预算项目支出绩效自评表" in page
    assert re.search(r"data-flag-count>2<", page)
    for label in ("审核通过", "退回修改", "审核意见"):
        assert label in page


def test_it_returns_a_submitted_form_with_a_comment(client_for, reviewer, submitted):
    response = client_for(reviewer).post(
        url("evaluation_review", submitted), {"decision": "return", "comment": "请补充说明。"}
    )
    assert response["Location"] == reverse("review_queue")
    assert Evaluation.objects.get(pk=submitted.pk).state == State.RETURNED
    assert Transition.objects.last().comment == "请补充说明。"


def test_returning_without_a_comment_asks_for_one(client_for, reviewer, submitted):
    response = client_for(reviewer).post(
        url("evaluation_review", submitted), {"decision": "return", "comment": " "}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["comment"]
    assert Evaluation.objects.get(pk=submitted.pk).state == State.SUBMITTED


def test_a_reviewer_approves_with_an_optional_comment(client_for, reviewer, submitted):
    client_for(reviewer).post(url("evaluation_review", submitted), {"decision": "approve"})
    assert Evaluation.objects.get(pk=submitted.pk).state == State.APPROVED


def test_approving_with_pinned_comments_is_refused(client_for, reviewer, submitted, cost_row):
    response = client_for(reviewer).post(
        url("evaluation_review", submitted),
        {"decision": "approve", f"pin-indicator-{cost_row.pk}": "?"},
    )
    assert response.status_code == 400
    assert Evaluation.objects.get(pk=submitted.pk).state == State.SUBMITTED


def test_the_second_of_two_reviewers_is_told_the_form_was_decided(client_for, reviewer, submitted):
    client = in_english(client_for(reviewer))
    client.post(url("evaluation_review", submitted), {"decision": "approve"})
    response = client.post(
        url("evaluation_review", submitted),
        {"decision": "return", "comment": "请修改"},
        follow=True,
    )
    assert messages_of(response)[-1].startswith("Nothing was changed")
    assert Evaluation.objects.get(pk=submitted.pk).state == State.APPROVED
    assert Transition.objects.filter(to_state__in=["approved", "returned"]).count() == 1


def test_the_pinned_comment_shows_beside_its_row_on_the_edit_page(
    client_for, editor, reviewer, submitted, cost_row
):
    return_with_pin(client_for(reviewer), submitted, cost_row)
    page = client_for(editor).get(url("evaluation_edit", submitted)).text
    row = re.search(rf'<tr [^>]*id="indicator-{cost_row.pk}".*?</tr>', page, re.S).group(0)
    assert "52.37% 未说明原因。" in row
    assert page.count("pinned-comment") == 1
    assert "请补充说明。" in page


def test_comments_pinned_to_a_fund_row_and_the_goals_show_in_their_places(
    client_for, editor, reviewer, submitted
):
    source = submitted.fund_lines.get(source__name="本级财政资金").source_id
    client_for(reviewer).post(
        url("evaluation_review", submitted),
        {
            "decision": "return",
            "comment": "请修改。",
            f"pin-funds-{source}": "执行率偏低。",
            "pin-goals": "目标过于笼统。",
        },
    )
    page = client_for(editor).get(url("evaluation_edit", submitted)).text
    funds = page[page.index('id="funds"') : page.index('id="goals"')]
    goals = page[page.index('id="goals"') : page.index('id="indicators"')]
    assert "执行率偏低。" in funds
    assert "目标过于笼统。" in goals


def test_the_reviewer_sees_what_changed_and_which_pinned_rows_were_changed(
    client_for, editor, reviewer, submitted, cost_row
):
    return_with_pin(client_for(reviewer), submitted, cost_row)
    Indicator.objects.filter(pk=cost_row.pk).update(reason="部分培训延至下年度。")
    submitted.refresh_from_db()
    workflow.submit(submitted, editor)
    page = client_for(reviewer).get(url("evaluation_review", submitted)).text
    changes = page[page.index('id="changes"') : page.index('id="decision"')]
    assert 'data-pin-status="changed"' in changes
    assert "部分培训延至下年度。" in changes
    assert "未完成原因和改进措施" in changes
    # The changed row leads to its place in the form below.
    changed_row = changes[changes.index("data-changed-row") :]
    assert f'href="#indicator-{cost_row.pk}"' in changed_row
    assert f'id="indicator-{cost_row.pk}"' in page


def test_an_unchanged_pinned_row_is_pointed_out(client_for, editor, reviewer, submitted, cost_row):
    return_with_pin(client_for(reviewer), submitted, cost_row)
    submitted.refresh_from_db()
    workflow.submit(submitted, editor)
    page = client_for(reviewer).get(url("evaluation_review", submitted)).text
    assert 'data-pin-status="unchanged"' in page


def test_a_form_submitted_once_shows_no_changes(client_for, reviewer, submitted):
    page = client_for(reviewer).get(url("evaluation_review", submitted)).text
    assert 'id="changes"' not in page


def test_an_approved_form_is_read_only_and_offers_no_decision(
    client_for, editor, reviewer, submitted
):
    workflow.approve(submitted, reviewer)
    assert 'id="decision"' not in client_for(reviewer).get(url("evaluation_review", submitted)).text
    response = client_for(editor).get(url("evaluation_edit", submitted))
    assert response["Location"] == url("evaluation_detail", submitted)


def test_the_history_shows_every_round_with_its_comment(client_for, viewer, reviewer, submitted):
    workflow.return_(submitted, reviewer, "第一轮意见")
    page = client_for(viewer).get(url("evaluation_detail", submitted)).text
    history = page[page.index('id="history"') :]
    assert history.count("list-group-item") == 2
    assert "第一轮意见" in history


# Reopening


def test_an_administrator_reopens_an_approved_form_with_a_reason(
    client_for, reviewer, admin_user, submitted
):
    workflow.approve(submitted, reviewer)
    client = client_for(admin_user)
    assert (
        url("evaluation_reopen", submitted) in client.get(url("evaluation_detail", submitted)).text
    )
    response = client.post(url("evaluation_reopen", submitted), {"reason": "决算数据有更正。"})
    assert response["Location"] == url("evaluation_detail", submitted)
    assert Evaluation.objects.get(pk=submitted.pk).state == State.RETURNED


def test_reopening_without_a_reason_is_refused(client_for, reviewer, admin_user, submitted):
    workflow.approve(submitted, reviewer)
    response = client_for(admin_user).post(url("evaluation_reopen", submitted), {"reason": ""})
    assert response.status_code == 400
    assert Evaluation.objects.get(pk=submitted.pk).state == State.APPROVED


# The department dashboard


def test_the_dashboard_shows_the_days_left_until_the_deadline(client_for, editor, year):
    year.deadline = timezone.localdate() + datetime.timedelta(days=12)
    year.save()
    page = client_for(editor).get(reverse("evaluation_list") + "?year=2023").text
    assert 'data-days-left="12"' in page


def test_the_dashboard_shows_a_passed_deadline_as_overdue(client_for, editor, year):
    year.deadline = timezone.localdate() - datetime.timedelta(days=3)
    year.save()
    page = client_for(editor).get(reverse("evaluation_list") + "?year=2023").text
    assert 'data-days-left="-3"' in page
    assert "text-danger" in page


def test_the_dashboard_lists_what_was_returned_with_its_comment(
    client_for, editor, reviewer, submitted
):
    workflow.return_(submitted, reviewer, "请补充未完成原因。")
    page = client_for(editor).get(reverse("evaluation_list") + "?year=2023").text
    returned = page[page.index("data-returned") :]
    assert url("evaluation_edit", submitted) in returned
    assert "请补充未完成原因。" in returned


def test_reviewers_land_on_the_queue(client_for, reviewer):
    assert client_for(reviewer).get("/")["Location"] == reverse("review_queue")


def test_reviewers_find_the_queue_and_the_overview_in_the_menu(client_for, reviewer, editor):
    page = client_for(reviewer).get(reverse("review_queue")).text
    assert reverse("review_overview") in page
    assert reverse("review_queue") not in client_for(editor).get(reverse("evaluation_list")).text


def test_a_reviewer_outside_every_department_gets_no_department_menu(client_for, reviewer):
    page = client_for(reviewer).get(reverse("review_queue")).content.decode()
    assert reverse("evaluation_list") not in page
    assert reverse("review_overview") in page


def test_a_reviewer_goes_back_from_a_form_to_the_queue(client_for, reviewer, evaluation):
    page = client_for(reviewer).get(reverse("evaluation_detail", args=[evaluation.pk]))
    assert f"{reverse('review_queue')}?year=2023" in page.content.decode()
    assert f"{reverse('evaluation_list')}?year" not in page.content.decode()


def main_of(page):
    return page[page.index('<main id="main"') : page.index("</main>")]


@pytest.mark.parametrize("persona", ["reviewer", "editing_reviewer"])
@pytest.mark.parametrize("page", ["evaluation_detail", "evaluation_review"])
def test_a_form_of_the_queue_leads_back_to_it_once(
    request, client_for, make_form, other_department, other_editor, persona, page
):
    # A reviewer who also edits a department reviews the forms of the others.
    theirs = make_form(owner=other_department)
    workflow.submit(theirs, other_editor)
    response = client_for(request.getfixturevalue(persona)).get(reverse(page, args=[theirs.pk]))
    links = re.findall(r'href="(/review/\?[^"]*)"', main_of(response.content.decode()))
    assert links == [f"{reverse('review_queue')}?year=2023"]
