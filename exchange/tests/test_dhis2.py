"""DHIS2 dataValueSets: a payload round-trips through import and export; every bad value
is a conflict naming the object, and the valid values of the same payload are stored; the
workflow and access rules of the web form hold."""

from __future__ import annotations

import json

import pytest

from accounts.models import Role
from accounts.services import token_create
from reporting.models import DataValue, ReportState
from reporting.services import period_open, report_accept, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of

URL = "/api/v1/dataValueSets"
DS, SCT, TOTAL, ECO = "QnScp141Kh1", "QnSct000001", "QnSupTot001", "QnSupEco001"


class Api:
    def __init__(self, client, user):
        self.client = client
        self.auth = {"HTTP_AUTHORIZATION": "Bearer " + token_create(user=user, name="t",
                                                                    actor=None)[1]}

    def post(self, body, query=""):
        data = body if isinstance(body, str | bytes) else json.dumps(body)
        return self.client.post(URL + query, data, content_type="application/json",
                                **self.auth)

    def get(self, **params):
        return self.client.get(URL, params, **self.auth)


@pytest.fixture
def period(plan):
    return period_open(plan=plan, code="2022", actor=None, notify=False)[0]


@pytest.fixture
def coordinator_api(client, coordinator):
    return Api(client, coordinator)


def _values(period, code):
    report = report_of(period, code)
    return {v.element.code: (v.value, v.comment) for v in
            DataValue.objects.filter(request=report).select_related("element")}


def test_round_trip(period, coordinator_api):
    payload = {"dataSet": DS, "period": "2022", "orgUnit": SCT, "dataValues": [
        {"dataElement": TOTAL, "categoryOptionCombo": "HllvX50cXC0", "value": "40"},
        {"dataElement": ECO, "value": "25", "comment": "Theo số liệu tháng 11"},
        {"dataElement": "zones-total", "value": 50},  # a code is accepted beside the UID
    ]}
    response = coordinator_api.post(payload)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "SUCCESS"
    assert body["importCount"] == {"imported": 3, "updated": 0, "ignored": 0, "deleted": 0}
    assert _values(period, "sct") == {"supermarkets-total": ("40", ""),
                                      "supermarkets-eco-packaging": ("25",
                                                                     "Theo số liệu tháng 11"),
                                      "zones-total": ("50", "")}
    exported = coordinator_api.get(dataSet=DS, period="2022", orgUnit=SCT).json()
    assert exported["dataSet"] == DS and exported["orgUnit"] == SCT
    assert exported["period"] == "2022" and "completeDate" not in exported
    got = {v["dataElement"]: v["value"] for v in exported["dataValues"]}
    assert got == {TOTAL: "40", ECO: "25", "QnZoneTot01": "50"}  # exported by its UID
    # The export imports back unchanged: nothing is imported or updated.
    again = coordinator_api.post(exported).json()
    assert again["importCount"] == {"imported": 0, "updated": 0, "ignored": 3, "deleted": 0}
    # Header-less form, one value changed and one deleted.
    changed = coordinator_api.post({"dataValues": [
        {"dataElement": TOTAL, "period": "2022", "orgUnit": "sct", "value": "41"},
        {"dataElement": "zones-total", "period": "2022", "orgUnit": SCT, "value": ""},
    ]}).json()
    assert changed["importCount"] == {"imported": 0, "updated": 1, "ignored": 0, "deleted": 1}
    assert "zones-total" not in _values(period, "sct")
    assert report_of(period, "sct").state == ReportState.DRAFT


def test_bad_values_are_conflicts_and_the_rest_is_stored(period, coordinator_api):
    payload = {"dataSet": DS, "orgUnit": SCT, "period": "2022", "dataValues": [
        {"dataElement": TOTAL, "value": "40"},                                   # 0 good
        {"dataElement": "NoSuchElem1", "value": "1"},                            # 1
        {"dataElement": TOTAL, "orgUnit": "NoSuchUnit1", "value": "1"},          # 2
        {"dataElement": TOTAL, "period": "2022Q1", "value": "1"},                # 3
        {"dataElement": TOTAL, "period": "2019", "value": "1"},                  # 4
        {"dataElement": "zones-total", "value": "nhiều"},                        # 5
        {"dataElement": "zones-reached", "value": "-3"},                         # 6
        {"dataElement": ECO, "value": "60"},                                     # 7 > 40
        {"dataElement": "scp-models", "categoryOptionCombo": "Xyz12345678", "value": "2"},
        {"dataElement": "iv-2-1-campaigns", "value": "2"},  # 9: not in Sở Công Thương's form
    ]}
    response = coordinator_api.post(payload)
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "WARNING"
    assert body["importCount"] == {"imported": 1, "updated": 0, "ignored": 9, "deleted": 0}
    by_index = {c["indexes"][0]: c for c in body["conflicts"]}
    assert set(by_index) == set(range(1, 10))
    assert by_index[1]["object"] == "NoSuchElem1"
    assert by_index[2]["object"] == "NoSuchUnit1"
    assert "2025S1" in by_index[3]["value"]
    assert by_index[4]["object"] == "2019"
    # DHIS2 values are machine-written numbers (a dot for decimals), read as such.
    assert by_index[5]["value"] == ("«Số khu kinh tế, khu công nghiệp, cụm công nghiệp, làng "
                                    "nghề trên địa bàn»: phải là số viết cho máy đọc, ví dụ "
                                    "1234.5")
    assert by_index[7]["object"] == ECO and "40" in by_index[7]["value"]
    assert by_index[8]["object"] == "Xyz12345678"
    assert _values(period, "sct") == {"supermarkets-total": ("40", "")}


