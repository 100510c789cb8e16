"""Type and range rules of one answer, and how typed numbers are read."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from common.parsing import ParseError
from plans.models import DataElement
from reporting.validation import Question, far_from_previous, value_clean


def q(value_type: str, **kw) -> Question:
    defaults = {"code": "x", "name": "Số cuộc kiểm tra", "name_en": "Inspections",
                "help_text": "", "value_type": value_type, "unit": "", "min_value": None,
                "max_value": None, "required": False}
    defaults.update(kw)
    return Question(DataElement(**defaults))


def test_the_report_form_reads_numbers_as_common_parsing_does():
    with translation.override("vi"):
        assert value_clean(q("decimal"), "1.500,25") == ("1500.25", Decimal("1500.25"))
        assert value_clean(q("decimal"), "4.661") == ("4661", Decimal(4661))
        with pytest.raises(ParseError) as caught:
            value_clean(q("decimal"), "12.5")
        assert caught.value.message == ("«Số cuộc kiểm tra»: dấu thập phân là dấu phẩy, dấu "
                                        "chấm chỉ tách các nhóm ba chữ số: hãy viết 12,5")
        for letters in ["abc", "1e5", "NaN", "Infinity"]:
            with pytest.raises(ParseError) as caught:
                value_clean(q("decimal"), letters)
            assert caught.value.message == "«Số cuộc kiểm tra»: phải là số, viết như 1.234.567,5"


def test_counts_are_non_negative_whole_numbers_and_the_message_names_the_field():
    with translation.override("vi"):
        for bad in ["-1", "2,5", "abc", 2.5, True, [1], {"a": 1}]:
            with pytest.raises(ParseError) as caught:
                value_clean(q("integer"), bad)
            assert "«Số cuộc kiểm tra»" in caught.value.message
        assert value_clean(q("integer"), "1.200") == ("1200", Decimal(1200))
        assert value_clean(q("integer"), 7) == ("7", Decimal(7))
        assert value_clean(q("integer"), 7.0) == ("7", Decimal(7))


def test_money_is_a_whole_number_of_dong():
    assert value_clean(q("money"), "1.500.000.000")[0] == "1500000000"
    with pytest.raises(ParseError):
        value_clean(q("money"), "1500,5")
    with pytest.raises(ParseError):
        value_clean(q("money"), -5)


def test_percent_is_between_0_and_100():
    percent = q("percent", min_value=Decimal(0), max_value=Decimal(100))
    assert value_clean(percent, "72,5") == ("72.5", Decimal("72.5"))
    for bad in ["100,1", "-0,5", 150]:
        with pytest.raises(ParseError):
            value_clean(percent, bad)


def test_bounds_of_the_plan_apply():
    bounded = q("decimal", min_value=Decimal("1"), max_value=Decimal("10"))
    with translation.override("vi"), pytest.raises(ParseError) as caught:
        value_clean(bounded, "0,5")
    assert "1" in caught.value.message


def test_too_large_or_too_precise_numbers_are_refused_not_crashing():
    with pytest.raises(ParseError):
        value_clean(q("decimal"), "1" + "0" * 25)
    with pytest.raises(ParseError):
        value_clean(q("decimal"), "1,123456")
    with pytest.raises(ParseError):
        value_clean(q("decimal"), float("inf"))


def test_booleans_choices_and_text():
    assert value_clean(q("boolean"), "có") == ("true", Decimal(1))
    assert value_clean(q("boolean"), False) == ("false", Decimal(0))
    with pytest.raises(ParseError):
        value_clean(q("boolean"), "perhaps")
    choice = q("choice", choices=[{"code": "a", "name": "A"}])
    assert value_clean(choice, "a") == ("a", None)
    with pytest.raises(ParseError):
        value_clean(choice, "b")
    assert value_clean(q("text"), "  Đã làm  ") == ("Đã làm", None)
    with pytest.raises(ParseError):
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


def test_a_warning_shows_numbers_as_the_fields_do():
    """Issue 8: a warning said 10.567,4000 where the field shows 10.567,4."""
    from types import SimpleNamespace

    from reporting.validation import value_issues

    question = q("decimal")
    value = SimpleNamespace(value="40702.2", numeric=Decimal("40702.2000"), comment="")
    with translation.override("vi"):
        [issue] = value_issues(question, value, Decimal("10567.4000"), None, None)
    assert "10.567,4" in issue.message and "40.702,2" in issue.message
    assert "10.567,4000" not in issue.message
