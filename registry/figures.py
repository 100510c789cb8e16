"""Helpers on consumption figures shared by pages, the report-form section and the API:
period codes as the reporting cycle writes them, and the problems that make a record
incomplete or impossible."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from registry.models import ConsumptionLine, ConsumptionRecord, FigurePeriod, ItemRole

_PERIOD_RE = re.compile(r"^(\d{4})(S[12])?$")


def period_from_code(code: str) -> tuple[int, str] | None:
    """("2025S1" → (2025, "h1"), "2025" → (2025, "year")); None for other codes (ad hoc)."""
    match = _PERIOD_RE.match((code or "").strip().upper())
    if not match:
        return None
    half = {"S1": FigurePeriod.H1, "S2": FigurePeriod.H2}.get(match.group(2) or "",
                                                                FigurePeriod.YEAR)
    return int(match.group(1)), str(half)


def period_code(year: int, period: str) -> str:
    return {"h1": f"{year}S1", "h2": f"{year}S2"}.get(period, str(year))


def period_label(year: int | str, period: str) -> str:
    """How officials name a figures period: "6 tháng đầu năm 2025", "Năm 2025"."""
    if period == "h1":
        return _("First half of %(year)s") % {"year": year}
    if period == "h2":
        return _("Second half of %(year)s") % {"year": year}
    return _("Year %(year)s") % {"year": year}


def record_problems(*, record: ConsumptionRecord | None,
                    lines: list[ConsumptionLine] | None = None) -> list[str]:
    """What keeps a record from being complete and possible, in the user's language:
    no output at all, zero output with consumption, no consumption at all."""
    if record is None:
        return [_("No figures entered yet.")]
    lines = list(record.lines.all()) if lines is None else lines
    outputs = [ln for ln in lines if ln.item.role == ItemRole.PRODUCT]
    inputs = [ln for ln in lines if ln.item.role != ItemRole.PRODUCT]
    problems = []
    if not outputs:
        problems.append(_("Output is missing: enter the output of at least one product."))
    elif all(ln.quantity == 0 for ln in outputs) and any(ln.quantity > 0 for ln in inputs):
        problems.append(_("Output is zero but materials or fuel were consumed."))
    if not inputs:
        problems.append(_("Consumption is missing: enter at least one material or fuel."))
    return problems


ROLE_ORDER = {ItemRole.PRODUCT: 0, ItemRole.MATERIAL: 1, ItemRole.FUEL: 2}


def lines_sorted(lines: list[Any]) -> list[Any]:
    """Products first, then materials, then fuels, each in the unit table's order; an
    input's share for no product before its lines per product, in the products' order."""
    return sorted(lines, key=lambda ln: (ROLE_ORDER.get(ln.item.role, 9), ln.item.order,
                                         -1 if ln.product is None else ln.product.order))


def line_values(lines: list[Any], *, raw: bool = False) -> list[dict[str, Any]]:
    """Lines as dicts (item, quantity, unit, product: "" for none), products first:
    quantities as text for the API, as Decimals (`raw`) for forms, which show them in the
    reader's format."""
    return [{"item": ln.item.code,
             "quantity": ln.quantity.normalize() if raw else format(ln.quantity.normalize(),
                                                                   "f"),
             "unit": ln.unit.code,
             "product": ln.product.code if ln.product is not None else ""}
            for ln in lines_sorted(lines)]
