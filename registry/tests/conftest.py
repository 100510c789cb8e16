"""Registry test helpers: the unit table loaded, and entries made through the services."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings

from orgunits.models import OrgUnit
from plans.models import Sector
from registry import services
from registry.checks import tax_code_check_digit


def tax_code(n: int, branch: str = "") -> str:
    """A valid illustrative tax code built from a number: 57 + 7 digits + check digit."""
    for i in range(n, n + 1000):
        first = f"57{i:07d}"
        check = tax_code_check_digit(first)
        if check is not None:
            return f"{first}{check}{'-' + branch if branch else ''}"
    raise AssertionError("no tax code")  # pragma: no cover


def unit(code: str) -> OrgUnit:
    return OrgUnit.objects.get(code=code)


@pytest.fixture
def units_loaded(db):
    services.units_load(path=settings.SCP_UNITS_FILE, actor=None)


@pytest.fixture
def sector(plan) -> Callable[[str], Sector]:
    return lambda code: Sector.objects.get(plan=plan, code=code)


@pytest.fixture
def make_area(db) -> Callable[..., Any]:
    def make(name: str = "KCN Cái Lân", *, kind: str = "industrial_park", place: str = "tp-ha-long",
             later: str | None = None, opened: dt.date = dt.date(2010, 1, 1),
             closed: dt.date | None = None, code: str = "", actor: Any = None) -> Any:
        return services.area_save(data={
            "code": code, "kind": kind, "name": name, "place": unit(place),
            "later_place": unit(later) if later else None, "valid_from": opened,
            "valid_to": closed}, actor=actor)
    return make


@pytest.fixture
def make_retailer(db) -> Callable[..., Any]:
    def make(name: str = "Siêu thị A", *, kind: str = "supermarket", place: str = "tp-ha-long",
             later: str | None = None, opened: dt.date = dt.date(2015, 1, 1),
             closed: dt.date | None = None, actor: Any = None) -> Any:
        return services.retailer_save(data={
            "kind": kind, "name": name, "place": unit(place),
            "later_place": unit(later) if later else None, "valid_from": opened,
            "valid_to": closed}, actor=actor)
    return make


@pytest.fixture
def make_enterprise(db, plan) -> Callable[..., Any]:
    counter = {"n": 100}

    def make(name: str | None = None, *, sector: str = "coal", place: str = "tp-ha-long",
             code: str | None = None, opened: dt.date = dt.date(2005, 1, 1),
             closed: dt.date | None = None, actor: Any = None) -> Any:
        counter["n"] += 7
        return services.enterprise_save(data={
            "tax_code": code or tax_code(counter["n"]),
            "name": name or f"Công ty Than số {counter['n']}",
            "sector": Sector.objects.get(plan=plan, code=sector), "place": unit(place),
            "valid_from": opened, "valid_to": closed}, actor=actor)
    return make


def xlsx(rows: list[list[Any]], sheet: str = "Sheet") -> bytes:
    """A workbook with one sheet holding `rows` (the first is the header)."""
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = sheet
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def english():
    """Services' messages in English in these tests (pages are requested in Vietnamese,
    the site's language, by the test client)."""
    from django.utils import translation

    with translation.override("en"):
        yield
