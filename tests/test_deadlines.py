"""A bureau with its own year keeps its own deadline: the queue, the overview and the
department dashboard read it, and the Year's holds for bureaus without one."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from departments.models import BureauMembership
from evaluations import workflow
from evaluations.models import BureauYear, Evaluation


@pytest.fixture
def behind(make_form, editor):
    """A form submitted (the queue shows the department) and one still a draft."""
    workflow.submit(make_form("到村任职选调生补助资金"), editor)
    return make_form()


def days(number):
    return timezone.localdate() + datetime.timedelta(days=number)


@pytest.fixture
def own_year(bureau, year):
    """The 西区 bureau's own 2023, due earlier than the Year."""
    year.deadline = days(30)
    year.save()
    return BureauYear.objects.create(
        bureau=bureau, year=year, edition=year.edition, deadline=days(-2)
    )


def test_the_queue_shows_the_reviewers_bureaus_deadline(client_for, reviewer, make_form, own_year):
    make_form()
    response = client_for(reviewer).get(reverse("review_queue") + "?year=2023")
    assert response.context["queue"].deadline == own_year.deadline
    assert own_year.deadline.isoformat() in response.text


def test_departments_are_overdue_after_their_bureaus_deadline(
    client_for, reviewer, behind, department, own_year
):
    response = client_for(reviewer).get(reverse("review_queue") + "?year=2023")
    assert response.context["queue"].overdue == {department.pk}


def test_another_bureaus_deadline_does_not_make_a_department_late(
    client_for, reviewer, behind, other_bureau, year
):
    year.deadline = days(30)
    year.save()
    BureauYear.objects.create(
        bureau=other_bureau, year=year, edition=year.edition, deadline=days(-2)
    )
    response = client_for(reviewer).get(reverse("review_queue") + "?year=2023")
    assert response.context["queue"].deadline == year.deadline
    assert response.context["queue"].overdue == set()
    rows = client_for(reviewer).get(reverse("review_overview") + "?year=2023").context["rows"]
    assert not any(row.overdue for row in rows)


def test_a_reviewer_of_two_bureaus_sees_each_department_late_against_its_own(
    client_for, reviewer, behind, make_form, department, foreign_department, own_year
):
    BureauMembership.objects.create(user=reviewer, bureau=foreign_department.bureau)
    handed_in = make_form("人才队伍建设经费", owner=foreign_department)
    Evaluation.objects.filter(pk=handed_in.pk).update(
        state=Evaluation.State.SUBMITTED, submitted_at=timezone.now()
    )
    make_form("基层组织建设工作经费", owner=foreign_department)
    response = client_for(reviewer).get(reverse("review_queue") + "?year=2023")
    # Two bureaus on the page: the Year's deadline heads it.
    assert response.context["queue"].deadline == own_year.year.deadline
    assert response.context["queue"].overdue == {department.pk}


def test_the_overview_marks_departments_late_against_their_bureaus_deadline(
    client_for, reviewer, behind, department, own_year
):
    rows = client_for(reviewer).get(reverse("review_overview") + "?year=2023").context["rows"]
    assert {row.department.pk for row in rows if row.overdue} == {department.pk}


def test_the_dashboard_counts_the_days_to_the_bureaus_deadline(client_for, editor, own_year):
    page = client_for(editor).get(reverse("evaluation_list") + "?year=2023").text
    assert 'data-days-left="-2"' in page
    assert own_year.deadline.isoformat() in page
