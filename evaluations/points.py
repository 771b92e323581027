"""Weights (分值, 权重) and scores (得分) as people type them: `10`, `9.5`, `9.80`.

The same grammar as amounts (evaluations/money.py): digits, a decimal point, full-width forms
made half-width, exponent notation refused with a message of its own. A weight or score is
between 0 and POINTS_MAX with at most two decimals, as the database keeps it.
"""

from django.utils.translation import gettext as _

from evaluations.models import POINTS_MAX
from evaluations.money import NumberError, normalise_number_text, written_out

DECIMALS = 2


class PointsError(NumberError):
    pass


def points_messages():
    """What is said of typed points that are refused, by reason; the page's script says the
    same without asking the server."""
    return {
        "invalid": _("Enter a number of points, such as 10 or 9.5."),
        "exponent": _(
            "Write the points out in full, such as 10: exponent notation like 1e1 is not accepted."
        ),
        "range": _("Points are between 0 and %(max)s.") % {"max": f"{POINTS_MAX:f}"},
        "decimals": _("At most %(places)d decimal places for points.") % {"places": DECIMALS},
    }


def parse_points(text):
    """`10`, `9.5`, `９．８` → Decimal; blank → None; anything else raises PointsError."""
    cleaned = normalise_number_text(text or "")
    if not cleaned:
        return None
    value = written_out(cleaned, PointsError, points_messages)
    if not 0 <= value <= POINTS_MAX:
        raise PointsError(points_messages()["range"], "range")
    if -value.normalize().as_tuple().exponent > DECIMALS:
        raise PointsError(points_messages()["decimals"], "decimals")
    return value
