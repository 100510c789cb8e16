"""The consolidated report of the demo's 2024 annual period: content and Decree 30 layout
read back from the .docx, the PDF made by LibreOffice and its first page rendered."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Pt

from documents.pdf import docx_to_pdf
from documents.services import official_document_record
from documents.writers import consolidated_report_docx
from reporting.demo import NEVER_REPORTS, demo_load
from reporting.models import ReportRequest, ReportState
from reporting.selectors import period_get


def _fonts_of(doc) -> set[str]:
    names = set()
    for paragraph in _all_paragraphs(doc):
        for run in paragraph.runs:
            if run.text.strip():
                names.add(run.font.name)
    return names


def _all_paragraphs(doc):
    yield from doc.paragraphs
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                yield from cell.paragraphs


def _run(doc, text: str):
    for paragraph in _all_paragraphs(doc):
        for run in paragraph.runs:
            if run.text == text:
                return run
    raise AssertionError(f"no run {text!r}")


@pytest.mark.django_db
def test_consolidated_report_2024(plan, tmp_path):
    demo_load(actor=None)
    period = period_get(code="2024")
    source = ReportRequest.objects.select_related("period").get(period=period,
                                                               org_unit__code="stnmt")
    assert source.state == ReportState.ACCEPTED
    official_document_record(report=source, actor=None, number="125/BC-STNMT",
                             issued_on=period.end, signatory="Nguyễn Văn An",
                             position="Phó Giám đốc", scan=b"%PDF-1.4\n%%EOF\n",
                             scan_name="bc.pdf")
    content = consolidated_report_docx(period=period)
    doc = Document(io.BytesIO(content))

    # Layout: A4, the decree's margins, Times New Roman everywhere.
    section = doc.sections[0]
    def mm(length):
        return round(length.mm)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)
    assert mm(section.top_margin) == 20 and mm(section.bottom_margin) == 20
    assert mm(section.left_margin) == 30 and mm(section.right_margin) == 15
    assert _fonts_of(doc) == {"Times New Roman"}
    assert section.different_first_page_header_footer  # no page number on page 1
    assert doc.core_properties.author == "Sở Công Thương"
    assert "PAGE" in section.header._element.xml

    # Header blocks: superior body, issuing body bold with a rule, national title, motto.
    header = doc.tables[0]
    left, right = header.cell(0, 0), header.cell(0, 1)
    superior = _run(doc, "ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH")
    assert not superior.bold and superior.font.size == Pt(12)
    issuer = _run(doc, "SỞ CÔNG THƯƠNG")
    assert issuer.bold and issuer.font.size == Pt(12)
    assert "w:pBdr" in left.paragraphs[2]._p.xml  # the short rule beneath
    national = _run(doc, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    assert national.bold and national.font.size == Pt(12)
    motto = _run(doc, "Độc lập - Tự do - Hạnh phúc")
    assert motto.bold and motto.underline and motto.font.size == Pt(13)
    assert right.paragraphs[0].text == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    number = header.cell(1, 0).paragraphs[0]
    assert re.fullmatch(r"Số: +/BC-SCT", number.text)
    assert number.runs[0].font.size == Pt(13)
    date = header.cell(1, 1).paragraphs[0]
    assert re.fullmatch(r"Quảng Ninh, ngày +tháng +năm \d{4}", date.text)
    assert date.runs[0].italic and date.runs[0].font.size == Pt(14)

    # Title and body.
    texts = [p.text for p in doc.paragraphs]
    title = texts.index("BÁO CÁO")
    assert _run(doc, "BÁO CÁO").bold and _run(doc, "BÁO CÁO").font.size == Pt(14)
    assert texts[title + 1].startswith("Kết quả thực hiện Kế hoạch số 141/KH-UBND")
    assert texts[title + 1].endswith("năm 2024")
    body = "\n".join(texts)
    for heading in ("I. TÌNH HÌNH CHUNG", "II. KẾT QUẢ THỰC HIỆN",
                    "III. KHÓ KHĂN, VƯỚNG MẮC", "IV. ĐỀ XUẤT, KIẾN NGHỊ", "V. NGUỒN SỐ LIỆU",
                    "PHỤ LỤC I", "PHỤ LỤC II"):
        assert heading in texts, heading
    body_paragraph = next(p for p in doc.paragraphs if p.text.startswith("Thực hiện Kế hoạch"))
    assert body_paragraph.paragraph_format.first_line_indent is not None
    assert body_paragraph.runs[0].font.size == Pt(14)
    # Accepted answers are there, the unit that never reports is named as missing.
    accepted = ReportRequest.objects.filter(period=period, state=ReportState.ACCEPTED)
    some = accepted.select_related("org_unit").exclude(org_unit__code="sct").first()
    assert some.org_unit.name in body
    never = ReportRequest.objects.get(period=period, org_unit__code=NEVER_REPORTS)
    assert never.state != ReportState.ACCEPTED
    missing_at = texts.index("4. Các cơ quan, đơn vị chưa có báo cáo được tiếp nhận")
    assert never.org_unit.name in texts[missing_at + 1]
    # Sources: the official document recorded above.
    assert any("Báo cáo số 125/BC-STNMT ngày 14/12/2024" in t and "Nguyễn Văn An" in t
               for t in texts)
    # Targets table: 2025 and 2030 targets side by side.
    targets = next(t for t in doc.tables if t.rows[0].cells[1].text == "Chỉ tiêu")
    assert targets.rows[0].cells[4].text == "Mục tiêu 2025"
    assert len(targets.rows) >= 6
    assert all(row.cells[6].text.strip() for row in targets.rows[1:])  # a status each
    # Nơi nhận and the signature block.
    closing = next(t for t in doc.tables if t.cell(0, 0).paragraphs[0].text == "Nơi nhận:")
    head = closing.cell(0, 0).paragraphs[0].runs[0]
    assert head.bold and head.italic and head.font.size == Pt(12)
    lines = [p.text for p in closing.cell(0, 0).paragraphs[1:]]
    assert all(line.startswith("- ") for line in lines)
    assert lines[-1] == "- Lưu: VT, QLCN." and lines[0].endswith(";")
    assert closing.cell(0, 0).paragraphs[1].runs[0].font.size == Pt(11)
    assert closing.cell(0, 1).paragraphs[0].text == "KT. GIÁM ĐỐC"
    assert _run(doc, "KT. GIÁM ĐỐC").bold

    # PDF through LibreOffice, its first page rendered.
    if shutil.which("soffice") is None or shutil.which("pdftoppm") is None:
        pytest.fail("LibreOffice and poppler-utils are needed (scripts/test installs them)")
    pdf = docx_to_pdf(content)
    assert pdf.startswith(b"%PDF-")
    (tmp_path / "report.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1",
                    str(tmp_path / "report.pdf"), str(tmp_path / "page")], check=True,
                   timeout=120)
    pages = list(Path(tmp_path).glob("page*.png"))
    assert len(pages) == 1 and pages[0].read_bytes().startswith(b"\x89PNG")
    info = subprocess.run(["pdfinfo", str(tmp_path / "report.pdf")], capture_output=True,
                          text=True, check=True).stdout
    assert "pts (A4)" in info
    fonts = subprocess.run(["pdffonts", str(tmp_path / "report.pdf")], capture_output=True,
                           text=True, check=True).stdout
    assert "Times" in fonts or "LiberationSerif" in fonts  # metric-compatible stand-in
