"""Scores of the scored layouts: budget execution, each indicator, the total and its grade.

The rules are those of the 2020 national rules as local forms quote them; provinces vary them,
so every number is a setting of a `Rules` value (stored per layout, bureau and year), never a
constant below. Departments type their own scores and reviewers judge some by hand, so what is
computed here is a suggestion shown beside the entered score and a basis for flags: nothing here
overwrites what was entered.
"""

from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from evaluations.completion import AT_MOST, parse_quantity
from evaluations.money import CENT

# 指标性质 as the Sichuan layout prints them; the national layout has no such column, and a
# target's own sign (`≤ 5`) or else "more is better" stands in for it.
MORE = "≥"
LESS = "≤"
EQUAL = "="
QUALITATIVE = "定性"
NATURES = (MORE, LESS, EQUAL, QUALITATIVE)
# Real files write them in other code points.
_NATURE_VARIANTS = {"≧": MORE, ">=": MORE, "≦": LESS, "<=": LESS, "═": EQUAL, "＝": EQUAL}

# How a `≤` indicator above its target scores.
RATIO = "ratio"  # w × T ÷ A
LINEAR = "linear"  # w × (1 − (A − T) ÷ T), nothing from 2T on

BELOW_TARGET = "below_target"
FAR_ABOVE_TARGET = "far_above_target"

ZERO = Decimal(0)
ONE = Decimal(1)


class RulesError(ValueError):
    """Stored scoring settings that do not make a rule set."""


@dataclass(frozen=True)
class Band:
    """A band a department picks for a qualitative indicator, as fractions of its weight."""

    label: str
    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Rules:
    execution_weight: Decimal = Decimal(10)
    total_weight: Decimal = Decimal(100)
    # Advisory weights of the 一级指标; empty where the indicators share theirs freely (Sichuan).
    level1_weights: tuple[tuple[str, Decimal], ...] = (
        ("产出指标", Decimal(50)),
        ("效益指标", Decimal(30)),
        ("满意度指标", Decimal(10)),
    )
    # An execution rate under this fraction needs a written reason; None: never.
    execution_reason_below: Decimal | None = None
    # An actual at or above this multiple of a `≥` target needs a reason, and may cost points.
    overshoot_ratio: Decimal = Decimal("1.30")
    overshoot_deduction: Decimal = ZERO
    less_is_better: str = RATIO
    qualitative_bands: tuple[Band, ...] = (
        Band("达成年度指标", Decimal("0.8"), ONE),
        Band("部分达成年度指标并具有一定效果", Decimal("0.6"), Decimal("0.8")),
        Band("未达成年度指标且效果较差", ZERO, Decimal("0.6")),
    )
    # (rate below, highest total allowed), any order; empty: no caps.
    caps: tuple[tuple[Decimal, Decimal], ...] = ()
    # (lowest total, grade), any order.
    grades: tuple[tuple[Decimal, str], ...] = (
        (Decimal(90), "优"),
        (Decimal(80), "良"),
        (Decimal(60), "中"),
        (ZERO, "差"),
    )
    # An entered score further than this from the computed one is flagged for the reviewer.
    score_tolerance: Decimal = Decimal("0.5")

    def as_settings(self):
        """The rules as JSON-ready data, the form an administrator edits and the database keeps."""
        return {field.name: _to_settings(getattr(self, field.name)) for field in fields(self)}

    @classmethod
    def from_settings(cls, settings):
        """Rules from stored settings; keys left out keep their defaults. Raises RulesError."""
        return cls().with_settings(settings)

    def with_settings(self, settings):
        """These rules with stored settings applied over them (a bureau's year over its
        layout's rules); keys left out stay as they are. Raises RulesError."""
        if not isinstance(settings, dict):
            raise RulesError("scoring settings must be an object of names and values")
        known = {field.name for field in fields(self)}
        unknown = sorted(set(settings) - known)
        if unknown:
            raise RulesError(f"unknown scoring settings: {', '.join(unknown)}")
        try:
            rules = replace(
                self, **{name: _from_settings(name, value) for name, value in settings.items()}
            )
        except (TypeError, ValueError) as error:
            if isinstance(error, RulesError):
                raise
            raise RulesError(f"scoring settings not understood: {error}") from None
        if rules.less_is_better not in (RATIO, LINEAR):
            raise RulesError(f"less_is_better must be {RATIO!r} or {LINEAR!r}")
        return rules


NATIONAL = Rules()
# Sichuan's 一体化 form: 10 points for execution, 90 shared freely; a rate under 90% needs a reason.
SICHUAN = Rules(level1_weights=(), execution_reason_below=Decimal("0.90"))
# One province's caps by execution rate, for bureaus that adopt them.
PROVINCIAL_CAPS = (
    (Decimal("0.50"), Decimal(59)),
    (Decimal("0.60"), Decimal(69)),
    (Decimal("0.70"), Decimal(79)),
    (Decimal("0.80"), Decimal(89)),
)


def _to_settings(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Band):
        return [value.label, str(value.low), str(value.high)]
    if isinstance(value, tuple):
        return [_to_settings(item) for item in value]
    return value


def _decimal(value):
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise RulesError(f"not a number: {value!r}") from None
    if not number.is_finite():
        raise RulesError(f"not a number: {value!r}")
    return number


_DECIMAL_SETTINGS = {
    "execution_weight",
    "total_weight",
    "overshoot_ratio",
    "overshoot_deduction",
    "score_tolerance",
}


