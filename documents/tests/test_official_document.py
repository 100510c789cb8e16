"""The official document of a unit's report: who may record it and when, what is checked,
the signed scan (a PDF, bounded), and the page, downloads and command around it."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from docx import Document

from accounts.models import Role
from common.models import AuditEvent
from documents.models import MAX_SCAN_BYTES, OfficialDocument
from documents.services import official_document_record
from reporting.services import period_open, report_accept, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def period(plan):
    return period_open(plan=plan, code="2022", actor=None, notify=False)[0]


@pytest.fixture
def submitted(period):
    report = report_of(period, "stnmt")
    values, answers = complete_payload(report)
    report = report_save(report=report, actor=None, version=1, values=values, answers=answers)
    return report_submit(report=report, actor=None)


def _record(report, actor, **over):
    fields = {"number": "125/BC-STNMT", "issued_on": dt.date(2022, 12, 10),
              "signatory": "Nguyễn Văn An", "position": "Phó Giám đốc",
              "today": dt.date(2022, 12, 20)}
    fields.update(over)
    return official_document_record(report=report, actor=actor, **fields)


def test_reporter_records_on_submitted_report(submitted, make_user):
    reporter = make_user(Role.REPORTER, "stnmt")
    document = _record(submitted, reporter, scan=PDF, scan_name="bc 125.pdf")
    assert document.has_scan and document.scan_name == "bc 125.pdf"
    assert AuditEvent.objects.filter(action="report.document").count() == 1
    _record(submitted, reporter, remove_scan=True, position="Giám đốc")
    document.refresh_from_db()
    assert not document.has_scan and document.position == "Giám đốc"


def test_rules(period, submitted, make_user, coordinator):
    reporter = make_user(Role.REPORTER, "stnmt")
    draft = report_of(period, "sct")
    with pytest.raises(ValidationError) as exc:
        _record(draft, None)
    assert "state" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        _record(submitted, make_user(Role.REPORTER, "sct"))
    with pytest.raises(PermissionDenied):
        _record(submitted, make_user(Role.VIEWER, "ubnd-quang-ninh"))
    with pytest.raises(ValidationError) as exc:
        _record(submitted, reporter, number="", signatory=" ", position="x" * 121,
                issued_on=dt.date(2023, 1, 1))
    assert set(exc.value.message_dict) == {"number", "signatory", "position", "issued_on"}
    with pytest.raises(ValidationError) as exc:
        _record(submitted, reporter, number="no number", issued_on=dt.date(2020, 1, 1))
    assert set(exc.value.message_dict) == {"number", "issued_on"}
    for bad in (b"GIF89a", b"%PDF-1.4 no end", b"%PDF-" + b"0" * MAX_SCAN_BYTES + b"%%EOF"):
        with pytest.raises(ValidationError) as exc:
            _record(submitted, reporter, scan=bad)
        assert "scan" in exc.value.message_dict
    assert not OfficialDocument.objects.exists()
    accepted = report_accept(report=submitted, actor=coordinator, notify=False)
    with pytest.raises(ValidationError):
        _record(accepted, reporter)
    assert _record(accepted, coordinator).number == "125/BC-STNMT"


def test_page_form_scan_and_downloads(submitted, make_user, client, viewer):
    reporter = make_user(Role.REPORTER, "stnmt")
    client.force_login(reporter)
    page = client.get(reverse("reporting:report", args=["2022", "stnmt"])).content.decode()
    assert reverse("documents:official", args=["2022", "stnmt"]) in page
    url = reverse("documents:official", args=["2022", "stnmt"])
    response = client.post(url, {"number": "7/BC-STNMT", "issued_on": "10/12/2022",
                                 "signatory": "Trần B", "position": "Giám đốc",
                                 "scan": SimpleUploadedFile("scan.pdf", PDF)})
    assert response.status_code == 302
    assert OfficialDocument.objects.get().number == "7/BC-STNMT"
    response = client.post(url, {"number": "8/BC-STNMT", "issued_on": "10/12/2022",
                                 "signatory": "Trần B", "position": "Giám đốc",
                                 "scan": SimpleUploadedFile("scan.pdf", b"MZ not a pdf")},
                           follow=True)
    assert "PDF" in response.content.decode()
    assert OfficialDocument.objects.get().number == "7/BC-STNMT"  # nothing stored
    scan = client.get(reverse("documents:scan", args=["2022", "stnmt"]))
    assert scan.status_code == 200 and scan.content == PDF
    docx = client.get(reverse("documents:unit", args=["2022", "stnmt", "docx"]))
    assert docx.status_code == 200
    doc = Document(io.BytesIO(docx.content))
    header = doc.tables[0]
    assert header.cell(0, 0).paragraphs[1].text == "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"
    assert header.cell(1, 0).paragraphs[0].text == "Số: 7/BC-STNMT"
    assert header.cell(1, 1).paragraphs[0].text == "Quảng Ninh, ngày 10 tháng 12 năm 2022"
    assert any(p.text.startswith("1. Nhiệm vụ IV.2.1") for p in doc.paragraphs)
    # Another unit's reporter and a viewer (the report is not accepted) are refused.
    client.force_login(make_user(Role.REPORTER, "sct"))
    assert client.get(reverse("documents:scan", args=["2022", "stnmt"])).status_code == 403
    client.force_login(viewer)
    assert client.get(reverse("documents:unit", args=["2022", "stnmt", "docx"])
                      ).status_code == 403
    assert client.get("/documents/periods/2022/report.exe").status_code == 404


def test_consolidated_download_roles(period, client, coordinator, viewer, make_user):
    url = reverse("documents:consolidated", args=[period.code, "docx"])
    for user, status in ((coordinator, 200), (viewer, 200),
                         (make_user(Role.REPORTER, "sct"), 403)):
        client.force_login(user)
        assert client.get(url).status_code == status


def test_pdf_failure_is_a_clear_503(period, client, coordinator, monkeypatch):
    monkeypatch.setattr("documents.pdf.soffice_path", lambda: None)
    client.force_login(coordinator)
    response = client.get(reverse("documents:consolidated", args=[period.code, "pdf"]))
    assert response.status_code == 503
    assert "LibreOffice" in response.content.decode()


def test_command(period, tmp_path):
    out = tmp_path / "r.docx"
    call_command("report", "--period", "2022", "--output", str(out), "--date", "05/01/2023")
    doc = Document(str(out))
    assert doc.tables[0].cell(1, 1).paragraphs[0].text == "Quảng Ninh, ngày 05 tháng 01 năm 2023"
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("report", "--period", "1999", "--output", str(out))
    with pytest.raises(CommandError):
        call_command("report", "--period", "2022", "--output", str(tmp_path / "r.txt"))


def test_adhoc_report_lists_accepted_answers(plan, coordinator):
    from documents.writers import consolidated_report_docx
    from orgunits.models import OrgUnit
    from reporting.services import adhoc_request_open

    units = list(OrgUnit.objects.filter(code__in=["sct", "stnmt"]))
    period = adhoc_request_open(
        plan=plan, title="Báo cáo nhanh túi ni lông", due_date=dt.date(2022, 9, 30),
        recipients=units, actor=coordinator, today=dt.date(2022, 9, 1), notify=False,
        questions=[{"name": "Số siêu thị đã cam kết", "value_type": "integer",
                    "unit": "cơ sở", "required": True}])
    for code, number, accept in (("sct", 6, True), ("stnmt", 9, False)):
        report = report_of(period, code)
        report = report_save(report=report, actor=None, version=1, values={"q1": number})
        report = report_submit(report=report, actor=None)
        if accept:
            report_accept(report=report, actor=coordinator, notify=False)
    doc = Document(io.BytesIO(consolidated_report_docx(period=period)))
    table = next(t for t in doc.tables if len(t.columns) == 4
                 and t.rows[0].cells[2].text == "Trả lời")
    rows = [[c.text for c in r.cells] for r in table.rows[1:]]
    assert rows == [["1", "Sở Công Thương", "6 cơ sở", ""], ["", "Tổng cộng", "6 cơ sở", ""]]
