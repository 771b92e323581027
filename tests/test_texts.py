"""Texts on every way in: one-line texts (names, units) never hold a line break or a control
character; multi-line texts keep their line breaks and nothing else; every text has a limit the
server holds it to. Ways in: the edit page, the new-form page, the import, the admin, and the
database itself for whatever slips past."""

import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import IntegrityError, connection, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from config import texts
from departments.models import Department
from evaluations import importing, pins, workflow
from evaluations.excel import writer
from evaluations.models import Evaluation, PinnedComment, Project, Sample, SampledForm
from reports.models import Report, ReportSection
from tests.conftest import edit_data

pytestmark = pytest.mark.django_db

APPS = ("departments", "evaluations", "reports")
TEXT_FIELDS = [
    (model, field)
    for label in APPS
    for model in apps.get_app_config(label).get_models()
    for field in model._meta.fields
    if isinstance(field, models.CharField | models.TextField) and not field.choices
]
MULTI_LINE_FIELDS = [(m, f) for m, f in TEXT_FIELDS if isinstance(f, models.TextField)]


def field_id(pair):
    model, field = pair
    return f"{model.__name__}.{field.name}"


# What arrives: Alt+Enter in an Excel cell, a browser's CRLF, a terminal colour, DEL, the
# Unicode line separator, a tab.
DIRTY = [
    pytest.param("党员教育\n培训经费", "党员教育 培训经费", "党员教育\n培训经费", id="alt-enter"),
    pytest.param("党员教育\r\n培训经费", "党员教育 培训经费", "党员教育\n培训经费", id="crlf"),
    pytest.param("a\x01b", "ab", "ab", id="x01"),
    pytest.param("\x1b[31m红色", "[31m红色", "[31m红色", id="escape"),
    pytest.param("a\x7fb", "ab", "ab", id="delete"),
    pytest.param("a\u2028b", "a b", "a\nb", id="line-separator"),
    pytest.param("a\tb", "a b", "a b", id="tab"),
    pytest.param(" a \n\n b ", "a b", "a \n\n b", id="blank-line"),
]


@pytest.mark.parametrize(("dirty", "line", "lines"), DIRTY)
def test_one_line_and_multi_line_texts_are_cleaned_the_same_everywhere(dirty, line, lines):
    assert texts.one_line(dirty) == line
    assert texts.multi_line(dirty) == lines


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS, ids=map(field_id, TEXT_FIELDS))
def test_every_text_field_declares_whether_it_holds_one_line_or_several(model, field):
    assert isinstance(field, texts.OneLineField | texts.MultiLineField)
    assert field.max_length


@pytest.fixture
def returned(evaluation, editor, reviewer):
    workflow.submit(evaluation, editor)
    target = pins.targets(evaluation)[-1]
    return workflow.return_(evaluation, reviewer, "请补充。", [workflow.Pin(target, "写明。")])


def one_of(model, evaluation, returned):
    edition = evaluation.year.edition
    found = {
        "FinanceBureau": evaluation.project.department.bureau,
        "Department": evaluation.project.department,
        "Edition": edition,
        "FundSource": edition.fund_sources.first(),
        "IndicatorCategory": edition.categories.first(),
        "Project": evaluation.project,
        "Evaluation": evaluation,
        "Indicator": evaluation.indicators.first(),
        "Transition": returned,
        "PinnedComment": PinnedComment.objects.filter(transition=returned).first(),
    }
    if model.__name__ in ("Report", "ReportSection"):
        report = Report.objects.get_or_create(
            department=evaluation.project.department, year=evaluation.year
        )[0]
        if model is Report:
            return report
        return ReportSection.objects.get_or_create(report=report, key="staff", text="人员")[0]
    if model.__name__ == "SampledForm":
        sample = Sample.objects.create(
            bureau=evaluation.project.department.bureau, year=evaluation.year, seed=1, percentage=10
        )
        return SampledForm.objects.create(sample=sample, evaluation=evaluation)
    return found[model.__name__]


@pytest.mark.parametrize(("model", "field"), TEXT_FIELDS, ids=map(field_id, TEXT_FIELDS))
def test_the_database_refuses_control_characters_in_every_text(evaluation, returned, model, field):
    row = one_of(model, evaluation, returned)
    refused = ["a\x01b", "a\rb", "a\x7fb", "a\u2028b"]
    if isinstance(field, models.CharField):
        refused += ["a\nb", "a\tb"]
    for value in refused:
        with pytest.raises(IntegrityError), transaction.atomic():
            model.objects.filter(pk=row.pk).update(**{field.name: value})


