from playwright.sync_api import expect

from evaluations.models import Evaluation
from tests.browser.conftest import login


def test_a_form_too_large_to_send_says_so_and_going_back_keeps_what_was_typed(
    browser_page, live_server, settings, editor, evaluation
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000
    page = browser_page
    login(page, live_server, editor)
    page.goto(f"{live_server.url}/evaluations/{evaluation.pk}/edit/")
    typed = "今年完成了全部培训。" * 300
    page.get_by_label("年度设定目标").fill(typed)
    page.get_by_role("button", name="保存草稿").click()

    expect(page.get_by_role("heading", name="一次发送的内容过多")).to_be_visible()
    expect(page.get_by_text("没有保存任何内容")).to_be_visible()
    page.get_by_role("button", name="返回上一页").click()

    expect(page.get_by_label("年度设定目标")).to_have_value(typed)
    assert Evaluation.objects.get(pk=evaluation.pk).goal != typed
