"""The department report's page and edit page: who sees them, saving, stale edits, last year's
text, the drafted sentences and their reset."""

from decimal import Decimal

import pytest
from django.urls import reverse

from reports import content as report_content
from reports import demo as report_demo
from reports.models import Report, ReportSection


def detail_url(department, year=2023):
    return reverse("report_detail", kwargs={"department": department.pk, "year": year})


def edit_url(department, year=2023):
    return reverse("report_edit", kwargs={"department": department.pk, "year": year})


def page_data(client, department, **changes):
    """The POST body the edit page sends as it opened, with `changes`."""
    form = client.get(edit_url(department)).context["form"]
    data = {
        name: ("" if form[name].value() is None else form[name].value()) for name in form.fields
    }
    data.update(changes)
    return data


@pytest.fixture
def report(department, year, report_forms):
    return Report.objects.get_or_create(department=department, year=year)[0]


def test_an_editor_opening_the_report_starts_it(client_for, editor, department, year, report_forms):
    response = client_for(editor).get(detail_url(department))

    assert response.status_code == 200
    assert Report.objects.filter(department=department, year=year).exists()
    page = response.content.decode()
    assert "（一）机构组成" in page
    assert "附表：部门预算项目支出绩效自评表（2023年度）" in page
    assert "该类项目总数 5 个，涉及预算总金额 85.00万元，1—12 月预算执行总体进度为 57.24%" in page


def test_a_viewer_sees_a_report_not_started_and_starts_nothing(
    client_for, viewer, department, year
):
    response = client_for(viewer).get(detail_url(department))

    assert response.status_code == 200
    assert "data-not-started" in response.content.decode()
    assert not Report.objects.exists()


def test_the_forms_list_links_to_the_report(client_for, editor, department, year, evaluation):
    page = client_for(editor).get(reverse("evaluation_list") + "?year=2023").content.decode()

    assert detail_url(department) in page


@pytest.fixture
def unit_report(unit, year, unit_editor, supervisor):
    return report_content.open_report(unit, year, unit_editor)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("unit_editor", 200),
        ("supervisor", 200),
        ("reviewer", 200),
        ("editor", 404),
        ("other_supervisor", 404),
        ("other_reviewer", 404),
        ("other_editor", 404),
    ],
)
def test_a_units_report_is_read_by_its_parents_supervisor_and_the_bureau(
    request, client_for, unit, unit_report, persona, status
):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(detail_url(unit)).status_code == status


def test_the_supervisor_of_a_units_parent_cannot_edit_its_report(
    client_for, unit, unit_report, supervisor
):
    assert client_for(supervisor).get(edit_url(unit)).status_code == 403


def test_anonymous_is_sent_to_log_in(client_for, department, year):
    response = client_for(None).get(edit_url(department))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_a_year_that_does_not_exist_is_not_found(client_for, editor, department, year):
    assert client_for(editor).get(detail_url(department, 2031)).status_code == 404


def test_saving_keeps_the_texts_the_score_and_the_summary(client_for, editor, department, report):
    client = client_for(editor)
    data = page_data(
        client,
        department,
        **{"text-staff": "年末实有行政人员 6 人。", "self_score": "92.5", "summary": "运转正常"},
    )

    response = client.post(edit_url(department), data)

    assert response.status_code == 302
    report.refresh_from_db()
    assert report.typed_texts() == {"staff": "年末实有行政人员 6 人。"}
    assert (report.self_score, report.summary, report.version) == (Decimal("92.5"), "运转正常", 2)
    assert report.updated_by == editor


def test_an_unchanged_drafted_sentence_keeps_following_the_forms(
    client_for, editor, department, report
):
    client = client_for(editor)

    client.post(edit_url(department), page_data(client, department))

    assert not ReportSection.objects.filter(report=report).exists()


def test_a_stale_edit_is_refused_and_the_typed_text_shown_again(
    client_for, editor, department, report
):
    client = client_for(editor)
    data = page_data(client, department, **{"text-staff": "我写的人员概况"})
    report_content.save(report, report_content.Edit(texts={"staff": "别人先存的"}), editor)

    response = client.post(edit_url(department), data)

    assert response.status_code == 409
    page = response.content.decode()
    assert "我写的人员概况" in page
    assert "while you were editing it" in page or "编辑期间" in page
    assert Report.objects.get(pk=report.pk).typed_texts() == {"staff": "别人先存的"}


