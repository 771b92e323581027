from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def amount(value):
    """万元 with thousands separators and at least two decimals, never losing precision."""
    if value is None or value == "":
        return ""
    value = Decimal(value)
    places = max(2, -value.normalize().as_tuple().exponent)
    return f"{value:,.{places}f}"


@register.filter
def percent(value):
    if value is None or value == "":
        return ""
    return f"{Decimal(value):,.2f}%"
