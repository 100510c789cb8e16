"""API schemas of the registries, derived from their declarations (`registry.specs`): for
each registry (and for awareness activities and packaging practice) a request schema to
create, one to change (every field optional) and a response schema. Values are read
through `common.parsing` (via `common.schemas`), as on the forms and in Excel; references
(places, sectors, zones, enterprises) are given by code and checked against the stored
data by the endpoint."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils.text import capfirst
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema, create_model
from pydantic_core import PydanticCustomError

from common.parsing import MAX_TEXT, ParseError, bool_parse, date_parse, number_parse, text_clean
from common.schemas import doc_text
from registry.specs import YEAR_MAX, YEAR_MIN, Column, RegistrySpec

# Beyond any area, count or quantity of the registries; keeps JSON numbers exact enough.
NUMBER_MAX = 10**15
# What a text must hold to be more than blank once cleaned
_SOMETHING = r"[^\s\x00-\x1f\x7f-\x9f]"


def _reader(parse: Any, *, required: bool, **options: Any) -> BeforeValidator:
    """A pydantic validator reading a value with `parse(value, **options)`; the messages
    are the forms' own. A required value may not be blank."""

    def validate(value: Any) -> Any:
        try:
            result = parse(value, **options)
        except ParseError as exc:
            raise PydanticCustomError("parse", "{message}",
                                      {"message": capfirst(exc.message)}) from None
        if required and result in (None, ""):
            raise PydanticCustomError("required", "{message}",
                                      {"message": _("This field is required.")})
        return result

    return BeforeValidator(validate)


def _whole(value: Any, **options: Any) -> int | None:
    number = number_parse(value, whole=True, **options)
    return None if number is None else int(number)


def _text_schema(column: Column, required: bool) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string",
                              "maxLength": column.max_length or MAX_TEXT}
    if required:
        schema["pattern"] = _SOMETHING
    return schema


def _in_type(column: Column, *, required: bool) -> Any:
    """The pydantic type of a column in a request."""
    kind = column.type
    if kind == "text":
        return Annotated[str, _reader(text_clean, required=required,
                                      max_length=column.max_length or MAX_TEXT,
                                      multiline=column.multiline),
                         WithJsonSchema(_text_schema(column, required))]
    if kind == "slug":
        return Annotated[str, Field(max_length=60, pattern=r"^[-a-zA-Z0-9_]*$")]
    if kind == "date":
        return Annotated[dt.date, _reader(date_parse, required=required),
                         WithJsonSchema({"type": "string", "format": "date"})]
    if kind in {"decimal", "int"}:
        minimum = column.minimum if kind == "decimal" else 0
        options: dict[str, Any] = {"minimum": minimum, "maximum": NUMBER_MAX}
        schema: dict[str, Any] = {"type": "number" if kind == "decimal" else "integer",
                                  "maximum": NUMBER_MAX}
        if minimum is not None:
            schema["minimum"] = minimum
        if kind == "decimal":
            options["places"] = 4
            schema["multipleOf"] = 0.0001
            return Annotated[Decimal, _reader(number_parse, required=required, **options),
                             WithJsonSchema(schema)]
        return Annotated[int, _reader(_whole, required=required, **options),
                         WithJsonSchema(schema)]
    if kind == "year":
        return Annotated[int, _reader(_whole, required=required, minimum=YEAR_MIN,
                                      maximum=YEAR_MAX),
                         WithJsonSchema({"type": "integer", "minimum": YEAR_MIN,
                                         "maximum": YEAR_MAX})]
    if kind == "bool":
        return Annotated[bool, _reader(bool_parse, required=False),
                         WithJsonSchema({"type": "boolean"})]
    if kind == "choice":
        assert column.choices is not None
        return Literal[tuple(column.choices.values)]  # type: ignore[misc]
    if kind == "areas":  # a list of codes, or one text of codes separated by ";"
        return list[Annotated[str, Field(max_length=60)]] | Annotated[str, Field(max_length=2000)]
    # a reference by code (an org unit, sector, zone, retailer or enterprise)
    if required:
        return Annotated[str, Field(min_length=1, max_length=60, pattern=_SOMETHING,
                                    description=doc_text(column.help) or None)]
    return Annotated[str, Field(max_length=60, description=doc_text(column.help) or None)]


_OUT_TYPES: dict[str, Any] = {
    "text": str, "slug": str, "date": dt.date | None, "decimal": float | None,
    "int": int | None, "year": int | None, "bool": bool, "choice": str,
    "areas": list[str],
}


def _fields(columns: list[Column], *, partial: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for column in columns:
        kind = _in_type(column, required=column.required)
        description = doc_text(capfirst(doc_text(column.label)))
        if column.required and not partial:
            fields[column.key] = (kind, Field(description=description))
        elif column.required:  # may be left out of a change, not emptied
            fields[column.key] = (kind, Field(None, description=description))
        else:
            fields[column.key] = (kind | None, Field(None, description=description))
    return fields


class StrictSchema(Schema):
    """A request schema that refuses fields it does not know (a misspelt field is an
    error, not silently dropped)."""

    model_config = ConfigDict(extra="forbid")


def in_schema(name: str, columns: list[Column], *, partial: bool = False) -> type[Schema]:
    """The request schema of `columns` (partial: every field optional, to change)."""
    return create_model(name, __base__=StrictSchema,  # type: ignore[call-overload]
                        **_fields(columns, partial=partial))


def out_schema(name: str, columns: list[Column], **extra: Any) -> type[Schema]:
    """The response schema of `columns` (references by code) plus `extra` fields."""
    fields: dict[str, Any] = {"id": (int, ...)}
    for column in columns:
        fields[column.key] = (_OUT_TYPES.get(column.type, str | None), ...)
    fields.update(extra)
    return create_model(name, __base__=Schema, **fields)  # type: ignore[call-overload]


class RegistrySchemas:
    """The three schemas of one registry."""

    def __init__(self, spec: RegistrySpec) -> None:
        stem = "".join(part.capitalize() for part in re.split(r"[-_]", spec.slug))
        extra: dict[str, Any] = {"code": (str, ...),
                                 "place_on": (str | None, None), "place_divided": (bool, False)}
        if any(f.name == "reporting_unit" for f in spec.model._meta.get_fields()):
            extra["reporting_unit"] = (str | None, None)
        self.create = in_schema(f"{stem}In", spec.columns)
        self.change = in_schema(f"{stem}Change", spec.columns, partial=True)
        self.out = out_schema(f"{stem}Out", spec.columns, **extra)


# A day given in a query (`?on=`): when the parameter is sent, it holds a date.
QueryDay = Annotated[dt.date | None, _reader(date_parse, required=True),
                     WithJsonSchema({"type": "string", "format": "date"})]
