import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import editing
from evaluations.models import Evaluation, IndicatorCategory
from evaluations.views import EditPage
from tests.conftest import add_row, edit_data


def edit_url(evaluation):
    return reverse("evaluation_edit", args=[evaluation.pk])


def category(name):
    return IndicatorCategory.objects.get(name=name, parent__isnull=False)


def funds_key(evaluation, source_name, field):
    line = evaluation.fund_lines.get(source__name=source_name)
    return f"fund-{line.source_id}-{field}"


# Listing and starting forms


def test_the_list_shows_the_departments_forms_and_their_state(client_for, editor, evaluation):
    response = client_for(editor).get(reverse("evaluation_list"))
    assert response.status_code == 200
    assert "党员教育培训经费" in response.text
    assert "state-draft" in response.text


def test_the_list_shows_nothing_of_other_departments(client_for, other_editor, evaluation):
    response = client_for(other_editor).get(reverse("evaluation_list"))
    assert "党员教育培训经费" not in response.text


def test_an_editor_starts_a_form_for_a_new_project(client_for, editor, department, year):
    response = client_for(editor).post(
        reverse("evaluation_new") + "?year=2023",
        {"department": department.pk, "project_name": " 新项目 ", "kind": "one_off"},
    )
    evaluation = Evaluation.objects.get(project__name="新项目")
    assert response.status_code == 302
    assert response["Location"] == edit_url(evaluation)
    assert evaluation.project.kind == "one_off"
    assert evaluation.state == Evaluation.State.DRAFT
    assert evaluation.supervising_unit == department.name
    assert evaluation.fund_lines.count() == 3


def test_a_second_form_for_the_same_project_and_year_is_refused(client_for, editor, evaluation):
    response = client_for(editor).post(
        reverse("evaluation_new") + "?year=2023",
        {
            "department": evaluation.project.department_id,
            "project_name": "党员教育培训经费",
            "kind": "recurring",
        },
    )
    assert response.status_code == 200
    assert "already has a form" in response.text or "已有" in response.text
    assert Evaluation.objects.count() == 1


def test_an_editor_cannot_start_a_form_for_another_department(
    client_for, editor, other_department, year
):
    response = client_for(editor).post(
        reverse("evaluation_new") + "?year=2023",
        {"department": other_department.pk, "project_name": "越权", "kind": "recurring"},
    )
    assert response.status_code == 200
    assert not Evaluation.objects.filter(project__name="越权").exists()


def test_copying_last_years_form_keeps_the_plan_and_empties_funds_and_results(
    client_for, editor, evaluation, next_year
):
    response = client_for(editor).post(reverse("evaluation_copy", args=[evaluation.pk]))
    copy = Evaluation.objects.get(project=evaluation.project, year=next_year)
    assert response["Location"] == edit_url(copy)
    assert copy.goal == evaluation.goal
    assert copy.achieved == ""
    assert all(line.budget is None and line.actual is None for line in copy.fund_lines.all())
    before = [(r.category_id, r.name, r.target) for r in evaluation.indicators.all()]
    after = [(r.category_id, r.name, r.target) for r in copy.indicators.all()]
    assert after == before
    assert not copy.indicators.exclude(actual="").exists()
    assert not copy.indicators.filter(completion_rate__isnull=False).exists()


def test_the_list_offers_last_years_projects_to_copy(client_for, editor, evaluation, next_year):
    response = client_for(editor).get(reverse("evaluation_list") + "?year=2024")
    assert reverse("evaluation_copy", args=[evaluation.pk]) in response.text


# The edit page


def test_every_input_has_its_official_label(client_for, editor, evaluation):
    response = client_for(editor).get(edit_url(evaluation))
    for label in [
        "项目名称",
        "项目主管单位",
        "项目实施单位",
        "本级财政资金 全年预算数",
        "本级财政资金 实际完成数",
        "年度设定目标",
        "实际完成情况",
        "三级指标",
        "年度设定指标值",
        "实际完成值",
        "完成率（%）",
        "未完成原因和改进措施",
    ]:
        assert f">{label}</label>" in response.text, label


def suggestion_of(page, row_id):
    """The suggestion box of one indicator row: (hidden, value)."""
    row = page[page.index(f'id="indicator-{row_id}"') :]
    box = re.search(
        r"<div[^>]*data-suggestion([^>]*)>\s*\S+\s*<span data-suggested-value>([^<]*)<", row
    )
    return "hidden" in box[1], box[2]


def test_the_page_shows_totals_and_the_suggested_rate(client_for, editor, evaluation):
    row = evaluation.indicators.get(completion_rate=Decimal("52.37"))
    row.completion_rate = None
    row.save()
    response = client_for(editor).get(edit_url(evaluation))
    assert "30.00" in response.text
    assert "52.37%" in response.text
    assert suggestion_of(response.text, row.pk) == (False, "52.37")


def test_a_saved_rate_that_is_the_suggested_one_gets_no_suggestion(client_for, editor, evaluation):
    row = evaluation.indicators.get(completion_rate=Decimal("52.37"))
    page = client_for(editor).get(edit_url(evaluation)).text
    assert suggestion_of(page, row.pk) == (True, "")


