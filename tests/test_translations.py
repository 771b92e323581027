"""The English UI is complete and every message of the code has its Chinese translation.

Official form labels (项目名称, 三级指标, …) and the edition's taxonomy and fund sources stay
Chinese in both languages; nothing else of the UI does. The pages below are rendered in English
with every user-typed value in Latin letters, so that any Chinese left on them is UI text that was
not translated.
"""

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from departments.models import Department, FinanceBureau
from evaluations import layouts, pins, workflow
from evaluations.excel import writer
from evaluations.models import Evaluation, FundSource, IndicatorCategory, Project
from reports import classes, drafting, presenter
from reports.models import Report
from tests.conftest import edit_data, make_user

ROOT = Path(settings.BASE_DIR)
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
OFFICIAL_LABELS = [
    *layouts.official_labels(),
    # Units of the form's amounts: 万元 down to 分.
    "万元",
    "元",
    "分",
    # The language switcher names each language in that language.
    "简体中文",
    # The department report's project classes and each form's facts for it.
    *classes.official_labels(),
    "事前绩效评估",
    "绩效目标",
    "绩效监控",
]


@pytest.fixture(autouse=True)
def default_language_afterwards():
    # A request leaves its language active in the thread: the next test starts from the default.
    yield
    translation.deactivate()


def report_texts():
    """The department reports' text as the app writes it: the official outline, the computed
    tables and the sentences drafted from the forms, which are Chinese in every language."""
    names = [*(slot.label for _scope, slots in drafting.SLOTS.values() for slot in slots)]
    names += ["绩效自评得分", "绩效自评综述"]
    for report in Report.objects.all():
        view = presenter.build(report)
        names += [view.title, view.full_title]
        for section in view.sections:
            names += [section.heading, section.text, section.drafted or ""]
            if section.table:
                names += [section.table.caption, *section.table.columns]
                names += [cell for row in section.table.rows for cell in row]
                names += section.table.total or ()
    return names


def allowed_runs():
    names = [*OFFICIAL_LABELS, *report_texts()]
    names += IndicatorCategory.objects.values_list("name", flat=True)
    names += FundSource.objects.values_list("name", flat=True)
    return {run for name in names for run in CJK.findall(name)}


class PageText(HTMLParser):
    """Text nodes, attribute values and the data of JSON scripts (charts draw their labels), and
    the whole text of each label, heading, button, table header and badge."""

    HIDDEN = {"style"}
    LABELS = {"th", "label", "button", "caption", "option", "summary", "legend", "h1", "h2", "h3"}
    LABELS |= {"h4", "h5", "h6"}

    def __init__(self):
        super().__init__()
        self.texts = []
        self.labels = []
        self.open_labels = []
        self.skipping = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN or (tag == "script" and attrs.get("type") != "application/json"):
            self.skipping += 1
        self.texts += [value for name, value in attrs.items() if value and name != "href"]
        if tag in self.LABELS or "badge" in (attrs.get("class") or "").split():
            self.open_labels.append([tag, ""])
        if tag == "input" and attrs.get("type") == "submit":
            self.labels.append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag in self.HIDDEN or tag == "script":
            self.skipping = max(0, self.skipping - 1)
        for index in range(len(self.open_labels) - 1, -1, -1):
            if self.open_labels[index][0] == tag:
                self.labels.append(self.open_labels.pop(index)[1])
                break

    def handle_data(self, data):
        if not self.skipping:
            self.texts.append(data)
            for label in self.open_labels:
                label[1] += data


def read_page(html):
    parser = PageText()
    parser.feed(html)
    return parser


def chinese_left(page, allowed):
    found = {}
    for text in page.texts:
        for run in CJK.findall(text):
            if run not in allowed:
                found.setdefault(run, " ".join(text.split())[:160])
    return found


def lower_case_labels(page):
    """Labels that open with a lower-case letter: English labels are in sentence case."""
    labels = (" ".join(label.split()) for label in page.labels)
    return [label for label in labels if label[:1].islower()]


def latin(text):
    """The same text with its Chinese words replaced, units of money kept."""
    return CJK.sub(lambda match: match[0] if match[0] in ("万元", "元") else "units", text or "")


