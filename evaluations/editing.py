"""Creating forms and saving what departments type into them.

State changes are not made here; they belong to evaluations/workflow.py.
"""

from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from config.texts import multi_line, one_line
from evaluations.models import Evaluation, FundLine, Indicator, Project


class EditRefused(Exception):
    """The save cannot go through; the message says why, in the user's language."""


class StaleEdit(EditRefused):
    pass


def _new_evaluation(project, year, user, **texts):
    texts.setdefault("supervising_unit", project.department.supervising.name)
    evaluation = Evaluation.objects.create(project=project, year=year, updated_by=user, **texts)
    FundLine.objects.bulk_create(
        FundLine(evaluation=evaluation, source=source) for source in year.edition.fund_sources.all()
    )
    return evaluation


@transaction.atomic
def start_evaluation(department, year, name, kind, user):
    """A blank form for a project (found by name in the department, or new) in a year."""
    project, _created = Project.objects.get_or_create(
        department=department, name=name, defaults={"kind": kind}
    )
    return _new_evaluation(project, year, user, implementing_unit=department.name)


@transaction.atomic
def copy_evaluation(previous, year, user):
    """This year's form for the project of `previous`, planned as last year's was.

    The plan carries over (units, annual goal, indicator names and targets); last year's results
    do not (funds, what was achieved, actual values, completion rates, reasons).
    """
    evaluation = _new_evaluation(
        previous.project,
        year,
        user,
        supervising_unit=previous.supervising_unit,
        implementing_unit=previous.implementing_unit,
        goal=previous.goal,
    )
    categories = {category.name_path(): category for category in year.edition.level2()}
    Indicator.objects.bulk_create(
        Indicator(
            evaluation=evaluation,
            category=categories[row.category.name_path()],
            name=row.name,
            target=row.target,
            position=row.position,
        )
        for row in previous.indicators.select_related("category__parent")
        if row.category.name_path() in categories
    )
    return evaluation


def filed_years(project, excluding, lock=False):
    """Years whose form of this project is with the finance bureau or approved.

    Those forms were filed under the project's current name, which must then stay as it is.
    """
    others = project.evaluations.exclude(pk=excluding.pk)
    if lock:
        # Locks every other year's form, so that none is submitted while the name changes.
        others = others.select_for_update()
    filed = (Evaluation.State.SUBMITTED, Evaluation.State.APPROVED)
    return sorted(year for year, state in others.values_list("year", "state") if state in filed)


def rename_refusal(years):
    return _(
        "The project name cannot change: this project's form for %(years)s is submitted or "
        "approved under its current name. To file this year's form under another name, start "
        "a new project."
    ) % {"years": ", ".join(str(year) for year in years)}


def save_evaluation(evaluation, user, form, fund_forms, indicator_formset):
    """Write a validated edit page, unless someone else saved the form since it was opened."""
    try:
        with transaction.atomic():
            _save(evaluation, user, form, fund_forms, indicator_formset)
    except IntegrityError:
        raise EditRefused(_("This department already has a project with this name.")) from None


def _save(evaluation, user, form, fund_forms, indicator_formset):
    current = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if current.version != form.cleaned_data["version"]:
        editor = current.updated_by
        raise StaleEdit(
            _(
                "%(who)s saved this form while you were editing it. Your changes are still on "
                "this page but were not saved: open the form again in a new tab, compare, and "
                "enter your changes there."
            )
            % {"who": (editor.get_full_name() or editor.username) if editor else _("Someone")}
        )
    if not current.is_editable_state:
        raise EditRefused(
            _("This form is %(state)s and cannot be changed now.")
            % {"state": current.get_state_display()}
        )

    project = current.project
    if project.name != form.cleaned_data["project_name"]:
        filed = filed_years(project, excluding=current, lock=True)
        if filed:
            raise EditRefused(rename_refusal(filed))
        project.name = form.cleaned_data["project_name"]
        project.save(update_fields=["name"])

    for name in ("supervising_unit", "implementing_unit", "goal", "achieved"):
        setattr(current, name, form.cleaned_data[name])
    current.updated_by = user
    current.version = F("version") + 1
    current.save()

    for fund_form in fund_forms:
        FundLine.objects.update_or_create(
            evaluation=current,
            source=fund_form.source,
            defaults={
                "budget": fund_form.cleaned_data["budget"],
                "actual": fund_form.cleaned_data["actual"],
            },
        )

    _save_indicators(current, indicator_formset)
    evaluation.refresh_from_db()


def _save_indicators(evaluation, formset):
    kept = []
    for form in formset.forms:
        if not form.has_changed() and form.instance.pk is None:
            continue
        if form in formset.deleted_forms or form.is_blank():
            if form.instance.pk:
                form.instance.delete()
            continue
        row = form.save(commit=False)
        row.evaluation = evaluation
        kept.append(row)
    # Order as the page sent it; renumber so that positions stay small and unique. A row posted
    # without a position (a hand-made request) goes first in its group rather than failing.
    kept.sort(
        key=lambda row: (row.category.parent.position, row.category.position, row.position or 0)
    )
    for position, row in enumerate(kept, start=1):
        row.position = position
    Indicator.objects.bulk_update(
        [row for row in kept if row.pk],
        ["category", "name", "target", "actual", "completion_rate", "reason", "position"],
    )
    Indicator.objects.bulk_create([row for row in kept if not row.pk])


def write_content(evaluation, content, user):
    """Replace what a form says with `content`, plain data shaped like seed_forms_2023.json.

    For imports and the demo: units, goals, every fund line and every indicator row (in the
    order given) are replaced; the project and the state are left as they are. Amounts and rates
    are decimal strings or None; categories are the canonical labels of the form's edition.
    Texts are cleaned as the edit page cleans them.
    """
    edition = evaluation.year.edition
    for name in ("supervising_unit", "implementing_unit"):
        setattr(evaluation, name, one_line(content.get(name)))
    for name in ("goal", "achieved"):
        setattr(evaluation, name, multi_line(content.get(name)))
    evaluation.updated_by = user
    if evaluation.pk:
        evaluation.version = F("version") + 1
    evaluation.save()
    evaluation.refresh_from_db(fields=["version"])
    funds = content.get("funds", {})
    evaluation.fund_lines.all().delete()
    FundLine.objects.bulk_create(
        FundLine(
            evaluation=evaluation,
            source=source,
            budget=_decimal(funds.get(source.name, {}).get("budget")),
            actual=_decimal(funds.get(source.name, {}).get("actual")),
        )
        for source in edition.fund_sources.all()
    )
    categories = {category.name_path(): category for category in edition.level2()}
    evaluation.indicators.all().delete()
    Indicator.objects.bulk_create(
        Indicator(
            evaluation=evaluation,
            category=categories[(row["level1"], row["level2"])],
            name=multi_line(row["name"]),
            target=multi_line(row["target"]),
            actual=multi_line(row["actual"]),
            completion_rate=_decimal(row["rate"]),
            reason=multi_line(row["reason"]),
            position=position,
        )
        for position, row in enumerate(content.get("indicators", []), start=1)
    )
    return evaluation


def _decimal(text):
    return None if text in (None, "") else Decimal(text)