def test_locked_reports_and_completion(period, coordinator_api, coordinator):
    report = report_of(period, "stnmt")
    values, answers = complete_payload(report)
    report = report_save(report=report, actor=None, version=1, values=values,
                         answers=answers)
    report = report_submit(report=report, actor=None)
    before = _values(period, "stnmt")
    element = next(iter(before))
    body = coordinator_api.post({"dataValues": [
        {"dataElement": element, "period": "2022", "orgUnit": "stnmt", "value": "3"}]}).json()
    assert body["status"] == "ERROR" and body["conflicts"][0]["object"] == "stnmt"
    report_accept(report=report, actor=coordinator, notify=False)
    response = coordinator_api.post({"dataValues": [
        {"dataElement": element, "period": "2022", "orgUnit": "stnmt", "value": "3"}]})
    assert response.status_code == 409
    assert _values(period, "stnmt") == before
    # completeDate submits; a report that cannot be submitted keeps the values as a draft.
    body = coordinator_api.post({"dataSet": DS, "period": "2022", "orgUnit": SCT,
                                 "completeDate": "2022-12-10",
                                 "dataValues": [{"dataElement": TOTAL, "value": "40"}]}).json()
    assert body["importCount"]["imported"] == 1 and body["completed"] == []
    assert any(c["object"] == SCT for c in body["conflicts"])
    sct = report_of(period, "sct")
    assert sct.state == ReportState.DRAFT
    values, answers = complete_payload(sct)
    report_save(report=sct, actor=None, version=sct.version, values=values, answers=answers)
    body = coordinator_api.post({"dataSet": DS, "period": "2022", "orgUnit": SCT,
                                 "completeDate": "2022-12-10",
                                 "dataValues": [{"dataElement": TOTAL, "value": "12"}]}).json()
    assert body["status"] == "SUCCESS" and body["completed"] == [f"2022/{SCT}"]
    assert report_of(period, "sct").state == ReportState.SUBMITTED


def test_access(period, client, make_user, viewer):
    other = Api(client, make_user(Role.REPORTER, "stnmt"))
    body = other.post({"dataValues": [
        {"dataElement": TOTAL, "period": "2022", "orgUnit": SCT, "value": "4"}]}).json()
    assert body["status"] == "ERROR" and body["conflicts"][0]["object"] == SCT
    own = Api(client, make_user(Role.REPORTER, "sct"))
    assert own.post({"dataValues": [
        {"dataElement": TOTAL, "period": "2022", "orgUnit": SCT, "value": "4"}]}
    ).json()["status"] == "SUCCESS"
    # Exports: the reporter of another unit sees none of it, a viewer only accepted data.
    assert other.get(dataSet=DS, period="2022", orgUnit=SCT).json()["dataValues"] == []
    assert Api(client, viewer).get(dataSet=DS, period="2022").json()["dataValues"] == []
    assert own.get(dataSet=DS, period="2022").json()["dataValues"][0]["value"] == "4"


def test_garbage(period, coordinator_api):
    response = coordinator_api.post("{not json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Nội dung yêu cầu không phải JSON hợp lệ."}
    # not a dataValueSet at all: refused whole, naming what is wrong (typed request body)
    for body, message in (([], "Trường này là bắt buộc."), ({"dataValues": "x"},
                                                            "Phải là một danh sách."),
                          (None, "Trường này là bắt buộc."), ({}, "Trường này là bắt buộc.")):
        response = coordinator_api.post(body)
        assert response.status_code == 422, (body, response.content)
        assert response.json()["errors"] == {"dataValues": [message]}
    # well formed, but naming a data set this system does not hold: DHIS2's conflict
    response = coordinator_api.post({"dataSet": "Nope", "dataValues": []})
    assert response.status_code == 409 and response.json()["status"] == "ERROR"
    dry = coordinator_api.post({"dataValues": [
        {"dataElement": TOTAL, "period": "2022", "orgUnit": SCT, "value": "4"}]},
        query="?dryRun=true").json()
    assert dry["importCount"]["imported"] == 1 and dry["dryRun"] is True
    assert _values(period, "sct") == {}
    # an export naming a data set or a period nothing stored matches is not found
    response = coordinator_api.get(dataSet="Nope", period="2022")
    assert response.status_code == 404 and list(response.json()["errors"]) == ["dataSet"]
    response = coordinator_api.get(dataSet=DS, period="2031")
    assert response.status_code == 404 and list(response.json()["errors"]) == ["period"]
    assert coordinator_api.get(dataSet=DS).status_code == 422
    assert coordinator_api.get(dataSet=DS, period="20x5").status_code == 422


def test_a_value_that_is_not_an_object_refuses_the_set_naming_the_row(period, coordinator_api):
    response = coordinator_api.post({"dataValues": [
        {"dataElement": TOTAL, "period": "2022", "orgUnit": SCT, "value": "4"},
        "not an object", {"period": "2022", "value": "1"}]})
    assert response.status_code == 422
    assert response.json()["errors"] == {
        "dataValues.1.dataElement": ["Trường này là bắt buộc."],
        "dataValues.2.dataElement": ["Trường này là bắt buộc."]}
    assert _values(period, "sct") == {}


def test_the_schema_describes_a_data_value_set():
    from api.api import api

    schema = api.get_openapi_schema()
    body = schema["paths"]["/api/v1/dataValueSets"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    value_set = schema["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert value_set["required"] == ["dataValues"]
    value = schema["components"]["schemas"][
        value_set["properties"]["dataValues"]["items"]["$ref"].rsplit("/", 1)[1]]
    assert value["required"] == ["dataElement"]
    assert {"dataElement", "period", "orgUnit", "categoryOptionCombo", "value",
            "comment"} <= set(value["properties"])
