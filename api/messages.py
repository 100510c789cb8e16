"""Pydantic's validation messages ("Input should be a valid date…") in the user's
language: one message per error type, with the error's context filled in."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

_MESSAGES: dict[str, Any] = {
    "missing": _("This field is required."),
    "date_parsing": _("Not a date: write it as yyyy-mm-dd."),
    "date_from_datetime_parsing": _("Not a date: write it as yyyy-mm-dd."),
    "date_from_datetime_inexact": _("Not a date: write it as yyyy-mm-dd."),
    "date_type": _("Not a date: write it as yyyy-mm-dd."),
    "datetime_parsing": _("Not a date and time: write it as yyyy-mm-ddThh:mm."),
    "datetime_from_date_parsing": _("Not a date and time: write it as yyyy-mm-ddThh:mm."),
    "datetime_type": _("Not a date and time: write it as yyyy-mm-ddThh:mm."),
    "int_parsing": _("Must be a whole number."),
    "int_from_float": _("Must be a whole number."),
    "int_type": _("Must be a whole number."),
    "float_parsing": _("Must be a number."),
    "float_type": _("Must be a number."),
    "decimal_parsing": _("Must be a number."),
    "decimal_type": _("Must be a number."),
    "decimal_max_digits": _("The number has too many digits (at most %(max_digits)s)."),
    "decimal_max_places": _("Too many digits after the decimal point (at most "
                            "%(decimal_places)s)."),
    "finite_number": _("Must be a finite number."),
    "bool_parsing": _("Must be true or false."),
    "bool_type": _("Must be true or false."),
    "string_type": _("Must be text."),
    "string_too_short": _("Must have at least %(min_length)s characters."),
    "string_too_long": _("Must have at most %(max_length)s characters."),
    "too_short": _("Must have at least %(min_length)s items."),
    "too_long": _("Must have at most %(max_length)s items."),
    "greater_than": _("Must be greater than %(gt)s."),
    "greater_than_equal": _("Must be at least %(ge)s."),
    "less_than": _("Must be less than %(lt)s."),
    "less_than_equal": _("Must be at most %(le)s."),
    "list_type": _("Must be a list."),
    "dict_type": _("Must be an object with named fields."),
    "model_type": _("Must be an object with named fields."),
    "model_attributes_type": _("Must be an object with named fields."),
    "json_invalid": _("The request body is not valid JSON."),
    "json_type": _("The request body is not valid JSON."),
    "enum": _("Must be one of: %(expected)s."),
    "literal_error": _("Must be one of: %(expected)s."),
    "extra_forbidden": _("Unknown field."),
    "uuid_parsing": _("Not a valid identifier."),
    "url_parsing": _("Not a valid address (URL)."),
    "value_error": _("The value is not valid."),
}


def schema_error_message(error: dict[str, Any]) -> str:
    """The user-language message of one pydantic error (its `type` and `ctx`); a general
    one for a type not listed."""
    kind = str(error.get("type", ""))
    if kind in {"value_error", "assertion_error"} and (error.get("ctx") or {}).get("error"):
        return str(error["ctx"]["error"])  # our own validators' messages, already translated
    message = _MESSAGES.get(kind)
    if message is None:
        return str(_("The value is not valid."))
    ctx = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
    try:
        return str(message) % ctx if "%(" in str(message) else str(message)
    except (KeyError, ValueError):
        return str(_("The value is not valid."))