@pytest.mark.parametrize(
    ("model", "field"), MULTI_LINE_FIELDS, ids=map(field_id, MULTI_LINE_FIELDS)
)
def test_the_database_holds_every_multi_line_text_to_its_limit(evaluation, returned, model, field):
    row = one_of(model, evaluation, returned)
    limit = field.max_length
    model.objects.filter(pk=row.pk).update(**{field.name: "字\n" * (limit // 2)})
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field.name: "字" * (limit + 1)})


# The edit page and the new-form page


def edit(client, evaluation, **changes):
    return client.post(
        reverse("evaluation_edit", args=[evaluation.pk]), edit_data(evaluation, **changes)
    )


@pytest.mark.parametrize("name", ["project_name", "supervising_unit", "implementing_unit"])
@pytest.mark.parametrize(("dirty", "line", "_lines"), DIRTY)
def test_the_edit_page_keeps_names_and_units_on_one_line(
    client_for, editor, evaluation, name, dirty, line, _lines
):
    response = edit(client_for(editor), evaluation, **{name: dirty})
    assert response.status_code == 302
    evaluation = Evaluation.objects.select_related("project").get(pk=evaluation.pk)
    stored = evaluation.project.name if name == "project_name" else getattr(evaluation, name)
    assert stored == line


@pytest.mark.parametrize(
    "name",
    ["goal", "achieved", "indicators-0-name", "indicators-0-target", "indicators-0-actual"]
    + ["indicators-0-reason"],
)
def test_the_edit_page_keeps_line_breaks_and_drops_control_characters(
    client_for, editor, evaluation, name
):
    response = edit(client_for(editor), evaluation, **{name: "第一行\r\n第二行\x01\x7f"})
    assert response.status_code == 302
    evaluation.refresh_from_db()
    row = evaluation.indicators.first()
    stored = getattr(evaluation, name) if "-" not in name else getattr(row, name.split("-")[-1])
    assert stored == "第一行\n第二行"


def test_a_line_break_in_a_name_never_reaches_the_mail_subject(
    client_for, editor, reviewer, evaluation, django_capture_on_commit_callbacks, mailoutbox
):
    client = client_for(editor)
    edit(client, evaluation, project_name="党员教育\n培训经费")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("evaluation_submit", args=[evaluation.pk]))
    assert response.status_code == 302
    assert [mail.subject for mail in mailoutbox] == ["党员教育 培训经费（2023）：待审核"]


def test_the_new_form_page_keeps_the_name_on_one_line(client_for, editor, department, year):
    response = client_for(editor).post(
        reverse("evaluation_new") + "?year=2023",
        {"department": department.pk, "project_name": "新\r\n项目\x1b", "kind": "recurring"},
    )
    assert response.status_code == 302
    assert Project.objects.filter(name="新 项目").exists()


# The import


def workbook_with(evaluation, **cells):
    workbook = load_workbook(io.BytesIO(writer.form_workbook(evaluation)))
    for ref, value in cells.items():
        workbook.worksheets[0][ref] = value
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_an_imported_name_with_alt_enter_is_read_on_one_line_and_the_preview_says_so(
    evaluation, department, editor
):
    content = workbook_with(evaluation, D3="党员教育\n培训经费", D5="组织部\n干部科")
    with translation.override("en"):
        plan = importing.plan(department, importing.read_files([("f.xlsx", content)]))
    sheet = plan.steps[0].sheet
    assert sheet.content["project"] == "党员教育 培训经费"
    assert sheet.content["implementing_unit"] == "组织部 干部科"
    assert [(p.cell, p.warning) for p in sheet.problems] == [("D3", True), ("D5", True)]
    assert "line break" in str(sheet.problems[0])
    importing.apply(department, importing.read_files([("f.xlsx", content)]), editor)
    assert Project.objects.filter(name="党员教育 培训经费").exists()


def test_an_imported_multi_line_cell_keeps_its_lines(evaluation, department, editor):
    content = workbook_with(evaluation, B12="第一行\n第二行", F12="第一行\r\n第二行")
    plan = importing.plan(department, importing.read_files([("f.xlsx", content)]))
    assert plan.steps[0].sheet.content["goal"] == "第一行\n第二行"
    assert plan.steps[0].sheet.content["achieved"] == "第一行\n第二行"


# The admin


def admin_form_fields(request):
    """(model, form field name, form field) of every admin form and inline of our apps."""
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in APPS:
            continue
        forms = [(model, model_admin.get_form(request))]
        forms += [
            (inline.model, inline.get_formset(request).form)
            for inline in model_admin.get_inline_instances(request)
        ]
        for form_model, form in forms:
            for name, form_field in form.base_fields.items():
                try:
                    field = form_model._meta.get_field(name)
                except Exception:
                    continue
                if (form_model, field) in TEXT_FIELDS:
                    yield form_model, field, form_field


def test_the_admin_cleans_every_text_field_as_the_pages_do(admin_user):
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    seen = set()
    for model, field, form_field in admin_form_fields(request):
        seen.add((model, field))
        cleaned = form_field.clean(" a\r\nb\x01 ")
        expected = "a b" if isinstance(field, models.CharField) else "a\nb"
        assert cleaned == expected, field_id((model, field))
        assert form_field.max_length == field.max_length, field_id((model, field))
    assert ("Project", "name") in {(m.__name__, f.name) for m, f in seen}
    assert ("Indicator", "reason") in {(m.__name__, f.name) for m, f in seen}


def test_the_admin_saves_a_department_name_on_one_line(client_for, admin_user, department):
    url = reverse("admin:departments_department_change", args=[department.pk])
    response = client_for(admin_user).post(
        url, {"code": department.code, "name": "组织部\n干部科", "bureau": department.bureau_id}
    )
    assert response.status_code == 302
    department.refresh_from_db()
    assert department.name == "组织部 干部科"


