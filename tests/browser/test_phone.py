"""On a phone (390 px wide) no page scrolls sideways and no table squeezes its text into a column
a character or two wide: a wide table scrolls inside its own box."""

import pytest

from evaluations import pins, workflow
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
# Characters a line that a table cell keeps at the least (or all of its text, if shorter).
READABLE = 2


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def forms(make_form, editor, reviewer):
    """A form returned with a comment pinned to a row, and one waiting for review."""
    returned = make_form("党员教育培训经费")
    workflow.submit(returned, editor)
    row = pins.targets(returned)[-1]
    workflow.return_(returned, reviewer, "请补充说明。", [workflow.Pin(row, "写明满意度")])
    submitted = make_form("2023年春节前走访慰问区委联系服务专家人才慰问金")
    workflow.submit(submitted, editor)
    return {"returned": returned, "submitted": submitted}


# For each table cell with text: its characters and the lines they take. The vertical cells of
# the official form stand one character a line on purpose, as on paper.
LINES = """() => [...document.querySelectorAll("main td, main th")]
  .filter((cell) => !cell.classList.contains("vertical"))
  .map((cell) => {
    const tops = new Set();
    let chars = 0;
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const text = walker.currentNode.textContent.replace(/\\s+/g, "");
      if (!text) continue;
      chars += text.length;
      const range = document.createRange();
      range.selectNodeContents(walker.currentNode);
      for (const rect of range.getClientRects()) if (rect.width) tops.add(Math.round(rect.top));
    }
    return [cell.textContent.trim().slice(0, 20), chars, tops.size];
  })
  .filter(([, chars, lines]) => chars && lines)"""

PAGES = {
    "queue": ("reviewer", "/review/?year=2023"),
    "list": ("editor", "/evaluations/?year=2023"),
    "edit": ("editor", "/evaluations/{returned}/edit/"),
    "review": ("reviewer", "/evaluations/{submitted}/review/"),
    "official view": ("viewer", "/evaluations/{submitted}/"),
    "overview": ("reviewer", "/review/overview/?year=2023"),
}


@pytest.mark.parametrize("name", PAGES)
def test_a_page_fits_a_phone_and_keeps_its_tables_readable(
    phone, live_server, request, forms, viewer, name
):
    user, path = PAGES[name]
    login(phone, live_server, request.getfixturevalue(user))
    phone.goto(live_server.url + path.format(**{key: form.pk for key, form in forms.items()}))
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide"
    cells = phone.evaluate(LINES)
    assert cells, "the page has no table"
    squeezed = [
        (text, chars, lines) for text, chars, lines in cells if chars / lines < min(READABLE, chars)
    ]
    assert squeezed == [], f"cells squeezed to fewer than {READABLE} characters a line"
