"""Printing a form's page prints the official form alone: no menu, buttons, badges, history or
review panels, and no page of its own for a draft's empty history."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from evaluations import pins, workflow

# Elements whose text never reaches paper: Bootstrap's print-hiding and visually hidden classes.
NOT_PRINTED = {"d-print-none", "visually-hidden", "visually-hidden-focusable"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class PrintedText(HTMLParser):
    """The text of a page that prints outside the official form's table."""

    def __init__(self):
        super().__init__()
        self.stack = []  # for each open element: whether its content is left off paper
        self.printed = []
        self.form_printed = False

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        classes = set((dict(attrs).get("class") or "").split())
        hidden = bool(self.stack and self.stack[-1]) or bool(classes & NOT_PRINTED)
        official = tag == "table" and "official-form" in classes
        if official and not hidden:
            self.form_printed = True
        self.stack.append(hidden or official or tag in ("script", "template", "title"))

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if data.strip() and not (self.stack and self.stack[-1]):
            self.printed.append(data.strip())


def printed_outside_the_form(page):
    parser = PrintedText()
    parser.feed(page)
    assert parser.form_printed, "the official form itself must print"
    return parser.printed


@pytest.fixture
def returned(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    row = pins.targets(evaluation)[-1]
    workflow.return_(evaluation, reviewer, "请补充说明。", [workflow.Pin(row, "写明满意度")])
    return evaluation


@pytest.fixture
def resubmitted(returned, editor):
    workflow.submit(returned, editor)
    return returned


@pytest.mark.parametrize(
    ("user", "page", "form"),
    [
        ("viewer", "evaluation_detail", "evaluation"),
        ("editor", "evaluation_detail", "evaluation"),
        ("viewer", "evaluation_detail", "returned"),
        ("editor", "evaluation_detail", "returned"),
        ("reviewer", "evaluation_detail", "resubmitted"),
        ("reviewer", "evaluation_review", "resubmitted"),
        ("reviewer", "evaluation_review", "returned"),
    ],
)
def test_only_the_official_form_prints(client_for, request, user, page, form):
    evaluation = request.getfixturevalue(form)
    client = client_for(request.getfixturevalue(user))
    response = client.get(reverse(page, args=[evaluation.pk]))
    assert response.status_code == 200
    assert printed_outside_the_form(response.content.decode()) == []


def test_the_history_stays_on_screen(client_for, viewer, returned):
    page = client_for(viewer).get(reverse("evaluation_detail", args=[returned.pk])).text
    assert 'id="history"' in page
    assert "请补充说明。" in page
