"""Django form fields that read input through `common.parsing`, `model_formfield`, a
`formfield_callback` giving a ModelForm these fields for its numbers, dates and texts, and
`QuickSelect` and `ChoiceList`, for forms that repeat long option lists."""

from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal
from typing import Any

from django import forms
from django.db import models
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
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


def html_escaped(text: Any) -> str:
    """`text` escaped for HTML, unless it is safe already (as Django's conditional_escape)."""
    # Django's escape() passes every call through keep_lazy's argument scan: a tenth of a
    # figures page's time over its thousands of options
    return text.__html__() if hasattr(text, "__html__") else html.escape(str(text))


class ChoiceList(BaseChoiceIterator):
    """Choices normalised once and handed as they are to every field that offers them:
    a ChoiceField re-reads plain lists each time they are set, which a formset of forty
    rows of hundred-option lists pays forty times."""

    def __init__(self, choices: Any) -> None:
        self.choices = normalize_choices(list(choices))

    def __iter__(self) -> Any:
        return iter(self.choices)


class QuickSelect(forms.Select):
    """Django's select, the same HTML, written by string joins instead of a template
    include per option: a figures form repeats a hundred-option list on every row, and the
    templates cost two thirds of the page (about 50 ms of 77)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None,
               renderer: Any = None) -> SafeString:
        chosen = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final["multiple"] = True
        parts: list[str] = [format_html('<select name="{}"{}>', name, flatatt(final))]

        def option(key: Any, label: Any) -> str:
            key = "" if key is None else str(key)
            mark = " selected" if key in chosen else ""
            if mark and not self.allow_multiple_selected:
                chosen.discard(key)  # only the first option of a value is selected
            return f'\n  <option value="{html_escaped(key)}"{mark}>{html_escaped(label)}</option>'

        for key, label in self.choices:
            if isinstance(label, list | tuple):
                parts.append(f'\n  <optgroup label="{html_escaped(key)}">')
                parts.extend(option(k, lbl) for k, lbl in label)
                parts.append("\n  </optgroup>")
            else:
                parts.append(option(key, label))
        parts.append("\n</select>")
        return mark_safe("".join(parts))


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
