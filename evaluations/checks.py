"""What a form must have before it is submitted, and what a reviewer should look at twice.

`run(evaluation)` gives both lists. Its `problems` are the blocking checks: submitting refuses
while any is left, and lists them all at once. Its `flags` never block: the department sees them
before submitting, the reviewer sees them as an explained list and as a count in the queue.

Both read the form's layout: the fields it marks required and the row columns it has, named as
it labels them. A scored layout's flags are about its weights, scores and reasons, every number
from the year's scoring rules and every figure from the form's scorecard; the completion-rate
flags belong to the layouts with completion rates. Finding codes are stable: the queue and the
tests know them.

Every finding names the element of the page it is about (`anchor`), so that the list links there:
`funds`, `goals` and `indicator-<pk>` exist on the edit page and the official view alike; field
ids (`id_<field>`, the project's `id_project_name`) and `category-<pk>` headings exist on the
edit page only, where problems are shown.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from evaluations import content as form_content
from evaluations import scorecard, scoring
from evaluations.completion import parse_quantity, suggest
from evaluations.indicators import row_labels
from evaluations.layouts import declaration
from evaluations.models import HUNDRED
from evaluations.money import CENT, Funds

ONE_POINT = Decimal(1)
TEN_THOUSAND = Decimal(10000)
# 成本指标 is a 一级 since 2021 and a 二级 under 产出指标 before: a cost row has it in either name.
COST = "成本"
# The form's texts the goals block holds; the others are the header's or the account's.
GOAL_TEXTS = {"goal", "achieved"}
HEADER_TEXTS = {"project", "project_code", "supervising_unit", "implementing_unit"}
# What every row needs, whatever the layout calls the columns; a scored layout adds its weight.
ROW_NEEDS = ("name", "target", "actual")


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
    """A form loaded once for the checks: its layout, funds, indicator rows with their
    categories, its year's settings and, for a scored layout, its scorecard."""

    def __init__(self, evaluation):
        self.evaluation = evaluation
        self.settings = evaluation.year_settings
        self.layout = evaluation.form_layout
        self.rules = self.settings.scoring_rules
        self.content = form_content.of(evaluation)
        self.funds = Funds.of(evaluation)
        self.rows = list(evaluation.rows_with_categories())
        # Several rows can fail the same check: each message says which one it is about.
        self.labels = row_labels(
            self.rows,
            name_of=lambda row: row.name,
            section_of=lambda row: row.category_id,
            place_of=lambda row: f"{row.category.parent.name} · {row.category.name}",
        )
        self.scorecard = scorecard.of_content(self.content, self.rules)
        self.row_by_id = {row.pk: row for row in self.rows}

    @staticmethod
    def is_cost(row):
        return COST in row.category.name or COST in row.category.parent.name

    def label(self, name):
        """What the layout calls a field or a value of the funds block."""
        return self.layout.label(name)

    def column(self, name):
        """What the layout calls a column of the indicator rows (`actual` and `weight` are
        also columns of the funds block, under other labels)."""
        return self.layout.row_columns[name].label

    def written(self, name):
        """Whether the form says something in this text: the template's instruction, left in
        place, says nothing."""
        text = self.content.text(name).strip()
        declared = self.layout.field_by_name.get(name)
        opening = declared.template if declared else ()
        return bool(text) and not any(text.startswith(words) for words in opening)

    def quantity(self, row, column):
        """A row's target or actual as written, with its 度量单位 where the layout has one."""
        text = getattr(row, column)
        if self.layout.has("unit") and row.unit.strip():
            return f"{text} {row.unit}"
        return text

    def row_findings(self):
        """(scored row, model row) pairs of a scored form, in the page's order."""
        for item in self.scorecard.rows:
            yield item, self.row_by_id[item.row.id]


def run(evaluation):
    form = Form(evaluation)
    return Result(problems=_problems(form), flags=_flags(form))


