"""Pure checks on registry input: the Vietnamese tax code (mã số thuế) and the normalised
enterprise name used to find duplicates."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from common.text import fold

TAX_CODE_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_TAX_CODE_RE = re.compile(r"^(\d{10})(-\d{3})?$")
# The API schema's name for a valid tax code (its check digit right), and the pattern it
# states (digits and branch number; the check digit no pattern can state)
TAX_CODE_FORMAT = "tax-code"
TAX_CODE_PATTERN = r"^[0-9]{10}(-(00[1-9]|0[1-9][0-9]|[1-9][0-9]{2}))?$"


def tax_code_check_digit(first_nine: str) -> int | None:
    """The check digit (10th digit) for the first nine digits, or None when no digit can
    make a valid code (10 - sum mod 11 would be 10)."""
    total = sum(int(d) * w for d, w in zip(first_nine, TAX_CODE_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def tax_code_normalise(value: str) -> str:
    """Spaces and dots dropped: "5700 100 256-001" → "5700100256-001"."""
    return re.sub(r"[\s.]", "", value or "")


def tax_code_problem(value: str) -> str | None:
    """Why `value` is not a valid tax code (10 digits with a check digit, optionally "-"
    and a 3-digit branch number), or None if it is valid."""
    code = tax_code_normalise(value)
    match = _TAX_CODE_RE.match(code)
    if not match:
        return _("A tax code is 10 digits, optionally followed by \"-\" and a 3-digit "
                 "branch number (e.g. 5700100256 or 5700100256-001).")
    digits = match.group(1)
    expected = tax_code_check_digit(digits[:9])
    if expected is None or int(digits[9]) != expected:
        return _("The tax code %(code)s fails its check digit: please check it.") % {
            "code": code}
    if match.group(2) == "-000":
        return _("The branch number of a tax code runs from 001 to 999.")
    return None


_LEGAL_FORMS = [
    ("cong ty co phan", "ctcp"),
    ("cong ty trach nhiem huu han", "tnhh"),
    ("cong ty tnhh", "tnhh"),
    ("cty cp", "ctcp"),
    ("cty tnhh", "tnhh"),
    ("cong ty", "cty"),
]


def name_normalise(name: str) -> str:
    """A key two spellings of one enterprise's name share: case, accents, punctuation,
    spacing and the spelling of the legal form ("Công ty cổ phần" = "CTCP") ignored."""
    text = fold(name)
    text = re.sub(r"[^\w]+", " ", text).strip()
    text = re.sub(r"\s+", " ", text)
    for long, short in _LEGAL_FORMS:
        text = re.sub(rf"\b{long}\b", short, text)
    return text
