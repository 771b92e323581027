"""Amounts in 万元 and completion rates: reading what people type, totals and execution rates.

A number is read as people write it out: digits, a decimal point, a sign, and for amounts
thousands commas. Exponent notation (`12e3`) is refused with a message of its own: nobody
writes an amount so on purpose, and Decimal would quietly take it for 12000.
"""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from evaluations.models import HUNDRED, MONEY

MAX_DECIMALS = MONEY["decimal_places"]
MAX_AMOUNT = Decimal(10) ** (MONEY["max_digits"] - MAX_DECIMALS) - Decimal(1).scaleb(-MAX_DECIMALS)
CENT = Decimal("0.01")
# Full-width digits and punctuation come from Chinese input methods.
_FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－＋％", "0123456789.,-+%")


# A number as typed, once normalised: ASCII digits only (Decimal would also take other scripts'
# digits and underscores). static/js/evaluation-form.js reads the same grammar to mark a field
# at once, so that the page and the server never disagree.
_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
_EXPONENT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+")
RATE_RANGE = (Decimal(0), Decimal(10000))


def amount_messages():
    """What is said of a typed amount that is refused, by reason; the page's script says the
    same without asking the server."""
    return {
        "invalid": _("Enter a number of 万元, such as 12, 11.97 or 1,234.5."),
        "exponent": _(
            "Write the amount out in full, such as 12000: exponent notation like 12e3 "
            "is not accepted."
        ),
        "negative": _("An amount cannot be negative."),
        "too_large": _("That amount is too large: at most %(max)s 万元.")
        % {"max": f"{MAX_AMOUNT:,}"},
        "decimals": _("At most %(places)d decimal places (万元 down to 分).")
        % {"places": MAX_DECIMALS},
    }


def rate_messages():
    """The same for a typed completion rate."""
    return {
        "invalid": _("Enter a percentage such as 100 or 52.37."),
        "exponent": _(
            "Write the percentage out in full, such as 100: exponent notation like 1e2 "
            "is not accepted."
        ),
        "range": _("A completion rate is between 0 and 10000%."),
    }


class NumberError(ValueError):
    """The text is not a number of this kind; the message says why, in the user's language.
    `code` is "exponent" for exponent notation."""

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.code = code


class AmountError(NumberError):
    pass


class RateError(NumberError):
    pass


def normalise_number_text(text):
    return str(text).translate(_FULL_WIDTH).replace(" ", "").replace("\u00a0", "").strip()


def written_out(cleaned, error, messages):
    """`cleaned` as a Decimal if it is a number written out; else raises error(…) with the
    message `messages()` gives for the reason. The messages are asked for only then: a page of
    a hundred rows reads a few hundred numbers, and would translate every message for each."""
    if _EXPONENT.fullmatch(cleaned):
        raise error(messages()["exponent"], "exponent")
    if not _PLAIN.fullmatch(cleaned):
        raise error(messages()["invalid"])
    return Decimal(cleaned)


def parse_amount(text):
    """`12`, `11.97`, `1,234.5` → Decimal; blank → None; anything else raises AmountError.

    A Decimal or int (a number cell of a workbook) is checked the same way."""
    if text is None:
        return None
    if isinstance(text, Decimal | int):
        value = Decimal(text)
    else:
        cleaned = normalise_number_text(text).replace(",", "")
        if not cleaned:
            return None
        value = written_out(cleaned, AmountError, amount_messages)
    if not value.is_finite():
        raise AmountError(amount_messages()["invalid"])
    if value < 0:
        raise AmountError(amount_messages()["negative"], "negative")
    if value > MAX_AMOUNT:
        raise AmountError(amount_messages()["too_large"], "too_large")
    if -value.as_tuple().exponent > MAX_DECIMALS:
        raise AmountError(amount_messages()["decimals"], "decimals")
    return value


def parse_rate(text):
    """A completion rate as typed: `52.37`, `52.37%` or `100%` → Decimal with two decimals;
    blank → None; anything else raises RateError."""
    cleaned = normalise_number_text(text or "").removesuffix("%")
    if not cleaned:
        return None
    number = written_out(cleaned, RateError, rate_messages)
    if not RATE_RANGE[0] <= number <= RATE_RANGE[1]:
        raise RateError(rate_messages()["range"], "range")
    return number.quantize(CENT, rounding=ROUND_HALF_UP)


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
        return cls(evaluation.year_settings.edition.fund_sources.all(), evaluation.fund_lines.all())