def test_a_score_above_100_is_refused_and_nothing_typed_is_lost(
    client_for, editor, department, report
):
    client = client_for(editor)
    data = page_data(client, department, **{"text-staff": "人员概况", "self_score": "101"})

    response = client.post(edit_url(department), data)

    assert response.status_code == 400
    assert "人员概况" in response.content.decode()
    assert Report.objects.get(pk=report.pk).version == 1


def test_a_report_under_review_is_not_editable(client_for, editor, department, report):
    Report.objects.filter(pk=report.pk).update(state="submitted", submitted_at="2024-01-05T00:00Z")

    response = client_for(editor).get(edit_url(department))

    assert response.status_code == 302
    assert response["Location"] == detail_url(department)
    with pytest.raises(report_content.EditRefused):
        report_content.save(Report.objects.get(pk=report.pk), report_content.Edit(), editor)


def test_last_years_text_is_offered_where_this_years_is_empty(
    client_for, editor, department, year, next_year, report
):
    report_content.save(
        report,
        report_content.Edit(texts={"staff": "去年的人员概况", "income": "去年的收入"}),
        editor,
    )
    this_year = report_content.open_report(department, next_year, editor)
    report_content.save(this_year, report_content.Edit(texts={"income": "今年的收入"}), editor)

    response = client_for(editor).get(edit_url(department, 2024))

    form = response.context["form"]
    assert form["text-staff"].value() == "去年的人员概况"
    assert form["text-income"].value() == "今年的收入"
    page = response.content.decode()
    assert page.count("data-last-year") == 1
    # Offered, not saved: this year's report has only what was written for it.
    assert this_year.typed_texts() == {"income": "今年的收入"}


def test_an_edited_drafted_sentence_is_flagged_and_can_follow_the_forms_again(
    client_for, editor, department, report
):
    client = client_for(editor)
    typed = "常年项目绩效分析。该类项目总数 5 个，涉及预算总金额 48.65万元。"
    client.post(
        edit_url(department), page_data(client, department, **{"text-class_paragraphs": typed})
    )

    page = client.get(detail_url(department)).content.decode()
    assert "data-section-flag" in page
    assert "48.65万元" in page
    assert "85.00万元" in page

    response = client.post(
        edit_url(department), page_data(client, department, reset="class_paragraphs")
    )

    assert response.status_code == 302
    assert "class_paragraphs" not in Report.objects.get(pk=report.pk).typed_texts()


def test_the_forms_edit_page_sets_its_class_and_facts(client_for, editor, evaluation):
    from tests.conftest import edit_data

    data = edit_data(evaluation)
    data.update(
        {"facts-project_class": "one_off", "facts-pre_assessment": "on", "facts-monitored": "on"}
    )

    response = client_for(editor).post(reverse("evaluation_edit", args=[evaluation.pk]), data)

    assert response.status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.project_class == "one_off"
    assert (evaluation.pre_assessment, evaluation.has_targets, evaluation.monitored) == (
        True,
        False,
        True,
    )


def test_a_class_of_another_scheme_is_refused_on_the_forms_edit_page(
    client_for, editor, evaluation
):
    from tests.conftest import edit_data

    data = edit_data(evaluation)
    data["facts-project_class"] = "personnel"

    response = client_for(editor).post(reverse("evaluation_edit", args=[evaluation.pk]), data)

    assert response.status_code == 400
    evaluation.refresh_from_db()
    assert evaluation.project_class == ""


def test_a_workbook_import_keeps_the_forms_class_and_facts(evaluation, department, editor):
    from evaluations import importing
    from evaluations.excel import writer

    report_demo.classify([evaluation], editor)
    workbook = writer.form_workbook(evaluation)

    importing.apply(department, importing.read_files([("f.xlsx", workbook)]), editor)

    evaluation.refresh_from_db()
    assert evaluation.version == 3
    assert (evaluation.project_class, evaluation.pre_assessment, evaluation.monitored) == (
        "recurring",
        True,
        True,
    )
