"""Pydantic types for django-ninja schemas that read input through `common.parsing`, so a
field of the API reads a value exactly as a form field or an Excel cell does.

    class LineIn(Schema):
        quantity: Number
        since: Day
        name: Text"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any, cast

from django.utils.functional import Promise
from django.utils.text import capfirst
from pydantic import BeforeValidator
from pydantic_core import PydanticCustomError

from common.parsing import (
    MAX_TEXT,
    ParseError,
    bool_parse,
    date_parse,
    number_parse,
    text_clean,
)


def parsed(parse: Callable[..., Any], **options: Any) -> BeforeValidator:
    """A pydantic validator calling `parse(value, **options)`; a ParseError becomes the
    field's error with the same message as on a form."""

    def validate(value: Any) -> Any:
        try:
            return parse(value, **options)
        except ParseError as exc:
            raise PydanticCustomError("parse", "{message}",
                                      {"message": capfirst(exc.message)}) from None

    return BeforeValidator(validate)


Number = Annotated[Decimal | None, parsed(number_parse)]
YesNo = Annotated[bool | None, parsed(bool_parse)]
Day = Annotated[dt.date | None, parsed(date_parse)]
Text = Annotated[str, parsed(text_clean, max_length=MAX_TEXT)]


def doc_text(text: Promise | str | None) -> str:
    """A translatable text where pydantic or django-ninja type a `str` (a field's
    description, an operation's summary): it stays lazy, so the API's documentation is
    written in each request's language when it is served (api.docs)."""
    return cast(str, text)
