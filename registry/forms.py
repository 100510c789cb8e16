"""Forms of the registry pages. They only shape and parse input; the services check it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from common.forms import ChoiceList, NumberField, QuickSelect, model_formfield
from common.parsing import ParseError, text_clean
from orgunits.models import OrgUnit
from plans.models import Sector
from registry.models import (
    Area,
    AreaKind,
    AwarenessActivity,
    Enterprise,
    PackagingPractice,
)
from registry.places import unit_label
from registry.selectors import place_find
from registry.specs import ACTIVITY_COLUMNS, PACKAGING_COLUMNS, Column, RegistrySpec


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit, labelled with its name and, for units that opened or closed, when."""

    def label_from_instance(self, obj: OrgUnit) -> str:
        return unit_label(obj)


class PlaceSearchInput(forms.TextInput):
    """A text field that asks the server, as one types, for the places matching it (htmx
    fills a <datalist>); without JavaScript it is a plain text field sent with the form.
    A province has thousands of communes: the page never lists them all."""

    input_type = "search"
    template_name = "registry/widgets/place_search.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", **(attrs or {})})


class PlaceField(forms.Field):
    """A district, commune or ward (or one of those before 2025), typed: its name as the
    suggestions show it ("Phường Hà Tu (từ 01/07/2025)"), its name alone when only one
    place bears it, a few words of it that only one place holds, or its code."""

    widget = PlaceSearchInput

    def prepare_value(self, value: Any) -> Any:
        """The place as the suggestions name it, when the value (an id from the model, or
        what was typed) names one place; otherwise the text as typed."""
        if isinstance(value, OrgUnit):
            return unit_label(value)
        text = str(value or "").strip()[:300]
        found = place_find(text) if text else None
        return unit_label(found) if isinstance(found, OrgUnit) else value

    def to_python(self, value: Any) -> OrgUnit | None:
        if isinstance(value, OrgUnit):
            return value
        try:
            text = text_clean(value, max_length=300)
        except ParseError as exc:
            raise forms.ValidationError(exc.message) from None
        if not text:
            return None
        found = place_find(text)
        if isinstance(found, OrgUnit):
            return found
        if not found:
            raise forms.ValidationError(_("No district, commune or ward matches «%(text)s».")
                                        % {"text": text})
        raise forms.ValidationError(
            _("%(count)s places match «%(text)s»: choose one of the suggestions, e.g. "
              "%(example)s.") % {"count": len(found), "text": text,
                                "example": unit_label(found[0])})


class EntryForm(forms.ModelForm):
    """Base of the entry forms, which `entry_form_class` derives from a registry's
    declaration: its fields are the registry's columns, read through `common.parsing`."""

    spec: RegistrySpec

    def _post_clean(self) -> None:
        # The services check the whole entry (and say so in the user's words); the form
        # only parses. The model's own validation is skipped so errors are not doubled.
        pass

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in (self._meta.fields or [])}


def _column_formfield(column: Column, db_field: Any, **kwargs: Any) -> forms.Field | None:
    """The form field of one column: places as sorted local units, zones among economic
    zones, sectors of the current plan; numbers, dates and texts through common.forms."""
    options: dict[str, Any] = {"label": capfirst(str(column.label)), "required": column.required}
    if column.help:
        options["help_text"] = column.help
    if column.type == "local":
        return PlaceField(**options)
    if column.type == "area":
        return forms.ModelChoiceField(
            queryset=Area.objects.filter(kind=AreaKind.ECONOMIC_ZONE).order_by("name_sort"),
            **options)
    if column.type == "sector":
        from plans.selectors import plan_current

        return forms.ModelChoiceField(queryset=Sector.objects.filter(plan=plan_current()),
                                      **options)
    if column.type == "enterprise":
        return forms.ModelChoiceField(queryset=Enterprise.objects.order_by("name_sort"), **options)
    if column.multiline:
        options["widget"] = forms.Textarea(attrs={"rows": 3})
    field = model_formfield(db_field, **options)
    if field is not None and column.type == "decimal":
        cast(NumberField, field).options.update(places=4, minimum=column.minimum)
    return field


