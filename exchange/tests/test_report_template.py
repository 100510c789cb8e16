"""Excel templates of report forms: a filled template round-trips through the same
service as the web form; bad files are refused whole, each problem with sheet, cell and
reason."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from exchange.report_template import (
    META_SHEET,
    TASK_SHEET,
    VALUE_SHEET,
    report_template_build,
)
from exchange.services import TemplateRejected, report_template_import
from reporting.models import ConflictCopy, DataValue, ReportState
from reporting.services import period_open, report_save
from reporting.tests.conftest import report_of


@pytest.fixture
def period(plan):
    return period_open(plan=plan, code="2022", actor=None, notify=False)[0]


@pytest.fixture
def report(period):
    return report_of(period, "sct")


@pytest.fixture
def reporter(make_user):
    return make_user(Role.REPORTER, "sct")


def _fill(content: bytes, edit) -> bytes:
    book = load_workbook(io.BytesIO(content))
    edit(book)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(book, sheet):
    ws = book[sheet]
    return {ws.cell(row=r, column=1).value: r for r in range(2, ws.max_row + 1)}


def _complete(book):
    tasks = book[TASK_SHEET]
    for row in range(2, tasks.max_row + 1):
        tasks.cell(row=row, column=3).value = "Đang triển khai"
        cell = tasks.cell(row=row, column=4)
        cell.value = "=Đã tổ chức 3 hội nghị"
        cell.data_type = "s"  # typed as text ('=…): must come back as text
    values = book[VALUE_SHEET]
    for row in range(2, values.max_row + 1):
        kind = values.cell(row=row, column=5).value
        cell = values.cell(row=row, column=6)
        if kind == "Có / Không":
            cell.value = "Có"
        elif kind == "Văn bản":
            cell.value = "Đã thực hiện"
        elif kind == "Chọn trong danh sách":
            cell.value = None
        elif kind in ("Số", "Tỷ lệ (%)"):
            cell.value = "12,5"  # typed as text, the Vietnamese way
        else:
            cell.value = 10
    rows = _rows(book, VALUE_SHEET)
    values.cell(row=rows["supermarkets-eco-packaging"], column=6).value = 4
    values.cell(row=rows["supermarkets-eco-packaging"], column=7).value = "Theo khảo sát"


def test_template_layout(report):
    book = load_workbook(io.BytesIO(report_template_build(report=report)))
    assert book.sheetnames[:3] == ["Hướng dẫn", META_SHEET, TASK_SHEET] or \
        set(book.sheetnames) == {"Hướng dẫn", META_SHEET, TASK_SHEET, VALUE_SHEET}
    assert book[META_SHEET].sheet_state == "veryHidden"
    assert book.security.lockStructure
    tasks, values = book[TASK_SHEET], book[VALUE_SHEET]
    assert tasks.protection.sheet and values.protection.sheet
    refs = [tasks.cell(row=r, column=1).value for r in range(2, tasks.max_row + 1)]
    assert refs[:2] == ["IV.1.1", "IV.1.2"] and "IV.16.1" in refs
    assert not tasks["C2"].protection.locked and tasks["A2"].protection.locked
    codes = _rows(book, VALUE_SHEET)
    assert "supermarkets-total" in codes and "iv-1-1-budget-estimated" in codes
    assert any(dv.type == "whole" for dv in values.data_validations.dataValidation)
    assert any(dv.type == "list" for dv in tasks.data_validations.dataValidation)
    assert "Đơn vị: Sở Công Thương" in [c.value for c in book["Hướng dẫn"]["A"]]


def test_filled_template_round_trips(report, reporter, tmp_path):
    content = _fill(report_template_build(report=report), _complete)
    done = report_template_import(content=content, actor=reporter)
    assert done.changed and not done.submitted
    stored = {v.element.code: v for v in DataValue.objects.filter(request=report)
              .select_related("element")}
    assert stored["supermarkets-total"].value == "10"
    assert stored["supermarkets-eco-packaging"].comment == "Theo khảo sát"
    answer = report.task_answers.get(task__ref="IV.1.1")
    assert answer.status == "in_progress" and answer.results == "=Đã tổ chức 3 hội nghị"
    # The template made now carries what was imported, and imports back unchanged.
    again = report_template_build(report=report_of(report.period, "sct"))
    book = load_workbook(io.BytesIO(again))
    assert book[TASK_SHEET]["D2"].value == "=Đã tổ chức 3 hội nghị"
    assert book[TASK_SHEET]["D2"].data_type == "s"
    assert not report_template_import(content=again, actor=reporter).changed
    # The command, with submission.
    path = tmp_path / "filled.xlsx"
    path.write_bytes(again)
    call_command("import", str(path), "--submit")
    assert report_of(report.period, "sct").state == ReportState.SUBMITTED


def test_every_problem_with_sheet_and_cell_nothing_stored(report, reporter):
    def damage(book):
        _complete(book)
        rows = _rows(book, VALUE_SHEET)
        values = book[VALUE_SHEET]
        values.cell(row=rows["supermarkets-total"], column=6).value = "nhiều"
        values.cell(row=rows["zones-total"], column=6).value = -4
        book[TASK_SHEET]["C3"].value = "Xong rồi"

    content = _fill(report_template_build(report=report), damage)
    with pytest.raises(TemplateRejected) as exc:
        report_template_import(content=content, actor=reporter)
    where = {(p.sheet, p.cell) for p in exc.value.problems}
    assert (TASK_SHEET, "C3") in where
    with pytest.raises(TemplateRejected) as exc:
        report_template_import(content=_fill(content, lambda b: b[TASK_SHEET].__setitem__(
            "C3", "Đang triển khai")), actor=reporter)
    rows = _rows(load_workbook(io.BytesIO(content)), VALUE_SHEET)
    where = {(p.sheet, p.cell) for p in exc.value.problems}
    assert (VALUE_SHEET, f"F{rows['supermarkets-total']}") in where
    assert (VALUE_SHEET, f"F{rows['zones-total']}") in where
    assert not DataValue.objects.filter(request=report).exists()
    assert report_of(report.period, "sct").version == 1


def test_bad_files(report, period, reporter, make_user):
    good = report_template_build(report=report)
    other = report_template_build(report=report_of(period, "stnmt"))
    cases = {
        "other unit": other,
        "not xlsx": b"PK\x03\x04 not really a zip",
        "text": "Mã chỉ tiêu;Giá trị\n".encode(),
        "oversized": b"PK" + b"\0" * (5 * 1024 * 1024 + 10),
        "changed layout": _fill(good, lambda b: b[VALUE_SHEET].insert_cols(3)),
        "renamed sheet": _fill(good, lambda b: setattr(b[TASK_SHEET], "title", "Tasks")),
        "added row": _fill(good, lambda b: b[TASK_SHEET].append(["IV.99.9", "x", "", "", "",
                                                                  ""])),
        "zip bomb": _bomb(good),
    }
    for name, content in cases.items():
        with pytest.raises(TemplateRejected) as exc:
            report_template_import(content=content, actor=reporter)
        assert exc.value.problems and str(exc.value.problems[0]), name
    with pytest.raises(TemplateRejected) as exc:
        report_template_import(content=good, actor=reporter, report=report_of(period, "stnmt"))
    assert "Sở Công Thương" in str(exc.value.problems[0])
    assert not DataValue.objects.filter(request__period=period).exists()


def _bomb(good: bytes) -> bytes:
    """The template with a sheet part of 60 MB of zeros-compressing XML."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(good)) as src, zipfile.ZipFile(
            out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet3.xml":
                data = data.replace(b"</sheetData>", b"<row r=\"9\">" + b" " * 60_000_000
                                    + b"</row></sheetData>")
            dst.writestr(item, data)
    return out.getvalue()


