"""Random and hostile values posted to every form, and mutated workbooks fed to the importer.

For every input: never a server error; a refusal shows the user a message; and a refused
request writes nothing at all (the database is compared row by row before and after).
"""

import io
import re
import zipfile

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE as ILLEGAL

from config import texts
from config.texts import LONG_TEXT, multi_line
from evaluations import workflow
from evaluations.excel import writer
from tests.conftest import PASSWORD, plan_field

pytestmark = pytest.mark.django_db

# A few dozen examples per form keep the suite fast; CI runs them again on PostgreSQL.
FEW = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

HOSTILE_NUMBERS = [
    "NaN", "nan", "-NaN", "sNaN", "Infinity", "-Infinity", "inf", "1e400", "-1e400", "1e-400",
    "0E+1000000", "9" * 5000, "-1", "-0", "-0.000001", "1,2,3", "１２．５", "0x10", "1_000",
    "١٢٣", "12.3.4", "+5", "1e6", "99999999.999999", "100000000", "0.0000001", "%", "50%%",
    "10001%", "-5%", "  7  ", "",
]  # fmt: skip
HOSTILE_TEXTS = [
    "\x00", "a\x00b", "x" * 100_000, "\u202eevil", "😀" * 50, "𠀀𠀁", "\r\n\r\n", "مرحبا بالعالم",
    "Ω≈ç√∫", "<script>alert(1)</script>", "=HYPERLINK(\"http://x\")", "' OR 1=1 --",
    "{{ 7*7 }}", "{% debug %}", "\x1b[31m", "\t", " ", "\u0007\u0008\u000b\u000c",
    "𝕳𝖊𝖑𝖑𝖔", "中文English日本語한국어", "\ufeff", "\u00a0",
]  # fmt: skip
hostile = st.one_of(
    st.sampled_from(HOSTILE_NUMBERS),
    st.sampled_from(HOSTILE_TEXTS),
    st.text(max_size=300),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def database_state():
    rows = {}
    for label in ("auth", "departments", "evaluations", "reports", "sessions"):
        for model in apps.get_app_config(label).get_models():
            if model.__name__ in ("Session",):
                continue
            rows[model.__name__] = list(model.objects.order_by("pk").values())
    for row in rows.get("User", []):
        row.pop("last_login", None)
    return rows


def page_fields(html, form_id=None):
    """What the browser would post from the page's form (inputs, textareas, selects)."""
    if form_id:
        start = html.index(f'id="{form_id}"')
        html = html[html.rindex("<form", 0, start) : html.index("</form>", start)]
    html = re.sub(r"<template.*?</template>", "", html, flags=re.S)
    fields = {}
    for tag in re.finditer(r"<input([^>]*)>", html):
        attrs = dict(re.findall(r'(\w[\w-]*)="([^"]*)"', tag.group(1)))
        kind = attrs.get("type", "text")
        if "name" in attrs and kind not in ("submit", "button", "file", "checkbox"):
            fields[attrs["name"]] = attrs.get("value", "")
    for tag in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        fields[tag.group(1)] = tag.group(2)
    for tag in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        options = re.findall(r'<option value="([^"]*)"( selected)?', tag.group(2))
        chosen = [value for value, selected in options if selected] or [options[0][0]]
        fields[tag.group(1)] = chosen[0]
    return fields


def shows_a_message(response):
    html = response.content.decode()
    return any(
        mark in html
        for mark in ("invalid-feedback", "alert-danger", "errorlist", 'role="alert"', "is-invalid")
    )


def draw_changes(data, names, max_size):
    """Hostile values for some of `names`.

    Positions are drawn rather than names: the names carry database ids, which differ between
    runs and databases, and Hypothesis replays stored examples only from a strategy that does
    not depend on them.
    """
    picks = data.draw(st.dictionaries(st.integers(0, 999), hostile, min_size=1, max_size=max_size))
    return {names[index % len(names)]: value for index, value in picks.items()}


def assert_handled(response, before, *, success=(302,)):
    """No server error; success, or a message and nothing written."""
    assert response.status_code < 500, response.status_code
    if response.status_code not in success:
        assert database_state() == before
        if response.status_code in (200, 400, 409):
            assert shows_a_message(response), response.content.decode()[:3000]


@FEW
@given(data=st.data())
def test_the_edit_page_survives_anything(client_for, editor, evaluation, data):
    client = client_for(editor)
    url = f"/evaluations/{evaluation.pk}/edit/"
    fields = page_fields(client.get(url).content.decode(), "evaluation-form")
    changed = draw_changes(data, sorted(fields), max_size=6)
    fields.update(changed)
    before = database_state()
    response = client.post(url, fields)
    assert_handled(response, before)
    if response.status_code == 302:
        evaluation.refresh_from_db()
        for name, clean in (
            ("goal", texts.multi_line),
            ("achieved", texts.multi_line),
            ("supervising_unit", texts.one_line),
            ("implementing_unit", texts.one_line),
        ):
            if name in changed:
                assert getattr(evaluation, name) == clean(fields[name])


@FEW
@given(value=hostile, field=st.sampled_from(["budget", "actual"]))
def test_every_amount_is_refused_or_stored_exactly(client_for, editor, evaluation, value, field):
    from evaluations.models import FundLine
    from evaluations.money import AmountError, parse_amount

    client = client_for(editor)
    url = f"/evaluations/{evaluation.pk}/edit/"
    fields = page_fields(client.get(url).content.decode(), "evaluation-form")
    name = next(key for key in sorted(fields) if key.endswith(f"-{field}"))
    fields[name] = value
    before = database_state()
    response = client.post(url, fields)
    assert_handled(response, before)
    try:
        expected = parse_amount(value)
    except AmountError:
        assert response.status_code == 400
        return
    if response.status_code == 302:
        source = int(name.split("-")[1])
        stored = getattr(FundLine.objects.get(evaluation=evaluation, source_id=source), field)
        assert stored == expected


@FEW
@given(
    project=hostile,
    kind=st.one_of(st.sampled_from(["recurring", "one_off"]), hostile),
    chosen=st.one_of(st.just(None), hostile),
)
def test_starting_a_form_survives_anything(
    client_for, editor, department, year, project, kind, chosen
):
    client = client_for(editor)
    data = {
        "department": department.pk if chosen is None else chosen,
        "project_name": project,
        "kind": kind,
    }
    before = database_state()
    response = client.post(f"/evaluations/new/?year={year.year}", data)
    assert_handled(response, before)


@FEW
@given(data=st.data())
def test_the_review_page_survives_anything(client_for, editor, reviewer, evaluation, data):
    if evaluation.state != "submitted":
        workflow.submit(evaluation, editor)
    client = client_for(reviewer)
    url = f"/evaluations/{evaluation.pk}/review/"
    fields = page_fields(client.get(url).content.decode())
    fields.pop("q", None)
    changed = draw_changes(data, [*sorted(fields), "decision", "comment"], max_size=5)
    fields.update(changed)
    before = database_state()
    response = client.post(url, fields)
    assert_handled(response, before)


@FEW
@given(reason=hostile)
def test_reopening_survives_anything(client_for, editor, reviewer, admin_user, evaluation, reason):
    # The examples share the form: each one starts from it approved.
    evaluation.refresh_from_db()
    if evaluation.state != "approved":
        workflow.submit(evaluation, editor)
        workflow.approve(evaluation, reviewer)
    before = database_state()
    response = client_for(admin_user).post(
        f"/evaluations/{evaluation.pk}/reopen/", {"reason": reason}
    )
    assert_handled(response, before)
    evaluation.refresh_from_db()
    # A reason is kept as a multi-line text (control characters dropped): it reopens when
    # something is left, within the length of a long text.
    kept = multi_line(reason)
    if 0 < len(kept) <= LONG_TEXT:
        assert response.status_code == 302
        assert evaluation.state == "returned"
        assert evaluation.transitions.order_by("-id").first().comment == kept
    else:
        assert response.status_code == 400
        assert evaluation.state == "approved"


@FEW
@given(username=hostile, password=hostile)
def test_logging_in_survives_anything(client, editor, username, password, settings):
    settings.AXES_ENABLED = False
    before = database_state()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 200
    assert shows_a_message(response)
    assert database_state() == before


@FEW
@given(old=st.one_of(st.just(PASSWORD), hostile), new1=hostile, new2=hostile)
def test_changing_a_password_survives_anything(client_for, editor, old, new1, new2):
    before = database_state()
    response = client_for(editor).post(
        "/accounts/password/", {"old_password": old, "new_password1": new1, "new_password2": new2}
    )
    assert_handled(response, before)


@FEW
@given(params=st.dictionaries(
    st.sampled_from(["year", "state", "department", "flagged", "q", "sort", "page"]),
    hostile, max_size=5,
))  # fmt: skip
def test_the_queue_and_lists_survive_any_query(client_for, reviewer, editor, evaluation, params):
    for client, url in (
        (client_for(reviewer), "/review/"),
        (client_for(reviewer), "/review/overview/"),
        (client_for(reviewer), "/review/export/"),
        (client_for(editor), "/evaluations/"),
        (client_for(editor), "/evaluations/export/"),
    ):
        response = client.get(url, params)
        assert response.status_code in (200, 302, 400, 404), (url, response.status_code)


@FEW
@given(language=hostile, next_url=hostile)
def test_choosing_a_language_survives_anything(client, language, next_url):
    response = client.post("/i18n/setlang/", {"language": language, "next": next_url})
    assert response.status_code in (200, 204, 302)
    if response.status_code == 302:
        assert not response["Location"].startswith(("http", "//", "\\"))


# Mutated workbooks.


def mutate_bytes(content, draw):
    kind = draw(st.sampled_from(["flip", "truncate", "append", "splice"]))
    data = bytearray(content)
    if kind == "flip":
        for _ in range(draw(st.integers(1, 20))):
            position = draw(st.integers(0, len(data) - 1))
            data[position] = draw(st.integers(0, 255))
    elif kind == "truncate":
        data = data[: draw(st.integers(0, len(data) - 1))]
    elif kind == "append":
        data += draw(st.binary(min_size=1, max_size=2000))
    else:
        start = draw(st.integers(0, len(data) - 1))
        data[start : start + draw(st.integers(1, 500))] = draw(st.binary(max_size=500))
    return bytes(data)


def mutate_members(content, draw):
    """Rewrite the zip: drop, corrupt or inflate one of its parts."""
    source = zipfile.ZipFile(io.BytesIO(content))
    names = source.namelist()
    victim = draw(st.sampled_from(names))
    kind = draw(st.sampled_from(["drop", "garbage", "bomb", "xml"]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            body = source.read(name)
            if name == victim:
                if kind == "drop":
                    continue
                if kind == "garbage":
                    body = draw(st.binary(max_size=3000))
                elif kind == "bomb":
                    body = b"<" + b"a" * (120 * 1024 * 1024)
                else:
                    body = body.replace(
                        b"<", b"<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><", 1
                    )
            target.writestr(name, body)
    return out.getvalue()


def mutate_cells(content, draw):
    """Hostile values in the sheet's cells: numbers, texts, formulas, errors."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    for _ in range(draw(st.integers(1, 12))):
        row = draw(st.integers(1, min(sheet.max_row + 2, 60)))
        column = draw(st.integers(1, 12))
        cell = sheet.cell(row=row, column=column)
        if type(cell).__name__ == "MergedCell":
            continue
        value = draw(
            st.one_of(
                # Excel cells cannot hold control characters; openpyxl refuses to write them.
                hostile.map(lambda text: ILLEGAL.sub("", text[:32000])),
                st.floats(allow_nan=False, allow_infinity=False),
                st.integers(-(10**18), 10**18),
                st.sampled_from(["=1/0", '=HYPERLINK("http://x","y")', "#DIV/0!", None]),
            )
        )
        cell.value = value
    if draw(st.booleans()):
        sheet.delete_rows(draw(st.integers(1, 30)), draw(st.integers(1, 5)))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def exported(evaluation):
    return writer.form_workbook(evaluation)


@FEW
@given(data=st.data())
def test_mutated_workbooks_never_break_the_importer(client_for, editor, evaluation, exported, data):
    mutate = data.draw(st.sampled_from([mutate_bytes, mutate_members, mutate_cells]))
    content = mutate(exported, data.draw)
    client = client_for(editor)
    department = evaluation.project.department_id
    before = database_state()
    response = client.post(
        "/evaluations/import/",
        {"department": department, "files": SimpleUploadedFile("mutated.xlsx", content)},
    )
    # Reading never writes: a preview to confirm, or the upload page with the reason.
    assert response.status_code < 500
    assert database_state() == before
    if response.status_code != 302:
        assert shows_a_message(response)
        return
    preview = client.get(response["Location"])
    assert preview.status_code == 200
    # Confirmed as the page would confirm it: with the fingerprint of the plan it shows.
    confirm = client.post(response["Location"], {"plan": plan_field(preview.content.decode())})
    assert confirm.status_code < 500
    if confirm.status_code == 302 and "/import/" in confirm["Location"]:
        # Refused at confirmation: the reasons are shown, and nothing was written.
        assert database_state() == before
        assert shows_a_message(client.get(confirm["Location"]))


def test_a_row_posted_without_a_position_is_saved(client_for, editor, evaluation):
    # Found by the test above: a blank position made the save fail with a server error.
    client = client_for(editor)
    url = f"/evaluations/{evaluation.pk}/edit/"
    fields = page_fields(client.get(url).content.decode(), "evaluation-form")
    fields["indicators-0-position"] = ""
    response = client.post(url, fields)
    assert response.status_code == 302
    assert evaluation.indicators.count() == len(
        [name for name in fields if re.fullmatch(r"indicators-\d+-id", name)]
    )
