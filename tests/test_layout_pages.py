"""The edit page and the official view of a form in each layout: its own columns and labels, a
save that keeps every value, and the scores of the scored layouts."""

import re
from dataclasses import replace
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from departments.models import Membership
from evaluations import content, pins, scorecard
from evaluations.layouts.declaration import Block, Label
from evaluations.models import Evaluation
from evaluations.official import sheet_text
from evaluations.points import points_messages
from tests.conftest import edit_data, make_user

LAYOUTS = ["panzhihua", "national", "sichuan"]


def editor_of(evaluation, client_for):
    user = make_user(f"editor-{evaluation.pk}")
    Membership.objects.create(
        user=user, department=evaluation.project.department, role=Membership.Role.EDITOR
    )
    return client_for(user)


def edit_url(evaluation):
    return reverse("evaluation_edit", args=[evaluation.pk])


def fresh(evaluation):
    return Evaluation.objects.get(pk=evaluation.pk)


def text(value):
    return "" if value is None else f"{value}"


page_data = edit_data


def headers(html, table_class):
    table = re.search(rf'<table class="[^"]*{table_class}[^"]*".*?</thead>', html, re.S).group(0)
    return [
        unescape(re.sub("<[^>]+>", "", cell)).strip()
        for cell in re.findall(r"<th scope=\"col\"[^>]*>(.*?)</th>", table, re.S)
    ]


def labels(html):
    return {
        unescape(label)
        for label in re.findall(r'<label class="[^"]*" for="[^"]*">([^<]*)</label>', html)
    }


@pytest.mark.parametrize("key", LAYOUTS)
def test_the_edit_page_shows_exactly_the_columns_and_labels_of_its_layout(
    layout_form, client_for, key
):
    evaluation = layout_form(key)
    layout = evaluation.form_layout
    page = editor_of(evaluation, client_for).get(edit_url(evaluation)).text

    row_labels = [c.label for c in layout.indicators.columns if c.name not in ("level1", "level2")]
    assert headers(page, "indicator-table")[:-1] == row_labels
    fund_labels = [c.label for c in layout.funds.columns if c.name != "reason"]
    assert headers(page, "funds-table") == [layout.funds.header_label, *fund_labels]
    shown = labels(page)
    for field in layout.fields:
        assert field.label in shown, field.label


@pytest.mark.parametrize("key", LAYOUTS)
def test_the_edit_page_has_no_field_of_a_value_its_layout_does_not_print(
    layout_form, client_for, key
):
    evaluation = layout_form(key)
    layout = evaluation.form_layout
    page = editor_of(evaluation, client_for).get(edit_url(evaluation)).text
    for name in ("nature", "unit", "weight", "score", "completion_rate"):
        present = re.search(rf'name="indicators-0-{name}"', page) is not None
        assert present == (name in layout.row_columns), name
    for name in ("process_summary", "conclusion", "project_leader", "project_code"):
        present = re.search(rf'name="{name}"', page) is not None
        assert present == layout.has(name), name
    initial = re.search(r'name="fund-\d+-initial_budget"', page) is not None
    assert initial == ("initial_budget" in layout.fund_columns)


