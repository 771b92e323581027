"""The demo: the 组织部's ten forms in the Panzhihua layout, and the published examples of the
scored layouts in their own bureaus, with logins to look at them from both sides."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from departments import access
from departments.models import BureauMembership, Membership
from evaluations import scorecard, scoring
from evaluations.demo.seed import BUREAU, DEMO_PASSWORD, ORGANISATION_DEPARTMENT, load_demo
from evaluations.models import Evaluation, Indicator

pytestmark = pytest.mark.django_db

# layout: (its example's department, its bureau, the form's year, its state in the demo)
EXAMPLES = {
    "national": ("tianchang", "天长市水利局", "天长市财政局", 2022, Evaluation.State.SUBMITTED),
    "sichuan": ("daying", "大英县司法局", "大英县财政局", 2023, Evaluation.State.DRAFT),
}


def user(username):
    return get_user_model().objects.get(username=username)


@pytest.mark.parametrize("layout_key", EXAMPLES)
def test_the_demo_holds_each_published_example_in_its_layout(layout_key):
    load_demo()
    place, department, bureau, year, state = EXAMPLES[layout_key]
    evaluation = Evaluation.objects.get(project__department__name=department)
    assert evaluation.project.department.bureau.name == bureau
    assert (evaluation.year_id, evaluation.state) == (year, state)
    assert evaluation.form_layout.key == layout_key
    assert scorecard.of(evaluation).total_score == 100


@pytest.mark.parametrize("layout_key", EXAMPLES)
def test_each_example_has_its_editor_and_its_reviewer(layout_key):
    load_demo()
    place, department, bureau, _year, _state = EXAMPLES[layout_key]
    editor, reviewer = user(f"editor-{place}"), user(f"reviewer-{place}")
    assert editor.check_password(DEMO_PASSWORD)
    assert reviewer.check_password(DEMO_PASSWORD)
    membership = Membership.objects.get(user=editor)
    assert (membership.department.name, membership.role) == (department, Membership.Role.EDITOR)
    assert BureauMembership.objects.get(user=reviewer).bureau.name == bureau
    # Each sees their own example, and none of the 组织部's forms.
    (seen,) = access.reviewable_evaluations(reviewer)
    assert seen.project.department.name == department
    assert [form.pk for form in access.visible_evaluations(editor)] == [seen.pk]


def test_the_organisation_departments_forms_stay_in_the_panzhihua_layout():
    load_demo()
    ours = Evaluation.objects.filter(project__department__code=ORGANISATION_DEPARTMENT[0])
    assert ours.count() == 10
    assert {form.form_layout.key for form in ours} == {"panzhihua"}
    assert not access.reviewable_evaluations(user("reviewer")).filter(
        project__department__name__in=["天长市水利局", "大英县司法局"]
    )


def test_loading_the_demo_again_leaves_the_examples_as_they_are():
    assert load_demo() == 13
    example = Evaluation.objects.get(project__department__name="大英县司法局")
    Evaluation.objects.filter(pk=example.pk).update(conclusion="changed in the demo")
    assert load_demo() == 0
    assert Evaluation.objects.get(pk=example.pk).conclusion == "changed in the demo"
    assert Evaluation.objects.count() == 13


# Synthetic forms in a layout


def generate(layout_key, **options):
    out = io.StringIO()
    # As typed: the command line checks the layout against the registry.
    call_command(
        "generate_demo_data",
        "--layout",
        layout_key,
        departments=2,
        forms_per_department=4,
        force=True,
        stdout=out,
        **options,
    )
    return out.getvalue()


@pytest.mark.parametrize("layout_key", ["national", "sichuan"])
def test_generated_forms_of_a_scored_layout_have_totals_that_add_up(layout_key):
    output = generate(layout_key)
    assert f"{layout_key}0001" in output
    forms = Evaluation.objects.filter(project__department__code__startswith=f"SYN-{layout_key}-")
    assert forms.count() == 8
    bureau = EXAMPLES[layout_key][2]
    for evaluation in forms:
        assert evaluation.project.department.bureau.name == bureau
        assert evaluation.form_layout.key == layout_key
        card = scorecard.of(evaluation)
        assert card.weights_add_up
        assert card.total_weight == 100
        assert 0 < card.total_score <= 100
        assert card.grade is not None
        for item in card.rows:
            assert item.entered is not None
            assert item.entered <= item.row.weight
        sources = {line.source.edition.name for line in evaluation.fund_lines.all()}
        assert sources == {evaluation.form_layout.edition}


def test_generated_sichuan_rows_have_natures_and_units_and_their_scores_follow_the_rules():
    generate("sichuan")
    rows = Indicator.objects.filter(evaluation__project__department__code__startswith="SYN-")
    assert rows.exclude(nature="").count() == rows.count()
    assert rows.exclude(unit="").exists()
    rules = Evaluation.objects.filter(project__department__code__startswith="SYN-").first()
    rules = rules.year_settings.scoring_rules
    off = [
        row
        for row in rows
        if scoring.score_differs(
            row.score,
            scoring.indicator_score(row.nature, row.target, row.actual, row.weight, rules),
            rules,
        )
    ]
    # A few are entered a point off, as departments do; most are what the rules give.
    assert len(off) < rows.count() / 5


def test_generated_sichuan_forms_executed_under_90_percent_say_why():
    generate("sichuan")
    for evaluation in Evaluation.objects.filter(project__department__code__startswith="SYN-"):
        card = scorecard.of(evaluation)
        assert (card.execution_rate < Decimal("0.9")) == bool(evaluation.execution_reason)


def test_generated_forms_of_the_default_layout_stay_with_the_demo_bureau():
    generate("panzhihua")
    forms = Evaluation.objects.filter(project__department__code__startswith="SYN-")
    assert {form.project.department.bureau.code for form in forms} == {BUREAU[0]}
    assert {form.form_layout.key for form in forms} == {"panzhihua"}
    assert all(row.completion_rate is not None for form in forms for row in form.indicators.all())


def test_a_layout_that_is_not_registered_is_refused():
    with pytest.raises(CommandError):
        generate("yunnan")