@pytest.fixture
def scene(make_form, editor, viewer, reviewer, admin_user, department, other_department, next_year):
    """Forms in every state, returned with pinned comments, resubmitted, reopened; notifications
    unread; every name and text typed by people in Latin letters."""
    Department.objects.filter(pk=department.pk).update(name="Organisation Department")
    Department.objects.filter(pk=other_department.pk).update(name="Party School")
    FinanceBureau.objects.update(name="West District Finance Bureau")
    get_user_model().objects.update(first_name="Pat", last_name="Lee")

    forms = {
        state: make_form(name)
        for state, name in [
            ("returned", "党员教育培训经费"),
            ("resubmitted", "老干部队伍建设经费"),
            ("approved", "干部队伍建设经费"),
            ("reopened", "人才队伍建设经费"),
            ("submitted", "基层组织建设工作经费"),
            ("draft", "到村任职选调生补助资金"),
        ]
    }
    for number, (state, evaluation) in enumerate(forms.items(), start=1):
        Project.objects.filter(pk=evaluation.project_id).update(name=f"Project {number} {state}")
        Evaluation.objects.filter(pk=evaluation.pk).update(
            supervising_unit="Organisation Department",
            implementing_unit="Organisation Department",
            goal=f"Goal of project {number}",
            achieved=latin(evaluation.achieved) or "Done",
        )
        for position, row in enumerate(evaluation.indicators.all(), start=1):
            row.name = f"Indicator {number}.{position}"
            row.target, row.reason = latin(row.target), latin(row.reason)
            row.actual = latin(row.actual) or "100%"
            row.save()
        evaluation.refresh_from_db()

    for state in ("returned", "resubmitted", "approved", "reopened", "submitted"):
        workflow.submit(forms[state], editor)
    for state in ("returned", "resubmitted"):
        evaluation = forms[state]
        places = pins.targets(evaluation)
        workflow.return_(
            evaluation,
            reviewer,
            "Please explain the unfinished rows.",
            [workflow.Pin(places[0], "Check this amount"), workflow.Pin(places[-1], "Say why")],
        )
    resubmitted = forms["resubmitted"]
    resubmitted.goal = "A clearer goal"
    resubmitted.save()
    workflow.submit(resubmitted, editor)
    for state in ("approved", "reopened"):
        workflow.approve(forms[state], reviewer)
    workflow.reopen(forms["reopened"], admin_user, "The final accounts were corrected.")
    return forms


def english_client(user):
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    if user is not None:
        client.force_login(user)
    return client


def workbook_upload(evaluation, name="workbook.xlsx"):
    return SimpleUploadedFile(name, writer.form_workbook(evaluation))