def test_a_sichuan_nature_is_chosen_from_the_four_natures(example_form, client_for):
    evaluation = example_form("sichuan")
    page = editor_of(evaluation, client_for).get(edit_url(evaluation)).text
    select = re.search(r'<select[^>]*name="indicators-0-nature".*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "≥", "≤", "=", "定性"]
    assert re.search(r'<option value="≥" selected>', select)


def test_a_national_form_saved_through_the_edit_page_keeps_every_value(example_form, client_for):
    evaluation = example_form("national")
    line = evaluation.fund_lines.get(source__name="当年财政拨款")
    data = page_data(
        evaluation,
        **{
            "project_name": "水旱灾害防御经费（改）",
            "goal": "新的预期目标",
            f"fund-{line.source_id}-initial_budget": "800",
            f"fund-{line.source_id}-budget": "880.5",
            f"fund-{line.source_id}-actual": "870",
            "indicators-0-weight": "12.5",
            "indicators-0-score": "9.8",
            "indicators-0-reason": "偏差原因",
        },
    )
    before = content.of(evaluation)
    response = editor_of(evaluation, client_for).post(edit_url(evaluation), data)
    assert response.status_code == 302, response.context and response.context["errors"]

    after = content.of(fresh(evaluation))
    assert after.project == "水旱灾害防御经费（改）"
    assert after.texts["goal"] == "新的预期目标"
    fund = after.fund("当年财政拨款")
    assert (fund.initial_budget, fund.budget, fund.actual) == (
        Decimal("800"),
        Decimal("880.5"),
        Decimal("870"),
    )
    first = evaluation.indicators.order_by("position", "id").first()
    changed = next(row for row in after.indicators if row.id == first.pk)
    assert (changed.weight, changed.score, changed.reason) == (
        Decimal("12.5"),
        Decimal("9.8"),
        "偏差原因",
    )
    # Everything else is as it was.
    unchanged = [row for row in after.indicators if row.id != first.pk]
    assert unchanged == [row for row in before.indicators if row.id != first.pk]


def test_a_sichuan_form_saved_through_the_edit_page_keeps_every_value(example_form, client_for):
    evaluation = example_form("sichuan")
    rows = list(evaluation.indicators.order_by("position", "id"))
    changes = {
        "project_code": "51092324T000099999",
        "process_summary": "新的过程概述",
        "execution_reason": "执行率原因",
        "conclusion": "新的结论",
        "problems": "新的问题",
        "improvements": "新的措施",
        "project_leader": "张三",
        "finance_leader": "李四",
        "indicators-1-nature": "≤",
        "indicators-1-unit": "台",
        "indicators-1-weight": "20",
        "indicators-1-score": "18.5",
    }
    before = content.of(evaluation)
    response = editor_of(evaluation, client_for).post(
        edit_url(evaluation), page_data(evaluation, **changes)
    )
    assert response.status_code == 302, response.context and response.context["errors"]

    after = content.of(fresh(evaluation))
    assert after.project_code == "51092324T000099999"
    for name in ("process_summary", "execution_reason", "conclusion", "problems"):
        assert after.texts[name] == changes[name]
    for name in ("improvements", "project_leader", "finance_leader"):
        assert after.texts[name] == changes[name]
    changed = next(row for row in after.indicators if row.id == rows[1].pk)
    expected = replace(
        next(row for row in before.indicators if row.id == rows[1].pk),
        nature="≤",
        unit="台",
        weight=Decimal("20"),
        score=Decimal("18.5"),
    )
    assert changed == expected
    assert after.funds == before.funds


def test_values_the_layout_does_not_show_stay_as_saved(evaluation, client_for, editor):
    """A Panzhihua form shows no weights or scores: a save on its page keeps those it has."""
    saved = content.of(evaluation)
    saved.indicators[0].weight, saved.indicators[0].score = Decimal(10), Decimal(8)
    saved.texts["conclusion"] = "结论"
    content.save(evaluation, saved, editor)
    evaluation.refresh_from_db()

    data = page_data(evaluation, goal="改过的目标")
    response = client_for(editor).post(edit_url(evaluation), data)
    assert response.status_code == 302
    after = content.of(fresh(evaluation))
    assert after.texts["goal"] == "改过的目标"
    assert after.texts["conclusion"] == "结论"
    assert (after.indicators[0].weight, after.indicators[0].score) == (Decimal(10), Decimal(8))


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("十分", "invalid"),
        ("1e1", "exponent"),
        ("1001", "range"),
        ("-1", "range"),
        ("9.555", "decimals"),
    ],
)
def test_bad_points_are_explained_and_what_was_typed_stays(example_form, client_for, typed, reason):
    evaluation = example_form("national")
    data = page_data(evaluation, **{"indicators-0-weight": typed, "indicators-0-score": "9.5"})
    response = editor_of(evaluation, client_for).post(edit_url(evaluation), data)
    assert response.status_code == 400
    message = points_messages()[reason]
    assert message in response.text
    weight = re.search(r'<input[^>]*name="indicators-0-weight"[^>]*>', response.text).group(0)
    assert f'value="{typed}"' in weight
    assert 'aria-invalid="true"' in weight
    # The summary names the row and the column, and links to the field.
    summary = re.search(r'id="error-summary".*?</ul>', response.text, re.S).group(0)
    assert "分值" in summary
    assert "#id_indicators-0-weight" in summary
    assert 'value="9.5"' in response.text


def test_points_with_two_decimals_and_full_width_digits_are_taken(example_form, client_for):
    evaluation = example_form("national")
    data = page_data(evaluation, **{"indicators-0-weight": "９．５", "indicators-0-score": "0"})
    response = editor_of(evaluation, client_for).post(edit_url(evaluation), data)
    assert response.status_code == 302
    row = evaluation.indicators.order_by("position", "id").first()
    assert (row.weight, row.score) == (Decimal("9.5"), Decimal(0))


def output(html, name):
    return unescape(re.search(rf"<output {name}[^>]*>([^<]*)</output>", html).group(1))


@pytest.mark.parametrize(
    ("key", "total", "grade"), [("national", "100.00", "优"), ("sichuan", "100.00", "优")]
)
def test_the_scores_on_the_edit_page_are_those_of_the_scorecard(
    example_form, client_for, key, total, grade
):
    evaluation = example_form(key)
    card = scorecard.of(evaluation)
    page = editor_of(evaluation, client_for).get(edit_url(evaluation)).text
    assert output(page, "data-total-score") == total == f"{card.total_score:.2f}"
    assert output(page, "data-grade") == grade == card.grade
    assert output(page, "data-total-weight") == f"{card.total_weight:.2f}"
    assert output(page, "data-budget-score") == f"{card.budget_score:.2f}"
    assert output(page, "data-execution-weight") == f"{card.execution_weight:.2f}"
    rows = page[: page.index('<template id="indicator-row-template">')]
    computed = re.findall(r"<span data-computed-value>([^<]*)</span>", rows)
    expected = [f"{item.computed:.2f}" if item.computed is not None else "" for item in card.rows]
    assert computed == expected


