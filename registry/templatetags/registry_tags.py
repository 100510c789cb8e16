"""Template helpers of the registry pages: quantities in the reader's number format."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def qty(value: Any, places: int = 4) -> str:
    """A quantity with thousands grouped and at most `places` decimals, trailing zeros
    dropped: 1234567.5000 → "1.234.567,5" in Vietnamese."""
    if value is None or value == "":
        return "—"
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    number = number.quantize(Decimal(1).scaleb(-int(places))).normalize()
    exponent = number.as_tuple().exponent
    decimals = max(0, -exponent) if isinstance(exponent, int) else 0
    if number == number.to_integral_value():
        number, decimals = number.quantize(Decimal(1)), 0
    return number_format(number, decimal_pos=decimals, use_l10n=True, force_grouping=True)


@register.filter
def sig(value: Any, digits: int = 4) -> str:
    """A small ratio (toe per tonne) with `digits` significant digits."""
    if value is None:
        return "—"
    number = Decimal(str(value))
    if number == 0:
        return "0"
    shift = digits - number.adjusted() - 1
    return qty(round(number, shift), max(0, shift))


@register.filter
def get(mapping: Any, key: Any) -> Any:
    try:
        return mapping.get(key)
    except AttributeError:
        return None
