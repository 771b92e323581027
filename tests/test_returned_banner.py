"""The banner of a returned form on its edit page: the 审核意见, and a link to every comment
pinned to a row."""

import re

import pytest
from django.urls import reverse

from evaluations import workflow
from evaluations.models import Indicator


@pytest.fixture
def returned(client_for, evaluation, editor, reviewer):
    """Returned with a comment on each kind of place: a fund row, the goals, an indicator row."""
    workflow.submit(evaluation, editor)
    source = evaluation.fund_lines.get(source__name="本级财政资金").source_id
    row = evaluation.indicators.get(completion_rate="52.37")
    decision = {
        "decision": "return",
        "comment": "请修改。",
        f"pin-funds-{source}": "执行率偏低。",
        "pin-goals": "目标过于笼统。",
        f"pin-indicator-{row.pk}": "请说明原因。",
    }
    client_for(reviewer).post(reverse("evaluation_review", args=[evaluation.pk]), decision)
    return evaluation


def banner(page):
    return page[page.index('id="returned-comment"') : page.index('id="evaluation-form"')]


def element_with_id(page, anchor):
    """What the element with this id holds, up to its first closing tag of the same name."""
    match = re.search(rf'<(\w+)[^>]* id="{re.escape(anchor)}"[^>]*>(.*?)</\1>', page, re.S)
    assert match, f"nothing on the page has id {anchor}"
    return match.group(2)


@pytest.mark.parametrize("comment", ["执行率偏低。", "目标过于笼统。", "请说明原因。"])
def test_the_banner_links_every_pinned_comment_to_its_place(client_for, editor, returned, comment):
    page = client_for(editor).get(reverse("evaluation_edit", args=[returned.pk])).text
    link = re.search(rf'<a href="#([^"]+)">[^<]*</a>：{comment}', banner(page))
    assert link, banner(page)
    assert comment in element_with_id(page, link.group(1))


def test_a_comment_on_a_row_since_removed_is_listed_without_a_link(client_for, editor, returned):
    Indicator.objects.filter(pins__comment="请说明原因。").delete()
    page = client_for(editor).get(reverse("evaluation_edit", args=[returned.pk])).text
    before = banner(page)[: banner(page).index("请说明原因。")]
    item = before[before.rindex("<li") :]
    assert "<a " not in item
    assert "该行已删除" in item