def test_stale_template_keeps_a_conflict_copy(report, reporter):
    content = _fill(report_template_build(report=report), _complete)
    report_save(report=report, actor=reporter, version=1,
                values={"supermarkets-total": 7})
    with pytest.raises(TemplateRejected):
        report_template_import(content=content, actor=reporter)
    assert ConflictCopy.objects.filter(request=report).count() == 1


def test_pages(report, reporter, client, make_user, viewer):
    client.force_login(reporter)
    page = client.get(reverse("reporting:report", args=["2022", "sct"])).content.decode()
    url = reverse("exchange:template", args=["2022", "sct"])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response.content.startswith(b"PK")
    filled = _fill(response.content, _complete)
    target = reverse("exchange:import") + "?period=2022&unit=sct"
    bad = client.post(target, {"file": SimpleUploadedFile("x.xlsx", b"junk")})
    assert bad.status_code == 422 and "xlsx" in bad.content.decode()
    ok = client.post(target, {"file": SimpleUploadedFile("x.xlsx", filled)})
    assert ok.status_code == 302
    assert DataValue.objects.filter(request=report).exists()
    client.force_login(make_user(Role.REPORTER, "stnmt"))
    assert client.get(url).status_code == 403
    refused = client.post(reverse("exchange:import"),
                          {"file": SimpleUploadedFile("x.xlsx", filled)})
    assert refused.status_code == 422 and "Sở Công Thương" in refused.content.decode()
    client.force_login(viewer)
    assert client.get(url).status_code == 403


def test_command_refusal(tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError) as exc:
        call_command("import", str(path))
    assert "bad.xlsx" in str(exc.value)
