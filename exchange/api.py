"""DHIS2 dataValueSets: `POST /api/v1/dataValueSets` imports values into the units'
reports and answers with DHIS2's import summary; `GET /api/v1/dataValueSets?dataSet=…
&period=…&orgUnit=…` exports them. Thin: parse, call one service or selector."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from ninja import Query, Router, Schema
from ninja.responses import Status

from exchange.selectors import datavalueset_export
from exchange.services import datavalueset_import

router = Router(tags=[gettext_noop("DHIS2 data exchange")])


SCHEMA_TITLES = {"ExportQuery": gettext_noop("DHIS2 export query")}


class ExportQuery(Schema):
    dataSet: str
    period: list[str]
    orgUnit: list[str] = []


@router.get("/dataValueSets", summary=gettext_noop("Data values as a DHIS2 dataValueSet"),
            response=dict[str, Any])
def datavaluesets_get(request: HttpRequest, query: Query[ExportQuery]) -> dict[str, Any]:
    return datavalueset_export(user=request.user, data_set=query.dataSet,
                               periods=query.period, org_units=query.orgUnit)


@router.post("/dataValueSets", summary=gettext_noop("Import a DHIS2 dataValueSet (JSON)"),
             response={200: dict[str, Any], 409: dict[str, Any], 400: dict[str, Any]},
             openapi_extra={"requestBody": {"required": True, "content": {
                 "application/json": {"schema": {"type": "object"}}}}},
            description=gettext_noop("Each value is checked on its own: invalid values are "
                                     "listed as conflicts and ignored, valid ones stored "
                                     "(DHIS2's default behaviour). A `completeDate` submits "
                                     "the reports the values went to. `dryRun=true` checks "
                                     "without storing."))
def datavaluesets_post(request: HttpRequest, dryRun: bool = False) -> Status:
    try:
        payload = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError):
        return Status(400, {"status": "ERROR", "detail": _("The body is not valid JSON.")})
    summary = datavalueset_import(payload=payload, actor=request.user, dry_run=dryRun)
    return Status(409 if summary.status == "ERROR" else 200, summary.as_dict())
