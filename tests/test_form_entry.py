import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations import content
from evaluations.models import Evaluation, IndicatorCategory
from evaluations.views import EditPage
from tests.conftest import add_row, edit_data


def edit_url(evaluation):
    return reverse("evaluation_edit", args=[evaluation.pk])


def category(name):
    return IndicatorCategory.objects.get(name=name, parent__isnull=False, edition__name="2021版")


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
    assert 'id="id_indicators-3-completion_rate_error"' in response.text
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

    with pytest.raises(content.EditRefused, match="2023"):
        page.save(editor)

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


# After a failed save

TOO_LONG = "长" * 6000

# Something the server refuses in every field of the page, and what names the field in the
# error summary.
BAD_ENTRIES = [
    ("project_name", "", ["项目名称"]),
    ("supervising_unit", TOO_LONG, ["项目主管单位"]),
    ("implementing_unit", TOO_LONG, ["项目实施单位"]),
    ("fund:本级财政资金:budget", "abc", ["本级财政资金 全年预算数"]),
    ("fund:上级财政资金:actual", "十二", ["上级财政资金 实际完成数"]),
    ("goal", TOO_LONG, ["年度设定目标"]),
    ("achieved", TOO_LONG, ["实际完成情况"]),
    ("indicators-2-name", TOO_LONG, ["产出指标 · 数量指标下的“长", "三级指标"]),
    ("indicators-2-target", TOO_LONG, ["“党内激励关怀帮扶”", "年度设定指标值"]),
    ("indicators-2-actual", TOO_LONG, ["“党内激励关怀帮扶”", "实际完成值"]),
    ("indicators-2-completion_rate", "abc", ["“党内激励关怀帮扶”", "完成率（%）"]),
    ("indicators-2-reason", TOO_LONG, ["“党内激励关怀帮扶”", "未完成原因和改进措施"]),
]


def posted_name(evaluation, key):
    if key.startswith("fund:"):
        _fund, source, field = key.split(":")
        return funds_key(evaluation, source, field)
    return key


def error_summary(html):
    """The error summary's links (anchor, text), in order; None when there is no summary."""
    found = re.search(r"<div[^>]*data-error-summary[^>]*>(.*?)</div>", html, re.S)
    if found is None:
        return None
    return [
        (anchor, re.sub(r"<[^>]+>", "", text))
        for anchor, text in re.findall(r'<a href="#([^"]+)"[^>]*>(.*?)</a>', found[1], re.S)
    ]


@pytest.mark.parametrize(("key", "typed", "named"), BAD_ENTRIES, ids=[e[0] for e in BAD_ENTRIES])
def test_after_a_failed_save_the_summary_links_to_the_entry_to_correct(
    client_for, editor, evaluation, key, typed, named
):
    name = posted_name(evaluation, key)
    response = client_for(editor).post(edit_url(evaluation), edit_data(evaluation, **{name: typed}))
    assert response.status_code == 400
    ((anchor, text),) = error_summary(response.text)
    assert anchor == f"id_{name}"
    assert f'id="{anchor}"' in response.text
    for words in named:
        assert words in text, text
    assert "1 处需要修改" in response.text


def test_the_summary_lists_every_error_in_the_order_of_the_page(client_for, editor, evaluation):
    own = funds_key(evaluation, "本级财政资金", "budget")
    data = edit_data(evaluation, goal=TOO_LONG, project_name="", **{own: "abc"})
    data["indicators-0-completion_rate"] = "abc"
    data["indicators-9-reason"] = TOO_LONG
    response = client_for(editor).post(edit_url(evaluation), data)
    anchors = [anchor for anchor, _text in error_summary(response.text)]
    assert anchors == [
        "id_project_name",
        f"id_{own}",
        "id_goal",
        "id_indicators-0-completion_rate",
        "id_indicators-9-reason",
    ]
    assert "5 处需要修改" in response.text


def test_an_error_of_a_rows_bookkeeping_links_to_its_first_entry(
    client_for, editor, evaluation, make_form
):
    data = edit_data(evaluation)
    data["indicators-0-id"] = make_form("干部队伍建设经费").indicators.first().pk
    response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 400
    ((anchor, _text),) = error_summary(response.text)
    assert anchor == "id_indicators-0-name"


def test_a_removed_rows_errors_are_not_in_the_summary(client_for, editor, evaluation):
    data = edit_data(evaluation)
    data["indicators-0-completion_rate"] = "abc"
    data["indicators-1-completion_rate"] = "abc"
    data["indicators-1-DELETE"] = "on"
    response = client_for(editor).post(edit_url(evaluation), data)
    assert [anchor for anchor, _text in error_summary(response.text)] == [
        "id_indicators-0-completion_rate"
    ]


def test_the_summary_is_in_english_for_an_english_user(client_for, editor, evaluation):
    client = client_for(editor)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    own = funds_key(evaluation, "本级财政资金", "budget")
    response = client.post(edit_url(evaluation), edit_data(evaluation, **{own: "abc"}))
    ((_anchor, text),) = error_summary(response.text)
    assert text == "本级财政资金 全年预算数: Enter a number of 万元, such as 12, 11.97 or 1,234.5."


def test_a_saved_form_has_no_error_summary(client_for, editor, evaluation):
    assert error_summary(client_for(editor).get(edit_url(evaluation)).text) is None


