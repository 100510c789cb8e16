"""Inputs entered per product: the service's checks (a named product must be among the
record's products), the allocation rule a record keeps for the rest, and the same lines
through the API, the Excel import and export, the report page's one save and the
history."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.services import token_create
from registry import excel, services
from registry.models import Allocation, ConsumptionLine, ConsumptionRecord
from registry.selectors import entry_history
from registry.tests.conftest import xlsx
from reporting.models import ReportRequest
from reporting.services import period_open

pytestmark = pytest.mark.django_db

PLANT = [("clinker", 1000, "t", ""), ("cement", 1200, "t", ""),
         ("electricity", 60000, "kWh", "clinker"), ("electricity", 40000, "kWh", "cement"),
         ("limestone", 1300, "t", "clinker"), ("diesel", 500, "l", "")]


@pytest.fixture
def plant(plan, make_enterprise, units_loaded):
    return make_enterprise("Công ty CP Xi măng Thử", sector="cement")


def _lines(record):
    return {(ln.item.code, ln.product.code if ln.product else ""): ln.quantity
            for ln in record.lines.select_related("item", "product")}


def test_inputs_are_stored_per_product_and_the_rest_by_the_rule(plant):
    record = services.consumption_record_save(enterprise=plant, year=2024, lines=PLANT,
                                              actor=None)
    assert _lines(record)[("electricity", "clinker")] == 60000
    assert _lines(record)[("electricity", "cement")] == 40000
    assert _lines(record)[("diesel", "")] == 500
    # the record reports clinker, the sector's principal product: diesel goes to it
    assert record.allocation == Allocation.PRINCIPAL
    record = services.consumption_record_save(enterprise=plant, year=2024, lines=PLANT,
                                              actor=None, allocation="output")
    assert record.allocation == Allocation.OUTPUT and record.version == 2
    # kept when not asked again
    record = services.consumption_record_save(enterprise=plant, year=2024, lines=PLANT[:-1],
                                              actor=None)
    assert record.allocation == Allocation.OUTPUT


def test_a_plant_without_the_principal_product_shares_by_output(plant):
    lines = [("cement", 1200, "t"), ("diesel", 500, "l")]
    record = services.consumption_record_save(enterprise=plant, year=2024, lines=lines,
                                              actor=None)
    assert record.allocation == Allocation.OUTPUT
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.consumption_record_save(enterprise=plant, year=2024, lines=lines,
                                         actor=None, allocation="principal")
    assert "Clinker" in exc.value.message_dict["allocation"][0]
    assert "sản phẩm chính" in exc.value.message_dict["allocation"][0]


@pytest.mark.parametrize("line, field, words", [
    (("electricity", 5, "kWh", "beer"), "lines.2.product", "chưa có sản lượng"),
    (("electricity", 5, "kWh", "diesel"), "lines.2.product", "không phải là sản phẩm"),
    (("electricity", 5, "kWh", "nope"), "lines.2.product", "nope"),
    (("gypsum", 5, "t", "cement"), None, None),
])
def test_a_named_product_must_be_one_of_the_record(plant, line, field, words):
    lines = [("clinker", 1000, "t"), ("cement", 1200, "t"), line]
    if field is None:
        services.consumption_record_save(enterprise=plant, year=2024, lines=lines, actor=None)
        assert ConsumptionLine.objects.get(item__code="gypsum").product.code == "cement"
        return
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.consumption_record_save(enterprise=plant, year=2024, lines=lines, actor=None)
    assert words in " ".join(exc.value.message_dict[field])
    assert not ConsumptionRecord.objects.exists()


def test_one_input_once_per_product_and_products_are_not_used_for_products(plant):
    twice = [*PLANT, ("electricity", 1, "kWh", "cement")]
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.consumption_record_save(enterprise=plant, year=2024, lines=twice, actor=None)
    assert exc.value.message_dict["lines.6.item"] == [
        "Điện cho Xi măng bị ghi hai lần."]
    product_for_product = [("clinker", 1000, "t", ""), ("cement", 1200, "t", "clinker")]
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.consumption_record_save(enterprise=plant, year=2024,
                                         lines=product_for_product, actor=None)
    assert "Xi măng là sản phẩm" in exc.value.message_dict["lines.1.product"][0]
    zero = [("clinker", 0, "t", ""), ("cement", 1200, "t", ""),
            ("coal-fuel-3-4", 10, "t", "clinker")]
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        services.consumption_record_save(enterprise=plant, year=2024, lines=zero, actor=None)
    assert "Sản lượng Clinker bằng 0" in exc.value.message_dict["lines.2.product"][0]


def test_moving_an_input_from_shared_to_one_product_is_one_audited_change(plant):
    services.consumption_record_save(enterprise=plant, year=2024, actor=None,
                                     lines=[("clinker", 1000, "t"), ("cement", 1200, "t"),
                                            ("electricity", 100000, "kWh")])
    record = services.consumption_record_save(enterprise=plant, year=2024, lines=PLANT,
                                              actor=None)
    assert ("electricity", "") not in _lines(record) and record.version == 2
    with translation.override("vi"):
        rows = [row[0] for event in entry_history(entry=plant) for row in event.rows]
    assert "Điện cho Clinker" in rows and "Điện" in rows


def test_the_api_takes_and_gives_the_product_and_the_rule(client, coordinator, plant):
    _token, raw = token_create(user=coordinator, name="t", actor=coordinator)
    url = f"/api/v1/registry/enterprises/{plant.pk}/figures/2024/year"
    body = {"lines": [{"item": i, "quantity": q, "unit": u, "product": p or None}
                      for i, q, u, p in PLANT], "allocation": "output"}
    response = client.put(url, json.dumps(body), content_type="application/json",
                          HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 200, response.content
    out = response.json()
    assert out["allocation"] == "output"
    assert {"item": "electricity", "quantity": "40000", "unit": "kWh",
            "product": "cement"} in out["lines"]
    body["lines"][2]["product"] = "beer"
    response = client.put(url, json.dumps(body | {"version": 1}),
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422
    assert list(response.json()["errors"]) == ["lines.2.product"]
    body["allocation"] = "evenly"
    response = client.put(url, json.dumps(body | {"version": 1}),
                          content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 422


def test_excel_export_and_import_carry_the_product(client, coordinator, plant):
    services.consumption_record_save(enterprise=plant, year=2024, lines=PLANT, actor=None)
    client.force_login(coordinator)
    with translation.override("vi"):
        content = b"".join(client.get(reverse("registry:figures-export"),
                                      HTTP_ACCEPT_LANGUAGE="vi").streaming_content)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][-1] == "Dùng cho sản phẩm"
    assert [plant.tax_code, 2024, "năm", "Điện", 40000, "kWh", "Xi măng"] in [
        [r[0], r[1], r[2], r[3], int(r[4]), r[5], r[6]] for r in rows[1:]]
    # back in, changed: the mill's electricity goes up; nothing else changes
    for row in rows[1:]:
        if row[3] == "Điện" and row[6] == "Xi măng":
            row[4] = 45000
    with translation.override("vi"):
        result = excel.figures_import(content=xlsx(rows, "figures"), actor=coordinator)
    assert result.updated == 1
    assert _lines(ConsumptionRecord.objects.get())[("electricity", "cement")] == 45000
    assert _lines(ConsumptionRecord.objects.get())[("electricity", "clinker")] == 60000
    limestone = 1 + [r[3] for r in rows[1:]].index("Đá vôi")
    rows[limestone][6] = "Bia"
    with translation.override("vi"), pytest.raises(excel.ImportRejected) as exc:
        excel.figures_import(content=xlsx(rows, "figures"), actor=coordinator)
    [problem] = exc.value.problems
    assert (problem.row, problem.column) == (limestone + 1, "Dùng cho sản phẩm")
    assert problem.message.startswith("Bia chưa có sản lượng")


def test_the_report_page_saves_per_product_lines_in_its_one_save(client, plan, plant):
    from registry.tests.test_sections import _form, _post, _row

    designation = services.enterprise_designate(enterprise=plant, actor=None, password="pw",
                                                since=dt.date(2021, 1, 1))
    period, _ = period_open(plan=plan, code="2022S1", actor=None, notify=False)
    report = ReportRequest.objects.select_related("period", "org_unit").get(
        period=period, org_unit=designation.unit)
    services.consumption_record_save(enterprise=plant, year=2022, period="h1", actor=None,
                                     lines=[("clinker", 1000, "t"), ("cement", 1200, "t"),
                                            ("electricity", 100000, "kWh")])
    client.force_login(designation.user)
    data = _form(client, report)
    row = _row(data, "electricity")
    data[f"{row}-product"] = "clinker"
    data["figures-allocation"] = "output"
    response = _post(client, report, data)
    assert response.status_code in (200, 302)
    record = ConsumptionRecord.objects.get()
    assert _lines(record) == {("clinker", ""): 1000, ("cement", ""): 1200,
                              ("electricity", "clinker"): 100000}
    assert record.allocation == "output" and record.source == "report"
    # a product the record lacks: refused on its row, in Vietnamese, nothing stored
    data = _form(client, report)
    data[f"{_row(data, 'electricity')}-product"] = "beer"
    response = _post(client, report, data)
    assert "Bia chưa có sản lượng" in response.content.decode()
    assert ConsumptionRecord.objects.get().version == record.version
    assert Decimal(100000) == _lines(ConsumptionRecord.objects.get())[("electricity",
                                                                       "clinker")]
