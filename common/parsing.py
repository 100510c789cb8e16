"""The input layer: how every text a person types or a file holds becomes a value.

One reading for every path (report and registry forms, API schemas, Excel cells, data
files), so the same input means the same thing everywhere or is refused everywhere with the
same message. Adapters: `common.forms` (Django form fields) and `common.schemas` (pydantic
types for django-ninja); the Excel import and the loaders call these functions directly.

Numbers follow the Vietnamese convention, in every language: a comma before decimals; a dot
(or a space) only between groups of three digits: 1.234.567,5. So "4.661" is four thousand
six hundred and sixty-one, "4,5" is four and a half, and "12.5", which an English reader
would take for twelve and a half and the convention cannot read, is refused with the
suggestion "12,5" rather than guessed. Numbers already typed by a program (JSON numbers,
numeric Excel cells) are taken as they are. Exponents, "nan", "inf" and letters are not
numbers.

Text written for a program rather than typed by a person (a data file's quoted "0.0001543")
is read with `machine=True`: digits and a dot before decimals, nothing else.

Every parser returns None (or "" for text) for a blank input; whether a blank is allowed is
the caller's rule. Faults raise `ParseError` with a message in the user's language that does
not name the field: the caller says which field or cell it is."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Stated once; shown as the help text of every number field and in import help sheets.
NUMBER_HELP = gettext_lazy(
    "Write numbers with a comma before decimals and a dot between groups of three digits, "
    "e.g. 1.234.567,5.")
DATE_HELP = gettext_lazy("A date: dd/mm/yyyy, e.g. 31/12/2025.")
YES_NO_HELP = gettext_lazy("Yes: có, x, 1, yes; no: không, 0, no.")

# Beyond any figure of the plan; keeps Decimal arithmetic and database columns safe.
NUMBER_LIMIT = Decimal(10) ** 18
MAX_NUMBER_TEXT = 40
MAX_TEXT = 20_000

YES_WORDS = frozenset({"có", "co", "c", "đúng", "dung", "yes", "y", "true", "1", "x"})
NO_WORDS = frozenset({"không", "khong", "k", "sai", "no", "n", "false", "0"})

_SPACES = re.compile(r"[\u00a0\u202f\u2007\u2009 ]")
_NUMBER = re.compile(
    r"(?P<sign>[-+]?)(?P<int>\d+|\d{1,3}(?P<sep>[. ])\d{3}(?:(?P=sep)\d{3})*)(?:,(?P<frac>\d+))?",
    re.ASCII)
# What an English writer would type: 12.5, 1,234.5, 1,234,567 (two or more groups)
_ENGLISH = re.compile(r"[-+]?(?:\d+\.\d+|\d{1,3}(?:,\d{3})+(?:\.\d+)?)", re.ASCII)
_MACHINE = re.compile(r"-?\d+(\.\d+)?", re.ASCII)
_DMY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})", re.ASCII)
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})", re.ASCII)


class ParseError(ValueError):
    """An input that cannot be read; `message` (user's language) does not name the field.
    `code` as a Django ValidationError's: `common.exceptions.STATE` when the input is
    well formed but names what nothing stored matches (an unknown unit code)."""

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code

    def __str__(self) -> str:
        return self.message


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


# ------------------------------------------------------------------------------ text


# Unicode's control characters (category Cc)
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def text_clean(raw: Any, *, max_length: int | None = MAX_TEXT, multiline: bool = False
               ) -> str:
    """Text as it is stored: Unicode NFC, without NUL, control characters or lone
    surrogates (PostgreSQL refuses some, Excel files break on others), trimmed. A newline
    or tab is kept in multi-line text (newlines as "\\n") and becomes a space otherwise.
    A whole number given by a program or an Excel cell (12345, 12345.0) is its digits."""
    if raw is None:
        return ""
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise ParseError(_("must be a text"))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = raw if isinstance(raw, str) else str(raw)
    text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if _CONTROL.search(text):
        kept = "\n\t" if multiline else ""
        text = _CONTROL.sub(lambda m: m[0] if m[0] in kept else (
            " " if m[0] in "\n\t" else ""), text)
    text = text.strip()
    if max_length is not None and len(text) > max_length:
        raise ParseError(_("at most %(max)s characters (this has %(length)s)")
                         % {"max": max_length, "length": len(text)})
    return text


def scrub(value: Any) -> Any:
    """`text_clean` (multi-line, unbounded) through nested lists and mappings: JSON kept as
    sent."""
    if isinstance(value, str):
        return text_clean(value, max_length=None, multiline=True)
    if isinstance(value, dict):
        return {text_clean(str(k), max_length=None): scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub(v) for v in value]
    return value


# ------------------------------------------------------------------------------ numbers


def number_text(number: Decimal | int | float) -> str:
    """A number written the way `number_parse` reads it (and every field shows it):
    1.234.567,5, no trailing zeros."""
    value = number if isinstance(number, Decimal) else Decimal(str(number))
    value = (value.quantize(Decimal(1)) if value == value.to_integral_value()
             else value.normalize())
    sign, digits = ("-", format(-value, "f")) if value < 0 else ("", format(value, "f"))
    whole, _dot, frac = digits.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if frac else "")



def _not_a_number() -> ParseError:
    return ParseError(_("must be a number, written like 1.234.567,5"))


def _read(raw: Any) -> Decimal:
    if isinstance(raw, bool):
        raise _not_a_number()
    if isinstance(raw, int | Decimal):
        number = Decimal(raw)
    elif isinstance(raw, float):
        number = Decimal(str(raw))  # the shortest text of the float, not its binary noise
    elif isinstance(raw, str):
        text = _SPACES.sub(" ", unicodedata.normalize("NFC", raw)).strip().replace("\u2212", "-")
        if len(text) > MAX_NUMBER_TEXT:
            raise _not_a_number()
        match = _NUMBER.fullmatch(text)
        if match is None:
            if _ENGLISH.fullmatch(text):
                english = Decimal(text.replace(",", ""))
                raise ParseError(_("the decimal mark is a comma and a dot only separates "
                                   "groups of three digits: write %(number)s")
                                 % {"number": number_text(english)})
            raise _not_a_number()
        digits = re.sub(r"[. ]", "", match["int"])
        number = Decimal(f"{match['sign']}{digits}.{match['frac'] or 0}")
    else:
        raise _not_a_number()
    if not number.is_finite():
        raise _not_a_number()
    return number


def number_parse(raw: Any, *, whole: bool = False, places: int | None = None,
                 minimum: Decimal | int | None = None, maximum: Decimal | int | None = None,
                 machine: bool = False) -> Decimal | None:
    """A number typed by a person (see the module's rule) or given by a program; None for
    a blank. `whole`: no decimals; `places`: at most so many digits after the comma;
    `minimum`/`maximum`: inclusive bounds. `machine`: text written for a program (a data
    file's quoted "0.0001543", kept exact), read as a program writes it: digits, a dot
    before decimals, no grouping."""
    if is_blank(raw):
        return None
    if machine and isinstance(raw, str):
        if not _MACHINE.fullmatch(raw.strip()):
            raise ParseError(_("must be a number written for a program, like 1234.5"))
        raw = Decimal(raw.strip())
    number = _read(raw)
    if abs(number) >= NUMBER_LIMIT:
        raise ParseError(_("the number is too large"))
    if whole and number != number.to_integral_value():
        raise ParseError(_("must be a whole number, without decimals"))
    if whole:
        number = number.quantize(Decimal(1))
    else:
        exponent = number.normalize().as_tuple().exponent
        if places is not None and isinstance(exponent, int) and -exponent > places:
            raise ParseError(_("at most %(places)s digits after the decimal comma")
                             % {"places": places})
        number = Decimal(format(number.normalize(), "f"))
    if minimum is not None and number < minimum:
        if minimum == 0:
            raise ParseError(_("cannot be negative"))
        raise ParseError(_("must be at least %(min)s") % {"min": number_text(minimum)})
    if maximum is not None and number > maximum:
        raise ParseError(_("must be at most %(max)s") % {"max": number_text(maximum)})
    return number


# ------------------------------------------------------------------------------ yes / no


def bool_parse(raw: Any) -> bool | None:
    """Yes or no: có/không, đúng/sai, x, yes/no, true/false, 1/0 (any case, with or
    without accents), a JSON boolean, an Excel TRUE/FALSE or 1/0 cell; None for a blank."""
    if isinstance(raw, bool):
        return raw
    if is_blank(raw):
        return None
    if isinstance(raw, int | float | Decimal) and raw in (0, 1):
        return bool(raw)
    if isinstance(raw, str):
        word = unicodedata.normalize("NFC", raw).strip().casefold()
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
    raise ParseError(_("answer yes or no (có / không)"))


# ------------------------------------------------------------------------------ dates


def date_parse(raw: Any) -> dt.date | None:
    """A date written dd/mm/yyyy (as officials do) or yyyy-mm-dd (as programs do), or a
    date cell; None for a blank."""
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if is_blank(raw):
        return None
    if isinstance(raw, str):
        text = raw.strip()
        dmy, iso = _DMY.fullmatch(text), _ISO.fullmatch(text)
        try:
            if dmy:
                return dt.date(int(dmy[3]), int(dmy[2]), int(dmy[1]))
            if iso:
                return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
        except ValueError:
            raise ParseError(_("%(text)s is not a day of the calendar") % {"text": text}
                             ) from None
    raise ParseError(_("must be a date written dd/mm/yyyy"))