def entry_form_class(spec: RegistrySpec) -> type[EntryForm]:
    """The entry form of a registry, derived from its declaration."""
    columns = {c.key: c for c in spec.columns}

    def formfield(db_field: Any, **kwargs: Any) -> forms.Field | None:
        column = columns.get(db_field.name)
        if column is None:
            return db_field.formfield(**kwargs)
        return _column_formfield(column, db_field, **kwargs)

    meta = type("Meta", (), {"model": spec.model, "fields": list(spec.fields),
                             "formfield_callback": staticmethod(formfield)})
    return type(f"{spec.model.__name__}Form", (EntryForm,), {"Meta": meta, "spec": spec})


class ActivityForm(forms.ModelForm):
    organiser = UnitChoiceField(queryset=OrgUnit.objects.exclude(kind="enterprise")
                                .order_by("kind", "name_sort"), label=_("Organiser"))

    class Meta:
        model = AwarenessActivity
        fields = [c.key for c in ACTIVITY_COLUMNS]
        formfield_callback = model_formfield
        widgets = {"areas": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "areas").queryset = Area.objects.order_by("kind", "name_sort")

    def _post_clean(self) -> None:
        pass  # the service checks

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["areas"] = list(data.get("areas") or [])
        return data


class PackagingForm(forms.ModelForm):
    class Meta:
        model = PackagingPractice
        fields = [c.key for c in PACKAGING_COLUMNS if c.key != "retailer"]
        formfield_callback = model_formfield

    def _post_clean(self) -> None:
        pass  # the service checks

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))


class DesignateForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the enterprise's reporter"), required=False)


