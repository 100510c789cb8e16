"""DHIS2 dataValueSets: `POST /api/v1/dataValueSets` imports values into the units' reports
and answers with DHIS2's import summary; `GET /api/v1/dataValueSets?dataSet=…
&period=…&orgUnit=…` exports them. Thin: parse, call one service or selector."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.utils.translation import gettext_noop
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import ConfigDict

from exchange.selectors import datavalueset_export
from exchange.services import datavalueset_import

router = Router(tags=[gettext_noop("DHIS2 data exchange")])


SCHEMA_TITLES = {
    "ExportQuery": gettext_noop("DHIS2 export query"),
    "DataValueIn": gettext_noop("DHIS2 data value"),
    "DataValueSetIn": gettext_noop("DHIS2 data value set to import"),
    "DataValueOut": gettext_noop("DHIS2 data value"),
    "DataValueSetOut": gettext_noop("DHIS2 data value set"),
    "ImportCountOut": gettext_noop("Counts of an import"),
    "ConflictOut": gettext_noop("Value refused in an import"),
    "ImportSummaryOut": gettext_noop("DHIS2 import summary"),
}

# A DHIS2 identifier (UID) or this system's code, as the mapping file relates them
Identifier = Annotated[str, Field(max_length=60, pattern=r"^[-\w.]+$")]
# A period as DHIS2 writes one: a year (2025), a half-year (2025S1) or an ad-hoc request
PeriodCode = Annotated[str, Field(pattern=r"^([0-9]{4}(S[12])?|AH-[0-9]{4}-[0-9]{2,3})$")]


class ExportQuery(Schema):
    dataSet: Identifier
    period: list[PeriodCode] = Field(..., min_length=1)
    orgUnit: list[Identifier] = []


class DataValueIn(Schema):
    # DHIS2 writes more of each value (storedBy, created, followup…): not used, not refused
    model_config = ConfigDict(extra="allow", json_schema_extra={"description": gettext_noop(
        "One value as DHIS2 writes it. Whether it fits (a known element, unit and opened "
        "period, a value the question accepts) is checked value by value: a misfit is a "
        "conflict of the import summary, not a refusal of the whole set.")})

    dataElement: str = Field(..., max_length=100)
    period: str | None = Field(None, max_length=100,
                               description=gettext_noop("Default: the set's period."))
    orgUnit: str | None = Field(None, max_length=100,
                                description=gettext_noop("Default: the set's organisation unit."))
    categoryOptionCombo: str | None = Field(None, max_length=100)
    attributeOptionCombo: str | None = Field(None, max_length=100)
    value: str | int | float | bool | None = Field(
        None, description=gettext_noop("Empty: delete it."))
    comment: str | None = Field(None, max_length=20_000)


class DataValueSetIn(Schema):
    model_config = ConfigDict(extra="allow", json_schema_extra={"description": gettext_noop(
        "A DHIS2 dataValueSet: with a header (dataSet, period, orgUnit) its values may "
        "leave out, or without one.")})

    dataSet: str | None = Field(None, max_length=100)
    period: str | None = Field(None, max_length=100)
    orgUnit: str | None = Field(None, max_length=100)
    attributeOptionCombo: str | None = Field(None, max_length=100)
    completeDate: str | None = Field(
        None, max_length=40,
        description=gettext_noop("yyyy-mm-dd: submit the reports the values went to."))
    dataValues: list[DataValueIn]


class ImportCountOut(Schema):
    imported: int
    updated: int
    ignored: int
    deleted: int


class ConflictOut(Schema):
    object: str
    value: str
    indexes: list[int] = []


class ImportSummaryOut(Schema):
    responseType: str
    status: str = Field(
        ..., description=gettext_noop("SUCCESS, WARNING (some values refused) or ERROR"))
    dryRun: bool
    description: str
    importCount: ImportCountOut
    conflicts: list[ConflictOut]
    completed: list[str]


class DataValueOut(Schema):
    dataElement: str
    period: str
    orgUnit: str
    categoryOptionCombo: str
    attributeOptionCombo: str
    value: str
    lastUpdated: str
    followup: bool
    comment: str | None = None


class DataValueSetOut(Schema):
    dataSet: str
    period: str | None = None
    orgUnit: str | None = None
    completeDate: str | None = None
    dataValues: list[DataValueOut]


@router.get("/dataValueSets", summary=gettext_noop("Data values as a DHIS2 dataValueSet"),
            response=DataValueSetOut, exclude_unset=True)
def datavaluesets_get(request: HttpRequest, query: Query[ExportQuery]) -> dict[str, Any]:
    return datavalueset_export(user=request.user, data_set=query.dataSet,
                               periods=query.period, org_units=query.orgUnit)


@router.post("/dataValueSets", summary=gettext_noop("Import a DHIS2 dataValueSet (JSON)"),
             response={200: ImportSummaryOut, 409: ImportSummaryOut},
             description=gettext_noop("Each value is checked on its own: invalid values are "
                                      "listed as conflicts and ignored, valid ones stored "
                                      "(DHIS2's default behaviour). A `completeDate` submits "
                                      "the reports the values went to. `dryRun=true` checks "
                                      "without storing."))
def datavaluesets_post(request: HttpRequest, payload: DataValueSetIn,
                       dryRun: bool = False) -> Status:
    summary = datavalueset_import(payload=payload.dict(exclude_unset=True),
                                  actor=request.user, dry_run=dryRun)
    return Status(409 if summary.status == "ERROR" else 200, summary.as_dict())
