"""The one xlsx writer writes text as text and streams; the one reader refuses bombs
(unpacked size, rows, columns, shared strings) before parsing, within little memory."""

from __future__ import annotations

import datetime as dt
import io
import tracemalloc
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from common.xlsx import LIMITS, SheetOut, WorkbookRefused, xlsx_check, xlsx_read, xlsx_write


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
        'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
        '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName='
        '"/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.sharedStrings+xml"/></Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>'),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook {NS} xmlns:r="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="areas" '
        'sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://'
        'schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        'Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
        'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/></Relationships>'),
}


def build(path: Path, *, sheet: Iterator[bytes], strings: Iterator[bytes] | None = None) -> bytes:
    """A workbook written part by part, compressed, never whole in memory."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, text in PARTS.items():
            z.writestr(name, text)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
            for chunk in sheet:
                f.write(chunk)
        with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8"?><sst {NS}>'.encode())
            for chunk in strings or iter([b"<si><t>code</t></si>"]):
                f.write(chunk)
            f.write(b"</sst>")
    return path.read_bytes()


def _sheet(*rows: bytes) -> Iterator[bytes]:
    yield f'<?xml version="1.0" encoding="UTF-8"?><worksheet {NS}><sheetData>'.encode()
    yield from rows
    yield b"</sheetData></worksheet>"


def _refused_in_little_memory(content: bytes) -> str:
    tracemalloc.start()
    try:
        with pytest.raises(WorkbookRefused) as exc:
            xlsx_read(content, sheet="areas")
        _size, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 20 * 1024 * 1024, peak  # nothing parsed into Python objects
    return exc.value.message


def test_two_million_header_cells(tmp_path):
    def header() -> Iterator[bytes]:
        yield b'<row r="1">'
        block = b'<c t="s"><v>0</v></c>' * 10_000
        for _ in range(200):
            yield block
        yield b"</row>"

    content = build(tmp_path / "wide.xlsx", sheet=_sheet(b"".join(header())))
    assert len(content) < LIMITS.packed_bytes
    assert "100 columns" in _refused_in_little_memory(content)


def test_twenty_million_shared_strings(tmp_path):
    def strings() -> Iterator[bytes]:
        block = b"<si><t>a</t></si>" * 100_000
        for _ in range(200):
            yield block

    content = build(tmp_path / "strings.xlsx", sheet=_sheet(), strings=strings())
    assert len(content) < LIMITS.packed_bytes
    assert "MB" in _refused_in_little_memory(content)


def test_shared_strings_are_counted_within_the_size_limit(tmp_path):
    block = b"<si><t>a</t></si>" * (LIMITS.shared_strings + 1)
    content = build(tmp_path / "strings.xlsx", sheet=_sheet(), strings=iter([block]))
    assert "different texts" in _refused_in_little_memory(content)


def test_a_gigabyte_of_blank_rows(tmp_path):
    def rows() -> Iterator[bytes]:
        block = b"<row/>" * (1024 * 1024 // 6)
        for _ in range(1024):
            yield block

    content = build(tmp_path / "blank.xlsx", sheet=_sheet(*rows()))
    assert len(content) < LIMITS.packed_bytes
    assert "MB" in _refused_in_little_memory(content)


def test_blank_rows_count_as_rows(tmp_path):
    content = build(tmp_path / "far.xlsx", sheet=_sheet(
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>',
        b'<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>'))
    assert "rows" in _refused_in_little_memory(content)


def test_a_far_column_is_refused(tmp_path):
    content = build(tmp_path / "far.xlsx", sheet=_sheet(
        b'<row r="1"><c r="XFD1" t="inlineStr"><is><t>name</t></is></c></row>'))
    assert "columns" in _refused_in_little_memory(content)


def test_entity_declarations_are_refused(tmp_path):
    content = build(tmp_path / "dtd.xlsx", sheet=iter([
        b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>',
        f"<worksheet {NS}><sheetData/></worksheet>".encode()]))
    assert "document type" in _refused_in_little_memory(content)


@pytest.mark.parametrize("content", [b"", b"name,kind\nA,B", b"PK\x03\x04broken"])
def test_not_a_workbook(content):
    with pytest.raises(WorkbookRefused):
        xlsx_check(content)


def test_a_written_workbook_passes_the_check_and_reads_back(tmp_path):
    texts = ["=1+1", '=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1)", "\t=1+1",
             "a\x00b\x1fc"]
    content = xlsx_write(sheets=[SheetOut(
        title="areas", header=["name", "day", "n"],
        rows=([t, dt.date(2024, 5, 1), Decimal("12.5")] for t in texts))])
    xlsx_check(content)
    ws = load_workbook(io.BytesIO(content))["areas"]
    cells = [row for row in ws.iter_rows(min_row=2)]
    assert [c[0].data_type for c in cells] == ["s"] * len(texts)  # no formula
    assert [c[0].value for c in cells] == [*texts[:-1], "abc"]
    assert cells[0][1].number_format == "DD/MM/YYYY" and cells[0][2].value == 12.5
    sheet, book = xlsx_read(content, sheet="areas")
    assert [r[0] for r in list(sheet.rows)[1:]] == [*texts[:-1], "abc"]
    book.close()


def test_the_reader_gives_what_openpyxl_gives(tmp_path):
    # a workbook as Excel writes it: shared strings, styles, dates, a formula's cached value
    from openpyxl import Workbook

    book = Workbook()
    ws = book.active
    ws.title = "areas"
    ws.append(["name", "day", "n", "f", "yes", "blank", "when"])
    ws.append(["Khu A", dt.date(2024, 5, 1), 12.5, "=1+1", True, None,
               dt.datetime(2024, 5, 1, 13, 30)])
    ws.append([])
    ws.append(["Khu B  ", dt.date(1999, 12, 31), 7, "x", False, "", None])
    ws["C6"] = 42
    path = tmp_path / "excel.xlsx"
    book.save(path)
    content = path.read_bytes()
    expected = list(load_workbook(io.BytesIO(content), read_only=True, data_only=True)[
        "areas"].iter_rows(values_only=True))
    sheet, read = xlsx_read(content, sheet="areas")
    rows = list(sheet.rows)
    read.close()
    assert sheet.title == "areas" and len(rows) == len(expected) == 6
    for got, want in zip(rows, expected, strict=True):
        # openpyxl pads every row to the widest; the reader stops at a row's last cell
        assert got == want[:len(got)] and not any(want[len(got):])
    assert rows[1][1] == dt.datetime(2024, 5, 1) and rows[3][2] == 7 and rows[2] == ()
