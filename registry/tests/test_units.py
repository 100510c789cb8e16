"""The unit table: the loader (idempotent, all or nothing), the command, and conversions,
with property tests that conversions round-trip."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from common.datafile import DataFileError
from registry.conversion import UnitTable, quantity_convert
from registry.loader import units_file_read
from registry.models import FuelFactor, Item, MeasureUnit
from registry.services import units_load

pytestmark = pytest.mark.django_db


def test_the_file_is_valid_and_names_a_source_for_every_factor():
    spec = units_file_read(settings.SCP_UNITS_FILE)
    assert {k["code"] for k in spec.kinds} >= {"mass", "volume", "energy", "electricity",
                                               "count"}
    fuels = [i for i in spec.items if i["role"] == "fuel"]
    assert {f["code"] for f in fuels} >= {"electricity", "diesel", "fuel-oil", "coal-fuel-1-2",
                                          "coke", "lpg", "natural-gas"}
    for fuel in fuels:
        for factor in fuel["toe"]:
            assert "3505/BCT-KHCN" in factor["source"]
    coke = next(f for f in fuels if f["code"] == "coke")
    assert "0,70-0,75" in coke["toe"][0]["note"] and coke["toe"][0]["value"] == Decimal("0.725")


def _table() -> list:
    return [list(MeasureUnit.objects.values_list("code", "factor").order_by("code")),
            list(Item.objects.values_list("code", flat=True).order_by("code")),
            list(FuelFactor.objects.values_list("item__code", "toe").order_by("item__code"))]


def test_load_is_idempotent():
    # The test database is seeded with the unit table (reference data): loading it again
    # must change nothing.
    assert MeasureUnit.objects.filter(code="toe").exists()
    before = _table()
    again = units_load(path=settings.SCP_UNITS_FILE, actor=None)
    assert not again.changed and again.unchanged > 0
    assert _table() == before


def test_first_load_creates_the_table():
    FuelFactor.objects.all().delete()
    Item.objects.all().delete()
    MeasureUnit.objects.all().delete()
    first = units_load(path=settings.SCP_UNITS_FILE, actor=None)
    assert first.created and MeasureUnit.objects.filter(code="toe").exists()


def test_an_edited_file_updates_in_place(tmp_path: Path):
    units_load(path=settings.SCP_UNITS_FILE, actor=None)
    text = Path(settings.SCP_UNITS_FILE).read_text(encoding="utf-8")
    edited = tmp_path / "units.yaml"
    edited.write_text(text.replace('value: "0.0001543"', 'value: "0.000154"'), encoding="utf-8")
    report = units_load(path=edited, actor=None)
    assert any("electricity" in line for line in report.updated)
    assert FuelFactor.objects.get(item__code="electricity").toe == Decimal("0.000154")


def test_a_faulty_file_stores_nothing_and_lists_every_problem(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("""
sources: {si: "SI"}
kinds:
  - {code: mass, name: "Khối lượng", base: t}
units:
  - {code: t, symbol: t, name: tấn, kind: mass, factor: "1", source: si}
  - {code: kg, symbol: kg, name: kg, kind: mass, factor: "-0.001", source: si}
  - {code: lb, symbol: lb, name: pound, kind: weight, factor: "0.00045", source: nowhere}
