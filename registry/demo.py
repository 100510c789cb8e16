"""Demo registries for Quang Ninh, loaded from the YAML files in data/registry/ through the
real services (so every entry is checked and audited like one entered by hand):
demo-areas.yaml (zones, parks, clusters, villages and awareness activities),
demo-retailers.yaml (retailers and packaging practice), demo-enterprises.yaml
(enterprises with consumption series, SCP models, S&T enterprises). Idempotent: a second
load changes nothing. Everything not confirmed by docs/quang-ninh-facts.md is marked
illustrative in the files and in the database."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from accounts.models import User
from orgunits.models import OrgUnit
from plans.models import Sector
from plans.selectors import plan_current
from registry import selectors, services, signals
from registry.conversion import UnitTable
from registry.models import (
    Area,
    AwarenessActivity,
    Enterprise,
    FigurePeriod,
    FigureSource,
    PackagingPractice,
    Retailer,
    ScpModel,
    StEnterprise,
)
from registry.places import PlaceResolver

DATA = Path(settings.DATA_DIR) / "registry"
DEMO_PASSWORD = "demo1234"
DISTRICTS_ABOLISHED = dt.date(2025, 7, 1)


def _read(name: str) -> dict[str, Any]:
    return yaml.safe_load((DATA / name).read_text(encoding="utf-8")) or {}


class _Refs:
    def __init__(self) -> None:
        self.units = {u.code: u for u in OrgUnit.objects.all()}
        self.places = PlaceResolver()
        plan = plan_current()
        self.sectors = {s.code: s for s in Sector.objects.filter(plan=plan)} if plan else {}

    def unit(self, code: str | None) -> OrgUnit | None:
        return self.units[code] if code else None


def _entry_data(raw: dict[str, Any], refs: _Refs, *, default_illustrative: bool,
                source: str, keys: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": raw["name"], "place": refs.unit(raw["place"]),
        "later_place": refs.unit(raw.get("later_place")),
        "address": raw.get("address", ""),
        "valid_from": raw.get("valid_from"), "valid_to": raw.get("valid_to"),
        "illustrative": raw.get("illustrative", default_illustrative),
        "source": raw.get("source", source), "note": raw.get("note", ""),
    }
    for key in keys:
        if key in raw:
            value = raw[key]
            data[key] = Decimal(str(value)) if isinstance(value, float | int) and \
                key == "area_ha" else value
    return data


def _upsert(saver, model, lookup: dict[str, Any], data: dict[str, Any], actor: Any,
            refs: _Refs) -> Any:
    existing = model._default_manager.filter(**lookup).first()
    if existing is not None and existing.place_id != data["place"].pk and \
            existing.place_id in refs.places.descendants(data["place"].pk):
        # Moved to its commune-level place since (registry_places_move): keep it there.
        data = {k: v for k, v in data.items() if k not in ("place", "later_place")}
    return saver(data=data, actor=actor, entry=existing)


def _noise(*parts: Any) -> Decimal:
    """A fixed pseudo-random factor in [0.985, 1.015] for these parts."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    fraction = Decimal(int.from_bytes(digest[:4], "big")) / Decimal(2**32)
    return Decimal("0.985") + fraction * Decimal("0.03")


def _round(value: Decimal) -> Decimal:
    if value >= 100:
        return value.quantize(Decimal(1))
    return value.quantize(Decimal("0.01"))


Line = tuple[str, Decimal, str, str]  # item, quantity, unit, product it was used for


def series_records(*, tax_code: str, series: dict[str, Any], profile: dict[str, Any]
                   ) -> list[tuple[int, str, list[Line]]]:
    """The (year, period, lines) an enterprise's series spec expands to (see the header of
    demo-enterprises.yaml); an input with `for:` is entered for that product."""
    first, last = series["years"]
    base = Decimal(str(series["base"]))
    growth = Decimal(str(series.get("growth", 0)))
    efficiency = Decimal(str(series.get("efficiency", profile.get("efficiency", 0))))
    out: list[tuple[int, str, list[Line]]] = []

    def lines_for(year: int, scale: Decimal, tag: str) -> list[Line]:
        n = year - first
        output = base * (1 + growth) ** n * scale * _noise(tax_code, year, tag, "output")
        result = [(profile["output"]["item"], _round(output), profile["output"]["unit"], "")]
        for also in profile.get("also", []):
            value = output * Decimal(str(also["per_unit"])) * _noise(tax_code, year, tag,
                                                                      also["item"])
            result.append((also["item"], _round(value), also["unit"], ""))
        for inp in profile["inputs"]:
            product = inp.get("for", "")
            value = (output * Decimal(str(inp["per_unit"])) * (1 + efficiency) ** n
                     * _noise(tax_code, year, tag, inp["item"], *([product] if product else [])))
            result.append((inp["item"], _round(value), inp["unit"], product))
        return result

    for year in range(first, last + 1):
        out.append((year, FigurePeriod.YEAR, lines_for(year, Decimal(1), "year")))
        if series.get("h1"):
            out.append((year, FigurePeriod.H1, lines_for(year, Decimal("0.48"), "h1")))
    return out


