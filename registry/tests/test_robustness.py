"""Odd input never answers 500: huge numbers, unknown codes, wrong methods."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.django_db
HUGE = "9" * 25


@pytest.fixture
def c(client, coordinator, units_loaded, make_enterprise):
    client.force_login(coordinator)
    client.enterprise = make_enterprise()
    return client


def test_pages_with_odd_input(c):
    e = c.enterprise.pk
    for url, status in [
            (f"/registry/areas/{HUGE}/", 404), (f"/registry/areas/{HUGE}/edit/", 404),
            (f"/registry/enterprises/{e}/figures/{HUGE}/year/", 404),
            (f"/registry/enterprises/{e}/figures/0/year/", 404),
            (f"/registry/enterprises/{e}/figures/?year={HUGE}&period=year", 302),
            (f"/registry/activities/?year={HUGE}", 200),
            (f"/registry/activities/?page={HUGE}", 200),
            (f"/registry/areas/?page={HUGE}", 200), (f"/registry/areas/?place={HUGE}", 200),
            (f"/registry/retailers/{HUGE}/packaging/new/", 404),
            (f"/registry/activities/{HUGE}/", 404), (f"/registry/by-place/?on={HUGE}", 200),
            ("/registry/areas/?on=01/01/0001", 200), ("/registry/?on=31/12/9999", 200)]:
        assert c.get(url).status_code == status, url
    response = c.post(f"/registry/enterprises/{e}/figures/{HUGE}/year/",
                      {"lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0"})
    assert response.status_code == 404
    response = c.post(f"/registry/enterprises/{e}/figures/2024/year/",
                      {"lines-TOTAL_FORMS": HUGE, "lines-INITIAL_FORMS": "0"})
    assert response.status_code == 400  # the form is refused, not shown as if fine
    response = c.post(f"/registry/enterprises/{e}/figures/2024/year/", {
        "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0", "lines-0-item": "coal",
        "lines-0-quantity": HUGE, "lines-0-unit": "t"})
    assert response.status_code == 400


def test_api_with_odd_input(c):
    e = c.enterprise.pk
    for url in [f"/api/v1/registry/areas/{HUGE}", f"/api/v1/registry/activities?year={HUGE}",
                f"/api/v1/registry/areas?page={HUGE}&page_size=-5",
                f"/api/v1/registry/enterprises/{HUGE}/figures",
                f"/api/v1/registry/convert?value={HUGE}&from_unit=t&to_unit=kg",
                "/api/v1/registry/convert?value=1e999999&from_unit=t&to_unit=kg",
                "/api/v1/registry/by-place/areas?on=0001-01-01"]:
        status = {f"/api/v1/registry/areas/{HUGE}": 404,
                  f"/api/v1/registry/activities?year={HUGE}": 422,
                  f"/api/v1/registry/areas?page={HUGE}&page_size=-5": 422,
                  f"/api/v1/registry/enterprises/{HUGE}/figures": 404,
                  "/api/v1/registry/convert?value=1e999999&from_unit=t&to_unit=kg": 422,
                  }.get(url, 200)
        assert c.get(url).status_code == status, url
    for year in [HUGE, "0", "-5"]:
        response = c.put(f"/api/v1/registry/enterprises/{e}/figures/{year}/year",
                         json.dumps({"lines": []}), content_type="application/json")
        assert response.status_code == 422, year
        assert list(response.json()["errors"]) == ["year"]
    response = c.put(f"/api/v1/registry/enterprises/{e}/figures/2024/year",
                     json.dumps({"lines": [{"item": "coal", "quantity": HUGE, "unit": "t"}]}),
                     content_type="application/json")
    assert response.status_code == 422
    response = c.patch(f"/api/v1/registry/areas/{HUGE}", "{}", content_type="application/json")
    assert response.status_code == 404


NASTY = "KCN\x00 Cái\x07 Lân\x1b"


def test_control_characters_are_removed_from_form_input(c):
    response = c.post("/registry/areas/new/", {
        "code": "", "kind": "industrial_park", "name": NASTY, "place": _unit("tp-ha-long"),
        "valid_from": "01/01/2010", "note": "dòng 1\r\ndòng\x00 2", "source": "\x00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    from registry.models import Area

    area = Area.objects.get()
    assert (area.name, area.note, area.source) == ("KCN Cái Lân", "dòng 1\ndòng 2", "")
    assert c.get("/registry/areas/export.xlsx").status_code == 200


def test_control_characters_are_removed_from_api_input(c):
    response = c.post("/api/v1/registry/areas", json.dumps({
        "kind": "industrial_park", "name": NASTY, "place": "tp-ha-long",
        "valid_from": "2010-01-01", "activity": "\x00\x01"}), content_type="application/json")
    assert response.status_code == 201, response.content
    assert (response.json()["name"], response.json()["activity"]) == ("KCN Cái Lân", "")
    assert c.get("/registry/areas/export.xlsx").status_code == 200


def test_stored_control_characters_do_not_break_the_export(c, make_area):
    from openpyxl import load_workbook

    from registry.models import Area

    make_area("KCN A", code="kcn-a")
    Area.objects.update(name="KCN\x01 A")  # stored before input was cleaned
    response = c.get("/registry/areas/export.xlsx")
    assert response.status_code == 200
    import io

    assert load_workbook(io.BytesIO(response.getvalue()))["areas"].cell(2, 3).value == "KCN A"


def _unit(code):
    from orgunits.models import OrgUnit

    return OrgUnit.objects.get(code=code).pk
