"""Full data export: sheets per kind with Vietnamese headers and codes, text as text,
access as the reporting pages give it, bounded queries."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import Role
from reporting.services import period_open, report_accept, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of

EVIL = "=HYPERLINK(\"http://x\",\"y\")"


@pytest.fixture
def period(plan):
    period = period_open(plan=plan, code="2022", actor=None, notify=False)[0]
    for code, accept in (("sct", True), ("stnmt", False)):
        report = report_of(period, code)
        values, answers = complete_payload(report)
        first = next(iter(answers))
        answers[first]["results"] = EVIL
        report = report_save(report=report, actor=None, version=1, values=values,
                             answers=answers)
        report = report_submit(report=report, actor=None)
        if accept:
            report_accept(report=report, actor=None, notify=False)
    return period


def _book(content):
    return load_workbook(io.BytesIO(content), read_only=True)


def _rows(book, name):
    return list(book[name].iter_rows(values_only=True))


def test_xlsx_export(period, client, coordinator, django_assert_max_num_queries):
    client.force_login(coordinator)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("exchange:export"), {"format": "xlsx",
                                                          "period": "2022"})
        content = response.getvalue()  # the rows are read as the file streams
    assert response.status_code == 200
    book = _book(content)
    assert book.sheetnames == ["Kỳ báo cáo", "Báo cáo", "Nhiệm vụ", "Số liệu"]
    reports = _rows(book, "Báo cáo")
    assert reports[0][:3] == ("Mã kỳ", "Mã đơn vị", "Đơn vị")
    units = {r[1] for r in reports[1:]}
    assert {"sct", "stnmt", "sngv"} <= units
    tasks = _rows(book, "Nhiệm vụ")
    assert EVIL in [r[6] for r in tasks]  # text, not a formula
    values = _rows(book, "Số liệu")
    total = next(r for r in values if r[1] == "sct" and r[3] == "supermarkets-total")
    assert total[6] == 10 and total[4].startswith("Số siêu thị")


def test_csv_export_and_access(period, client, viewer, make_user):
    client.force_login(viewer)
    response = client.get(reverse("exchange:export"), {"format": "csv"})
    archive = zipfile.ZipFile(io.BytesIO(response.getvalue()))
    assert sorted(archive.namelist()) == ["Báo cáo.csv", "Kỳ báo cáo.csv", "Nhiệm vụ.csv",
                                          "Số liệu.csv"]
    reports = list(csv.reader(io.StringIO(archive.read("Báo cáo.csv").decode("utf-8-sig"))))
    assert {r[1] for r in reports[1:]} == {"sct"}  # a viewer: accepted reports only
    tasks = list(csv.reader(io.StringIO(archive.read("Nhiệm vụ.csv").decode("utf-8-sig"))))
    assert "'" + EVIL in [r[6] for r in tasks]
    client.force_login(make_user(Role.REPORTER, "stnmt"))
    book = _book(client.get(reverse("exchange:export"), {"format": "xlsx"}).getvalue())
    assert {r[1] for r in _rows(book, "Báo cáo")[1:]} == {"stnmt"}
    assert client.get(reverse("exchange:export")).status_code == 200
    assert client.get(reverse("exchange:export"), {"format": "xlsx",
                                                   "period": "1999"}).status_code == 404


def test_command(period, tmp_path):
    out = tmp_path / "all.xlsx"
    call_command("export", "--output", str(out))
    assert "Số liệu" in _book(out.read_bytes()).sheetnames
    call_command("export", "--output", str(tmp_path / "p.zip"), "--period", "2022")
    assert zipfile.is_zipfile(tmp_path / "p.zip")