def _problems(form):
    """Every reason the form cannot be submitted yet, in the order of the page's sheet."""
    found = []
    for part in form.layout.sheet:
        if isinstance(part, declaration.Block):
            found += _empty_fields(form, part)
        elif isinstance(part, declaration.Funds):
            found += _no_budget(form)
        elif isinstance(part, declaration.Indicators):
            found += _missing_categories(form)
            found += _incomplete_rows(form)
    return found


def _empty_fields(form, block):
    for cells in block.rows:
        for cell in cells:
            if not isinstance(cell, declaration.Value):
                continue
            declared = form.layout.field_by_name[cell.field]
            if not declared.required or form.written(declared.name):
                continue
            name = declared.name
            code = "goal" if name in GOAL_TEXTS else "header" if name in HEADER_TEXTS else "text"
            anchor = "id_project_name" if name == "project" else f"id_{name}"
            yield Finding(code, _("%(field)s is empty.") % {"field": declared.label}, anchor)


def _no_budget(form):
    if not any(row["budget"] for row in form.funds.rows):
        yield Finding(
            "budget",
            _("No fund source has a %(budget)s (budget).") % {"budget": form.label("budget")},
            "funds",
        )


def _missing_categories(form):
    present = {row.category.parent_id for row in form.rows}
    for category in form.settings.required_categories.order_by("position"):
        if category.pk not in present:
            yield Finding(
                "category",
                _("There is no indicator under %(category)s.") % {"category": category.name},
                f"category-{category.pk}",
            )


def _incomplete_rows(form):
    needed = [name for name in ROW_NEEDS if form.layout.has(name)]
    if form.layout.scored:
        needed.append("weight")
    for row in form.rows:
        missing = [form.column(name) for name in needed if _blank(getattr(row, name))]
        if missing:
            yield Finding(
                "row",
                _("%(row)s has no %(columns)s.")
                % {"row": form.labels[row], "columns": "、".join(missing)},
                f"indicator-{row.pk}",
            )


def _blank(value):
    return value is None or (isinstance(value, str) and not value.strip())


def _flags(form):
    """Review flags, each with an explanation a department can act on."""
    if form.scorecard is None:
        return [
            *_unexplained_shortfalls(form),
            *_spending_behind_results(form),
            *_spent_over_budget(form),
            *_cost_rows_off_the_funds(form),
            *_rates_off_the_figures(form),
        ]
    # Scored layouts have no completion rates: their scores stand for them.
    return [
        *_weights_off_the_total(form),
        *_unexplained_deviations(form),
        *_unexplained_execution(form),
        *_spent_over_budget(form),
        *_cost_rows_off_the_funds(form),
        *_scores_off_the_rules(form),
        *_scores_over_weights(form),
        *_total_over_the_cap(form),
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
                _(
                    "%(source)s: %(actual_label)s %(actual)s is more than %(budget_label)s "
                    "%(budget)s."
                )
                % {
                    "source": row["source"].name,
                    "actual_label": form.label("actual"),
                    "actual": _wan(actual),
                    "budget_label": form.label("budget"),
                    "budget": _wan(budget),
                },
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
        ("target", form.funds.budget, form.label("budget"), form.column("target")),
        ("actual", form.funds.actual, form.label("actual"), form.column("actual")),
    ]
    for column, figure, figure_label, column_label in checks:
        amounts = [money_in_wan(form.quantity(row, column)) for row in cost_rows]
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


# Scored layouts ------------------------------------------------------------------------------


def _points(value):
    return f"{value:,.2f}".rstrip("0").rstrip(".") if value is not None else ""


def _weights_off_the_total(form):
    card = form.scorecard
    # A scored form with no weights at all misses them as much as one whose weights are off.
    if card.weights_add_up:
        return
    yield Finding(
        "weights_total",
        _(
            "%(weight)s add up to %(sum)s with the %(execution)s of budget execution; they "
            "should add up to %(total)s."
        )
        % {
            "weight": form.column("weight"),
            "sum": _points(card.total_weight),
            "execution": _points(card.execution_weight),
            "total": _points(form.rules.total_weight),
        },
        "funds",
    )


