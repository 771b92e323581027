"""Amounts in 万元: reading what people type, totals and execution rates."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from evaluations.models import HUNDRED, MONEY

MAX_DECIMALS = MONEY["decimal_places"]
MAX_AMOUNT = Decimal(10) ** (MONEY["max_digits"] - MAX_DECIMALS) - Decimal(1).scaleb(-MAX_DECIMALS)
CENT = Decimal("0.01")
# Full-width digits and punctuation come from Chinese input methods.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")
# A number as typed, once normalised: what Decimal reads, less NaN, infinities, digit-group
# underscores and other scripts' digits. static/js/evaluation-form.js reads the same grammar to
# mark a field at once, so that the page and the server never disagree.
NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def read_number(text):
    """The Decimal `text` spells by NUMBER (normalised already), or None if it is not one."""
    return Decimal(text) if NUMBER.fullmatch(text) else None


def amount_messages():
    """What is said of a typed amount that is refused, by reason; the page's script says the
    same without asking the server."""
    return {
        "invalid": _("Enter a number of 万元, such as 12, 11.97 or 1,234.5."),
        "negative": _("An amount cannot be negative."),
        "too_large": _("That amount is too large: at most %(max)s 万元.")
        % {"max": f"{MAX_AMOUNT:,}"},
        "decimals": _("At most %(places)d decimal places (万元 down to 分).")
        % {"places": MAX_DECIMALS},
    }


class AmountError(ValueError):
    pass


def normalise_number_text(text):
    return str(text).translate(_FULL_WIDTH).replace(" ", "").replace("\u00a0", "").strip()


def parse_amount(text):
    """`12`, `11.97`, `1,234.5` → Decimal; blank → None; anything else raises AmountError."""
    if text is None:
        return None
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        cleaned = normalise_number_text(text).replace(",", "")
        if not cleaned:
            return None
        value = read_number(cleaned)
    if value is None or not value.is_finite():
        raise AmountError(amount_messages()["invalid"])
    if value < 0:
        raise AmountError(amount_messages()["negative"])
    if value > MAX_AMOUNT:
        raise AmountError(amount_messages()["too_large"])
    if -value.as_tuple().exponent > MAX_DECIMALS:
        raise AmountError(amount_messages()["decimals"])
    return value


def total(values):
    """Sum of the amounts given; None when every one is blank."""
    present = [value for value in values if value is not None]
    return sum(present, Decimal(0)) if present else None


def rate(part, whole):
    """part ÷ whole as a percentage with two decimals; None where whole is blank or 0."""
    if part is None or not whole:
        return None
    return (part * HUNDRED / whole).quantize(CENT, rounding=ROUND_HALF_UP)


class Funds:
    """The funds block of a form: one line per source of its edition, with totals and rates."""

    def __init__(self, sources, lines):
        by_source = {line.source_id: line for line in lines}
        self.rows = []
        for source in sources:
            line = by_source.get(source.pk)
            budget = line.budget if line else None
            actual = line.actual if line else None
            self.rows.append(
                {
                    "source": source,
                    "budget": budget,
                    "actual": actual,
                    "rate": rate(actual, budget),
                }
            )
        self.budget = total(row["budget"] for row in self.rows)
        self.actual = total(row["actual"] for row in self.rows)
        self.rate = rate(self.actual, self.budget)

    @classmethod
    def of(cls, evaluation):
        return cls(evaluation.year.edition.fund_sources.all(), evaluation.fund_lines.all())