# Texts saved before these rules


@pytest.mark.django_db(transaction=True)
def test_the_migration_brings_texts_saved_before_to_the_rules_and_loses_no_name():
    before = [("departments", "0001_initial"), ("evaluations", "0003_review")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    bureau = old.get_model("departments", "FinanceBureau").objects.create(code="CZ", name="财政局")
    department = old.get_model("departments", "Department").objects.create(
        code="D", name="组织部\n干部科", bureau=bureau
    )
    projects = old.get_model("evaluations", "Project").objects
    broken = projects.create(department=department, name="党员教育\n培训经费")
    twin = projects.create(department=department, name="党员教育 培训经费")
    edition = old.get_model("evaluations", "Edition").objects.create(name="旧版")
    year = old.get_model("evaluations", "Year").objects.create(year=2022, edition=edition)
    form = old.get_model("evaluations", "Evaluation").objects.create(
        project=twin,
        year=year,
        supervising_unit="组织部\r\n",
        goal="第一行\r\n第二行\x01",
        achieved="字" * 6000,
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert Project.objects.get(pk=twin.pk).name == "党员教育 培训经费"
    assert Project.objects.get(pk=broken.pk).name == f"党员教育 培训经费 ({broken.pk})"
    form = Evaluation.objects.get(pk=form.pk)
    assert form.supervising_unit == "组织部"
    assert form.goal == "第一行\n第二行"
    assert len(form.achieved) == texts.LONG_TEXT
    assert Department.objects.get(pk=department.pk).name == "组织部 干部科"


# Limits


EDIT_PAGE_LIMITS = [
    ("project_name", texts.SHORT_TEXT),
    ("supervising_unit", texts.SHORT_TEXT),
    ("implementing_unit", texts.SHORT_TEXT),
    ("goal", texts.LONG_TEXT),
    ("achieved", texts.LONG_TEXT),
    ("indicators-0-name", texts.CELL_TEXT),
    ("indicators-0-target", texts.CELL_TEXT),
    ("indicators-0-actual", texts.CELL_TEXT),
    ("indicators-0-reason", texts.CELL_TEXT),
]


@pytest.mark.parametrize(("name", "limit"), EDIT_PAGE_LIMITS)
def test_the_server_refuses_a_text_over_its_limit_and_keeps_what_was_typed(
    client_for, editor, evaluation, name, limit
):
    before = edit_data(evaluation)
    too_long = "字" * (limit + 1)
    response = edit(client_for(editor), evaluation, **{name: too_long})
    assert response.status_code == 400
    assert too_long in response.text
    assert f"此处最多 {limit} 个字符，现有 {limit + 1} 个。" in response.text
    assert edit_data(Evaluation.objects.get(pk=evaluation.pk)) == before


@pytest.mark.parametrize(("name", "limit"), EDIT_PAGE_LIMITS)
def test_a_text_at_its_limit_is_saved_with_line_breaks_counted_once(
    client_for, editor, evaluation, name, limit
):
    # What the browser lets through maxlength: it counts a line break once, and sends CRLF.
    one_line = name in ("project_name", "supervising_unit", "implementing_unit")
    typed = "字" * limit if one_line else "\r\n".join(["字" * 9] * (limit // 10)) + "字"
    response = edit(client_for(editor), evaluation, **{name: typed})
    assert response.status_code == 302
    saved = edit_data(Evaluation.objects.get(pk=evaluation.pk))
    assert len(saved[name]) == limit


def test_a_review_comment_at_its_limit_is_accepted_with_line_breaks_counted_once(
    client_for, editor, reviewer, evaluation
):
    workflow.submit(evaluation, editor)
    comment = ("请补充说明" * 2 + "\r\n") * (texts.LONG_TEXT // 11)
    response = client_for(reviewer).post(
        reverse("evaluation_review", args=[evaluation.pk]),
        {"decision": "return", "comment": comment},
    )
    assert response.status_code == 302
    assert evaluation.transitions.last().comment == texts.multi_line(comment)


def test_the_largest_valid_edit_page_fits_in_a_request(settings, client_for, editor, evaluation):
    """Three hundred rows of Chinese at every limit, posted as browsers post a form."""
    from urllib.parse import urlencode

    data = edit_data(evaluation)
    category = evaluation.indicators.first().category_id
    for index in range(300):
        prefix = f"indicators-{index}-"
        data.update({prefix + "category": category, prefix + "position": index + 1})
        data.update({prefix + field: "字" * texts.CELL_TEXT for field in ("name", "target")})
        data.update({prefix + field: "字" * texts.CELL_TEXT for field in ("actual", "reason")})
        data.update({prefix + "completion_rate": "100.00"})
        data.pop(prefix + "id", None)
    data.update({"indicators-TOTAL_FORMS": 300, "indicators-INITIAL_FORMS": 0})
    data.update(goal="字" * texts.LONG_TEXT, achieved="字" * texts.LONG_TEXT)
    assert len(urlencode(data)) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert len(data) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