def _unexplained_deviations(form):
    reason = form.column("reason")
    for item, row in form.row_findings():
        if item.reason_needed is None or not _blank(row.reason):
            continue
        values = {"row": form.labels[row], "target": row.target, "actual": row.actual}
        if item.reason_needed == scoring.BELOW_TARGET:
            yield Finding(
                "missing_reason",
                _(
                    "%(row)s falls short of its target (%(target)s → %(actual)s), but "
                    "%(reason)s is empty."
                )
                % {**values, "reason": reason},
                f"indicator-{row.pk}",
            )
        else:
            yield Finding(
                "missing_overshoot_reason",
                _(
                    "%(row)s reaches %(ratio)s of its target or more (%(target)s → "
                    "%(actual)s), but %(reason)s does not say why the target was set so low."
                )
                % {**values, "reason": reason, "ratio": _pct(form.rules.overshoot_ratio * HUNDRED)},
                f"indicator-{row.pk}",
            )


def _unexplained_execution(form):
    if not form.layout.has("execution_reason"):
        return
    card = form.scorecard
    if not scoring.execution_reason_needed(card.executed, card.budget, form.rules):
        return
    if form.written("execution_reason"):
        return
    yield Finding(
        "missing_execution_reason",
        _("%(rate_label)s is %(rate)s, under %(threshold)s, but %(reason)s does not say why.")
        % {
            "rate_label": form.label("rate"),
            "rate": _pct(card.execution_rate * HUNDRED),
            "threshold": _pct(form.rules.execution_reason_below * HUNDRED),
            "reason": form.label("execution_reason"),
        },
        "funds",
    )


def _scores_off_the_rules(form):
    for item, row in form.row_findings():
        if not item.differs:
            continue
        yield Finding(
            "score_differs",
            _(
                "%(row)s: %(score)s is entered as %(entered)s, but %(target)s → %(actual)s "
                "gives %(computed)s of its %(weight)s %(weight_label)s."
            )
            % {
                "row": form.labels[row],
                "score": form.column("score"),
                "entered": _points(row.score),
                "target": row.target,
                "actual": row.actual,
                "computed": _points(item.computed),
                "weight": _points(row.weight),
                "weight_label": form.column("weight"),
            },
            f"indicator-{row.pk}",
        )


def _scores_over_weights(form):
    for row in form.rows:
        if row.score is None or row.weight is None or row.score <= row.weight:
            continue
        yield Finding(
            "score_over_weight",
            _("%(row)s: %(score)s %(entered)s is more than its %(weight_label)s %(weight)s.")
            % {
                "row": form.labels[row],
                "score": form.column("score"),
                "entered": _points(row.score),
                "weight_label": form.column("weight"),
                "weight": _points(row.weight),
            },
            f"indicator-{row.pk}",
        )


def _total_over_the_cap(form):
    """The 总分 the rows give, where the execution rate caps it: the printed total then
    contradicts the rows above it, and the reviewer should see why."""
    card = form.scorecard
    highest = scoring.cap(card.executed, card.budget, form.rules)
    parts = [card.budget_score, *(item.entered for item in card.rows)]
    present = [part for part in parts if part is not None]
    if highest is None or not present:
        return
    added = sum(present, Decimal(0))
    if added <= highest:
        return
    yield Finding(
        "over_cap",
        _(
            "%(score)s add up to %(sum)s, but an execution rate of %(rate)s allows a total of "
            "at most %(cap)s: the %(total)s is %(cap)s."
        )
        % {
            "score": form.column("score"),
            "sum": _points(added),
            "rate": _pct(card.execution_rate * HUNDRED),
            "cap": _points(highest),
            "total": form.layout.total.label if form.layout.total else _("total"),
        },
        "funds",
    )
