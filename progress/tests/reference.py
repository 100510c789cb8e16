"""The plain-Python reference of the sector consumption index: the code the dashboard ran
before the sums moved into the database (`progress.consumption`), kept to check that the
database path gives the same results. It reads every accepted line through the ORM, turns
each record into observations and calls `methods.odex` and `methods.lmdi` on them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from plans.models import Plan, Sector
from progress import methods
from progress.selectors import BASE_YEAR, ENERGY, ConsumptionIndex, SectorIndex, _province
from registry.conversion import UnitTable
from registry.models import ConsumptionLine, Enterprise, FigurePeriod, Item, ItemRole
from registry.selectors import records_accepted


def _factors(table: UnitTable) -> dict[tuple[str, int], tuple[str, float, str]]:
    """(item code, unit pk) -> (group, multiplier to the group's unit, the group's unit):
    fuels and electricity to toe; products and materials to their kind's base unit."""
    out: dict[tuple[str, int], tuple[str, float, str]] = {}
    for code, item in table.items.items():
        for info in table.by_pk.values():
            if item.role == ItemRole.FUEL:
                if info.kind not in table.toe.get(code, {}):
                    continue
                toe = table.to_toe(item=code, value=Decimal(1), unit=info)
                if toe is not None:
                    out[(code, info.pk)] = (ENERGY, float(toe), "toe")
            elif info.kind in table.item_kinds.get(code, set()):
                base = table.kinds[info.kind].base_unit
                out[(code, info.pk)] = (code, float(info.factor), base)
    return out


def consumption_observations(*, plan: Plan, last_year: int, sector: Sector | None = None
                             ) -> tuple[dict[int, list[methods.Observation]],
                                        dict[int, dict[int, float]], dict[int, str],
                                        dict[str, str], list[str]]:
    """Accepted whole-year figures of the plan's sectors up to `last_year`, as observations
    per sector (inputs attributed to products, see the method), the energy (toe) per
    sector and year, the enterprises' names, and each group's unit."""
    table = UnitTable()
    factors = _factors(table)
    principal = {s.pk: s.principal_product for s in plan.sectors.all()}
    lines = ConsumptionLine.objects.filter(
        record__in=records_accepted().values("pk"), record__period=FigurePeriod.YEAR,
        record__year__lte=last_year,
        record__enterprise__sector__plan=plan)
    if sector is not None:
        lines = lines.filter(record__enterprise__sector=sector)
    rows = lines.values_list("record_id", "record__year", "record__enterprise_id",
                             "record__enterprise__sector_id", "record__allocation",
                             "item__code", "item__role", "quantity", "unit_id",
                             "product__code").order_by()
    records: dict[int, dict[str, Any]] = {}
    notes: list[str] = []
    for rec, year, ent, sec, rule, item, role, quantity, unit_id, product in \
            rows.iterator(2000):
        record = records.setdefault(rec, {
            "year": year, "ent": ent, "sec": sec, "rule": rule, "out": {},
            "shared": defaultdict(float), "for": defaultdict(lambda: defaultdict(float))})
        found = factors.get((item, unit_id))
        if found is None:
            notes.append(f"{item}: no conversion for its unit; left out")
            continue
        group, factor, _base = found
        if role == ItemRole.PRODUCT:
            record["out"][item] = record["out"].get(item, 0.0) + float(quantity) * factor
        elif product:  # entered for one product
            record["for"][product][group] += float(quantity) * factor
        else:
            record["shared"][group] += float(quantity) * factor
    units = {group: base for group, _factor, base in factors.values()}
    obs: dict[int, list[methods.Observation]] = defaultdict(list)
    energy: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for record in records.values():
        outputs = record["out"]
        energy[record["sec"]][record["year"]] += record["shared"].get(ENERGY, 0.0) + sum(
            groups.get(ENERGY, 0.0) for groups in record["for"].values())
        if not outputs:
            continue
        attributed, fallback = methods.attribute(
            outputs=outputs, shared=record["shared"], per_product=record["for"],
            rule=record["rule"], principal=principal.get(record["sec"]) or "")
        if fallback:
            notes.append(f"enterprise {record['ent']}, {record['year']}: the principal "
                         "product is not among the outputs; shared by output")
        for product, groups in attributed.items():
            for group, consumed in groups.items():
                obs[record["sec"]].append(methods.Observation(
                    record["year"], product, outputs.get(product, 0.0), consumed,
                    str(record["ent"]), group))
    # the plan's enterprises, not only those with figures: one query, with or without data
    names = dict(Enterprise.objects.filter(sector__plan=plan).values_list("pk", "name"))
    return obs, {k: dict(v) for k, v in energy.items()}, names, units, sorted(set(notes))


def _sector_index(sector: Sector, observations: list[methods.Observation],
                  energy: dict[int, float], names: dict[int, str], units: dict[str, str],
                  group_names: dict[str, str], last_year: int) -> SectorIndex:
    result = methods.odex(observations, base_year=BASE_YEAR, last_year=last_year)
    groups = sorted({o.group for o in observations})
    lmdi: dict[str, methods.Lmdi | None] = {}
    for group in groups:
        # activity and structure need one unit of output: only products of one kind
        lmdi[group] = methods.lmdi([o for o in observations if o.group == group],
                                   start=BASE_YEAR)
    enterprises = {int(o.unit): names.get(int(o.unit), o.unit) for o in observations}
    return SectorIndex(sector, result, lmdi, {g: units.get(g, "") for g in groups},
                       {g: group_names.get(g, g) for g in groups},
                       dict(sorted(enterprises.items(), key=lambda kv: kv[1])),
                       energy, result.notes)




def sector_indices_reference(*, plan: Plan, last_year: int) -> ConsumptionIndex:
    obs, energy, names, units, notes = consumption_observations(plan=plan, last_year=last_year)
    groups = {ENERGY: str(_("Energy (fuels and electricity)")),
              **dict(Item.objects.values_list("code", "name"))}
    out = [_sector_index(sector, obs.get(sector.pk, []), energy.get(sector.pk, {}), names,
                         units, groups, last_year) for sector in plan.sectors.all()]
    return ConsumptionIndex(out, _province(out, last_year), notes)