class PlaceMoveForm(forms.Form):
    """The unit chosen for each entry whose place was split: one optional field per such
    entry ("choice-areas:12"), offering the units that took the place over."""

    def __init__(self, *args: Any, moves: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.moves = moves
        for move in moves:
            if move.needs_choice:
                self.fields[f"choice-{move.key}"] = forms.TypedChoiceField(
                    label=move.entry.name, required=False, coerce=int, empty_value=None,
                    widget=forms.Select(attrs={"aria-label": move.entry.name}),
                    choices=[("", _("— leave it where it is —")),
                             *((c.pk, c.name) for c in move.candidates)])

    def choices(self) -> dict[str, OrgUnit]:
        """Entry key → the unit chosen for it (only the entries given one)."""
        chosen = {name.removeprefix("choice-"): pk for name, pk in self.cleaned_data.items()
                  if pk is not None}
        units = OrgUnit.objects.in_bulk(list(chosen.values()))
        return {key: units[pk] for key, pk in chosen.items()}

    def field_for(self, move: Any) -> forms.BoundField:
        return self[f"choice-{move.key}"]


class QuantityField(NumberField):
    """A quantity of a figures line (1.234.567,5), shown the same way."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(places=4, **kwargs)


class LineForm(forms.Form):
    item = forms.ChoiceField(label=_("Product, material or fuel"), required=False,
                             widget=QuickSelect)
    quantity = QuantityField(label=_("Quantity"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False, widget=QuickSelect)
    product = forms.ChoiceField(label=_("Used for product"), required=False,
                                widget=QuickSelect)

    def __init__(self, *args: Any, items: Any = None, units: Any = None,
                 products: Any = None, **kwargs: Any) -> None:
        """`items`, `units`, `products`: the choices as `figure_form_kwargs` makes them."""
        super().__init__(*args, **kwargs)
        for name, choices in (("item", items), ("unit", units), ("product", products)):
            cast(forms.ChoiceField, self.fields[name]).choices = choices or []
        for field in self.fields.values():  # labelled even where the header is hidden
            field.widget.attrs["aria-label"] = str(field.label)
        self.fields["quantity"].widget.attrs["placeholder"] = str(_("Quantity"))

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not (data.get("item") or data.get("quantity") is not None or data.get("unit")
                    or data.get("product"))


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=80, absolute_max=120)


class AllocationForm(forms.Form):
    """How a record's inputs entered for no product are shared among its products."""

    allocation = forms.ChoiceField(
        label=_("Inputs not entered per product"), required=False,
        help_text=_("Automatic: all to the sector's principal product when these figures "
                    "report it, otherwise in proportion to output."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from registry.models import Allocation

        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["allocation"]).choices = [
            ("", _("Automatic")), *Allocation.choices]


def figure_errors_place(*, errors: dict[str, list[str]], kept: list[LineForm],
                        allocation: AllocationForm) -> list[str]:
    """Put a figures save's messages on what they name: `lines.N.field` (N counts the
    non-empty rows, `kept`) on that row's field, `lines.N` on the row, `allocation` on the
    rule; the rest is returned, to be shown above the form."""
    rest: list[str] = []
    for key, msgs in errors.items():
        parts = key.split(".")
        if parts[0] == "lines" and len(parts) >= 2 and parts[1].isdigit() \
                and int(parts[1]) < len(kept):
            form = kept[int(parts[1])]
            field = parts[2] if len(parts) > 2 and parts[2] in form.fields else None
            for msg in msgs:
                form.add_error(field, msg)
        elif key == "allocation" and allocation.is_valid():
            for msg in msgs:
                allocation.add_error("allocation", msg)
        else:
            rest.extend(msgs)
    return rest


def figure_form_kwargs(table: Any, *, sector: Any = None) -> dict[str, Any]:
    """The choices of a figures form's lines (`LineFormSet(form_kwargs=...)`): items,
    units, and the products an input may be entered for, the sector's own first."""
    from registry.models import ItemRole

    items, units = figure_choices(table, sector=sector)
    products = sorted((i for i in table.items.values() if i.role == ItemRole.PRODUCT),
                      key=lambda i: (sector is None or sector.code not in (i.sectors or []),
                                     i.order))
    # normalised once for the formset's every row
    return {"items": ChoiceList([("", "—"), *items]),
            "units": ChoiceList([("", "—"), *units]),
            "products": ChoiceList([("", _("(shared: by the allocation rule)")),
                                    *((i.code, _item_label(i)) for i in products)])}


def _item_label(item: Any) -> str:
    from django.utils.translation import get_language

    return str(item.name_en if get_language() == "en" and item.name_en else item.name)


def figure_choices(table: Any, *, sector: Any = None
                   ) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
    """Item choices grouped by role, and unit choices grouped by kind, for LineForm. With
    an enterprise's `sector`, that sector's items come first in a group of their own, and
    the other sectors' items after the items of any sector (a coal mine is not offered
    beer first)."""
    from django.utils.translation import get_language

    from registry.models import ItemRole

    en = get_language() == "en"
    label = _item_label
    ordered = sorted(table.items.values(), key=lambda i: (bool(i.sectors), i.order))
    items: list[tuple[str, Any]] = []
    own = [i for i in ordered if sector is not None and sector.code in (i.sectors or [])]
    if own:
        items.append((str(sector.name_en if en and sector.name_en else sector.name),
                      [(i.code, label(i)) for i in sorted(own, key=lambda i: (
                          list(ItemRole.values).index(i.role), i.order))]))
    for role, role_label in ItemRole.choices:
        group = [(i.code, label(i)) for i in ordered if i.role == role and i not in own]
        if group:
            items.append((str(role_label), group))
    units: list[tuple[str, Any]] = []
    for kind in table.kinds.values():
        group = [(u.code, u.symbol) for u in table.units.values() if u.kind == kind.code]
        if group:
            units.append((table.kind_name(kind.code), group))
    return items, units
