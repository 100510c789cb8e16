"""Forms of the registry pages. They only shape and parse input; the services check it."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from orgunits.models import LOCAL_KINDS, OrgUnit
from orgunits.selectors import orgunit_sort_key
from plans.models import Sector
from registry.models import (
    Area,
    AreaKind,
    AwarenessActivity,
    Enterprise,
    PackagingPractice,
    Retailer,
    ScpModel,
    StEnterprise,
)


def _choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    return cast(forms.ModelChoiceField, form.fields[name])


DATE_ATTRS = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}


class DateInput(forms.DateInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={**DATE_ATTRS, **(attrs or {})}, format="%d/%m/%Y")


class UnitChoiceField(forms.ModelChoiceField):
    """An org unit, labelled with its name and, for units that opened or closed, when."""

    def label_from_instance(self, obj: OrgUnit) -> str:
        span = []
        if obj.valid_to:
            span.append(str(_("until %(date)s")) % {
                "date": date_format(obj.valid_to, "SHORT_DATE_FORMAT")})
        elif obj.valid_from and obj.valid_from.year >= 2024:
            span.append(str(_("from %(date)s")) % {
                "date": date_format(obj.valid_from, "SHORT_DATE_FORMAT")})
        return f"{obj.name} ({', '.join(span)})" if span else obj.name


def _local_units() -> list[OrgUnit]:
    return sorted(OrgUnit.objects.filter(kind__in=list(LOCAL_KINDS)), key=orgunit_sort_key)


class _SortedUnits(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in sorted(self.queryset, key=orgunit_sort_key):
            yield self.choice(obj)


class LocalUnitField(UnitChoiceField):
    iterator = _SortedUnits

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", OrgUnit.objects.filter(kind__in=list(LOCAL_KINDS)))
        super().__init__(**kwargs)


COMMON = ["name", "place", "later_place", "address", "valid_from", "valid_to",
          "illustrative", "source", "note"]
WIDGETS = {
    "valid_from": DateInput(), "valid_to": DateInput(), "certificate_date": DateInput(),
    "source": forms.Textarea(attrs={"rows": 2}), "note": forms.Textarea(attrs={"rows": 2}),
    "description": forms.Textarea(attrs={"rows": 3}),
}


class EntryForm(forms.ModelForm):
    """Base of the entry forms: places as sorted choices of local units."""

    place = LocalUnitField(label=_("Place (as recorded)"),
                           help_text=_("District before 1 July 2025, commune-level unit after."))
    later_place = LocalUnitField(label=_("Place after a split"), required=False,
                                 help_text=_("Only when the recorded place was later split."))

    def _post_clean(self) -> None:
        # The services check the whole entry (and say so in the user's words); the form
        # only parses. The model's own validation is skipped so errors are not doubled.
        pass

    def service_data(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k in (self._meta.fields or [])}


class AreaForm(EntryForm):
    class Meta:
        model = Area
        fields = ["code", "kind", *COMMON[:4], "zone", "area_ha", "activity", *COMMON[4:]]
        widgets = WIDGETS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "zone").queryset = Area.objects.filter(kind=AreaKind.ECONOMIC_ZONE)
        self.fields["code"].required = False


class RetailerForm(EntryForm):
    class Meta:
        model = Retailer
        fields = ["code", "kind", "name", "operator", *COMMON[1:]]
        widgets = WIDGETS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False


class EnterpriseForm(EntryForm):
    class Meta:
        model = Enterprise
        fields = ["tax_code", "name", "sector", *COMMON[1:]]
        widgets = WIDGETS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from plans.selectors import plan_current

        super().__init__(*args, **kwargs)
        plan = plan_current()
        _choice(self, "sector").queryset = Sector.objects.filter(plan=plan)
        self.fields["tax_code"].help_text = _("10 digits, or 10 digits, a dash and the "
                                              "3-digit branch number.")


class ScpModelForm(EntryForm):
    class Meta:
        model = ScpModel
        fields = ["code", "kind", "name", "description", "enterprise", "operator", *COMMON[1:]]
        widgets = WIDGETS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        _choice(self, "enterprise").queryset = Enterprise.objects.order_by("name")


class StEnterpriseForm(EntryForm):
    class Meta:
        model = StEnterprise
        fields = ["code", "name", "tax_code", "certificate_number", "certificate_date",
                  "issuer", "field", *COMMON[1:]]
        widgets = WIDGETS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].required = False
        self.fields["valid_from"].required = False
        self.fields["valid_from"].help_text = _("Empty: the certificate date.")


ENTRY_FORMS: dict[str, type[EntryForm]] = {
    "areas": AreaForm, "retailers": RetailerForm, "enterprises": EnterpriseForm,
    "models": ScpModelForm, "st-enterprises": StEnterpriseForm,
}


class ActivityForm(forms.ModelForm):
    organiser = UnitChoiceField(queryset=OrgUnit.objects.exclude(kind="enterprise")
                                .order_by("kind", "name"), label=_("Organiser"))

    class Meta:
        model = AwarenessActivity
        fields = ["date", "organiser", "title", "description", "participants", "areas",
                  "evidence", "illustrative"]
        widgets = {"date": DateInput(), "description": forms.Textarea(attrs={"rows": 3}),
                   "areas": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "areas").queryset = Area.objects.order_by("kind", "name")

    def _post_clean(self) -> None:
        pass  # the service checks

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["areas"] = list(data.get("areas") or [])
        return data


class PackagingForm(forms.ModelForm):
    class Meta:
        model = PackagingPractice
        fields = ["since", "until", "basis", "evidence", "evidence_ref", "illustrative"]
        widgets = {"since": DateInput(), "until": DateInput(),
                   "evidence": forms.Textarea(attrs={"rows": 2})}

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


class QuantityField(forms.CharField):
    """A quantity as the reader writes it (1.234.567,5 in Vietnamese), shown the same way."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off",
                                    "maxlength": "40"})

    def prepare_value(self, value: Any) -> Any:
        from decimal import Decimal

        if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
            from registry.templatetags.registry_tags import qty

            return qty(value)
        return value

    def to_python(self, value: Any) -> Any:
        from django.utils.formats import get_format

        from registry.specs import parse_decimal

        value = super().to_python(value)
        if value in self.empty_values:
            return None
        if len(value) > 40:
            raise forms.ValidationError(_("Not a number."))
        try:
            return parse_decimal(value, get_format("DECIMAL_SEPARATOR"))
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class LineForm(forms.Form):
    item = forms.ChoiceField(label=_("Product, material or fuel"), required=False)
    quantity = QuantityField(label=_("Quantity"), required=False)
    unit = forms.ChoiceField(label=_("Unit"), required=False)

    def __init__(self, *args: Any, items: list[tuple[str, Any]] | None = None,
                 units: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["item"]).choices = [("", "—"), *(items or [])]
        cast(forms.ChoiceField, self.fields["unit"]).choices = [("", "—"), *(units or [])]
        for field in self.fields.values():  # labelled even where the header is hidden
            field.widget.attrs["aria-label"] = str(field.label)
        self.fields["quantity"].widget.attrs["placeholder"] = str(_("Quantity"))

    def is_blank(self) -> bool:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return not (data.get("item") or data.get("quantity") is not None or data.get("unit"))


LineFormSet = forms.formset_factory(LineForm, extra=3, max_num=80, absolute_max=120)


def figure_choices(table: Any) -> tuple[list[tuple[str, Any]], list[tuple[str, str]]]:
    """Item choices grouped by role, and unit choices grouped by kind, for LineForm."""
    from django.utils.translation import get_language

    from registry.models import ItemRole

    en = get_language() == "en"
    items: list[tuple[str, Any]] = []
    for role, label in ItemRole.choices:
        group = [(i.code, (i.name_en if en and i.name_en else i.name))
                 for i in sorted(table.items.values(), key=lambda i: i.order) if i.role == role]
        if group:
            items.append((str(label), group))
    units: list[tuple[str, Any]] = []
    for kind in table.kinds.values():
        group = [(u.code, u.symbol) for u in table.units.values() if u.kind == kind.code]
        if group:
            units.append((table.kind_name(kind.code), group))
    return items, units
