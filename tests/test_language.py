import re

from django.urls import reverse


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
