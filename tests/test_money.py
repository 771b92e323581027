from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from evaluations.forms import PercentField
from evaluations.money import AmountError, Funds, RateError, parse_amount, parse_rate, rate, total


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("12", Decimal("12")),
        ("11.97", Decimal("11.97")),
        ("1,234.5", Decimal("1234.5")),
        ("１２．５", Decimal("12.5")),
        (" 0 ", Decimal("0")),
        ("0.000001", Decimal("0.000001")),
        ("", None),
        (None, None),
    ],
)
def test_it_reads_amounts_as_people_type_them(typed, value):
    assert parse_amount(typed) == value


@pytest.mark.parametrize(
    ("typed", "says", "in_english"),
    [
        ("twelve", "例如 12", "such as 12"),
        ("12万", "例如 12", "such as 12"),
        ("NaN", "例如 12", "such as 12"),
        ("Infinity", "例如 12", "such as 12"),
        ("-3", "不能为负数", "negative"),
        ("1.0000001", "6 位小数", "decimal places"),
        ("100000000", "金额过大", "too large"),
        ("1e400", "科学计数法", "exponent notation"),
        ("12e3", "科学计数法", "exponent notation"),
        ("1.5E-3", "科学计数法", "exponent notation"),
        ("１２ｅ３", "例如 12", "such as 12"),
        ("1_000", "例如 12", "such as 12"),
        ("١٢٣", "例如 12", "such as 12"),
    ],
)
def test_it_refuses_amounts_and_says_why_in_the_users_language(typed, says, in_english):
    with pytest.raises(AmountError, match=says):
        parse_amount(typed)
    with translation.override("en"), pytest.raises(AmountError, match=in_english):
        parse_amount(typed)


def test_a_number_too_large_for_an_amount_says_so_whatever_its_size():
    # What a numeric Excel cell of 1e308 becomes.
    with pytest.raises(AmountError, match="金额过大"):
        parse_amount(Decimal("1E+308"))


@pytest.mark.parametrize(
    ("typed", "value"),
    [("100", Decimal("100")), ("52.37%", Decimal("52.37")), ("５２．３７％", Decimal("52.37"))]
    + [("99.995", Decimal("100.00")), ("", None)],
)
def test_it_reads_completion_rates_as_people_type_them(typed, value):
    assert parse_rate(typed) == value


@pytest.mark.parametrize(
    ("typed", "in_english"),
    [
        ("1e2", "exponent notation"),
        ("1E2%", "exponent notation"),
        ("百分之百", "such as 100"),
        ("NaN", "such as 100"),
        ("10001", "between 0 and 10000"),
        ("1" + "0" * 400, "between 0 and 10000"),
    ],
)
def test_it_refuses_completion_rates_and_says_why(typed, in_english):
    with translation.override("en"), pytest.raises(RateError, match=in_english):
        parse_rate(typed)


def test_execution_rate_is_rounded_half_up_to_two_decimals():
    assert rate(Decimal("15.71"), Decimal("30")) == Decimal("52.37")
    assert rate(Decimal("11.97"), Decimal("12")) == Decimal("99.75")
    assert rate(Decimal("0"), Decimal("40")) == Decimal("0.00")


def test_execution_rate_is_blank_without_a_budget():
    assert rate(Decimal("1"), None) is None
    assert rate(Decimal("1"), Decimal("0")) is None
    assert rate(None, Decimal("1")) is None


def test_a_total_of_blank_sources_is_blank_not_zero():
    assert total([None, None]) is None
    assert total([None, Decimal("2.5"), Decimal("0")]) == Decimal("2.5")


def test_the_funds_block_of_a_seed_form(make_form):
    funds = Funds.of(make_form("到村任职选调生补助资金"))
    assert (funds.budget, funds.actual, funds.rate) == (
        Decimal("33.08"),
        Decimal("7.22"),
        Decimal("21.83"),
    )
    upper, own, other = funds.rows
    assert upper["source"].name == "上级财政资金"
    assert upper["rate"] == Decimal("21.83")
    assert own["budget"] is None
    assert own["rate"] is None


@pytest.mark.parametrize(
    ("typed", "value"),
    [("52.37", Decimal("52.37")), ("100%", Decimal(100)), ("１００％", Decimal(100)), ("", None)],
)
def test_a_completion_rate_is_read_as_people_type_it(typed, value):
    assert PercentField().clean(typed) == value


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("百分之百", "请输入百分比"),
        ("NaN", "请输入百分比"),
        ("Infinity", "请输入百分比"),
        ("1_0", "请输入百分比"),
        ("١٠٠", "请输入百分比"),
        ("10001", "0 到 10000%"),
        ("-1", "0 到 10000%"),
    ],
)
def test_a_completion_rate_is_refused_by_the_grammar_amounts_are_read_by(typed, says):
    with pytest.raises(ValidationError, match=says):
        PercentField().clean(typed)