# (who, what they do, the page's address) → the response whose page is checked.
PAGES = {
    "login": lambda s, u: english_client(None).get("/accounts/login/"),
    "login refused": lambda s, u: english_client(None).post(
        "/accounts/login/", {"username": "nobody", "password": "wrong"}
    ),
    "our forms": lambda s, u: english_client(u["editor"]).get("/evaluations/?year=2023"),
    "our forms next year": lambda s, u: english_client(u["editor"]).get("/evaluations/?year=2024"),
    "new form": lambda s, u: english_client(u["editor"]).get("/evaluations/new/?year=2024"),
    "new form refused": lambda s, u: english_client(u["editor"]).post(
        "/evaluations/new/?year=2023",
        {"department": s["draft"].project.department_id, "project_name": "Project 6 draft"},
    ),
    "edit returned": lambda s, u: english_client(u["editor"]).get(
        f"/evaluations/{s['returned'].pk}/edit/"
    ),
    "edit reopened": lambda s, u: english_client(u["editor"]).get(
        f"/evaluations/{s['reopened'].pk}/edit/"
    ),
    "edit refused": lambda s, u: english_client(u["editor"]).post(
        f"/evaluations/{s['draft'].pk}/edit/",
        edit_data(
            s["draft"],
            project_name="",
            **{f"fund-{s['draft'].fund_lines.first().source_id}-budget": "thirty"},
        ),
    ),
    "edit saved": lambda s, u: english_client(u["editor"]).post(
        f"/evaluations/{s['draft'].pk}/edit/", edit_data(s["draft"]), follow=True
    ),
    "submitted": lambda s, u: english_client(u["editor"]).post(
        f"/evaluations/{s['draft'].pk}/submit/", follow=True
    ),
    "withdrawn": lambda s, u: english_client(u["editor"]).post(
        f"/evaluations/{s['submitted'].pk}/withdraw/", follow=True
    ),
    "form of the department": lambda s, u: english_client(u["editor"]).get(
        f"/evaluations/{s['submitted'].pk}/"
    ),
    "history": lambda s, u: english_client(u["viewer"]).get(f"/evaluations/{s['reopened'].pk}/"),
    "import upload": lambda s, u: english_client(u["editor"]).get("/evaluations/import/"),
    "import preview": lambda s, u: english_client(u["editor"]).post(
        "/evaluations/import/",
        {
            "department": s["draft"].project.department_id,
            "files": [workbook_upload(s["draft"]), workbook_upload(s["approved"], "b.xlsx")],
        },
        follow=True,
    ),
    "import refused": lambda s, u: english_client(u["editor"]).post(
        "/evaluations/import/",
        {
            "department": s["draft"].project.department_id,
            "files": SimpleUploadedFile("x.xlsx", b"not a workbook"),
        },
        follow=True,
    ),
    "review queue": lambda s, u: english_client(u["reviewer"]).get("/review/?state="),
    "overview": lambda s, u: english_client(u["reviewer"]).get("/review/overview/"),
    "sampling": lambda s, u: english_client(u["reviewer"]).get("/review/sampling/"),
    "results": lambda s, u: english_client(u["reviewer"]).get("/review/results/"),
    "review resubmitted": lambda s, u: english_client(u["reviewer"]).get(
        f"/evaluations/{s['resubmitted'].pk}/review/"
    ),
    "review refused": lambda s, u: english_client(u["reviewer"]).post(
        f"/evaluations/{s['submitted'].pk}/review/", {"decision": "return", "comment": ""}
    ),
    "returned by the reviewer": lambda s, u: english_client(u["reviewer"]).post(
        f"/evaluations/{s['submitted'].pk}/review/",
        {"decision": "return", "comment": "More detail"},
        follow=True,
    ),
    "approved by the reviewer": lambda s, u: english_client(u["reviewer"]).post(
        f"/evaluations/{s['submitted'].pk}/review/", {"decision": "approve"}, follow=True
    ),
    "review of an approved form": lambda s, u: english_client(u["reviewer"]).get(
        f"/evaluations/{s['approved'].pk}/review/"
    ),
    "reopen": lambda s, u: english_client(u["admin_user"]).get(
        f"/evaluations/{s['approved'].pk}/reopen/"
    ),
    "reopen refused": lambda s, u: english_client(u["admin_user"]).post(
        f"/evaluations/{s['approved'].pk}/reopen/", {"reason": " "}
    ),
    "department report": lambda s, u: english_client(u["editor"]).get(
        f"/reports/{s['draft'].project.department_id}/2023/"
    ),
    "department report edit": lambda s, u: english_client(u["editor"]).get(
        f"/reports/{s['draft'].project.department_id}/2023/edit/"
    ),
    "department report not started": lambda s, u: english_client(u["viewer"]).get(
        f"/reports/{s['draft'].project.department_id}/2024/"
    ),
    "change password": lambda s, u: english_client(u["editor"]).get("/accounts/password/"),
    "not allowed": lambda s, u: english_client(u["viewer"]).get(
        f"/evaluations/{s['draft'].pk}/edit/"
    ),
    "not found": lambda s, u: english_client(u["editor"]).get("/evaluations/999999/"),
    "no department": lambda s, u: english_client(
        make_user("newcomer", first_name="Sam", last_name="New")
    ).get("/"),
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_in_english_is_english_in_sentence_case_but_its_official_labels(
    page, scene, editor, viewer, reviewer, admin_user
):
    users = {"editor": editor, "viewer": viewer, "reviewer": reviewer, "admin_user": admin_user}
    response = PAGES[page](scene, users)
    assert response.status_code in (200, 400, 403, 404), response.status_code
    html = response.content.decode()
    assert '<html lang="en">' in html
    text = read_page(html)
    assert chinese_left(text, allowed_runs()) == {}
    assert lower_case_labels(text) == []


def _gettext_missing():
    return [tool for tool in ("xgettext", "msguniq", "msgmerge") if shutil.which(tool) is None]


def test_every_message_of_the_code_has_a_chinese_translation(tmp_path):
    missing_tools = _gettext_missing()
    if missing_tools:
        reason = f"GNU gettext is missing ({', '.join(missing_tools)}: apt-get install gettext)"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    # `make messages` on a copy of the sources, so that the catalogue here stays as it is.
    source = tmp_path / "source"
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "locale", "staticfiles", "node_modules", "__pycache__", "*.sqlite3*"
        ),
    )
    (source / "locale").mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "zh_Hans"],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    extracted = polib.pofile(str(source / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    catalogue = polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    translated = {(entry.msgctxt, entry.msgid) for entry in catalogue.translated_entries()}
    untranslated = [
        entry.msgid for entry in extracted if (entry.msgctxt, entry.msgid) not in translated
    ]
    assert untranslated == [], "add these to locale/zh_Hans/LC_MESSAGES/django.po"