items: []
""", encoding="utf-8")
    before = _table()
    with translation.override("en"), pytest.raises(DataFileError) as exc:
        units_load(path=bad, actor=None)
    text = " | ".join(str(fault) for fault in exc.value.faults)
    assert f"{bad}:7: units[1].factor: must be a positive number" in text
    assert "positive" in text and "unknown kind 'weight'" in text and "nowhere" in text
    assert "toe" in text
    assert _table() == before
    assert not MeasureUnit.objects.filter(code="lb").exists()


def test_command_loads_and_converts(capsys):
    call_command("units", "load", str(settings.SCP_UNITS_FILE))
    assert "created" in capsys.readouterr().out
    call_command("units", "load")
    assert "0 created, 0 updated" in capsys.readouterr().out
    call_command("units", "convert", "1000", "l", "toe", "--fuel", "diesel")
    assert capsys.readouterr().out.strip() == "0.88 toe"
    with pytest.raises(CommandError):
        call_command("units", "convert", "1", "kWh", "t")


def test_command_refuses_a_faulty_file(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("units: 3\n", encoding="utf-8")
    with pytest.raises(CommandError, match="must be a list"):
        call_command("units", "load", str(bad))


# ------------------------------------------------------------------ conversions


def test_known_conversions(units_loaded):
    table = UnitTable()

    def conv(v, a, b, fuel=None):
        return quantity_convert(value=v, from_unit=a, to_unit=b, fuel=fuel, table=table)

    assert conv(1500, "kg", "t") == Decimal("1.5")
    assert conv(2, "hl", "l") == Decimal("200")
    assert conv(1, "toe", "GJ") == Decimal("41.868")
    assert conv(1000, "l", "toe", "diesel") == Decimal("0.88")
    assert conv(1, "t", "toe", "diesel") == Decimal("1.02")
    assert conv(1_000_000, "kWh", "toe") == Decimal("154.3")  # electricity implicit
    assert conv(2, "MWh", "toe", "electricity") == Decimal("0.3086")
    assert conv(10, "t", "toe", "coal-fuel-3-4") == Decimal("6.0")
    assert conv(1000, "m3", "toe", "natural-gas") == Decimal("0.9")
    assert conv(1, "t", "GJ", "coal-fuel-1-2") == Decimal("0.70") * Decimal("41.868")
    # back from energy to a fuel's own unit
    assert conv(Decimal("0.88"), "toe", "l", "diesel") == Decimal("1000")
    # case-insensitive codes and symbols
    assert conv(1, "KWH", "kwh") == 1
    assert conv(1, "TOE", "GJ") == Decimal("41.868")


@pytest.mark.parametrize("a,b,fuel,field", [
    ("kWh", "t", None, "to_unit"),           # electricity to mass
    ("GJ", "kg", None, "fuel"),              # energy to mass without a fuel
    ("t", "l", None, "to_unit"),             # mass to volume
    ("t", "toe", None, "fuel"),              # which fuel?
    ("m3", "toe", "lpg", "fuel"),            # LPG has no per-volume factor
    ("furlong", "m", None, "from_unit"),     # unknown unit
    ("m", "parsec", None, "to_unit"),
])
def test_impossible_conversions_are_refused_with_the_field(units_loaded, a, b, fuel, field):
    with pytest.raises(ValidationError) as exc:
        quantity_convert(value=1, from_unit=a, to_unit=b, fuel=fuel)
    assert field in exc.value.message_dict


def test_not_a_number_is_refused(units_loaded):
    with pytest.raises(ValidationError) as exc:
        quantity_convert(value="abc", from_unit="t", to_unit="kg")
    assert "value" in exc.value.message_dict


values = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("1e12"), places=4,
                     allow_nan=False, allow_infinity=False)


def _close(a: Decimal, b: Decimal) -> bool:
    return abs(a - b) <= abs(b) * Decimal("1e-20")


@pytest.fixture(scope="module")
def snapshot(django_db_blocker, django_db_setup):
    """The unit table read once for the property tests (loaded, read, then rolled back)."""
    from django.db import transaction

    with django_db_blocker.unblock(), transaction.atomic():
        units_load(path=settings.SCP_UNITS_FILE, actor=None)
        table = UnitTable()
        transaction.set_rollback(True)
    return table


@hsettings(max_examples=300, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), value=values)
def test_round_trip_within_a_kind(snapshot, data, value):
    table = snapshot
    kind = data.draw(st.sampled_from(sorted({u.kind for u in table.units.values()})))
    codes = sorted(c for c, u in table.units.items() if u.kind == kind)
    a, b = data.draw(st.sampled_from(codes)), data.draw(st.sampled_from(codes))
    there = table.convert(value=value, from_unit=a, to_unit=b)
    back = table.convert(value=there, from_unit=b, to_unit=a)
    assert _close(back, value)


@hsettings(max_examples=300, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), value=values)
def test_fuels_round_trip_through_energy(snapshot, data, value):
    table = snapshot
    fuel = data.draw(st.sampled_from(sorted(table.toe)))
    kind = data.draw(st.sampled_from(sorted(table.toe[fuel])))
    unit = data.draw(st.sampled_from(sorted(c for c, u in table.units.items() if u.kind == kind)))
    energy = data.draw(st.sampled_from(sorted(c for c, u in table.units.items()
                                              if u.kind == "energy")))
    there = table.convert(value=value, from_unit=unit, to_unit=energy, fuel=fuel)
    back = table.convert(value=there, from_unit=energy, to_unit=unit, fuel=fuel)
    assert _close(back, value)
    # and via toe then GJ equals straight to GJ
    toe = table.convert(value=value, from_unit=unit, to_unit="toe", fuel=fuel)
    gj = table.convert(value=value, from_unit=unit, to_unit="GJ", fuel=fuel)
    assert _close(toe * Decimal("41.868"), gj)


@hsettings(max_examples=200, deadline=None,
           suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), value=values)
def test_conversion_is_transitive(snapshot, data, value):
    table = snapshot
    kind = data.draw(st.sampled_from(sorted({u.kind for u in table.units.values()})))
    codes = sorted(c for c, u in table.units.items() if u.kind == kind)
    a, b, c = (data.draw(st.sampled_from(codes)) for _ in range(3))
    direct = table.convert(value=value, from_unit=a, to_unit=c)
    via = table.convert(value=table.convert(value=value, from_unit=a, to_unit=b),
                        from_unit=b, to_unit=c)
    assert _close(via, direct)
