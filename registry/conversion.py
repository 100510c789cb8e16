"""Unit conversion through the unit table (loaded from data/registry/units.yaml).

`quantity_convert(value=..., from_unit=..., to_unit=...)` converts within a kind (kg → t,
L → m³, MWh → kWh, toe → GJ) and from a fuel to energy through the fuel's toe factor
(1,000 L of diesel → 0.88 toe → 36.84 GJ), and back. Anything else (energy where mass is
expected, tonnes to litres) is refused with a ValidationError that says why.

A `UnitTable` is a snapshot of the table (four queries); pass one to convert many values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from common.exceptions import state_error
from registry.models import FuelFactor, Item, MeasureKind, MeasureUnit

ENERGY = "energy"
TOE = "toe"


@dataclass(frozen=True)
class UnitInfo:
    code: str
    symbol: str
    kind: str
    factor: Decimal
    pk: int


class UnitTable:
    """Every kind, unit, item and toe factor, read once."""

    def __init__(self) -> None:
        self.kinds = {k.code: k for k in MeasureKind.objects.all()}
        self.units: dict[str, UnitInfo] = {}
        self.by_pk: dict[int, UnitInfo] = {}
        self._folded: dict[str, UnitInfo | None] = {}
        for u in MeasureUnit.objects.select_related("kind"):
            info = UnitInfo(u.code, u.symbol, u.kind.code, u.factor, u.pk)
            self.units[u.code] = info
            self.by_pk[u.pk] = info
            for key in {u.code.casefold(), u.symbol.casefold()}:
                # a key two units share (by case or symbol) is ambiguous: exact codes only
                self._folded[key] = None if key in self._folded else info
        self.items: dict[str, Item] = {
            i.code: i for i in Item.objects.prefetch_related("kinds")
        }
        self.item_kinds = {code: {k.code for k in i.kinds.all()} for code, i in self.items.items()}
        # toe per unit, by item code then unit kind: (unit, toe per unit)
        self.toe: dict[str, dict[str, tuple[UnitInfo, Decimal]]] = {}
        for f in FuelFactor.objects.select_related("item", "unit"):
            unit = self.by_pk[f.unit_id]
            self.toe.setdefault(f.item.code, {})[unit.kind] = (unit, f.toe)

    @property
    def loaded(self) -> bool:
        return TOE in self.units

    def unit(self, code: str | MeasureUnit | UnitInfo, *, field: str = "unit") -> UnitInfo:
        """The unit with this code (or, failing that, the one unit whose code or symbol
        matches ignoring case); ValidationError if none."""
        if isinstance(code, UnitInfo):
            return code
        if isinstance(code, MeasureUnit):
            code = code.code
        text = str(code or "").strip()
        found = self.units.get(text) or self._folded.get(text.casefold())
        if found is None:
            raise ValidationError({field: state_error(
                _("Unknown unit \"%(unit)s\".") % {"unit": text})})
        return found

    def item(self, code: str | Item, *, field: str = "item") -> Item:
        if isinstance(code, Item):
            code = code.code
        text = str(code or "").strip()
        # its code, or its name as an export writes it
        found = self.items.get(text) or next(
            (i for i in self.items.values() if text.casefold() in
             {i.name.casefold(), (i.name_en or i.name).casefold()}), None)
        if found is None:
            raise ValidationError({field: state_error(
                _("Unknown product, material or fuel \"%(item)s\".") % {"item": text})})
        return found

    def kind_name(self, code: str) -> str:
        kind = self.kinds.get(code)
        if kind is None:
            return code
        from django.utils.translation import get_language

        return kind.name_en if get_language() == "en" and kind.name_en else kind.name

    def implicit_fuel(self, kind: str) -> str | None:
        """The one fuel with a toe factor for units of `kind` (electricity for kWh)."""
        fuels = [code for code, per_kind in self.toe.items() if kind in per_kind]
        return fuels[0] if len(fuels) == 1 else None

    def convert(self, *, value: Decimal, from_unit, to_unit, fuel: str | Item | None = None
                ) -> Decimal:
        src, dst = self.unit(from_unit, field="from_unit"), self.unit(to_unit, field="to_unit")
        value = Decimal(value)
        if src.kind == dst.kind:
            return value * src.factor / dst.factor
        if ENERGY not in (src.kind, dst.kind):
            raise ValidationError({"to_unit": state_error(_(
                "Cannot convert %(src)s (%(src_kind)s) to %(dst)s (%(dst_kind)s)."
            ) % {"src": src.symbol, "src_kind": self.kind_name(src.kind),
                 "dst": dst.symbol, "dst_kind": self.kind_name(dst.kind)})})
        other = src if dst.kind == ENERGY else dst
        fuel_code = (fuel.code if isinstance(fuel, Item) else fuel) or self.implicit_fuel(
            other.kind)
        if not fuel_code:
            raise ValidationError({"fuel": state_error(_(
                "Say which fuel: %(unit)s converts to energy only through a fuel's factor."
            ) % {"unit": other.symbol})})
        factors = self.toe.get(str(fuel_code), {})
        if other.kind not in factors:
            raise ValidationError({"fuel": state_error(_(
                "No energy factor for %(fuel)s measured in %(kind)s."
            ) % {"fuel": fuel_code, "kind": self.kind_name(other.kind)})})
        per_unit, toe_per = factors[other.kind]
        toe = self.units[TOE]
        if dst.kind == ENERGY:  # fuel → energy
            in_per_units = value * src.factor / per_unit.factor
            return in_per_units * toe_per * toe.factor / dst.factor
        toes = value * src.factor / toe.factor  # energy → fuel
        return toes / toe_per * per_unit.factor / dst.factor

    def to_toe(self, *, item: str, value: Decimal, unit) -> Decimal | None:
        """The toe of `value` `unit` of fuel `item`, or None if it is not a fuel."""
        if item not in self.toe:
            return None
        return self.convert(value=value, from_unit=unit, to_unit=TOE, fuel=item)


def unit_table() -> UnitTable:
    return UnitTable()


def quantity_convert(*, value: Decimal | int | str, from_unit, to_unit,
                     fuel: str | Item | None = None, table: UnitTable | None = None) -> Decimal:
    """Convert `value` from one unit to another (codes, or MeasureUnit objects). Within a
    kind by the units' factors; between a fuel's units and energy through the fuel's toe
    factor (`fuel` may be omitted when only one fuel is measured in that kind, as for
    electricity). Raises ValidationError for an unknown unit or a conversion across kinds."""
    try:
        number = Decimal(str(value))
    except Exception:
        raise ValidationError({"value": _("Not a number.")}) from None
    if not number.is_finite():
        raise ValidationError({"value": _("Not a number.")})
    if abs(number) >= Decimal("1e30"):
        raise ValidationError({"value": _("The number is too large.")})
    return (table or unit_table()).convert(value=number, from_unit=from_unit, to_unit=to_unit,
                                           fuel=fuel)
