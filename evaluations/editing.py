"""Starting forms: a blank one for a project, or this year's from last year's plan.

What a form says is written by evaluations/content.py only; state changes belong to
evaluations/workflow.py.
"""

from django.db import transaction

from evaluations import content
from evaluations.models import Evaluation


def new_form(project, year, user, planned=None):
    """A draft for the project in the year, saved with `planned` (a Content) or blank."""
    filled = planned or content.Content(project=project.name, project_code=project.code)
    if not filled.texts.get("supervising_unit"):
        filled.texts["supervising_unit"] = project.department.supervising.name
    evaluation = Evaluation(project=project, year=year)
    return content.save(evaluation, filled, user)


@transaction.atomic
def start_evaluation(department, year, name, kind, user):
    """A blank form for a project (found by name in the department, or new) in a year."""
    project = content.new_project(department, name, kind)
    blank = content.Content(
        project=project.name,
        project_code=project.code,
        texts={"implementing_unit": department.name},
    )
    return new_form(project, year, user, blank)


@transaction.atomic
def copy_evaluation(previous, year, user):
    """This year's form for the project of `previous`, planned as last year's was.

    The plan carries over (units, annual goal, indicator names, natures, targets, units and
    weights); last year's results do not (funds, what was achieved, actual values, completion
    rates, scores, reasons). Rows under a category this year's edition does not have are left.
    """
    planned = content.of(previous).planned()
    evaluation = Evaluation(project=previous.project, year=year)
    known = {category.name_path() for category in evaluation.year_settings.edition.level2()}
    planned.indicators = [row for row in planned.indicators if (row.level1, row.level2) in known]
    return new_form(previous.project, year, user, planned)
