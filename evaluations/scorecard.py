"""A scored form's figures, computed once for every page, export and check that shows them.

From a form's content and its year's rules: the execution rate and budget score, each row's
computed score beside the one the department entered (never replacing it), the 总分/合计 row's
weight and score, and the grade. The rules themselves are in evaluations/scoring.py.
"""

from dataclasses import dataclass

from evaluations import content as form_content
from evaluations import scoring
from evaluations.money import total


@dataclass(frozen=True)
class RowScore:
    row: object
    # What the rules give the row (None for a qualitative row or one that is not a number).
    computed: object
    # scoring.BELOW_TARGET, scoring.FAR_ABOVE_TARGET or None.
    reason_needed: object
    # Whether the entered score is further from the computed one than the rules allow.
    differs: bool

    @property
    def entered(self):
        return self.row.score


@dataclass(frozen=True)
class Scorecard:
    rules: object
    budget: object
    executed: object
    # The execution rate as a fraction, the budget score and its weight.
    execution_rate: object
    budget_score: object
    execution_weight: object
    rows: tuple
    # The 总分/合计 row: the execution weight and every row's, and the budget score and every
    # row's entered score (capped by the execution rate where the rules cap).
    total_weight: object
    total_score: object
    grade: object
    # The total with the computed score in place of each row's, where one is computed.
    computed_total: object

    def score_of(self, row):
        return next((item for item in self.rows if item.row is row), None)

    @property
    def weights_add_up(self):
        return self.total_weight == self.rules.total_weight


def of_content(content, rules):
    """The scorecard of a Content under `rules`; None for a layout without scores."""
    if rules is None:
        return None
    budget = total(line.budget for line in content.funds)
    executed = total(line.actual for line in content.funds)
    budget_score = scoring.budget_score(executed, budget, rules)
    rows = []
    for row in content.indicators:
        computed = scoring.indicator_score(row.nature, row.target, row.actual, row.weight, rules)
        rows.append(
            RowScore(
                row,
                computed,
                scoring.reason_needed(row.nature, row.target, row.actual, rules),
                scoring.score_differs(row.score, computed, rules),
            )
        )
    total_score = scoring.total_score(
        budget_score, [item.entered for item in rows], executed, budget, rules
    )
    computed_total = scoring.total_score(
        budget_score,
        [item.computed if item.computed is not None else item.entered for item in rows],
        executed,
        budget,
        rules,
    )
    return Scorecard(
        rules=rules,
        budget=budget,
        executed=executed,
        execution_rate=scoring.execution_rate(executed, budget),
        budget_score=budget_score,
        execution_weight=rules.execution_weight,
        rows=tuple(rows),
        total_weight=scoring.total_weight([row.weight for row in content.indicators], rules),
        total_score=total_score,
        grade=scoring.grade(total_score, rules),
        computed_total=computed_total,
    )


def of(evaluation):
    """The scorecard of a saved form under its year's rules; None where the layout has none."""
    rules = evaluation.year_settings.scoring_rules
    if rules is None:
        return None
    return of_content(form_content.of(evaluation), rules)
