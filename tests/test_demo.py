"""The demo: the 组织部's ten forms in the Panzhihua layout, and the published examples of the
scored layouts in their own bureaus, with logins to look at them from both sides."""

import pytest
from django.contrib.auth import get_user_model

from departments import access
from departments.models import BureauMembership, Membership
from evaluations import scorecard
from evaluations.demo.seed import DEMO_PASSWORD, ORGANISATION_DEPARTMENT, load_demo
from evaluations.models import Evaluation

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
    assert load_demo() == 12
    example = Evaluation.objects.get(project__department__name="大英县司法局")
    Evaluation.objects.filter(pk=example.pk).update(conclusion="changed in the demo")
    assert load_demo() == 0
    assert Evaluation.objects.get(pk=example.pk).conclusion == "changed in the demo"
    assert Evaluation.objects.count() == 12