def _from_settings(name, value):
    if name in _DECIMAL_SETTINGS:
        return _decimal(value)
    if name == "execution_reason_below":
        return None if value is None else _decimal(value)
    if name == "level1_weights":
        return tuple((str(label), _decimal(weight)) for label, weight in value)
    if name == "qualitative_bands":
        return tuple(Band(str(label), _decimal(low), _decimal(high)) for label, low, high in value)
    if name == "caps":
        return tuple((_decimal(below), _decimal(highest)) for below, highest in value)
    if name == "grades":
        return tuple((_decimal(lowest), str(grade)) for lowest, grade in value)
    return value


def points(value):
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def execution_rate(executed, budget):
    """executed ÷ budget as a fraction; None where either is blank or the budget is 0."""
    if executed is None or not budget:
        return None
    return executed / budget


def budget_score(executed, budget, rules):
    """min(rate, 100%) × the execution weight: 76% of 10 points is 7.60."""
    rate = execution_rate(executed, budget)
    if rate is None:
        return None
    return points(min(rate, ONE) * rules.execution_weight)


def execution_reason_needed(executed, budget, rules):
    rate = execution_rate(executed, budget)
    return (
        rules.execution_reason_below is not None
        and rate is not None
        and rate < rules.execution_reason_below
    )


def declared_nature(text):
    """指标性质 as written (`≧`, `＝`, ` 定性 `) → one of NATURES; "" for blank; None for
    anything else."""
    cleaned = "".join((text or "").split())
    if not cleaned:
        return ""
    cleaned = _NATURE_VARIANTS.get(cleaned, cleaned)
    return cleaned if cleaned in NATURES else None


def nature_of(nature, target):
    """The nature an indicator is scored by: the declared one, else the target's own sign."""
    declared = _NATURE_VARIANTS.get((nature or "").strip(), (nature or "").strip())
    if declared in NATURES:
        return declared
    quantity = parse_quantity(target)
    if quantity is not None and quantity[0] in AT_MOST:
        return LESS
    return MORE


def _measures(target, actual):
    """(T, A) when both read as one number of the same unit, else None."""
    negative = str(actual or "").lstrip().startswith(("-", "－"))
    if negative:
        actual = str(actual).lstrip()[1:]
    wanted, got = parse_quantity(target), parse_quantity(actual)
    if wanted is None or got is None or wanted[2] != got[2]:
        return None
    # A negative actual counts as nothing.
    return wanted[1], ZERO if negative else got[1]


def indicator_score(nature, target, actual, weight, rules):
    """The score the rules give a quantitative indicator; None where they give none (a
    qualitative indicator, no weight, or a target or actual that is not a number)."""
    nature = nature_of(nature, target)
    measures = _measures(target, actual)
    if weight is None or nature == QUALITATIVE or measures is None:
        return None
    goal, value = measures
    if nature == LESS:
        if value <= goal:
            return points(weight)
        if rules.less_is_better == LINEAR:
            if goal == 0:
                return points(ZERO)
            return points(max(ZERO, weight * (ONE - (value - goal) / goal)))
        return points(weight * goal / value)
    if goal == 0:
        if nature == EQUAL:
            return points(weight if value <= 0 else ZERO)
        return points(weight)
    return points(weight * min(value / goal, ONE))


def reason_needed(nature, target, actual, rules):
    """BELOW_TARGET or FAR_ABOVE_TARGET when the rules ask for a 偏差原因, else None."""
    nature = nature_of(nature, target)
    measures = _measures(target, actual)
    if nature == QUALITATIVE or measures is None:
        return None
    goal, value = measures
    if nature == LESS:
        return BELOW_TARGET if value > goal else None
    if value < goal:
        return BELOW_TARGET
    if nature == MORE and goal > 0 and value >= goal * rules.overshoot_ratio:
        return FAR_ABOVE_TARGET
    return None


def band_range(label, weight, rules):
    """(lowest, highest) points a qualitative indicator may get in the band so labelled."""
    for band in rules.qualitative_bands:
        if band.label == label:
            return points(weight * band.low), points(weight * band.high)
    return None


def score_differs(entered, computed, rules):
    """Whether an entered score is further from the computed one than the rules allow."""
    if entered is None or computed is None:
        return False
    return abs(entered - computed) > rules.score_tolerance


def total_weight(indicator_weights, rules):
    """The execution weight and every indicator's: the 分值 of the 总分 row."""
    return rules.execution_weight + sum(
        (weight for weight in indicator_weights if weight is not None), ZERO
    )


def cap(executed, budget, rules):
    """The highest total the execution rate allows, or None."""
    rate = execution_rate(executed, budget)
    if rate is None:
        return None
    for below, highest in sorted(rules.caps):
        if rate < below:
            return highest
    return None


def total_score(budget_points, indicator_points, executed, budget, rules):
    """The budget score plus every indicator's, no higher than the execution rate's cap."""
    parts = [budget_points, *indicator_points]
    present = [part for part in parts if part is not None]
    if not present:
        return None
    total = sum(present, ZERO)
    highest = cap(executed, budget, rules)
    return points(min(total, highest) if highest is not None else total)


def grade(total, rules):
    if total is None:
        return None
    for lowest, name in sorted(rules.grades, reverse=True):
        if total >= lowest:
            return name
    return None
