"""The oversight pages: the 抽查复核 sample and the 结果通报 table, for the bureau's reviewers."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from evaluations import sampling
from evaluations.models import Evaluation, Sample, SampledForm


@pytest.fixture
def approved(make_form, seed_forms):
    forms = [make_form(name) for name in list(seed_forms)[:4]]
    Evaluation.objects.update(state=Evaluation.State.APPROVED)
    return forms


@pytest.mark.parametrize("name", ["sampling", "results", "results_download"])
@pytest.mark.parametrize(
    ("persona", "status"),
    [("reviewer", 200), ("other_reviewer", 200), ("editor", 404), ("viewer", 404), (None, 302)],
)
def test_the_oversight_pages_answer_by_role(request, client_for, approved, name, persona, status):
    user = request.getfixturevalue(persona) if persona else None
    response = client_for(user).get(reverse(name), {"year": 2023})
    assert response.status_code == status


def test_a_reviewer_of_another_bureau_sees_only_its_own(
    client_for, approved, other_reviewer, bureau
):
    client = client_for(other_reviewer)
    assert client.get(reverse("sampling"), {"bureau": bureau.pk, "year": 2023}).status_code == 404
    page = client.get(reverse("results"), {"year": 2023}).text
    assert "中国共产党攀枝花市西区委员会组织部" not in page


def test_drawing_issuing_and_recording_through_the_page(client_for, approved, reviewer, bureau):
    client = client_for(reviewer)
    base = {"bureau": bureau.pk, "year": 2023}
    client.post(
        reverse("sampling_action"), {**base, "action": "draw", "percentage": "50", "seed": "7"}
    )
    sample = Sample.objects.get()
    assert (sample.seed, sample.forms.count()) == (7, 2)
    client.post(reverse("sampling_action"), {**base, "action": "issue"})
    sampled = sample.forms.first()
    client.post(
        reverse("sampling_action"),
        {
            **base,
            "action": "record",
            "sampled": sampled.pk,
            "result": "failed",
            "comment": "数据不实",
        },
    )
    sampled.refresh_from_db()
    assert (sampled.result, sampled.comment) == ("failed", "数据不实")
    page = client.get(reverse("sampling"), base).text
    assert "data-verified>" in page


def test_a_draw_with_a_bad_number_says_so_and_draws_nothing(client_for, approved, reviewer, bureau):
    client = client_for(reviewer)
    response = client.post(
        reverse("sampling_action"),
        {"bureau": bureau.pk, "year": 2023, "action": "draw", "percentage": "abc"},
        follow=True,
    )
    assert not Sample.objects.exists()
    assert "必须是数字" in response.text or "must be numbers" in response.text


def test_the_department_sees_its_sampled_form_and_the_result_once_issued(
    client_for, approved, reviewer, editor, bureau, year
):
    sample = sampling.draw(bureau, year, reviewer, per_department=1, seed=3)
    sampled = sample.forms.get()
    page = reverse("evaluation_detail", args=[sampled.evaluation_id])
    assert "data-sampled" not in client_for(editor).get(page).text
    sampling.issue(sample, reviewer)
    sampling.record(sampled, reviewer, SampledForm.Result.CONFIRMED)
    assert "data-sampled" in client_for(editor).get(page).text


def test_the_results_workbook_has_a_title_a_header_and_a_line_per_department(
    client_for, approved, reviewer
):
    response = client_for(reviewer).get(reverse("results_download"), {"year": 2023})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert "2023年度" in sheet["A1"].value
    assert sheet["A3"].value == "中国共产党攀枝花市西区委员会组织部"
    assert sheet["B3"].value == 4
    assert sheet.print_title_rows == "$2:$2"
    assert sheet.page_setup.orientation == "landscape"


def test_the_results_page_sorts_by_a_column_header(client_for, approved, reviewer):
    page = client_for(reviewer).get(reverse("results"), {"year": 2023, "sort": "-forms"}).text
    assert 'aria-sort="descending"' in page


@pytest.mark.parametrize("field", ["bureau", "evaluation", "sampled"])
def test_an_id_that_is_not_a_number_is_not_found(client_for, approved, reviewer, bureau, field):
    client = client_for(reviewer)
    client.post(
        reverse("sampling_action"),
        {"bureau": bureau.pk, "year": 2023, "action": "draw", "percentage": "50", "seed": "1"},
    )
    data = {"bureau": bureau.pk, "year": 2023, "action": "add", field: "x1"}
    if field == "sampled":
        data["action"] = "record"
    response = client.post(reverse("sampling_action"), data)
    assert response.status_code == 404


def test_a_results_heading_that_wraps_gets_a_row_tall_enough(client_for, approved, reviewer):
    response = client_for(reviewer).get(reverse("results_download"), {"year": 2023})
    sheet = load_workbook(io.BytesIO(response.content)).active
    # 复核确认（有修正） takes two lines in a column 12 wide.
    assert sheet.row_dimensions[2].height >= 28
