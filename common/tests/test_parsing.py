"""The input layer: one reading of numbers, yes/no, dates and text, and adapters (form
field, pydantic type) that read exactly as the functions do."""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from ninja import Schema
from pydantic import ValidationError as PydanticError

from common.forms import DayField, NumberField, TextField
from common.parsing import (
    NO_WORDS,
    YES_WORDS,
    ParseError,
    bool_parse,
    date_parse,
    number_parse,
    number_text,
    text_clean,
)
from common.schemas import Day, Number, YesNo

decimals = st.decimals(min_value=Decimal("-1e15"), max_value=Decimal("1e15"), places=4,
                       allow_nan=False, allow_infinity=False)


@pytest.fixture(autouse=True)
def _vietnamese():
    with translation.override("vi"):
        yield


def refusal(raw, **options) -> str:
    with pytest.raises(ParseError) as caught:
        number_parse(raw, **options)
    return caught.value.message


# ------------------------------------------------------------------ numbers


@pytest.mark.parametrize(("raw", "expected"), [
    ("12,5", "12.5"), ("4.661", "4661"), ("1.234.567,5", "1234567.5"),
    ("1 234 567", "1234567"), ("1\u00a0234,25", "1234.25"), ("1\u202f234", "1234"),
    ("-3", "-3"), ("\u22123,25", "-3.25"), ("+7", "7"), ("0,5", "0.5"), ("  42 ", "42"),
    ("1,234", "1.234"), (12, "12"), (12.5, "12.5"), (0.1, "0.1"), (Decimal("2.50"), "2.5"),
])
def test_numbers_read_one_way(raw, expected):
    assert number_parse(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_blank_is_none(raw):
    assert number_parse(raw) is None


@pytest.mark.parametrize(("raw", "suggestion"), [
    ("12.5", "12,5"), ("0.25", "0,25"), ("12.50", "12,5"), ("1,234.5", "1.234,5"),
    ("1,234,567", "1.234.567"), ("1.2345", "1,2345"),
])
def test_a_decimal_dot_is_refused_with_the_comma_form(raw, suggestion):
    message = refusal(raw)
    assert message.endswith(f"hãy viết {suggestion}")
    assert "dấu thập phân là dấu phẩy" in message


@pytest.mark.parametrize("raw", [
    "1e3", "1E3", "nan", "NaN", "inf", "-Infinity", "abc", "12a", "1.23.4", "12 5", "1..2",
    ",5", "1,2,3", "0x10", "١٢", "1" * 41, float("nan"), float("inf"), True, [1], {"a": 1},
])
def test_not_numbers_say_phai_la_so(raw):
    assert refusal(raw) == "phải là số, viết như 1.234.567,5"


def test_bounds_and_places():
    assert refusal("12,5", whole=True) == "phải là số nguyên, không có phần thập phân"
    assert refusal("-1", minimum=0) == "không được âm"
    assert refusal("1.500", maximum=100) == "không được lớn hơn 100"
    assert refusal("1,5", minimum=2) == "phải từ 2 trở lên"
    assert refusal("1,23456", places=4) == "tối đa 4 chữ số sau dấu phẩy thập phân"
    assert refusal(10 ** 18) == "số quá lớn"
    assert refusal(1e300) == "số quá lớn"
    assert number_parse("1.000", whole=True) == 1000
    assert number_parse("1,23450", places=4) == Decimal("1.2345")


def test_number_text_shows_numbers_as_fields_read_them():
    assert number_text(Decimal("10567.4000")) == "10.567,4"
    assert number_text(Decimal("-1234567")) == "-1.234.567"
    assert number_text(Decimal("1E+3")) == "1.000"
    assert number_text(Decimal("0.0001")) == "0,0001"
    assert number_text(7) == "7"


@given(decimals)
def test_a_number_shown_reads_back_as_itself(number):
    assert number_parse(number_text(number)) == number


@given(decimals, st.sampled_from([".", " ", "\u00a0", "\u202f"]))
def test_every_group_separator_reads_the_same(number, separator):
    text = number_text(number)
    assert number_parse(text.replace(".", separator)) == number


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
def test_typed_floats_are_taken_as_their_shortest_text(value):
    assert number_parse(value) == Decimal(str(value))


@given(st.text(max_size=12))
def test_any_text_is_a_number_or_a_clear_refusal(text):
    try:
        number = number_parse(text)
    except ParseError as exc:
        assert exc.message.startswith("phải là số") or "hãy viết" in exc.message \
            or exc.message == "số quá lớn"
    else:
        assert number is None or number.is_finite()


@given(st.from_regex(r"[0-9]{1,6}\.[0-9]{1,2}|[0-9]{1,3}\.[0-9]{4,6}", fullmatch=True))
def test_a_dot_not_before_three_digits_is_never_silently_read(text):
    with pytest.raises(ParseError, match="hãy viết"):
        number_parse(text)


# ------------------------------------------------------------------ yes / no


@pytest.mark.parametrize("word", [*sorted(YES_WORDS), "CÓ", " Có ", "Đúng", "TRUE", True, 1])
def test_yes(word):
    assert bool_parse(word) is True


@pytest.mark.parametrize("word", [*sorted(NO_WORDS), "KHÔNG", "Sai", False, 0, 0.0])
def test_no(word):
    assert bool_parse(word) is False


@pytest.mark.parametrize("word", ["on", "off", "maybe", "2", 2, "có không", [True]])
def test_neither_yes_nor_no(word):
    with pytest.raises(ParseError, match="hãy trả lời có hoặc không"):
        bool_parse(word)


def test_blank_yes_no_is_none():
    assert bool_parse("") is None and bool_parse(None) is None


def test_decomposed_accents_are_the_same_word():
    assert bool_parse(unicodedata.normalize("NFD", "không")) is False


# ------------------------------------------------------------------ dates


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_dmy_iso_and_cells(day):
    assert date_parse(day.strftime("%d/%m/%Y")) == day
    assert date_parse(f"{day.day}/{day.month}/{day.year}") == day
    assert date_parse(day.isoformat()) == day
    assert date_parse(day) == day
    assert date_parse(dt.datetime.combine(day, dt.time(13, 5))) == day


@pytest.mark.parametrize(("raw", "message"), [
    ("31/02/2025", "31/02/2025 không phải là một ngày có thật"),
    ("12/31/2025", "12/31/2025 không phải là một ngày có thật"),
    ("1/1/25", "phải là ngày viết theo dạng dd/mm/yyyy"),
    ("2025/01/01", "phải là ngày viết theo dạng dd/mm/yyyy"),
    ("hôm nay", "phải là ngày viết theo dạng dd/mm/yyyy"),
    (45000, "phải là ngày viết theo dạng dd/mm/yyyy"),
])
def test_not_dates(raw, message):
    with pytest.raises(ParseError) as caught:
        date_parse(raw)
    assert caught.value.message == message


# ------------------------------------------------------------------ text


def test_text_clean():
    assert text_clean("  a\x00b\x07c\td\ne  ") == "abc d e"
    assert text_clean("a\r\nb\rc\td\x1b", multiline=True) == "a\nb\nc\td"
    assert text_clean(unicodedata.normalize("NFD", "Hạ Long")) == "Hạ Long"
    assert text_clean("x\ud800y") == "x?y"
    assert text_clean(12345.0) == "12345" and text_clean(None) == ""
    with pytest.raises(ParseError, match="tối đa 3 ký tự"):
        text_clean("abcd", max_length=3)
    with pytest.raises(ParseError, match="phải là văn bản"):
        text_clean({"a": 1})


@given(st.text(), st.booleans())
def test_clean_text_is_storable_and_stable(text, multiline):
    clean = text_clean(text, max_length=None, multiline=multiline)
    kept = {"\n", "\t"} if multiline else set()
    assert all(unicodedata.category(ch) not in {"Cc", "Cs"} or ch in kept for ch in clean)
    assert unicodedata.is_normalized("NFC", clean)
    assert clean == clean.strip()
    assert text_clean(clean, max_length=None, multiline=multiline) == clean


# ------------------------------------------------------------------ adapters


class _Form(forms.Form):
    number = NumberField(required=False)
    day = DayField(required=False)
    text = TextField(required=False, max_length=50)


class _Schema(Schema):
    number: Number = None
    day: Day = None
    flag: YesNo = None


def _form_reading(name, raw):
    form = _Form(data={name: raw})
    if form.is_valid():
        return ("value", form.cleaned_data[name])
    return ("error", form.errors[name][0])


def _schema_reading(name, raw):
    try:
        return ("value", getattr(_Schema(**{name: raw}), name))
    except PydanticError as exc:
        return ("error", exc.errors()[0]["msg"])


def _function_reading(parse, raw):
    try:
        return ("value", parse(raw))
    except ParseError as exc:
        return ("error", exc.message[0].upper() + exc.message[1:])


number_inputs = st.one_of(
    st.text(alphabet="0123456789.,- \u00a0eE+naif", max_size=14),
    decimals.map(number_text), st.from_regex(r"[0-9]{1,4}\.[0-9]{1,2}", fullmatch=True))


@given(number_inputs)
def test_form_and_api_read_numbers_as_the_function_does(raw):
    expected = _function_reading(number_parse, raw)
    assert _form_reading("number", raw) == expected
    assert _schema_reading("number", raw) == expected


@given(st.one_of(st.dates().map(lambda d: d.strftime("%d/%m/%Y")), st.text(max_size=12)))
def test_form_and_api_read_dates_as_the_function_does(raw):
    expected = _function_reading(date_parse, raw)
    assert _form_reading("day", raw) == expected
    assert _schema_reading("day", raw) == expected


@given(st.one_of(st.sampled_from(sorted(YES_WORDS | NO_WORDS)), st.text(max_size=5)))
def test_api_reads_yes_no_as_the_function_does(raw):
    assert _schema_reading("flag", raw) == _function_reading(bool_parse, raw)


def test_the_number_field_shows_what_it_reads():
    form = _Form(initial={"number": Decimal("10567.4000")})
    assert 'value="10.567,4"' in str(form["number"])
    assert "1.234.567,5" in str(_Form.base_fields["number"].help_text)


def test_the_text_field_cleans():
    form = _Form(data={"text": " a\x00b "})
    assert form.is_valid() and form.cleaned_data["text"] == "ab"
