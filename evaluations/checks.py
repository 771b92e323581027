"""What a form must have before it is submitted, and what a reviewer should look at twice.

`run(evaluation)` gives both lists. Its `problems` are the blocking checks: submitting refuses
while any is left, and lists them all at once. Its `flags` never block: the department sees them
before submitting, the reviewer sees them as an explained list and as a count in the queue.

Every finding names the element of the page it is about (`anchor`), so that the list links there:
`funds`, `goals` and `indicator-<pk>` exist on the edit page and the official view alike; field
ids such as `id_goal` and `category-<pk>` headings exist on the edit page only, where problems
are shown.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from evaluations.completion import parse_quantity, suggest
from evaluations.indicators import row_labels
from evaluations.models import HUNDRED
from evaluations.money import CENT, Funds

ONE_POINT = Decimal(1)
TEN_THOUSAND = Decimal(10000)
# 成本指标 is a 一级 since 2021 and a 二级 under 产出指标 before: a cost row has it in either name.
COST = "成本"


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    anchor: str


@dataclass(frozen=True)
class Result:
    problems: list
    flags: list


class Form:
    """A form loaded once for the checks: funds, indicator rows with their categories, year."""

    def __init__(self, evaluation):
        self.evaluation = evaluation
        self.year = evaluation.year
        self.settings = evaluation.year_settings
        self.funds = Funds.of(evaluation)
        self.rows = list(evaluation.indicators.select_related("category__parent"))
        # Several rows can fail the same check: each message says which one it is about.
        self.labels = row_labels(
            self.rows,
            name_of=lambda row: row.name,
            section_of=lambda row: row.category_id,
            place_of=lambda row: f"{row.category.parent.name} · {row.category.name}",
        )

    @staticmethod
    def is_cost(row):
        return COST in row.category.name or COST in row.category.parent.name


def run(evaluation):
    form = Form(evaluation)
    return Result(problems=_problems(form), flags=_flags(form))


def _problems(form):
    """Every reason the form cannot be submitted yet, in the order of the page."""
    evaluation = form.evaluation
    found = []
    header = [
        ("项目名称", evaluation.project.name, "id_project_name"),
        ("项目主管单位", evaluation.supervising_unit, "id_supervising_unit"),
        ("项目实施单位", evaluation.implementing_unit, "id_implementing_unit"),
    ]
    for label, value, anchor in header:
        if not value.strip():
            found.append(Finding("header", _("%(field)s is empty.") % {"field": label}, anchor))
    if not any(row["budget"] for row in form.funds.rows):
        found.append(Finding("budget", _("No fund source has a 全年预算数 (budget)."), "funds"))
    for label, value, anchor in [
        ("年度设定目标", evaluation.goal, "id_goal"),
        ("实际完成情况", evaluation.achieved, "id_achieved"),
    ]:
        if not value.strip():
            found.append(Finding("goal", _("%(field)s is empty.") % {"field": label}, anchor))
    present = {row.category.parent_id for row in form.rows}
    for category in form.settings.required_categories.order_by("position"):
        if category.pk not in present:
            found.append(
                Finding(
                    "category",
                    _("There is no indicator under %(category)s.") % {"category": category.name},
                    f"category-{category.pk}",
                )
            )
    columns = [("name", "三级指标"), ("target", "年度设定指标值"), ("actual", "实际完成值")]
    for row in form.rows:
        missing = [label for name, label in columns if not getattr(row, name).strip()]
        if missing:
            found.append(
                Finding(
                    "row",
                    _("%(row)s has no %(columns)s.")
                    % {"row": form.labels[row], "columns": "、".join(missing)},
                    f"indicator-{row.pk}",
                )
            )
    return found


def _flags(form):
    """Review flags, each with an explanation a department can act on."""
    return [
        *_unexplained_shortfalls(form),
        *_spending_behind_results(form),
        *_spent_over_budget(form),
        *_cost_rows_off_the_funds(form),
        *_rates_off_the_figures(form),
    ]


def _pct(value):
    return f"{value:,.2f}%"


def _wan(value):
    return f"{value:,.2f} 万元"


def _unexplained_shortfalls(form):
    for row in form.rows:
        short = row.completion_rate is not None and row.completion_rate < HUNDRED
        if short and not row.reason.strip():
            yield Finding(
                "missing_reason",
                _(
                    "%(row)s is %(rate)s complete, but 未完成原因和改进措施 does not say "
                    "why or what will be done."
                )
                % {"row": form.labels[row], "rate": _pct(row.completion_rate)},
                f"indicator-{row.pk}",
            )


def _spending_behind_results(form):
    # Cost rows follow the money; it is outputs, effects and satisfaction all at 100% while
    # most of the money is unspent that asks for an explanation.
    execution = form.funds.rate
    threshold = form.settings.execution_threshold
    if execution is None or execution >= threshold:
        return
    results = [row for row in form.rows if not form.is_cost(row)]
    if results and all(
        row.completion_rate is not None and row.completion_rate >= HUNDRED for row in results
    ):
        yield Finding(
            "low_execution",
            _(
                "执行率 is %(rate)s, below %(threshold)s, yet every indicator other than "
                "成本指标 shows 100%%."
            )
            % {"rate": _pct(execution), "threshold": _pct(threshold)},
            "funds",
        )


def _spent_over_budget(form):
    for row in form.funds.rows:
        actual, budget = row["actual"], row["budget"] or Decimal(0)
        if actual is not None and actual > budget:
            yield Finding(
                "over_budget",
                _("%(source)s: 实际完成数 %(actual)s is more than 全年预算数 %(budget)s.")
                % {"source": row["source"].name, "actual": _wan(actual), "budget": _wan(budget)},
                "funds",
            )


def money_in_wan(text):
    """`34187 元` → 3.4187; `30 万元` → 30; None for anything that is not an amount of money."""
    quantity = parse_quantity(text)
    if quantity is None:
        return None
    _op, number, unit = quantity
    if unit == "万元":
        return number
    if unit == "元":
        return number / TEN_THOUSAND
    return None


def _cost_rows_off_the_funds(form):
    cost_rows = [row for row in form.rows if form.is_cost(row)]
    checks = [
        ("target", form.funds.budget, "全年预算数", "年度设定指标值"),
        ("actual", form.funds.actual, "实际完成数", "实际完成值"),
    ]
    for column, figure, figure_label, column_label in checks:
        amounts = [money_in_wan(getattr(row, column)) for row in cost_rows]
        amounts = [amount for amount in amounts if amount is not None]
        if not amounts or figure is None:
            continue
        added = sum(amounts, Decimal(0))
        # Rows in 元 and a header in 万元 rounded to 0.01: agreeing to one 分 of 万元 is agreeing.
        if abs(added - figure) > CENT:
            yield Finding(
                "cost_mismatch",
                _(
                    "The 成本指标 rows in money add up to %(sum)s in %(column)s, but the funds "
                    "block's %(figure_label)s is %(figure)s."
                )
                % {
                    "sum": _wan(added.quantize(CENT)),
                    "column": column_label,
                    "figure_label": figure_label,
                    "figure": _wan(figure),
                },
                "funds",
            )


def _rates_off_the_figures(form):
    for row in form.rows:
        if row.completion_rate is None:
            continue
        computed = suggest(row.target, row.actual)
        if computed is not None and abs(row.completion_rate - computed) > ONE_POINT:
            yield Finding(
                "rate_differs",
                _(
                    "%(row)s: 完成率 is entered as %(entered)s, but %(target)s → %(actual)s "
                    "gives %(computed)s."
                )
                % {
                    "row": form.labels[row],
                    "entered": _pct(row.completion_rate),
                    "target": row.target,
                    "actual": row.actual,
                    "computed": _pct(computed),
                },
                f"indicator-{row.pk}",
            )