@pytest.mark.parametrize(
    ("typed", "offered"),
    [("52.37", False), ("52.370", False), ("52.37%", False), ("５２．３７", False), ("50", True)],
)
def test_a_typed_rate_gets_the_suggestion_only_when_it_differs(
    client_for, editor, evaluation, typed, offered
):
    rows = list(evaluation.indicators.all())
    index = next(i for i, row in enumerate(rows) if row.completion_rate == Decimal("52.37"))
    # An error elsewhere shows the page again with what was typed.
    data = edit_data(evaluation, project_name="", **{f"indicators-{index}-completion_rate": typed})
    page = client_for(editor).post(edit_url(evaluation), data).text
    hidden, value = suggestion_of(page, rows[index].pk)
    assert (not hidden, value) == ((True, "52.37") if offered else (False, ""))


def test_an_editor_saves_a_draft(client_for, editor, evaluation):
    own = funds_key(evaluation, "本级财政资金", "budget")
    data = edit_data(evaluation, goal="新的目标", **{own: "1,234.5"})
    data["indicators-0-name"] = "改名的指标"
    response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.goal == "新的目标"
    assert evaluation.version == 2
    assert evaluation.fund_lines.get(source__name="本级财政资金").budget == Decimal("1234.5")
    assert evaluation.indicators.filter(name="改名的指标").exists()


def test_an_incomplete_draft_saves(client_for, editor, evaluation):
    data = edit_data(evaluation, goal="", achieved="", implementing_unit="")
    data["indicators-0-target"] = ""
    add_row(data, category("质量指标"), target="≥95%")
    assert client_for(editor).post(edit_url(evaluation), data).status_code == 302
    assert evaluation.indicators.filter(name="", target="≥95%").exists()


def test_rows_are_added_removed_and_reordered(client_for, editor, evaluation):
    data = edit_data(evaluation)
    quantity = category("数量指标")
    first, second = evaluation.indicators.filter(category=quantity)[:2]
    index = {value: key for key, value in data.items() if key.endswith("-id")}
    data[index[first.pk].replace("-id", "-position")] = 99  # moved to the end of its group
    data[index[second.pk].replace("-id", "-DELETE")] = "on"
    add_row(data, quantity, name="新指标", target="3次", actual="3次", completion_rate="100%")
    add_row(data, quantity)  # added, left empty: dropped
    response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 302
    names = list(evaluation.indicators.filter(category=quantity).values_list("name", flat=True))
    assert second.name not in names
    assert names[-1] == first.name
    assert "新指标" in names
    assert evaluation.indicators.get(name="新指标").completion_rate == Decimal("100")
    assert evaluation.indicators.count() == 11


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("十二", "12"),
        ("-5", "负数"),
        ("1.1234567", "6"),
        ("999999999999", "万元"),
    ],
)
def test_a_bad_amount_is_explained_in_chinese_and_nothing_is_lost(
    client_for, editor, evaluation, typed, message
):
    own = funds_key(evaluation, "本级财政资金", "budget")
    data = edit_data(evaluation, goal="尚未保存的新目标", **{own: typed})
    response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 400
    assert message in response.text
    assert "尚未保存的新目标" in response.text
    assert f'value="{typed}"' in response.text
    evaluation.refresh_from_db()
    assert evaluation.goal != "尚未保存的新目标"
    assert evaluation.version == 1


def test_a_bad_completion_rate_is_explained_next_to_its_row(client_for, editor, evaluation):
    data = edit_data(evaluation)
    data["indicators-3-completion_rate"] = "百分之百"
    response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 400
    assert 'id="id_indicators-3-completion_rate-error"' in response.text
    assert 'value="百分之百"' in response.text


def test_the_second_of_two_concurrent_saves_is_refused_and_keeps_its_input(
    client_for, editor, evaluation, department
):
    from departments.models import Membership
    from tests.conftest import make_user

    colleague = make_user("colleague", first_name="同事")
    Membership.objects.create(user=colleague, department=department, role="editor")
    opened_by_editor = edit_data(evaluation, goal="编辑员的版本")
    opened_by_colleague = edit_data(evaluation, goal="同事的版本")

    assert client_for(colleague).post(edit_url(evaluation), opened_by_colleague).status_code == 302
    response = client_for(editor).post(edit_url(evaluation), opened_by_editor)

    assert response.status_code == 409
    assert "同事" in response.text
    assert "编辑员的版本" in response.text
    evaluation.refresh_from_db()
    assert evaluation.goal == "同事的版本"


def test_renaming_to_another_projects_name_is_refused(client_for, editor, make_form, evaluation):
    make_form("干部队伍建设经费")
    data = edit_data(evaluation, project_name="干部队伍建设经费")
    response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 400
    evaluation.refresh_from_db()
    assert evaluation.project.name == "党员教育培训经费"


