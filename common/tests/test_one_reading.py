"""Every path reads the same input the same way: the report form, the registry forms, the
API (registry entries, enterprise figures, pydantic types) and an Excel import cell give
the same value or the same refusal for any number, yes/no or date typed as text."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django import forms
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from ninja import Schema
from pydantic import ValidationError as PydanticError

from common.parsing import ParseError, bool_parse, date_parse, number_parse, number_text
from common.schemas import Day, Number, YesNo
from plans.models import DataElement, ValueType
from registry import services as registry_services
from registry.api import _parse as api_parse
from registry.conversion import UnitTable
from registry.excel import read_sheet
from registry.forms import ActivityForm, LineForm, entry_form_class
from registry.schemas import in_schema
from registry.specs import ACTIVITY_COLUMNS, REGISTRIES, Lookups, parse_value
from reporting.validation import Question, value_clean

AREA_COLUMNS = REGISTRIES["areas"].columns
AREA_HA = next(c for c in AREA_COLUMNS if c.key == "area_ha")
ILLUSTRATIVE = next(c for c in AREA_COLUMNS if c.key == "illustrative")
ACTIVITY_DATE = next(c for c in ACTIVITY_COLUMNS if c.key == "date")
RELAXED = settings(max_examples=30, deadline=None,
                   suppress_health_check=[HealthCheck.function_scoped_fixture])

Reading = tuple[str, Any]
_SCHEMAS: dict[str, Any] = {}


def _api(column: Any, raw: Any) -> Any:
    """The registry API's reading: the request schema derived from the declaration, then
    the references looked up."""
    if column.key not in _SCHEMAS:
        _SCHEMAS[column.key] = in_schema(f"Probe{column.key}", [column], partial=True)
    payload = _SCHEMAS[column.key](**{column.key: raw})
    return api_parse([column], payload)[column.key]
PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))  # what a worksheet can hold


def _core(message: str) -> str:
    """A refusal without the field's name and capital: what every path must agree on."""
    message = re.sub(r"^«[^»]*»: ", "", str(message))
    return message[:1].lower() + message[1:]


def _read(fn, *args, **kwargs) -> Reading:
    try:
        return ("value", fn(*args, **kwargs))
    except ParseError as exc:
        return ("error", _core(exc.message))
    except forms.ValidationError as exc:
        return ("error", _core(exc.messages[0]))
    except ValidationError as exc:
        return ("error", _core(next(iter(exc.message_dict.values()))[0]))
    except PydanticError as exc:
        return ("error", _core(exc.errors()[0]["msg"]))


def _question(value_type: str) -> Question:
    return Question(DataElement(code="x", name="Câu hỏi", name_en="", help_text="",
                                value_type=value_type, unit="", min_value=None,
                                max_value=None, required=False))


class _Api(Schema):
    number: Number = None
    flag: YesNo = None
    day: Day = None


