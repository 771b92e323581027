from decimal import Decimal

import pytest

from evaluations.completion import parse_quantity, suggest


@pytest.mark.parametrize(
    ("target", "actual", "rate"),
    [
        ("30 万元", "15.71 万元", "52.37"),
        ("≥90%", "95%", "100.00"),
        ("≥90%", "≥90%", "100.00"),
        ("≥ 90%", "81%", "90.00"),
        ("0起", "0起", "100.00"),
        ("12 万元", "11.97 万元", "99.75"),
        ("≤5起", "3起", "100.00"),
        ("≤5起", "10起", "50.00"),
        ("不少于4次", "4次", "100.00"),
        ("56人", "56人", "100.00"),
        ("４次", "５次", "125.00"),
    ],
)
def test_it_suggests_a_completion_rate_when_both_are_numbers_in_one_unit(target, actual, rate):
    assert suggest(target, actual) == Decimal(rate)


@pytest.mark.parametrize(
    ("target", "actual"),
    [
        ("30 万元", "300000 元"),  # different units: no guessing at conversions
        ("2023 年全年", "已完成"),
        ("每年组织老干部参观考察活动不少于 2 次", "已完成"),
        ("", "95%"),
        ("0次", "3次"),
        ("1-2次", "2次"),
    ],
)
def test_it_suggests_nothing_when_there_is_no_sound_rate(target, actual):
    assert suggest(target, actual) is None


def test_it_reads_the_comparator_number_and_unit():
    assert parse_quantity("≥ 90%") == ("≥", Decimal("90"), "%")
    assert parse_quantity("34,187 元") == ("", Decimal("34187"), "元")
    assert parse_quantity("已完成") is None