def test_renaming_a_project_renames_its_draft_forms_of_other_years(
    client_for, editor, evaluation, make_form, next_year
):
    later = make_form(in_year=next_year)
    data = edit_data(later, project_name="党员培训经费")
    response = client_for(editor).post(edit_url(later), data)
    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.project.name == "党员培训经费"


@pytest.mark.parametrize("state", [Evaluation.State.SUBMITTED, Evaluation.State.APPROVED])
def test_a_project_filed_in_another_year_keeps_its_name(
    client_for, editor, evaluation, make_form, next_year, state
):
    Evaluation.objects.filter(pk=evaluation.pk).update(state=state)
    later = make_form(in_year=next_year)
    data = edit_data(later, project_name="改了名字", goal="新的目标")

    response = client_for(editor).post(edit_url(later), data)

    assert response.status_code == 400
    assert "本项目 2023 年度的自评表已以现名称" in response.text
    assert "改了名字" in response.text  # what the user typed stays on the page
    later.refresh_from_db()
    assert later.project.name == "党员教育培训经费"
    assert later.goal != "新的目标"


def test_a_rename_racing_a_submission_in_another_year_is_refused(
    editor, evaluation, make_form, next_year
):
    later = make_form(in_year=next_year)
    page = EditPage(later, edit_data(later, project_name="改了名字"))
    assert page.is_valid()
    # Submitted after the page was validated, before it is written.
    Evaluation.objects.filter(pk=evaluation.pk).update(state=Evaluation.State.SUBMITTED)

    with pytest.raises(editing.EditRefused, match="2023"):
        editing.save_evaluation(later, editor, page.form, page.fund_forms, page.indicators)

    later.refresh_from_db()
    assert later.project.name == "党员教育培训经费"


def test_a_submitted_form_cannot_be_edited(client_for, editor, evaluation):
    Evaluation.objects.filter(pk=evaluation.pk).update(state=Evaluation.State.SUBMITTED)
    client = client_for(editor)
    response = client.get(edit_url(evaluation))
    assert response["Location"] == reverse("evaluation_detail", args=[evaluation.pk])
    response = client.post(edit_url(evaluation), edit_data(evaluation, goal="偷偷修改"))
    evaluation.refresh_from_db()
    assert evaluation.goal != "偷偷修改"


def test_rows_of_another_form_cannot_be_edited_through_this_one(
    client_for, editor, evaluation, make_form
):
    other = make_form("干部队伍建设经费")
    foreign_row = other.indicators.first()
    data = edit_data(evaluation)
    data["indicators-0-id"] = foreign_row.pk
    data["indicators-0-name"] = "篡改"
    response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 400
    foreign_row.refresh_from_db()
    assert foreign_row.name != "篡改"


# The official view


def test_the_official_view_reads_like_the_paper_form(client_for, viewer, evaluation):
    response = client_for(viewer).get(reverse("evaluation_detail", args=[evaluation.pk]))
    text = response.text
    assert "部门预算项目支出绩效自评表" in text
    assert "（2023年度）" in text
    assert "52.37%" in text
    assert text.index("产出指标") < text.index("成本指标") < text.index("效益指标")
    assert edit_url(evaluation) not in text  # a viewer gets no edit controls


def test_an_editor_gets_an_edit_link_on_the_official_view(client_for, editor, evaluation):
    response = client_for(editor).get(reverse("evaluation_detail", args=[evaluation.pk]))
    assert edit_url(evaluation) in response.text


def test_the_edit_page_query_count_does_not_grow_with_rows(client_for, editor, make_form):
    small = make_form("2023年攀枝花市公开招聘聘任制公务员专家测评和综合评价考务费")  # 6 rows
    large = make_form("干部队伍建设经费")  # 15 rows
    client = client_for(editor)

    def count(method, evaluation):
        with CaptureQueriesContext(connection) as queries:
            if method == "get":
                response = client.get(edit_url(evaluation))
            else:
                response = client.post(edit_url(evaluation), edit_data(evaluation, goal="改"))
        assert response.status_code in (200, 302)
        return len(queries)

    assert count("get", small) == count("get", large)
    assert count("post", small) == count("post", large)


def test_row_texts_are_escaped_in_the_edit_page(client_for, editor, evaluation):
    hostile = '</textarea><script>alert("x")</script>" onfocus="alert(1)'
    evaluation.indicators.filter(position=1).update(name=hostile, target=hostile)
    evaluation.indicators.filter(position=2).update(completion_rate=None)
    response = client_for(editor).get(edit_url(evaluation))
    assert "<script>alert" not in response.text
    assert 'onfocus="alert(1)' not in response.text
    assert "&lt;/textarea&gt;&lt;script&gt;alert(&quot;x&quot;)" in response.text


def test_the_rows_bookkeeping_fields_are_hidden(client_for, editor, evaluation):
    page = client_for(editor).get(edit_url(evaluation)).text
    for name in ("id", "category", "position"):
        tag = re.search(rf'<input [^>]*name="indicators-0-{name}"[^>]*>', page)[0]
        assert 'type="hidden"' in tag, tag
