"""The department report's numbers, computed once from the department's forms of the year.

Every page, check and export that shows a figure of the report takes it from `of(report)`:
per project class the number of projects, the budget and executed totals, the execution rate
and how many projects left more or less than a tenth of their budget unspent (结余率); the same
for all projects; each project's figures with its lowest and highest indicator 完成率; the counts
of the three facts the accounts' 预算绩效管理情况 paragraph quotes; and the mean score of the
forms where the year's layout scores them.

结余率 = (budget − actual) ÷ budget. "More than 10%" is strictly more: a project with exactly 10%
left counts with the projects under 10%, so that the two counts add up to the projects that have
a budget. A project without a budget (blank or 0) has no 结余率 and is in neither count.

Money comes from the forms' fund lines through evaluations/queue.py's totals, rates from
evaluations/money.py, scores from evaluations/scorecard.py: nothing here adds money again.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Max, Min

from evaluations import scorecard
from evaluations.models import Indicator
from evaluations.money import CENT, rate, total
from evaluations.queue import add_fund_totals
from reports import classes

# 结余率 above this share of the budget is 预算结余率大于 10%.
BALANCE_LIMIT = Decimal("0.1")


@dataclass(frozen=True)
class ProjectFigures:
    evaluation: object
    name: str
    # The class's key; classes.UNCLASSIFIED for a form without one.
    class_key: str
    class_label: str
    budget: object
    actual: object
    # actual ÷ budget in percent, two decimals; None without a budget.
    execution_rate: object
    # (budget − actual) ÷ budget in percent, two decimals; None without a budget.
    balance_rate: object
    lowest_completion: object
    highest_completion: object
    # The form's 总分 under its year's rules; None where the layout scores nothing.
    score: object

    @property
    def has_budget(self):
        return bool(self.budget)

    @property
    def above_limit(self):
        """Whether more than a tenth of the budget is left unspent (exactly a tenth is not)."""
        if not self.has_budget:
            return False
        return (self.budget - (self.actual or 0)) > self.budget * BALANCE_LIMIT


@dataclass(frozen=True)
class ClassFigures:
    key: str
    label: str
    projects: tuple

    @property
    def count(self):
        return len(self.projects)

    @property
    def budget(self):
        """The class's budget total in 万元 (0 for a class without money)."""
        return total(item.budget for item in self.projects) or Decimal(0)

    @property
    def actual(self):
        return total(item.actual for item in self.projects) or Decimal(0)

    @property
    def execution_rate(self):
        return rate(self.actual, self.budget)

    @property
    def above_limit(self):
        """Projects with 结余率 more than 10%."""
        return sum(1 for item in self.projects if item.above_limit)

    @property
    def below_limit(self):
        """Projects with a budget and 结余率 of 10% or less."""
        return sum(1 for item in self.projects if item.has_budget and not item.above_limit)


@dataclass(frozen=True)
class Figures:
    year: int
    scheme: object
    # The scheme's classes in order, each even without projects, then 未分类 if any form has no
    # class.
    classes: tuple
    # Every project as one class, labelled 合计.
    total: ClassFigures
    pre_assessment: int
    has_targets: int
    monitored: int
    # Whether the year's layout scores its forms; the mean of their 总分 (two decimals, None
    # where no form has one).
    scored: bool
    mean_score: object

    @property
    def projects(self):
        return self.total.projects

    @property
    def unclassified(self):
        return tuple(item for item in self.projects if item.class_key == classes.UNCLASSIFIED)

    def of_class(self, key):
        return next((item for item in self.classes if item.key == key), None)


def of(report):
    return of_forms(report.year_id, report.year_settings, report.forms())


def of_forms(year, settings, forms):
    """The figures of `forms` (a queryset of one department's forms of `year`), under that
    year's `settings` (a Year or BureauYear)."""
    scheme = classes.scheme_of(settings)
    order = {item.key: index for index, item in enumerate(scheme.classes)}
    evaluations = list(forms.select_related("project__department", "year").order_by())
    add_fund_totals(evaluations)
    extremes = _completion_extremes(evaluations)
    rules = settings.scoring_rules
    projects = []
    for evaluation in evaluations:
        declared = scheme.get(evaluation.project_class)
        low, high = extremes.get(evaluation.pk, (None, None))
        budget, actual = evaluation.budget_total, evaluation.actual_total
        projects.append(
            ProjectFigures(
                evaluation=evaluation,
                name=evaluation.project.name,
                class_key=declared.key if declared else classes.UNCLASSIFIED,
                class_label=declared.label if declared else classes.UNCLASSIFIED_LABEL,
                budget=budget,
                actual=actual,
                execution_rate=rate(actual, budget),
                balance_rate=rate(budget - (actual or 0), budget) if budget else None,
                lowest_completion=low,
                highest_completion=high,
                score=_score(evaluation, settings, rules),
            )
        )
    projects.sort(key=lambda item: (order.get(item.class_key, len(order)), item.name))
    grouped = [
        ClassFigures(
            item.key,
            item.label,
            tuple(project for project in projects if project.class_key == item.key),
        )
        for item in scheme.classes
    ]
    unclassified = tuple(item for item in projects if item.class_key == classes.UNCLASSIFIED)
    if unclassified:
        grouped.append(ClassFigures(classes.UNCLASSIFIED, classes.UNCLASSIFIED_LABEL, unclassified))
    scores = [item.score for item in projects if item.score is not None]
    return Figures(
        year=year,
        scheme=scheme,
        classes=tuple(grouped),
        total=ClassFigures("total", "合计", tuple(projects)),
        pre_assessment=sum(1 for item in evaluations if item.pre_assessment),
        has_targets=sum(1 for item in evaluations if item.has_targets),
        monitored=sum(1 for item in evaluations if item.monitored),
        scored=rules is not None,
        mean_score=_mean(scores),
    )


def _completion_extremes(evaluations):
    """{form pk: (lowest 完成率, highest 完成率)} of its indicator rows, in one query."""
    rows = (
        Indicator.objects.filter(evaluation__in=evaluations, completion_rate__isnull=False)
        .order_by()
        .values("evaluation")
        .annotate(low=Min("completion_rate"), high=Max("completion_rate"))
    )
    # SQLite hands aggregated decimals back through floats: bring them to the column's places.
    return {row["evaluation"]: (_rate(row["low"]), _rate(row["high"])) for row in rows}


def _rate(value):
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _score(evaluation, settings, rules):
    if rules is None:
        return None
    # The report's settings are the forms' settings: the same department, bureau and year.
    evaluation.__dict__["year_settings"] = settings
    return scorecard.of(evaluation).total_score


def _mean(values):
    if not values:
        return None
    return (sum(values, Decimal(0)) / len(values)).quantize(CENT, rounding=ROUND_HALF_UP)