def test_the_computed_score_is_shown_beside_the_entered_one_and_never_saved_over_it(
    example_form, client_for
):
    evaluation = example_form("national")
    first = evaluation.indicators.order_by("position", "id").first()
    client = editor_of(evaluation, client_for)
    response = client.post(
        edit_url(evaluation), page_data(evaluation, **{"indicators-0-score": "4"})
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.score == Decimal(4)
    page = client.get(edit_url(evaluation)).text
    row = re.search(rf'id="indicator-{first.pk}".*?</tr>', page, re.S).group(0)
    assert re.search(r'name="indicators-0-score"[^>]*value="4"', row)
    assert "<span data-computed-value>10.00</span>" in row
    assert output(page, "data-total-score") == "94.00"


def test_a_layout_without_scores_shows_none(evaluation, client_for, editor):
    page = client_for(editor).get(edit_url(evaluation)).text
    assert "data-scoring" not in page
    assert "data-computed" not in page
    assert "data-total-score" not in page


def test_a_sichuan_form_under_90_percent_is_told_its_execution_needs_a_reason(
    example_form, client_for
):
    evaluation = example_form("sichuan")
    client = editor_of(evaluation, client_for)
    notice = r"<div[^>]*data-execution-reason-needed( hidden)?>"
    assert re.search(notice, client.get(edit_url(evaluation)).text).group(1) == " hidden"
    line = evaluation.fund_lines.get(source__name="财政资金")
    data = page_data(evaluation, **{f"fund-{line.source_id}-actual": "2"})
    assert client.post(edit_url(evaluation), data).status_code == 302
    assert re.search(notice, client.get(edit_url(evaluation)).text).group(1) is None


@pytest.mark.parametrize("key", LAYOUTS)
def test_the_official_view_shows_the_labels_of_its_layout(layout_form, client_for, key):
    evaluation = layout_form(key)
    layout = evaluation.form_layout
    page = unescape(
        editor_of(evaluation, client_for)
        .get(reverse("evaluation_detail", args=[evaluation.pk]))
        .text
    )
    rules = evaluation.year_settings.scoring_rules
    fixed = [
        sheet_text(cell.text, evaluation.year_id, rules)
        for part in layout.sheet
        if isinstance(part, Block)
        for row in part.rows
        for cell in row
        if isinstance(cell, Label)
    ]
    fixed += [column.label for column in layout.funds.columns + layout.indicators.columns]
    fixed += [sheet_text(layout.funds.section.text, evaluation.year_id, rules)]
    for label in fixed:
        assert f">{label}<" in page, label
    for anchor in ("funds", "goals"):
        assert f'id="{anchor}"' in page
    for row in evaluation.indicators.all():
        assert f'id="indicator-{row.pk}"' in page
    if layout.total:
        assert f">{layout.total.label}<" in page


def test_the_official_view_of_a_sichuan_form_puts_the_code_before_the_name(
    example_form, client_for
):
    evaluation = example_form("sichuan")
    page = (
        editor_of(evaluation, client_for)
        .get(reverse("evaluation_detail", args=[evaluation.pk]))
        .text
    )
    project = evaluation.project
    assert f">{project.code}-{project.name}<" in page
    assert 'rowspan="5" class="text"' in page  # the reason over the total and every source


def test_the_places_comments_pin_to_are_named_as_the_layout_names_them(example_form, evaluation):
    sichuan = {target.place: target.heading for target in pins.targets(example_form("sichuan"))}
    assert sichuan["funds"] == "预算执行情况(10分)"
    assert sichuan["goals"] == "项目基本情况"
    panzhihua = {target.place: target.heading for target in pins.targets(evaluation)}
    assert panzhihua["funds"] == "项目资金（万元）"
    assert panzhihua["goals"] == "年度总体目标"


@pytest.mark.parametrize("key", ["panzhihua", "national", "sichuan"])
def test_every_problem_before_submitting_links_to_an_element_of_the_edit_page(
    layout_form, client_for, key
):
    from evaluations import checks

    evaluation = layout_form(key)
    Evaluation.objects.filter(pk=evaluation.pk).update(
        **{
            field.name: ""
            for field in evaluation.form_layout.fields
            if field.name not in ("project", "project_code")
        }
    )
    evaluation.indicators.update(name="", target="", actual="", weight=None)
    evaluation = fresh(evaluation)
    problems = checks.run(evaluation).problems
    page = editor_of(evaluation, client_for).get(edit_url(evaluation)).content.decode()
    assert problems
    missing = [p.anchor for p in problems if f'id="{p.anchor}"' not in page]
    assert missing == []
