"""The review queue and the overview: scope, counts, filters, search, sorts, pages, deadlines."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from departments.models import Department
from evaluations import queue, workflow
from evaluations.models import Evaluation

State = Evaluation.State


@pytest.fixture
def forms(make_form, editor, other_editor, other_department, foreign_department):
    """组织部: 党员 (submitted first), 到村 (submitted second), 老干部 (draft).
    党校: 人才 (submitted last). 东区教育局, another bureau's: 基层组织 (submitted)."""
    made = {
        "党员": make_form("党员教育培训经费"),
        "到村": make_form("到村任职选调生补助资金"),
        "老干部": make_form("老干部队伍建设经费"),
        "人才": make_form("人才队伍建设经费", owner=other_department),
        "基层": make_form("基层组织建设工作经费", owner=foreign_department),
    }
    base = timezone.now() - datetime.timedelta(days=10)
    for days, (name, user) in enumerate(
        [("党员", editor), ("到村", editor), ("人才", other_editor)], start=1
    ):
        workflow.submit(made[name], user)
        Evaluation.objects.filter(pk=made[name].pk).update(
            submitted_at=base + datetime.timedelta(days=days)
        )
    Evaluation.objects.filter(pk=made["基层"].pk).update(
        state=State.SUBMITTED, submitted_at=base, flag_count=0
    )
    return made


def shown(client, **params):
    response = client.get(reverse("review_queue"), params)
    assert response.status_code == 200
    return [evaluation.project.name[:2] for evaluation in response.context["queue"].page]


def test_a_reviewer_sees_every_form_of_the_departments_the_bureau_oversees(
    client_for, reviewer, forms
):
    assert sorted(shown(client_for(reviewer), state="")) == ["人才", "党员", "到村", "老干"]


def test_a_reviewer_who_edits_a_department_does_not_review_its_forms(
    client_for, editing_reviewer, forms
):
    client = client_for(editing_reviewer)
    assert shown(client, state="") == ["人才"]
    review = reverse("evaluation_review", args=[forms["党员"].pk])
    assert client.get(review).status_code == 403


def test_a_reviewer_of_another_bureau_sees_only_its_own(client_for, other_reviewer, forms):
    assert shown(client_for(other_reviewer), state="") == ["基层"]


def test_the_queue_opens_on_the_forms_waiting_oldest_first(client_for, reviewer, forms):
    assert shown(client_for(reviewer)) == ["党员", "到村", "人才"]


def test_the_queue_counts_forms_per_state(client_for, reviewer, forms):
    response = client_for(reviewer).get(reverse("review_queue"))
    tabs = {value: count for value, _label, count, _current in response.context["queue"].tabs()}
    assert tabs == {"": 4, "draft": 1, "submitted": 3, "approved": 0, "returned": 0}


def test_the_queue_filters_by_state(client_for, reviewer, forms):
    assert shown(client_for(reviewer), state="draft") == ["老干"]


def test_the_queue_filters_by_department(client_for, reviewer, forms, other_department):
    assert shown(client_for(reviewer), department=other_department.pk) == ["人才"]


def test_a_department_of_another_bureau_is_no_filter_choice(
    client_for, reviewer, forms, foreign_department
):
    # Not a valid choice: the filter falls back to every department, never to the other bureau.
    assert "基层" not in shown(client_for(reviewer), department=foreign_department.pk, state="")


def test_the_queue_filters_flagged_forms(client_for, reviewer, forms):
    # 人才 has one flag (98.8% without a reason), 党员 two, 到村 one.
    Evaluation.objects.filter(pk=forms["人才"].pk).update(flag_count=0)
    assert shown(client_for(reviewer), flagged="on") == ["党员", "到村"]


def test_the_queue_searches_project_names(client_for, reviewer, forms):
    assert shown(client_for(reviewer), q="选调生", state="") == ["到村"]


def test_the_queue_searches_department_names(client_for, reviewer, forms):
    assert shown(client_for(reviewer), q="党校", state="") == ["人才"]


def test_the_queue_filters_by_year(client_for, reviewer, forms, next_year, make_form):
    make_form("干部队伍建设经费", in_year=next_year)
    assert shown(client_for(reviewer), year=2024, state="") == ["干部"]


def test_the_queue_sorts_by_execution_rate(client_for, reviewer, forms):
    # 到村 21.83%, 党员 52.37%, 人才 98.80%.
    assert shown(client_for(reviewer), sort="rate") == ["到村", "党员", "人才"]
    assert shown(client_for(reviewer), sort="-rate") == ["人才", "党员", "到村"]


def test_the_queue_sorts_by_flag_count(client_for, reviewer, forms):
    assert shown(client_for(reviewer), sort="-flags")[0] == "党员"


def test_the_queue_sorts_by_submission_time(client_for, reviewer, forms):
    assert shown(client_for(reviewer), sort="-submitted") == ["人才", "到村", "党员"]


