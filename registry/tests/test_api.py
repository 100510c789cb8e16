"""The registry API: JSON in and out, 4xx answers naming the field, nothing stored from a
refused request, never a 500."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import token_create
from orgunits.models import OrgUnit
from registry import services
from registry.demo import demo_load
from registry.models import Area, ConsumptionRecord, Enterprise
from registry.tests.conftest import tax_code, xlsx

pytestmark = pytest.mark.django_db
BASE = "/api/v1/registry"


@pytest.fixture
def api(client, coordinator):
    _token, raw = token_create(user=coordinator, name="t", actor=coordinator)

    class Api:
        def get(self, path, params=None):
            return client.get(BASE + path, params or {}, HTTP_AUTHORIZATION=f"Bearer {raw}")

        def send(self, method, path, body):
            data = body if isinstance(body, str) else json.dumps(body)
            return getattr(client, method)(BASE + path, data, content_type="application/json",
                                           HTTP_AUTHORIZATION=f"Bearer {raw}")

        def post_file(self, path, content):
            return client.post(BASE + path, {"file": SimpleUploadedFile("f.xlsx", content)},
                               HTTP_AUTHORIZATION=f"Bearer {raw}")

    return Api()


def test_create_read_update(api, plan):
    response = api.send("post", "/areas", {
        "kind": "industrial_park", "name": "KCN Cái Lân", "place": "tp-ha-long",
        "later_place": "p-bai-chay", "area_ha": 78, "valid_from": "01/06/1996"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "kcn-cai-lan" and body["area_ha"] == 78.0
    detail = api.get(f"/areas/{body['id']}", {"on": "2025-08-01"}).json()
    assert detail["place_on"] == "p-bai-chay" and detail["history"][0]["action"] == "area.create"
    assert api.get(f"/areas/{body['id']}", {"on": "2024-08-01"}).json()["place_on"] == \
        "tp-ha-long"
    patched = api.send("patch", f"/areas/{body['id']}", {"valid_to": "2030-01-01"}).json()
    assert patched["valid_to"] == "2030-01-01"


@pytest.mark.parametrize("payload,field", [
    ({"kind": "park", "name": "A", "place": "tp-ha-long", "valid_from": "2020-01-01"}, "kind"),
    ({"kind": "industrial_park", "name": "A", "place": "tp-ha-long",
      "valid_from": "2020-13-01"}, "valid_from"),
    ({"kind": "industrial_park", "name": "A", "place": "tp-ha-long"}, "valid_from"),
    ({"kind": "industrial_park", "name": "A", "place": "tp-ha-long",
      "valid_from": "2020-01-01", "valid_to": "2019-01-01"}, "valid_to"),
    ({"kind": "industrial_park", "name": "A", "place": "tp-ha-long",
      "valid_from": "2020-01-01", "colour": "red"}, "colour"),
    ({"kind": "industrial_park", "name": "A", "place": "tp-ha-long",
      "valid_from": "2020-01-01", "area_ha": "lots"}, "area_ha"),
    ({"kind": "industrial_park", "name": "A", "place": "tp-ha-long",
      "valid_from": "2020-01-01", "area_ha": -4}, "area_ha"),
    ({"kind": "industrial_park", "name": "A" * 300, "place": "tp-ha-long",
      "valid_from": "2020-01-01"}, "name"),
])
def test_bad_entries_are_422_naming_the_field(api, plan, payload, field):
    response = api.send("post", "/areas", payload)
    assert response.status_code == 422, response.content
    body = response.json()
    assert field in body["errors"] and body["detail"]
    assert not Area.objects.exists()


def test_an_unknown_place_is_a_conflict_with_the_stored_data(api, plan):
    """Well formed, but naming a unit nothing stored matches, or a place after a split
    that did not take over: 409 naming the field (422 stays for input wrong whatever is
    stored: test_bad_entries_are_422_naming_the_field)."""
    base = {"kind": "industrial_park", "name": "A", "valid_from": "2020-01-01"}
    response = api.send("post", "/areas", base | {"place": "nowhere"})
    assert response.status_code == 409
    assert response.json()["errors"] == {"place": ['Không có đơn vị "nowhere".']}
    response = api.send("post", "/areas", base | {"place": "tp-ha-long",
                                                  "later_place": "tp-cam-pha"})
    assert response.status_code == 409 and list(response.json()["errors"]) == ["later_place"]
    assert not Area.objects.exists()


@pytest.mark.parametrize(("body", "status"), [("[1, 2]", 422), ("not json", 400),
                                              ("null", 422), ('"text"', 422)])
def test_malformed_bodies_are_refused(api, plan, body, status):
    """Not JSON: 400; JSON that is not an object: 422. Nothing stored either way."""
    response = api.send("post", "/areas", body)
    assert response.status_code == status
    assert response.json()["detail"]
    assert not Area.objects.exists()


def test_enterprise_tax_code_and_duplicates(api, plan):
    good = {"tax_code": tax_code(700), "name": "CTCP Than Một", "sector": "coal",
            "place": "tp-ha-long", "valid_from": "2010-01-01"}
    assert api.send("post", "/enterprises", good).status_code == 201
    # a tax code or a name another entry holds: the request conflicts with the stored data
    again = api.send("post", "/enterprises", good | {"name": "Khác"})
    assert again.status_code == 409 and "tax_code" in again.json()["errors"]
    twin = api.send("post", "/enterprises", good | {"tax_code": tax_code(800),
                                                    "name": "Công ty cổ phần than một"})
    assert twin.status_code == 409 and "name" in twin.json()["errors"]
    bad = api.send("post", "/enterprises", good | {"tax_code": "5700000001", "sector": "x"})
    assert set(bad.json()["errors"]) >= {"sector"}
    bad = api.send("post", "/enterprises", good | {"tax_code": "5700000001"})
    assert "check digit" in " ".join(bad.json()["errors"]["tax_code"]).lower() or \
        bad.json()["errors"]["tax_code"]
    assert Enterprise.objects.count() == 1


def test_figures_put_and_refusals(api, plan, make_enterprise, units_loaded):
    e = make_enterprise()
    url = f"/enterprises/{e.pk}/figures/2024/year"
    ok = api.send("put", url, {"lines": [{"item": "coal", "quantity": "1200000", "unit": "t"},
                                         {"item": "diesel", "quantity": 4.5e6, "unit": "l"}]})
    assert ok.status_code == 200 and ok.json()["toe"] == 3960.0
    # 422: wrong whatever is stored; 409: the unit table (stored) has no such unit, or
    # measures the item otherwise
    for lines, field, status in [
        ([{"item": "coal", "quantity": 0, "unit": "t"},
          {"item": "diesel", "quantity": 10, "unit": "l"}], "lines", 422),
        ([{"item": "coal", "quantity": 10, "unit": "GJ"}], "lines.0.unit", 409),
        ([{"item": "coal", "quantity": -1, "unit": "t"}], "lines.0.quantity", 422),
        ([{"item": "coal", "quantity": 1, "unit": "bushel"}], "lines.0.unit", 409),
    ]:
        response = api.send("put", url, {"lines": lines, "version": 1})
        assert response.status_code == status and field in response.json()["errors"], lines
    stale = api.send("put", url, {"lines": [{"item": "coal", "quantity": 1, "unit": "t"}],
                                  "version": 0})
    assert stale.status_code == 409
    assert api.send("put", f"/enterprises/{e.pk}/figures/2024/q9",
                    {"lines": []}).status_code == 422
    assert api.send("put", f"/enterprises/{e.pk}/figures/2024/year",
                    {"lines": "nope"}).status_code == 422
    assert api.send("put", "/enterprises/999999/figures/2024/year",
                    {"lines": []}).status_code == 404
    assert ConsumptionRecord.objects.get().version == 1
    listed = api.get(f"/enterprises/{e.pk}/figures").json()["results"]
    assert listed[0]["period_code"] == "2024" and len(listed[0]["lines"]) == 2


def test_list_counts_and_by_place(api, plan):
    demo_load(actor=None)
    page = api.get("/areas", {"on": "2025-12-31", "kind": "industrial_park"}).json()
    assert page["count"] == 9 and all(r["kind"] == "industrial_park" for r in page["results"])
    assert api.get("/areas", {"on": "nonsense"}).status_code == 422
    assert api.get("/volcanoes").status_code == 404
    counts = api.get("/counts", {"on": "2025-12-31"}).json()
    reach = {r["kind"]: r for r in counts["awareness_reach"]}
    assert reach["economic_zone"]["total"] == 5
    places = api.get("/by-place/areas", {"on": "2025-08-01"}).json()["results"]
    assert any(p["place"] == "p-bai-chay" for p in places)
    assert not any(p["divided"] for p in places)  # the demo's entries were all moved
    services.area_save(data={"kind": "craft_village", "name": "Làng nghề chưa rõ phường",
                             "place": OrgUnit.objects.get(code="tp-mong-cai"),
                             "valid_from": dt.date(2000, 1, 1)}, actor=None)
    places = api.get("/by-place/areas", {"on": "2025-08-01"}).json()["results"]
    assert [p["name"] for p in places if p["divided"]] == ["Thành phố Móng Cái"]


def test_convert_endpoint(api, units_loaded, plan):
    ok = api.get("/convert", {"value": "1000", "from_unit": "l", "to_unit": "toe",
                              "fuel": "diesel"})
    assert ok.json() == {"value": "0.88", "unit": "toe"}
    # no conversion between these stored units: not found
    bad = api.get("/convert", {"value": "1", "from_unit": "kWh", "to_unit": "t"})
    assert bad.status_code == 404 and "to_unit" in bad.json()["errors"]
    bad = api.get("/convert", {"value": "1", "from_unit": "bushel", "to_unit": "t"})
    assert bad.status_code == 404 and "from_unit" in bad.json()["errors"]
    bad = api.get("/convert", {"value": "x", "from_unit": "t", "to_unit": "kg"})
    assert bad.status_code == 422 and "value" in bad.json()["errors"]
    assert "toe_factors" in api.get("/units").json()


def test_import_endpoint_is_all_or_nothing(api, plan):
    rows = [["kind", "name", "place", "valid_from"],
            ["industrial_park", "KCN A", "tp-ha-long", "01/01/2020"],
            ["industrial_park", "KCN B", "tp-ha-long", "not a date"]]
    response = api.post_file("/import/areas", xlsx(rows))
    assert response.status_code == 422
    body = response.json()
    assert body["problems"] == [{"sheet": "Sheet", "row": 3, "column": "Ngày bắt đầu hoạt động",
                                 "message": body["problems"][0]["message"]}]
    assert not Area.objects.exists()
    assert api.post_file("/import/areas", xlsx(rows[:2])).json()["created"] == 1
    assert api.post_file("/import/volcanoes", xlsx(rows[:2])).status_code == 404


def test_activities_and_packaging_api(api, plan, make_area, make_retailer):
    make_area("KCN A", code="kcn-a")
    response = api.send("post", "/activities", {"date": "2022-05-01", "organiser": "sct",
                                                "title": "Hội nghị", "areas": "kcn-a"})
    assert response.status_code == 201 and response.json()["areas"] == ["kcn-a"]
    bad = api.send("post", "/activities", {"date": "2022-05-01", "organiser": "sct",
                                           "title": "X", "areas": "kcn-zzz"})
    assert bad.status_code == 409 and "areas" in bad.json()["errors"]
    r = make_retailer()
    ok = api.send("post", f"/retailers/{r.pk}/packaging", {"since": "2022-01-01",
                                                           "basis": "inspected"})
    assert ok.status_code == 201
    overlap = api.send("post", f"/retailers/{r.pk}/packaging", {"since": "2023-01-01",
                                                                "basis": "declared"})
    assert overlap.status_code == 409 and "since" in overlap.json()["errors"]
    listed = api.get("/activities", {"year": 2022}).json()
    assert listed["count"] == 1


def test_by_place_with_an_unknown_kind_is_422_naming_kind(client, make_user, plan):
    client.force_login(make_user("coordinator", "sct"))
    for registry, kind in (("st-enterprises", "park"), ("areas", "\U000f621e")):
        response = client.get(f"/api/v1/registry/by-place/{registry}", {"kind": kind})
        assert response.status_code == 422
        assert "kind" in response.json()["errors"]


def test_multipart_without_boundary_is_400(client, make_user, plan):
    client.force_login(make_user("coordinator", "sct"))
    response = client.post("/api/v1/registry/import/areas", data=b"x",
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert response.json()["detail"]


def test_activities_are_filtered_alike_on_the_page_and_in_the_api(api, client, coordinator,
                                                                   plan):
    for day, title in [("2022-05-01", "Hội nghị SXTDBV"), ("2023-06-01", "Tập huấn")]:
        assert api.send("post", "/activities", {"date": day, "organiser": "sct",
                                                "title": title}).status_code == 201
    client.force_login(coordinator)
    for query, titles in [({"year": "2022"}, ["Hội nghị SXTDBV"]),
                          ({"q": "tập"}, ["Tập huấn"]),
                          ({"q": "Sở Công Thương"}, ["Tập huấn", "Hội nghị SXTDBV"])]:
        results = api.get("/activities", query).json()["results"]
        assert [r["title"] for r in results] == titles, query
        page = client.get("/registry/activities/", query).content.decode()
        assert all(t in page for t in titles)
        assert all(t not in page for t in {"Hội nghị SXTDBV", "Tập huấn"} - set(titles))
    refused = api.get("/activities", {"year": "1950"})
    assert refused.status_code == 422 and "1990" in refused.json()["errors"]["year"][0]


def test_write_endpoints_are_described_by_typed_schemas(api):
    from api.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    paths = schema["paths"]
    create = paths["/api/v1/registry/areas"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(body["required"]) == {"kind", "name", "place", "valid_from"}
    assert body["properties"]["kind"]["enum"] == ["economic_zone", "industrial_park",
                                                  "industrial_cluster", "craft_village"]
    assert body["additionalProperties"] is False
    assert set(create["responses"]) >= {"201", "401", "403", "404", "409", "422", "503"}
    for path, item in paths.items():
        for method, operation in item.items():
            assert {"403", "404", "422"} <= set(operation["responses"]), (path, method)
            if method in {"post", "put", "patch"}:
                assert "409" in operation["responses"], (path, method)
                content = operation.get("requestBody", {}).get("content", {})
                if not path.startswith("/api/v1/registry/"):
                    continue
                for media in content.values():  # no free-form object bodies
                    assert media["schema"] != {"type": "object"}, (path, method)
