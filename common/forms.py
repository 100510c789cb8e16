"""Django form fields that read input through `common.parsing`, and `model_formfield`, a
`formfield_callback` giving a ModelForm these fields for its numbers, dates and texts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.utils.text import capfirst

from common.parsing import (
    DATE_HELP,
    NUMBER_HELP,
    ParseError,
    date_parse,
    number_parse,
    number_text,
    text_clean,
)


def _invalid(exc: ParseError) -> forms.ValidationError:
    return forms.ValidationError(capfirst(exc.message), code="invalid")


class NumberField(forms.Field):
    """A number as `number_parse` reads it, shown as it would be typed (1.234.567,5)."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                    "maxlength": "40"})

    def __init__(self, *, whole: bool = False, places: int | None = None,
                 minimum: Decimal | int | None = None, maximum: Decimal | int | None = None,
                 **kwargs: Any) -> None:
        kwargs.setdefault("help_text", NUMBER_HELP)
        super().__init__(**kwargs)
        self.options: dict[str, Any] = {"whole": whole, "places": places, "minimum": minimum,
                        "maximum": maximum}

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            return number_text(value)
        return value

    def to_python(self, value: Any) -> Decimal | int | None:
        try:
            number = number_parse(value, **self.options)
        except ParseError as exc:
            raise _invalid(exc) from None
        if number is not None and self.options["whole"]:
            return int(number)
        return number


class DayField(forms.Field):
    """A date as `date_parse` reads it (dd/mm/yyyy), shown dd/mm/yyyy."""

    widget = forms.DateInput(format="%d/%m/%Y", attrs={
        "placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"})

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", DATE_HELP)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        try:
            return date_parse(value)
        except ParseError as exc:
            raise _invalid(exc) from None


class TextField(forms.CharField):
    """Text cleaned by `text_clean`: one line, or several with a Textarea widget."""

    def to_python(self, value: Any) -> str:
        try:
            return text_clean(value, max_length=self.max_length,
                              multiline=isinstance(self.widget, forms.Textarea))
        except ParseError as exc:
            raise _invalid(exc) from None


def model_formfield(db_field: models.Field, **kwargs: Any) -> forms.Field | None:
    """A ModelForm's `formfield_callback`: numbers, dates and free texts of the model read
    through `common.parsing`; other fields as Django makes them."""
    if db_field.choices or not db_field.editable:
        return db_field.formfield(**kwargs)
    options: dict[str, Any] = {
        "required": not db_field.blank, "label": capfirst(db_field.verbose_name),
        **({"help_text": db_field.help_text} if db_field.help_text else {}), **kwargs}
    if isinstance(db_field, models.DecimalField):
        return NumberField(places=db_field.decimal_places, **options)
    if isinstance(db_field, models.IntegerField):
        positive = isinstance(db_field, models.PositiveIntegerField
                              | models.PositiveSmallIntegerField
                              | models.PositiveBigIntegerField)
        return NumberField(whole=True, minimum=0 if positive else None, **options)
    if isinstance(db_field, models.DateField) and not isinstance(db_field, models.DateTimeField):
        return DayField(**options)
    if isinstance(db_field, models.TextField):
        options.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        return TextField(max_length=db_field.max_length, **options)
    if isinstance(db_field, models.CharField) and not isinstance(
            db_field, models.EmailField | models.URLField | models.SlugField):
        return TextField(max_length=db_field.max_length, **options)
    return db_field.formfield(**kwargs)