def test_the_queue_shows_execution_rate_and_flag_count(client_for, reviewer, forms):
    page = client_for(reviewer).get(reverse("review_queue")).text
    row = re.search(rf'data-evaluation="{forms["党员"].pk}".*?</tr>', page, re.S).group(0)
    assert "52.37%" in row
    assert ">2</span>" in row


def test_the_queue_pages(client_for, reviewer, forms, monkeypatch):
    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    client = client_for(reviewer)
    assert shown(client) == ["党员", "到村"]
    assert shown(client, page=2) == ["人才"]
    page = client.get(reverse("review_queue"), {"q": "西区"}).text
    assert "page=2" in page
    assert "q=%E8%A5%BF%E5%8C%BA" in page  # the search is kept from page to page


def test_nonsense_in_the_address_falls_back_to_the_defaults(client_for, reviewer, forms):
    assert shown(client_for(reviewer), year="abc", sort="nope", page="x") == [
        "党员",
        "到村",
        "人才",
    ]


def test_departments_behind_after_the_deadline_are_marked_overdue(
    client_for, reviewer, forms, year, department, other_department
):
    year.deadline = timezone.localdate() - datetime.timedelta(days=1)
    year.save()
    response = client_for(reviewer).get(reverse("review_queue"))
    # 组织部 still has a draft (老干部); 党校 has submitted everything.
    assert response.context["queue"].overdue == {department.pk}
    assert response.text.count("data-overdue") == 2


def test_nobody_is_overdue_before_the_deadline(client_for, reviewer, forms, year):
    year.deadline = timezone.localdate()
    year.save()
    assert "data-overdue" not in client_for(reviewer).get(reverse("review_queue")).text


def test_the_queue_takes_the_same_number_of_queries_for_more_forms(
    client_for, reviewer, make_form, department, editor
):
    client = client_for(reviewer)

    def queries(**params):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("review_queue"), params).status_code == 200
        return len(captured)

    workflow.submit(make_form("党员教育培训经费"), editor)
    few = [queries(), queries(state="", sort="rate"), queries(q="经费", flagged="on")]
    for name in ["到村任职选调生补助资金", "老干部队伍建设经费", "人才队伍建设经费"]:
        workflow.submit(make_form(name), editor)
    assert [queries(), queries(state="", sort="rate"), queries(q="经费", flagged="on")] == few


# The overview


def test_the_overview_shows_progress_per_department(
    client_for, reviewer, forms, department, other_department, bureau
):
    Department.objects.create(code="D-3", name="攀枝花市西区档案馆", bureau=bureau)
    response = client_for(reviewer).get(reverse("review_overview"))
    rows = {row.department.name: row for row in response.context["rows"]}
    assert rows[department.name].cells() == [1, 2, 0, 0]
    assert rows[other_department.name].cells() == [0, 1, 0, 0]
    assert rows["攀枝花市西区档案馆"].total == 0
    assert "攀枝花市东区教育局" not in rows


def test_the_overview_marks_departments_behind_after_the_deadline(
    client_for, reviewer, forms, year, department, bureau
):
    Department.objects.create(code="D-3", name="攀枝花市西区档案馆", bureau=bureau)
    year.deadline = timezone.localdate() - datetime.timedelta(days=1)
    year.save()
    response = client_for(reviewer).get(reverse("review_overview"))
    overdue = {row.department.name for row in response.context["rows"] if row.overdue}
    assert overdue == {department.name, "攀枝花市西区档案馆"}


def test_the_overview_charts_the_execution_rates_of_forms_handed_in(client_for, reviewer, forms):
    response = client_for(reviewer).get(reverse("review_overview"))
    data = json.loads(
        re.search(r'id="overview-data"[^>]*>(.*?)</script>', response.text, re.S).group(1)
    )
    # Handed in: 到村 21.83%, 党员 52.37%, 人才 98.80%; the draft 老干部 is left out.
    assert data["rates"]["data"] == [0, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0]
    assert [series["state"] for series in data["series"]] == [
        "draft",
        "submitted",
        "returned",
        "approved",
    ]


def test_the_overview_draws_its_charts_from_vendored_files_without_inline_script(
    client_for, reviewer, forms
):
    page = client_for(reviewer).get(reverse("review_overview")).text
    assert "vendor/chartjs/chart.umd.min.js" in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    inline = [body for attrs, body in scripts if body.strip() and "application/json" not in attrs]
    assert inline == []


def test_the_queue_opens_on_the_latest_year_with_forms_not_an_empty_new_one(
    client_for, reviewer, editor, evaluation, next_year
):
    workflow.submit(evaluation, editor)
    page = client_for(reviewer).get(reverse("review_queue")).content.decode()
    assert "党员教育培训经费" in page
    assert '<option value="2023" selected' in page


def test_the_overview_opens_on_the_latest_year_with_forms(
    client_for, reviewer, evaluation, next_year
):
    response = client_for(reviewer).get(reverse("review_overview"))
    assert response.context["year"].year == 2023