def test_a_page_holding_errors_does_not_say_the_form_is_ready(client_for, editor, evaluation):
    client = client_for(editor)
    assert "data-ready" in client.get(edit_url(evaluation)).text
    own = funds_key(evaluation, "本级财政资金", "budget")
    response = client.post(edit_url(evaluation), edit_data(evaluation, **{own: "abc"}))
    assert response.status_code == 400
    assert "data-ready" not in response.text
    assert "可以提交审核" not in response.text
    assert "data-not-ready" in response.text


def test_a_removed_row_stays_on_the_page_after_a_failed_save_with_its_undo(
    client_for, editor, evaluation
):
    own = funds_key(evaluation, "本级财政资金", "budget")
    data = edit_data(evaluation, **{own: "abc"})
    data["indicators-1-DELETE"] = "on"
    response = client_for(editor).post(edit_url(evaluation), data)
    row = re.search(
        r'<tr[^>]*id="indicator-{}"[^>]*>(.*?)</tr>'.format(data["indicators-1-id"]),
        response.text,
        re.S,
    )
    assert "hidden" not in row[0][: row[0].index(">")]
    assert "is-removed" in row[0][: row[0].index(">")]
    checkbox = re.search(r'<input [^>]*name="indicators-1-DELETE"[^>]*>', row[1])[0]
    assert " checked" in checkbox
    undo = re.search(r"<div[^>]*data-removed[^>]*>", row[1])[0]
    assert "hidden" not in undo
    assert "撤销" in row[1]


@pytest.mark.parametrize(("key", "typed", "named"), BAD_ENTRIES, ids=[e[0] for e in BAD_ENTRIES])
def test_a_refused_entry_is_described_by_its_message(
    client_for, editor, evaluation, key, typed, named
):
    name = posted_name(evaluation, key)
    response = client_for(editor).post(edit_url(evaluation), edit_data(evaluation, **{name: typed}))
    tag = re.search(rf'<(?:input|textarea) [^>]*name="{re.escape(name)}"[^>]*>', response.text)[0]
    assert 'aria-invalid="true"' in tag
    described_by = re.search(r'aria-describedby="([^"]+)"', tag)[1]
    message = re.search(
        rf'<div [^>]*id="{re.escape(described_by)}"[^>]*>(.+?)</div>', response.text
    )
    assert message is not None, described_by
    assert response.text.count(f'id="{described_by}"') == 1


@pytest.mark.parametrize(
    ("field", "typed", "says"),
    [
        ("fund-budget", "12e3", "请直接写出金额"),
        ("fund-actual", "1E2", "请直接写出金额"),
        ("indicators-0-completion_rate", "1e2", "请直接写出百分比"),
    ],
)
def test_exponent_notation_is_refused_on_the_edit_page_with_a_clear_message(
    client_for, editor, evaluation, field, typed, says
):
    if field.startswith("fund-"):
        field = funds_key(evaluation, "本级财政资金", field.split("-")[1])
    before = edit_data(evaluation)
    response = client_for(editor).post(
        edit_url(evaluation), edit_data(evaluation, **{field: typed})
    )
    assert response.status_code == 400
    assert says in response.text
    assert f'value="{typed}"' in response.text
    assert edit_data(Evaluation.objects.get(pk=evaluation.pk)) == before


def reads_of(queries, table):
    """How many of the queries select from the table itself (joins aside)."""
    return sum(
        1
        for query in queries
        if query["sql"].startswith("SELECT") and f'FROM "{table}" ' in query["sql"]
    )


@pytest.mark.parametrize("page", ["evaluation_edit", "evaluation_detail", "evaluation_review"])
def test_a_forms_page_reads_its_funds_and_rows_once(client_for, editor, reviewer, evaluation, page):
    if page == "evaluation_review":
        Evaluation.objects.filter(pk=evaluation.pk).update(state=Evaluation.State.SUBMITTED)
    client = client_for(reviewer if page == "evaluation_review" else editor)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(page, args=[evaluation.pk]))
    assert response.status_code == 200
    assert reads_of(queries, "evaluations_fundline") == 1
    assert reads_of(queries, "evaluations_fundsource") == 1
    assert reads_of(queries, "evaluations_indicator") == 1


def test_a_refused_save_reads_the_rows_once(client_for, editor, evaluation):
    data = edit_data(evaluation, project_name="")
    with CaptureQueriesContext(connection) as queries:
        response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 400
    assert reads_of(queries, "evaluations_indicator") == 1


def test_a_refused_save_checks_the_rows_as_saved_not_as_posted(client_for, editor, evaluation):
    rows = list(evaluation.indicators.all())
    index, short = next(
        (index, row)
        for index, row in enumerate(rows)
        if row.completion_rate is not None and row.completion_rate < 100 and not row.reason
    )
    flag = f'<li><a href="#indicator-{short.pk}">'
    assert flag in client_for(editor).get(edit_url(evaluation)).text
    # The reason would clear the flag once saved; the empty name refuses the save.
    data = edit_data(evaluation, project_name="", **{f"indicators-{index}-reason": "原因"})
    response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 400
    assert flag in response.text
    assert "原因</textarea>" in response.text


@pytest.mark.parametrize("page", ["evaluation_list", "evaluation_edit", "evaluation_detail"])
def test_a_page_reads_its_users_roles_once(client_for, editor, evaluation, page):
    # The view, the menu, the buttons and the request's log line all ask who the user is.
    args = [] if page == "evaluation_list" else [evaluation.pk]
    with CaptureQueriesContext(connection) as queries:
        response = client_for(editor).get(reverse(page, args=args))
    assert response.status_code == 200
    roles_read = [
        query
        for query in queries
        if "UNION" in query["sql"] and '"departments_bureaumembership"' in query["sql"]
    ]
    assert len(roles_read) == 1
