"""Which year a page opens on when the address names none, and work waiting in other years.

Department pages open on the earliest year with a form returned to the user's departments,
reviewer pages on the earliest year with a form submitted to the user's bureau. Without such work
department pages open on the latest year, the one being filed, and reviewer pages on the latest
year holding forms to review (without forms, on the latest year).
"""

import pytest
from django.urls import reverse

from evaluations import workflow
from evaluations.models import Evaluation

State = Evaluation.State

DEPARTMENT_PAGES = ["evaluation_list", "evaluation_new"]
REVIEW_PAGES = ["review_queue", "review_overview"]


def opened_on(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    context = response.context
    return (context["queue"].year if "queue" in context else context["year"]).year


@pytest.fixture
def returned_2023(make_form, editor, reviewer, next_year):
    """A 2023 form returned to 组织部, while 2024 already holds one of its drafts."""
    evaluation = make_form("党员教育培训经费")
    workflow.submit(evaluation, editor)
    workflow.return_(evaluation, reviewer, "请补充未完成原因。")
    make_form("老干部队伍建设经费", in_year=next_year)
    return evaluation


@pytest.fixture
def submitted_2023(make_form, editor, next_year):
    """A 2023 form waiting for review, while 2024 already holds a draft."""
    evaluation = make_form("党员教育培训经费")
    workflow.submit(evaluation, editor)
    make_form("老干部队伍建设经费", in_year=next_year)
    return evaluation


@pytest.mark.parametrize("name", DEPARTMENT_PAGES)
def test_department_pages_open_on_the_year_with_a_returned_form(
    client_for, editor, returned_2023, name
):
    assert opened_on(client_for(editor), name) == 2023


@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_reviewer_pages_open_on_the_year_with_a_submitted_form_not_on_a_newer_draft(
    client_for, reviewer, submitted_2023, name
):
    assert opened_on(client_for(reviewer), name) == 2023


@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_a_newer_year_with_forms_submitted_waits_behind_the_older_one(
    client_for, editor, reviewer, submitted_2023, next_year, name
):
    workflow.submit(Evaluation.objects.get(year=next_year), editor)
    assert opened_on(client_for(reviewer), name) == 2023


def test_the_queue_export_takes_the_queues_year(client_for, reviewer, submitted_2023):
    response = client_for(reviewer).get(reverse("excel_queue_export"))
    assert "2023" in response["Content-Disposition"]


def test_a_viewer_has_nothing_to_change_and_opens_on_the_latest_year(
    client_for, viewer, returned_2023, next_year
):
    assert opened_on(client_for(viewer), "evaluation_list") == 2024


@pytest.mark.parametrize("name", DEPARTMENT_PAGES)
def test_without_waiting_work_a_department_opens_on_the_year_being_filed(
    client_for, editor, evaluation, next_year, name
):
    # 2024 holds no form yet: it is where last year's forms are offered to copy.
    assert opened_on(client_for(editor), name) == 2024


@pytest.mark.parametrize("name", REVIEW_PAGES)
def test_without_waiting_work_a_reviewer_opens_on_the_latest_year_with_forms(
    client_for, reviewer, evaluation, next_year, name
):
    assert opened_on(client_for(reviewer), name) == 2023


@pytest.mark.parametrize(
    ("user", "name"),
    [("editor", "evaluation_list"), ("editor", "evaluation_new"), ("reviewer", "review_queue")],
)
def test_without_any_form_a_page_opens_on_the_latest_year(
    client_for, request, year, next_year, user, name
):
    assert opened_on(client_for(request.getfixturevalue(user)), name) == 2024


def test_another_departments_returned_form_does_not_move_the_year(
    client_for, other_editor, returned_2023, make_form, other_department, next_year
):
    make_form("人才队伍建设经费", owner=other_department, in_year=next_year)
    assert opened_on(client_for(other_editor), "evaluation_list") == 2024


def test_a_year_in_the_address_wins_over_waiting_work(client_for, editor, returned_2023):
    response = client_for(editor).get(reverse("evaluation_list"), {"year": 2024})
    assert response.context["year"].year == 2024


# Work waiting in other years


def test_the_dashboard_links_forms_returned_in_other_years(
    client_for, editor, returned_2023, next_year
):
    page = client_for(editor).get(reverse("evaluation_list"), {"year": 2024}).text
    elsewhere = page[page.index("data-waiting-elsewhere") :]
    assert reverse("evaluation_edit", args=[returned_2023.pk]) in elsewhere
    assert "党员教育培训经费（2023）" in elsewhere


def test_the_dashboard_lists_no_other_years_when_nothing_waits_there(
    client_for, editor, returned_2023
):
    page = client_for(editor).get(reverse("evaluation_list")).text
    assert "data-waiting-elsewhere" not in page


def test_the_queue_links_years_with_forms_waiting_for_review(
    client_for, reviewer, submitted_2023, next_year
):
    page = client_for(reviewer).get(reverse("review_queue"), {"year": 2024}).text
    elsewhere = page[page.index("data-waiting-elsewhere") :]
    assert f'href="{reverse("review_queue")}?year=2023"' in elsewhere
    assert 'data-waiting-year="2023" data-count="1"' in elsewhere
