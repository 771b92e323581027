"""Suggesting a 完成率 from the target and the actual value, as the department wrote them.

A suggestion is made only when both read as one number with the same unit:
`30 万元` → `15.71 万元` gives 52.37; `≥90%` → `95%` gives 100; `0起` → `0起` gives 100.
static/js/evaluation-form.js applies the same rules in the page; the tests pin both. The page
offers a suggestion only while the rate entered differs from it.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from evaluations.models import HUNDRED
from evaluations.money import CENT, normalise_number_text

AT_LEAST = {"≥", ">=", ">", "＞", "不低于", "不少于", "大于等于"}
AT_MOST = {"≤", "<=", "<", "＜", "不高于", "不超过", "小于等于"}
_QUANTITY = re.compile(
    r"^(?P<op>≥|>=|>|＞|≤|<=|<|＜|=|＝|不低于|不少于|大于等于|不高于|不超过|小于等于)?"
    r"(?P<number>\d+(?:\.\d+)?)"
    r"(?P<unit>[^\d]*)$"
)


def parse_quantity(text):
    """`≥ 90%` → ("≥", Decimal("90"), "%"); None when the text is not one number and a unit."""
    if not text:
        return None
    cleaned = normalise_number_text(text).replace(",", "").replace("＝", "=")
    match = _QUANTITY.match(cleaned)
    if not match:
        return None
    try:
        number = Decimal(match["number"])
    except InvalidOperation:
        return None
    return match["op"] or "", number, match["unit"]


def suggest(target, actual):
    """The completion rate in percent with two decimals, or None when there is no sound one."""
    wanted, got = parse_quantity(target), parse_quantity(actual)
    if wanted is None or got is None:
        return None
    op, goal, unit = wanted
    _, value, actual_unit = got
    if unit != actual_unit:
        return None
    if op in AT_MOST:
        if value <= goal:
            return HUNDRED.quantize(CENT)
        return (goal * HUNDRED / value).quantize(CENT, rounding=ROUND_HALF_UP)
    if goal == 0:
        return HUNDRED.quantize(CENT) if value == 0 or op in AT_LEAST else None
    ratio = value * HUNDRED / goal
    if op in AT_LEAST:
        ratio = min(ratio, HUNDRED)
    return ratio.quantize(CENT, rounding=ROUND_HALF_UP)


def offered(target, actual, entered):
    """The suggestion the edit page shows beside a row: none when the rate entered already is
    it, however it was typed (`52.37`, `52.370`, `52.37%`)."""
    rate = suggest(target, actual)
    if rate is None or _entered_rate(entered) == rate:
        return None
    return rate


def _entered_rate(value):
    if isinstance(value, Decimal):
        return value
    text = normalise_number_text(value or "").removesuffix("%")
    try:
        return Decimal(text)
    except InvalidOperation:
        return None
