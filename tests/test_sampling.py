"""抽查复核: a seeded, recorded draw of approved forms, changed by hand, issued, re-reviewed."""

import pytest
from django.core.exceptions import PermissionDenied

from departments.models import Department
from evaluations import sampling
from evaluations.models import Evaluation, SampledForm

SEED = 20240301


@pytest.fixture
def approved(make_form, department, other_department, seed_forms):
    """The ten seed forms, approved: seven of the 组织部, three of the 党校."""
    names = list(seed_forms)
    forms = [make_form(name) for name in names[:7]]
    forms += [make_form(name, owner=other_department) for name in names[7:]]
    Evaluation.objects.update(state=Evaluation.State.APPROVED, submitted_at="2024-03-01T00:00Z")
    return forms


def drawn(sample):
    return set(sample.forms.values_list("evaluation_id", flat=True))


def test_a_percentage_draw_takes_that_share_rounded_up(approved, bureau, year, reviewer):
    sample = sampling.draw(bureau, year, reviewer, percentage=25, seed=SEED)
    assert len(drawn(sample)) == 3  # 25% of 10, rounded up
    assert sample.candidates == 10


def test_a_draw_per_department_takes_that_many_of_each(approved, bureau, year, reviewer):
    sample = sampling.draw(bureau, year, reviewer, per_department=2, seed=SEED)
    departments = Department.objects.filter(
        projects__evaluations__samplings__sample=sample
    ).values_list("code", flat=True)
    assert sorted(departments) == ["D-1", "D-1", "D-2", "D-2"]


def test_the_same_seed_draws_the_same_forms_and_the_draw_can_be_verified(
    approved, bureau, year, reviewer
):
    first = drawn(sampling.draw(bureau, year, reviewer, percentage=30, seed=SEED))
    sample = sampling.draw(bureau, year, reviewer, percentage=30, seed=SEED)
    assert drawn(sample) == first
    assert sampling.verify(sample)
    other = drawn(sampling.draw(bureau, year, reviewer, percentage=30, seed=SEED + 1))
    assert other != first


def test_a_draw_changed_since_does_not_verify(approved, bureau, year, reviewer):
    sample = sampling.draw(bureau, year, reviewer, percentage=30, seed=SEED)
    left_out = next(form for form in approved if form.pk not in drawn(sample))
    first = sample.forms.first()
    first.evaluation = left_out
    first.save()
    assert not sampling.verify(sample)


def test_forms_are_added_and_removed_by_hand_until_issued(approved, bureau, year, reviewer):
    sample = sampling.draw(bureau, year, reviewer, per_department=1, seed=SEED)
    extra = next(form for form in approved if form.pk not in drawn(sample))
    sampling.add(sample, extra, reviewer)
    assert SampledForm.objects.get(evaluation=extra).drawn is False
    sampling.issue(sample, reviewer)
    with pytest.raises(sampling.SamplingRefused):
        sampling.remove(sample, extra, reviewer)
    with pytest.raises(sampling.SamplingRefused):
        sampling.draw(bureau, year, reviewer, percentage=50)
    sampling.withdraw_issue(sample, reviewer)
    sampling.remove(sample, extra, reviewer)
    assert extra.pk not in drawn(sample)


def test_only_approved_forms_of_the_bureau_can_be_added(
    approved, bureau, year, reviewer, make_form, foreign_department
):
    sample = sampling.draw(bureau, year, reviewer, per_department=1, seed=SEED)
    Evaluation.objects.filter(pk=approved[0].pk).update(state=Evaluation.State.RETURNED)
    with pytest.raises(sampling.SamplingRefused):
        sampling.add(sample, approved[0], reviewer)
    foreign = make_form("党员教育培训经费", owner=foreign_department)
    with pytest.raises(PermissionDenied):
        sampling.add(sample, foreign, reviewer)


def test_a_reviewer_who_edits_a_department_cannot_take_its_form_out_of_the_sample(
    approved, bureau, year, reviewer, editing_reviewer
):
    sample = sampling.draw(bureau, year, reviewer, per_department=7, seed=SEED)
    own = sample.forms.filter(evaluation__project__department__code="D-1").first().evaluation
    with pytest.raises(PermissionDenied):
        sampling.remove(sample, own, editing_reviewer)


def test_results_are_recorded_once_issued_and_need_a_comment_unless_confirmed(
    approved, bureau, year, reviewer
):
    sample = sampling.draw(bureau, year, reviewer, per_department=1, seed=SEED)
    sampled = sample.forms.first()
    with pytest.raises(sampling.SamplingRefused):
        sampling.record(sampled, reviewer, SampledForm.Result.CONFIRMED)
    sampling.issue(sample, reviewer)
    with pytest.raises(sampling.SamplingRefused):
        sampling.record(sampled, reviewer, SampledForm.Result.FAILED, "")
    sampling.record(sampled, reviewer, SampledForm.Result.ADJUSTED, "得分偏高，已调整。")
    sampled.refresh_from_db()
    assert (sampled.result, sampled.reviewed_by) == ("adjusted", reviewer)
    assert sampling.of_form(sampled.evaluation) == sampled


def test_a_department_sees_nothing_of_a_sample_not_issued(approved, bureau, year, reviewer):
    sample = sampling.draw(bureau, year, reviewer, per_department=1, seed=SEED)
    assert sampling.of_form(sample.forms.first().evaluation) is None


@pytest.mark.parametrize("persona", ["editor", "other_reviewer", "viewer"])
def test_only_the_bureaus_reviewers_draw_and_change_samples(
    request, approved, bureau, year, reviewer, persona
):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        sampling.draw(bureau, year, user, percentage=10)
    sample = sampling.draw(bureau, year, reviewer, percentage=10, seed=SEED)
    with pytest.raises(PermissionDenied):
        sampling.issue(sample, user)


def test_there_must_be_a_rule_and_forms_to_draw_from(bureau, year, reviewer):
    with pytest.raises(sampling.SamplingRefused):
        sampling.draw(bureau, year, reviewer, percentage=10, per_department=1)
    with pytest.raises(sampling.SamplingRefused):
        sampling.draw(bureau, year, reviewer, percentage=0)
    with pytest.raises(sampling.SamplingRefused, match="2023"):
        sampling.draw(bureau, year, reviewer, percentage=10)


def test_an_editor_who_reviews_cannot_record_a_result_on_their_own_form(
    approved, bureau, year, reviewer, editing_reviewer
):
    sample = sampling.draw(bureau, year, reviewer, per_department=7, seed=SEED)
    sampling.issue(sample, reviewer)
    own = sample.forms.filter(evaluation__project__department__code="D-1").first()
    with pytest.raises(PermissionDenied):
        sampling.record(own, editing_reviewer, SampledForm.Result.CONFIRMED)