def _excel_cells(column_key: str, label: str, raws: list[Any]) -> list[Any]:
    """The raw cells of a workbook holding `raws` as text cells, read by the importer."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append([label])
    for row, raw in enumerate(raws, start=2):
        cell = sheet.cell(row=row, column=1, value=raw)
        cell.data_type = "s"  # a text cell, even for "=0"
    out = io.BytesIO()
    book.save(out)
    column = next(c for c in [*AREA_COLUMNS, *ACTIVITY_COLUMNS] if c.key == column_key)
    read = read_sheet(out.getvalue(), sheet=sheet.title, columns=[column])
    cells = {number: row.get(column_key) for number, row in read.rows}
    return [cells.get(i + 2) for i in range(len(raws))]


@pytest.fixture
def table(db) -> UnitTable:
    registry_services.units_load(path=django_settings.SCP_UNITS_FILE, actor=None)
    return UnitTable()


number_texts = st.one_of(
    st.text(alphabet="0123456789.,- \u00a0eEnaif", min_size=1, max_size=12),
    st.decimals(min_value=0, max_value=Decimal("1e9"), places=2).map(number_text),
    st.from_regex(r"[0-9]{1,4}\.[0-9]{1,2}", fullmatch=True),
    st.from_regex(r"[0-9]{1,3}(\.[0-9]{3}){1,2}(,[0-9]{1,2})?", fullmatch=True),
    st.sampled_from(["1e3", "nan", "inf", "abc", "12.5", "1,234.5", "12,5"]),
)


def _number_paths(raw: str, table: UnitTable, cell: Any) -> dict[str, Reading]:
    def figure(value: Any) -> Decimal:
        lines, errors = registry_services.figure_lines_check(
            lines=[{"item": "coal", "quantity": value, "unit": "t"}], table=table)
        if errors:
            raise ValidationError(errors)
        return lines[0][1]

    def report(value: Any) -> Decimal | None:
        return value_clean(_question(ValueType.DECIMAL), value)[1]

    return {
        "report form": _read(report, raw),
        "registry form": _read(entry_form_class(REGISTRIES["areas"]).base_fields["area_ha"].clean,
                               raw),
        "figures form": _read(LineForm.base_fields["quantity"].clean, raw),
        "registry API": _read(_api, AREA_HA, raw),
        "figures API": _read(figure, raw),
        "pydantic": _read(lambda v: _Api(number=v).number, raw),
        "Excel cell": _read(parse_value, AREA_HA, cell, Lookups()),
    }


@RELAXED
@given(st.lists(number_texts, min_size=1, max_size=8))
def test_every_path_reads_a_typed_number_the_same_way(table, raws):
    with translation.override("vi"):
        cells = _excel_cells("area_ha", "area_ha", raws)
        for raw, cell in zip(raws, cells, strict=True):
            expected = _read(number_parse, raw)
            # paths with their own bounds (figures: not negative; 2 or 4 decimals) agree
            # on everything inside them
            assume(expected[0] == "error" or (expected[1] is not None and expected[1] >= 0
                                              and expected[1] == round(expected[1], 2)))
            readings = _number_paths(raw, table, cell)
            if expected == ("value", None):  # blank: no value, or "required" where it is
                continue
            assert readings == dict.fromkeys(readings, expected), raw


def test_the_reported_differences_are_gone(table):
    """Issue 7: "12.5" was 12,5 in the report form and 125 in the figures section; "1e3"
    was refused by the report form and accepted by the registry."""
    with translation.override("vi"):
        for raw, expected in [
            ("12.5", ("error", "dấu thập phân là dấu phẩy, dấu chấm chỉ tách các nhóm ba chữ "
                               "số: hãy viết 12,5")),
            ("1e3", ("error", "phải là số, viết như 1.234.567,5")),
            ("abc", ("error", "phải là số, viết như 1.234.567,5")),
            ("4.661", ("value", Decimal(4661))),
            ("12,5", ("value", Decimal("12.5"))),
        ]:
            [cell] = _excel_cells("area_ha", "area_ha", [raw])
            readings = _number_paths(raw, table, cell)
            assert readings == dict.fromkeys(readings, expected), raw


yes_no_texts = st.one_of(
    st.sampled_from(["có", "Có", "không", "đúng", "sai", "c", "k", "x", "yes", "no", "true",
                     "FALSE", "1", "0", "on", "off", "y", "n", "maybe"]),
    st.text(PRINTABLE, max_size=4))


@RELAXED
@given(st.lists(yes_no_texts, min_size=1, max_size=8))
def test_every_path_reads_yes_and_no_the_same_way(db, raws):
    with translation.override("vi"):
        cells = _excel_cells("illustrative", "illustrative", raws)
        for raw, cell in zip(raws, cells, strict=True):
            expected = _read(bool_parse, raw)
            if expected == ("value", None):
                continue

            def report(value: Any) -> bool:
                return value_clean(_question(ValueType.BOOLEAN), value)[0] == "true"

            readings = {
                "report form": _read(report, raw),
                "registry API": _read(_api, ILLUSTRATIVE, raw),
                "pydantic": _read(lambda v: _Api(flag=v).flag, raw),
                "Excel cell": _read(parse_value, ILLUSTRATIVE, cell, Lookups()),
            }
            assert readings == dict.fromkeys(readings, expected), raw


date_texts = st.one_of(
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 1, 1)).map(
        lambda d: d.strftime("%d/%m/%Y")),
    st.dates().map(dt.date.isoformat),
    st.from_regex(r"[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}", fullmatch=True),
    st.text(PRINTABLE, max_size=10))


@RELAXED
@given(st.lists(date_texts, min_size=1, max_size=8))
def test_every_path_reads_a_date_the_same_way(db, raws):
    with translation.override("vi"):
        cells = _excel_cells("date", "date", raws)
        for raw, cell in zip(raws, cells, strict=True):
            expected = _read(date_parse, raw)
            if expected == ("value", None):
                continue
            readings = {
                "registry form": _read(ActivityForm.base_fields["date"].clean, raw),
                "registry API": _read(_api, ACTIVITY_DATE, raw),
                "pydantic": _read(lambda v: _Api(day=v).day, raw),
                "Excel cell": _read(parse_value, ACTIVITY_DATE, cell, Lookups()),
            }
            assert readings == dict.fromkeys(readings, expected), raw
