import re

import pytest
from django.urls import reverse
from django.utils import translation

from evaluations import workflow


@pytest.fixture(autouse=True)
def default_language_afterwards():
    # A request leaves its language active in the thread: the next test starts from the default.
    yield
    translation.deactivate()


def test_chinese_is_the_default_whatever_the_browser_asks_for(client_for, editor, evaluation):
    response = client_for(editor).get(
        reverse("evaluation_list"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"
    )
    assert '<html lang="zh-hans">' in response.text
    assert "本部门自评表" in response.text


def test_a_user_switches_to_english_and_back(client_for, editor, evaluation):
    client = client_for(editor)
    edit = reverse("evaluation_edit", args=[evaluation.pk])
    response = client.post(reverse("set_language"), {"language": "en", "next": edit})
    assert response["Location"] == edit
    page = client.get(edit).text
    assert '<html lang="en">' in page
    assert "Save draft" in page
    # The official labels of the form stay as they are.
    assert ">三级指标</label>" in page
    client.post(reverse("set_language"), {"language": "zh-hans", "next": edit})
    assert "保存草稿" in client.get(edit).text


def test_pages_load_no_asset_from_outside(client_for, editor, evaluation):
    client = client_for(editor)
    for url in (
        reverse("evaluation_list"),
        reverse("evaluation_detail", args=[evaluation.pk]),
        reverse("evaluation_edit", args=[evaluation.pk]),
    ):
        page = client.get(url).text
        sources = re.findall(r'(?:src|href)="([^"]+)"', page)
        assert sources
        assert not [source for source in sources if "//" in source], url


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_language_switcher_names_each_language_in_itself(client_for, editor, language):
    client = client_for(editor)
    client.cookies["django_language"] = language
    page = client.get(reverse("evaluation_list")).text
    switcher = page[
        page.index('<select id="language"') : page.index(
            "</select>", page.index('<select id="language"')
        )
    ]
    options = re.findall(r"<option [^>]*>([^<]+)</option>", switcher)
    assert options == ["简体中文", "English"]


@pytest.fixture
def reopened(evaluation, editor, reviewer, admin_user):
    workflow.submit(evaluation, editor)
    workflow.approve(evaluation, reviewer)
    workflow.reopen(evaluation, admin_user, "决算数据有更正。")
    return evaluation


@pytest.fixture
def returned(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    workflow.return_(evaluation, reviewer, "请补充原因。")
    return evaluation


def visible_text(html):
    """The text as it reads: tags leave no space behind, so a missing one shows."""
    return " ".join(re.sub(r"<[^>]+>", "", html).split())


# Every place that shows a reviewer's comment or a reason for reopening, as (page, persona).
COMMENT_PLACES = [
    ("evaluation_detail", "viewer"),  # the history
    ("evaluation_edit", "editor"),  # the banner above the form
    ("evaluation_list", "editor"),  # the dashboard and the unread events
]


@pytest.mark.parametrize(("page", "persona"), COMMENT_PLACES)
@pytest.mark.parametrize(
    ("made", "label", "comment"),
    [
        ("reopened", "Reason:", "决算数据有更正。"),
        ("returned", "Reviewer’s comment:", "请补充原因。"),
    ],
)
def test_a_comment_is_labelled_with_a_space_after_the_label(
    request, client_for, page, persona, made, label, comment
):
    evaluation = request.getfixturevalue(made)
    client = client_for(request.getfixturevalue(persona))
    client.cookies["django_language"] = "en"
    url = reverse(page) if page == "evaluation_list" else reverse(page, args=[evaluation.pk])
    text = visible_text(client.get(url).text)
    assert f"{label} {comment}" in text
