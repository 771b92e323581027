"""抽查复核: the finance bureau draws approved forms of a year at random for re-review.

A draw is made from the year's approved forms of the bureau's departments, in a fixed order
(department code, project name, form id), with Python's Mersenne Twister seeded by the recorded
seed: the same forms and the same seed always give the same draw, which `verify` shows. Before
the sample is issued (下发) the bureau may draw again, add forms or remove them; once issued the
departments see which of their forms are sampled, and finance reviewers record each form's
re-review result. Withdrawing the issue (取消下发) hides it again; results already recorded stay.

Every change is made under a lock on the sample's row, so that two reviewers editing the same
sample see each other's changes rather than overwrite them.
"""

import math
import random
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.texts import multi_line
from departments import access
from evaluations.models import Evaluation, Sample, SampledForm

SEED_BITS = 48


class SamplingRefused(Exception):
    """Nothing changed; the message says why."""


def candidates(bureau, year):
    """The approved forms a draw chooses among, in the order the draw reads them."""
    return (
        Evaluation.objects.filter(
            project__department__bureau=bureau, year=year, state=Evaluation.State.APPROVED
        )
        .select_related("project__department")
        .order_by("project__department__code", "project__name", "pk")
    )


def choose(forms, seed, percentage=None, per_department=None):
    """The forms a draw picks from `forms` (in order): `percentage` of them, rounded up, or
    `per_department` of each department's (all of a department's when it has fewer)."""
    rng = random.Random(seed)
    forms = list(forms)
    if percentage is not None:
        count = min(len(forms), math.ceil(len(forms) * Decimal(percentage) / 100))
        return sorted(rng.sample(forms, count), key=forms.index)
    chosen = []
    by_department = {}
    for form in forms:
        by_department.setdefault(form.project.department_id, []).append(form)
    for group in by_department.values():
        chosen += sorted(rng.sample(group, min(per_department, len(group))), key=group.index)
    return chosen


def _check_rule(percentage, per_department):
    if (percentage is None) == (per_department is None):
        raise SamplingRefused(_("Give either a percentage or a number of forms per department."))
    if percentage is not None and not (0 < percentage <= 100):
        raise SamplingRefused(_("The percentage must be more than 0 and at most 100."))
    if per_department is not None and per_department < 1:
        raise SamplingRefused(_("The number of forms per department must be at least 1."))


def _require_reviewer(user, bureau):
    if not access.reviews_bureau(user, bureau):
        raise PermissionDenied


def draw(bureau, year, user, *, percentage=None, per_department=None, seed=None):
    """Draw the year's sample (again, replacing the forms drawn before, while not issued)."""
    _require_reviewer(user, bureau)
    _check_rule(percentage, per_department)
    seed = secrets.randbits(SEED_BITS) if seed is None else seed
    with transaction.atomic():
        sample = Sample.objects.select_for_update().filter(bureau=bureau, year=year).first()
        if sample is not None and sample.is_issued:
            raise SamplingRefused(
                _("The sample is issued: withdraw the issue before drawing again.")
            )
        forms = list(candidates(bureau, year))
        if not forms:
            raise SamplingRefused(
                _("There is no approved form of %(year)s to draw from.") % {"year": year.year}
            )
        if sample is None:
            sample = Sample(bureau=bureau, year=year)
        sample.seed = seed
        sample.percentage = percentage
        sample.per_department = per_department
        sample.candidates = len(forms)
        sample.drawn_by = user
        sample.drawn_at = timezone.now()
        sample.save()
        sample.forms.all().delete()
        SampledForm.objects.bulk_create(
            SampledForm(sample=sample, evaluation=form)
            for form in choose(forms, seed, percentage, per_department)
        )
    return sample


def verify(sample):
    """Whether drawing again with the recorded seed and rule, from the forms the draw read,
    gives the forms drawn: True while nothing changed the year's approved forms since."""
    forms = list(candidates(sample.bureau, sample.year))
    if len(forms) != sample.candidates:
        return False
    again = {
        form.pk for form in choose(forms, sample.seed, sample.percentage, sample.per_department)
    }
    drawn = set(sample.forms.filter(drawn=True).values_list("evaluation_id", flat=True))
    return again == drawn


def _require_finance(user, evaluation):
    """Nobody changes the sampling of a form of a department they edit."""
    if not access.has_role(user, "finance", evaluation):
        raise PermissionDenied


def _locked(sample, user, *, issued=None):
    _require_reviewer(user, sample.bureau)
    locked = Sample.objects.select_for_update().get(pk=sample.pk)
    if issued is False and locked.is_issued:
        raise SamplingRefused(_("The sample is issued: withdraw the issue to change it."))
    if issued is True and not locked.is_issued:
        raise SamplingRefused(_("Issue the sample before recording re-review results."))
    return locked


@transaction.atomic
def add(sample, evaluation, user):
    """Add an approved form of the sample's year and bureau by hand."""
    locked = _locked(sample, user, issued=False)
    _require_finance(user, evaluation)
    if not candidates(locked.bureau, locked.year).filter(pk=evaluation.pk).exists():
        raise SamplingRefused(_("Only an approved form of this year and bureau can be sampled."))
    SampledForm.objects.get_or_create(
        sample=locked, evaluation=evaluation, defaults={"drawn": False}
    )


@transaction.atomic
def remove(sample, evaluation, user):
    locked = _locked(sample, user, issued=False)
    _require_finance(user, evaluation)
    locked.forms.filter(evaluation=evaluation).delete()


@transaction.atomic
def issue(sample, user):
    """下发: the departments see their sampled forms."""
    locked = _locked(sample, user, issued=False)
    if not locked.forms.exists():
        raise SamplingRefused(_("The sample holds no form."))
    locked.issued_at = timezone.now()
    locked.save(update_fields=["issued_at"])
    sample.issued_at = locked.issued_at


@transaction.atomic
def withdraw_issue(sample, user):
    """取消下发."""
    locked = _locked(sample, user, issued=True)
    locked.issued_at = None
    locked.save(update_fields=["issued_at"])
    sample.issued_at = None


@transaction.atomic
def record(sampled, user, result, comment=""):
    """A finance reviewer's re-review of one sampled form."""
    _locked(sampled.sample, user, issued=True)
    _require_finance(user, sampled.evaluation)
    if result not in SampledForm.Result.values:
        raise SamplingRefused(_("Choose a re-review result."))
    comment = multi_line(comment)
    if result != SampledForm.Result.CONFIRMED and not comment:
        raise SamplingRefused(_("A result other than confirmed needs a comment saying why."))
    sampled.result = result
    sampled.comment = comment
    sampled.reviewed_by = user
    sampled.reviewed_at = timezone.now()
    sampled.save(update_fields=["result", "comment", "reviewed_by", "reviewed_at"])


def of_form(evaluation):
    """The form's issued sampling, if any: what its department sees."""
    return (
        SampledForm.objects.filter(evaluation=evaluation, sample__issued_at__isnull=False)
        .select_related("sample")
        .first()
    )
