"""Type and range rules of one answer, and how typed numbers are read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from reporting.validation import FieldError, Question, far_from_previous, number_parse, value_clean


def q(value_type: str, **kw) -> Question:
    defaults = {"code": "x", "name": "Số cuộc kiểm tra", "name_en": "Inspections",
                "help_text": "", "value_type": value_type, "unit": "", "min_value": None,
                "max_value": None, "required": False}
    defaults.update(kw)
    return Question(**defaults)


@pytest.mark.parametrize(("raw", "style", "expected"), [
    ("1.500.000", "vi", "1500000"), ("12,5", "vi", "12.5"), ("1.500,25", "vi", "1500.25"),
    ("1,500,000", "en", "1500000"), ("12.5", "en", "12.5"), ("1,500.25", "en", "1500.25"),
    ("12.5", "vi", "12.5"), (" 7 ", "vi", "7"), ("1 500", "vi", "1500"), ("-3", "vi", "-3"),
    ("12.5", "machine", "12.5"),
])
def test_numbers_as_people_type_them(raw, style, expected):
    assert number_parse(raw, style=style) == Decimal(expected)


@pytest.mark.parametrize("raw", ["abc", "1e5", "NaN", "Infinity", "1,2,3.4.5", "--1", "0x10", "",
                                 "12,5", "١٢"])
def test_things_that_are_not_numbers(raw):
    with pytest.raises(ValueError):
        number_parse(raw, style="machine")


def test_counts_are_non_negative_whole_numbers_and_the_message_names_the_field():
    with translation.override("vi"):
        for bad in ["-1", "2,5", "abc", 2.5, True, [1], {"a": 1}]:
            with pytest.raises(FieldError) as caught:
                value_clean(q("integer"), bad, style="vi")
            assert "«Số cuộc kiểm tra»" in caught.value.message
        assert value_clean(q("integer"), "1.200", style="vi") == ("1200", Decimal(1200))
        assert value_clean(q("integer"), 7) == ("7", Decimal(7))
        assert value_clean(q("integer"), 7.0) == ("7", Decimal(7))


def test_money_is_a_whole_number_of_dong():
    assert value_clean(q("money"), "1.500.000.000", style="vi")[0] == "1500000000"
    with pytest.raises(FieldError):
        value_clean(q("money"), "1500,5", style="vi")
    with pytest.raises(FieldError):
        value_clean(q("money"), -5)


def test_percent_is_between_0_and_100():
    percent = q("percent", min_value=Decimal(0), max_value=Decimal(100))
    assert value_clean(percent, "72,5", style="vi") == ("72.5", Decimal("72.5"))
    for bad in ["100,1", "-0,5", 150]:
        with pytest.raises(FieldError):
            value_clean(percent, bad, style="vi")


def test_bounds_of_the_plan_apply():
    bounded = q("decimal", min_value=Decimal("1"), max_value=Decimal("10"))
    with translation.override("vi"), pytest.raises(FieldError) as caught:
        value_clean(bounded, "0,5", style="vi")
    assert "1" in caught.value.message


def test_too_large_or_too_precise_numbers_are_refused_not_crashing():
    with pytest.raises(FieldError):
        value_clean(q("decimal"), "1" + "0" * 25)
    with pytest.raises(FieldError):
        value_clean(q("decimal"), "1.123456")
    with pytest.raises(FieldError):
        value_clean(q("decimal"), float("inf"))


def test_booleans_choices_and_text():
    assert value_clean(q("boolean"), "có", style="vi") == ("true", Decimal(1))
    assert value_clean(q("boolean"), False) == ("false", Decimal(0))
    with pytest.raises(FieldError):
        value_clean(q("boolean"), "perhaps")
    choice = q("choice", choices=[{"code": "a", "name": "A"}])
    assert value_clean(choice, "a") == ("a", None)
    with pytest.raises(FieldError):
        value_clean(choice, "b")
    assert value_clean(q("text"), "  Đã làm  ") == ("Đã làm", None)
    with pytest.raises(FieldError):
        value_clean(q("text"), "x" * 20_001)


def test_empty_clears():
    assert value_clean(q("integer"), "  ") == ("", None)
    assert value_clean(q("integer"), None) == ("", None)


def test_far_from_previous_means_more_than_3x_or_less_than_a_third():
    assert far_from_previous(Decimal(31), Decimal(10))
    assert not far_from_previous(Decimal(30), Decimal(10))
    assert far_from_previous(Decimal(3), Decimal(10))
    assert not far_from_previous(Decimal(4), Decimal(10))
    assert not far_from_previous(Decimal(5), Decimal(0))