@transaction.atomic
def demo_load(*, actor: Any) -> dict[str, int]:
    """Load (or refresh) the demo registries; returns how many of each there are."""
    services.units_load(path=settings.SCP_UNITS_FILE, actor=actor)
    refs = _Refs()
    _load_areas(refs, actor)
    _load_retailers(refs, actor)
    with signals.figures_batch():
        _load_enterprises(refs, actor)
    # The files record the places of before 1 July 2025; move every entry to the unit it
    # lies in since, as a coordinator would (entries of a split place name it in the file).
    services.registry_places_move(day=DISTRICTS_ABOLISHED, actor=actor)
    return {
        "areas": Area.objects.count(), "activities": AwarenessActivity.objects.count(),
        "retailers": Retailer.objects.count(),
        "packaging": PackagingPractice.objects.count(),
        "enterprises": Enterprise.objects.count(), "models": ScpModel.objects.count(),
        "st_enterprises": StEnterprise.objects.count(),
    }


def _load_areas(refs: _Refs, actor: Any) -> None:
    doc = _read("demo-areas.yaml")
    source = doc.get("source", "")
    for raw in doc.get("areas", []):
        data = _entry_data(raw, refs, default_illustrative=False, source=source,
                           keys=("kind", "area_ha", "activity"))
        data["code"] = raw["code"]
        data["zone"] = Area.objects.get(code=raw["zone"]) if raw.get("zone") else None
        _upsert(services.area_save, Area, {"code": raw["code"]}, data, actor, refs)
    areas = {a.code: a for a in Area.objects.all()}
    for raw in doc.get("activities", []):
        organiser = refs.units[raw["organiser"]]
        data = {"date": raw["date"], "organiser": organiser, "title": raw["title"],
                "description": raw.get("description", ""),
                "participants": raw.get("participants"),
                "evidence": raw.get("evidence", ""), "illustrative": True,
                "areas": [areas[c] for c in raw.get("areas", [])]}
        existing = selectors.activity_find(date=raw["date"], organiser=organiser,
                                           title=raw["title"])
        services.activity_save(data=data, actor=actor, activity=existing)


def _load_retailers(refs: _Refs, actor: Any) -> None:
    doc = _read("demo-retailers.yaml")
    source = doc.get("source", "")
    for raw in doc.get("retailers", []):
        data = _entry_data(raw, refs, default_illustrative=True, source=source,
                           keys=("kind", "operator"))
        data["code"] = raw["code"]
        _upsert(services.retailer_save, Retailer, {"code": raw["code"]}, data, actor, refs)
    retailers = {r.code: r for r in Retailer.objects.all()}
    for raw in doc.get("packaging", []):
        retailer = retailers[raw["retailer"]]
        data = {"since": raw["since"], "until": raw.get("until"), "basis": raw["basis"],
                "evidence": raw.get("evidence", ""), "evidence_ref": raw.get("evidence_ref", ""),
                "illustrative": True}
        existing = selectors.packaging_find(retailer=retailer, since=raw["since"])
        services.packaging_save(retailer=retailer, data=data, actor=actor, practice=existing)


def _load_enterprises(refs: _Refs, actor: Any) -> None:
    doc = _read("demo-enterprises.yaml")
    source = doc.get("source", "")
    profiles = doc.get("profiles", {})
    table = UnitTable()
    for raw in doc.get("enterprises", []):
        data = _entry_data(raw, refs, default_illustrative=True, source=source, keys=())
        data["tax_code"] = raw["tax_code"]
        data["sector"] = refs.sectors[raw["sector"]]
        enterprise = _upsert(services.enterprise_save, Enterprise,
                             {"tax_code": raw["tax_code"]}, data, actor, refs)
        if raw.get("reporting_unit") and not (
                enterprise.reporting_unit_id
                and User.objects.filter(username=f"dn-{enterprise.tax_code}").exists()):
            services.enterprise_designate(
                enterprise=enterprise, actor=actor, password=DEMO_PASSWORD,
                email=f"dn-{enterprise.tax_code}@example.invalid", since=dt.date(2021, 1, 1))
        series = raw.get("series")
        if series:
            profile = profiles[series["profile"]]
            for year, period, lines in series_records(tax_code=raw["tax_code"], series=series,
                                                      profile=profile):
                services.consumption_record_save(
                    enterprise=enterprise, year=year, period=period, lines=lines, actor=actor,
                    source=FigureSource.DEMO, illustrative=True, table=table)
    enterprises = {e.tax_code: e for e in Enterprise.objects.all()}
    for raw in doc.get("scp_models", []):
        data = _entry_data(raw, refs, default_illustrative=True, source=source,
                           keys=("kind", "description", "operator"))
        data["code"] = raw["code"]
        data["enterprise"] = enterprises[raw["enterprise"]] if raw.get("enterprise") else None
        if data["enterprise"] is not None and not raw.get("operator"):
            data["operator"] = ""
        _upsert(services.scp_model_save, ScpModel, {"code": raw["code"]}, data, actor, refs)
    for raw in doc.get("st_enterprises", []):
        data = _entry_data(raw, refs, default_illustrative=True, source=source,
                           keys=("certificate_number", "certificate_date", "field", "tax_code"))
        data["code"] = raw["code"]
        data["issuer"] = raw.get("issuer", "Sở Khoa học và Công nghệ tỉnh Quảng Ninh")
        if data["valid_from"] is None:
            data["valid_from"] = raw["certificate_date"]
        _upsert(services.st_enterprise_save, StEnterprise, {"code": raw["code"]}, data, actor, refs)
