"""Exports stream and are linear: the queries of an export do not grow with its rows, the
response starts before the rows are read, and CSV sits beside every workbook."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from registry import excel
from registry.models import Area, AwarenessActivity, ConsumptionLine
from registry.specs import REGISTRIES
from registry.tests.conftest import xlsx

pytestmark = pytest.mark.django_db


def _areas(coordinator, first: int, n: int) -> None:
    excel.registry_import(slug="areas", actor=coordinator, content=xlsx(
        [["code", "kind", "name", "place", "valid_from"]]
        + [[f"kcn-{i}", "industrial_park", f"KCN số {i}", "tp-ha-long", "01/01/2015"]
           for i in range(first, first + n)]))


def _activities(coordinator, first: int, n: int) -> None:
    excel.activities_import(actor=coordinator, content=xlsx(
        [["date", "organiser", "title", "areas"]]
        + [["15/05/2022", "sct", f"Hội nghị số {i}", f"kcn-{i % 3}"]
           for i in range(first, first + n)]))


def _figures(coordinator, enterprises, years: range) -> None:
    excel.figures_import(actor=coordinator, content=xlsx(
        [["tax_code", "year", "period", "item", "quantity", "unit"]]
        + [row for e in enterprises for y in years
           for row in ([e.tax_code, y, "year", "coal", 1000 + y, "t"],
                       [e.tax_code, y, "year", "diesel", 50 + y, "l"])]))


def _export(client, url: str) -> tuple[int, bytes]:
    """The number of queries an export makes, read to its last byte, and its content."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200 and response.streaming
        content = response.getvalue()
    return len(queries), content


def test_export_queries_do_not_grow_with_the_rows(client, coordinator, make_enterprise,
                                                  units_loaded):
    client.force_login(coordinator)
    _areas(coordinator, 0, 3)
    _activities(coordinator, 0, 3)
    enterprises = [make_enterprise("Than A"), make_enterprise("Than B")]
    _figures(coordinator, enterprises[:1], range(2021, 2022))
    urls = [reverse("registry:export", args=["areas"]),
            reverse("registry:export-csv", args=["areas"]),
            reverse("registry:activity-export"), reverse("registry:activity-export-csv"),
            reverse("registry:figures-export"), reverse("registry:figures-export-csv")]
    small = {url: _export(client, url)[0] for url in urls}
    _areas(coordinator, 3, 30)
    _activities(coordinator, 3, 30)
    _figures(coordinator, enterprises, range(2014, 2024))
    assert Area.objects.count() == 33 and AwarenessActivity.objects.count() == 33
    assert ConsumptionLine.objects.count() == 40
    large = {url: _export(client, url)[0] for url in urls}
    assert large == small
    _count, content = _export(client, reverse("registry:figures-export"))
    rows = list(load_workbook(io.BytesIO(content))["figures"].iter_rows(values_only=True))
    assert len(rows) == 41 and {r[0] for r in rows[1:]} == {e.tax_code for e in enterprises}
    assert sorted(r[4] for r in rows[1:] if r[0] == enterprises[1].tax_code and r[5] == "t"
                  ) == [1000 + y for y in range(2014, 2024)]


def test_csv_exports_keep_text_as_text(client, coordinator):
    client.force_login(coordinator)
    _areas(coordinator, 0, 1)
    Area.objects.filter(code="kcn-0").update(name="=1+1")
    _count, content = _export(client, reverse("registry:export-csv", args=["areas"]))
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    name = [c.key for c in REGISTRIES["areas"].columns].index("name")
    assert rows[0][name] == "Tên" and rows[1][name] == "'=1+1"


def test_figures_of_a_place_and_the_units_below_it(client, coordinator, make_enterprise,
                                                   units_loaded):
    client.force_login(coordinator)
    here = make_enterprise("Than A", place="tp-ha-long")
    there = make_enterprise("Than B", place="tp-cam-pha")
    _figures(coordinator, [here, there], range(2022, 2023))
    url = reverse("registry:figures-export-csv")
    rows = list(csv.reader(io.StringIO(client.get(url, {"place": "tp-ha-long"}).getvalue()
                                       .decode("utf-8-sig"))))
    assert {r[0] for r in rows[1:]} == {here.tax_code}
    assert client.get(url, {"place": "nowhere"}).status_code == 404
