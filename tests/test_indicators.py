"""How messages name the indicator rows."""

from django.utils import translation

from evaluations.indicators import NAME_LENGTH, row_labels


def labels(names):
    with translation.override("en"):
        found = row_labels(
            names, name_of=lambda name: name, section_of=lambda name: 1, place_of=lambda name: "P"
        )
    return [found[name] for name in names]


def test_a_long_name_is_cut_and_a_short_one_kept_as_written():
    long = "党员教育培训" * 10
    assert labels([long, "e\u0301tude", "  两个  空格  ", ""]) == [
        f"“{long[: NAME_LENGTH - 1]}…” under P",
        "“\u00e9tude” under P",
        "“两个 空格” under P",
        "Row 4 under P",
    ]
