"""The one writer and the one reader of Excel workbooks (.xlsx).

Writing streams: the sheet's XML is made row by row straight into a zip archive sent in
chunks as it grows (`xlsx_stream`), so a long export costs time in proportion to its rows,
flat memory, and its first bytes leave at once; every text is written as text: a name
such as `=1+1` or `=HYPERLINK(...)` is a string cell, never a live formula, and exporting
then importing gives back the same text.

Reading first checks the file as it lies packed, before anything is parsed: the unpacked
size, the number of parts, every XML part streamed once (no DTDs, so no entity expansion),
the rows (blank rows count: a row number is a row), the columns, and the shared strings.
A file over a limit is refused in seconds and within little memory; only then does openpyxl
read the sheet, in streaming (read-only) mode."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.parsers import expat

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# ------------------------------------------------------------------ writing


@dataclass(frozen=True)
class SheetOut:
    """One sheet to write: its title, header, rows (any iterable, consumed once) and the
    width of each column in characters (None: from the header)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] | None = None
    freeze_header: bool = True


# cell styles (styles.xml's cellXfs, in order): plain, date, date and time, bold header
_DATE, _DATETIME, _BOLD = 1, 2, 3
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="DD/MM/YYYY"/>'
    '<numFmt numFmtId="165" formatCode="DD/MM/YYYY HH:MM"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
_EPOCH = dt.datetime(1899, 12, 30)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})


def _text(value: str) -> str:
    if not _SPECIAL.search(value):
        return value
    # characters a workbook cannot hold (NUL and other controls) are dropped
    return ILLEGAL_CHARACTERS_RE.sub("", value).translate(_ESCAPES)


_SPECIAL = re.compile(r'[\x00-\x08\x0b\x0c\x0e-\x1f&<>"]')


def _cell(value: Any, style: int = 0) -> str:
    """One cell's XML (its place is its order in the row: an empty cell is written too);
    text is always an inline string, never a formula."""
    styled = f' s="{style}"' if style else ""
    if isinstance(value, str):
        return f'<c t="inlineStr"{styled}><is><t xml:space="preserve">{_text(value)}</t></is></c>'
    if value is None:
        return "<c/>"
    if isinstance(value, bool):
        return f'<c t="b"{styled}><v>{int(value)}</v></c>'
    if isinstance(value, Decimal):
        digits = value.normalize().as_tuple().digits
        # beyond 15 significant digits a float would change the number: keep it as text
        value = float(value) if len(digits) <= 15 and value.is_finite() else format(value, "f")
    if isinstance(value, int | float):
        if value == value and value not in (float("inf"), float("-inf")):
            return f"<c{styled}><v>{value!r}</v></c>"
        value = str(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = timezone.localtime(value).replace(tzinfo=None)
        serial = (value - _EPOCH) / dt.timedelta(days=1)
        return f'<c s="{_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c s="{_DATE}"><v>{(value - _EPOCH.date()).days}</v></c>'
    return f'<c t="inlineStr"{styled}><is><t xml:space="preserve">{_text(str(value))}</t></is></c>'


def _sheet_xml(spec: SheetOut) -> Iterator[bytes]:
    widths = spec.widths or [max(12, min(40, len(str(h)) + 4)) for h in spec.header]
    cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
                   for i, w in enumerate(widths, start=1))
    pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            if spec.freeze_header else "")
    head = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols><sheetData>'
        '<row r="1">' + "".join(_cell(str(h), _BOLD) for h in spec.header) + "</row>")
    parts = [head]
    size = 0
    for n, row in enumerate(spec.rows, start=2):
        text = f'<row r="{n}">' + "".join([_cell(v) for v in row]) + "</row>"
        parts.append(text)
        size += len(text)
        if size >= 256 * 1024:
            yield "".join(parts).encode("utf-8")
            parts, size = [], 0
    parts.append("</sheetData></worksheet>")
    yield "".join(parts).encode("utf-8")


def xlsx_stream(*, sheets: Sequence[SheetOut]) -> Iterator[bytes]:
    """The workbook holding `sheets`, in order, in chunks as it is written: each sheet's
    rows are read once, as they go out, so time grows with the rows and memory does not.
    Text is always written as text."""
    from common.streaming import zip_stream

    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    types = (
        f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
        'officedocument.spreadsheetml.styles+xml"/>'
        + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_type}"/>'
                  for i in range(1, len(sheets) + 1)) + "</Types>")
    root_rels = (
        f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        f'relationships"><Relationship Id="rId1" Type="{rel}/officeDocument" '
        'Target="xl/workbook.xml"/></Relationships>')
    titles: list[str] = []
    for spec in sheets:  # Excel wants unique titles of at most 31 characters
        title = spec.title[:31]
        while title.casefold() in {t.casefold() for t in titles}:
            title = f"{title[:28]}~{len(titles)}"
        titles.append(title)
    workbook = (
        f'{head}<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
        + "".join(f'<sheet name="{_text(t)}" sheetId="{i}" r:id="rId{i}"/>'
                  for i, t in enumerate(titles, start=1)) + "</sheets></workbook>")
    book_rels = (
        f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships">'
        + "".join(f'<Relationship Id="rId{i}" Type="{rel}/worksheet" '
                  f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
        + f'<Relationship Id="rId{len(sheets) + 1}" Type="{rel}/styles" '
        'Target="styles.xml"/></Relationships>')
    members: list[tuple[str, Iterable[bytes]]] = [
        ("[Content_Types].xml", [types.encode()]),
        ("_rels/.rels", [root_rels.encode()]),
        ("xl/workbook.xml", [workbook.encode()]),
        ("xl/_rels/workbook.xml.rels", [book_rels.encode()]),
        ("xl/styles.xml", [_STYLES.encode()]),
    ]
    members += [(f"xl/worksheets/sheet{i}.xml", _sheet_xml(spec))
                for i, spec in enumerate(sheets, start=1)]
    return zip_stream(members)


def xlsx_write(*, sheets: Sequence[SheetOut]) -> bytes:
    """The whole workbook as bytes (for small files and tests; a download streams
    `xlsx_stream`)."""
    return b"".join(xlsx_stream(sheets=sheets))


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Limits:
    """What a workbook may hold before it is read."""

    packed_bytes: int = 5 * 1024 * 1024
    unpacked_bytes: int = 50 * 1024 * 1024
    parts: int = 200
    rows: int = 20_000  # the highest row number of any sheet, blank rows included
    columns: int = 100
    shared_strings: int = 200_000


LIMITS = Limits()


class WorkbookRefused(Exception):
    """The file is not a workbook, or exceeds a limit; `message` says which, in the
    user's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class _Stop(Exception):
    pass


def _column_number(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        elif "a" <= ch <= "z":
            n = n * 26 + ord(ch) - 96
        else:
            break
    return n


def _row_number(ref: str) -> int:
    digits = "".join(ch for ch in ref if ch.isdigit())
    return int(digits) if digits and len(digits) < 10 else 10**9


class _PartScan:
    """Streams one XML part, counting what the limits bound; raises WorkbookRefused at
    the first excess, so nothing beyond the limit is read."""

    def __init__(self, limits: Limits, *, worksheet: bool, shared: bool) -> None:
        self.limits, self.worksheet, self.shared = limits, worksheet, shared
        self.row = 0          # the current row's number
        self.column = 0       # the current cell's column number
        self.strings = 0
        self.problem: str | None = None
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.start
        parser.StartDoctypeDeclHandler = self.doctype
        parser.EntityDeclHandler = self.doctype
        self.parser = parser

    def refuse(self, message: str) -> None:
        self.problem = message
        raise _Stop

    def doctype(self, *args: Any) -> None:
        self.refuse(_("The workbook holds a document type declaration; save it again "
                      "from Excel."))

    def check(self, row: int, column: int) -> None:
        if row > self.limits.rows:
            self.refuse(_("The sheet has more than %(n)d rows (blank rows count too): split "
                          "the file.") % {"n": self.limits.rows})
        if column > self.limits.columns:
            self.refuse(_("The sheet has more than %(n)d columns.") % {
                "n": self.limits.columns})

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if self.worksheet:
            if local == "row":
                ref = attrs.get("r")
                self.row = _row_number(ref) if ref else self.row + 1
                self.column = 0
                self.check(self.row, 0)
            elif local == "c":
                ref = attrs.get("r")
                self.column = _column_number(ref) if ref else self.column + 1
                self.check(_row_number(ref) if ref else self.row, self.column)
            elif local == "dimension":  # the sheet's own claim, checked before its rows
                last = attrs.get("ref", "").rpartition(":")[2]
                if last:
                    self.check(_row_number(last), _column_number(last))
        elif self.shared and local == "si":
            self.strings += 1
            if self.strings > self.limits.shared_strings:
                self.refuse(_("The workbook holds more than %(n)d different texts.") % {
                    "n": self.limits.shared_strings})

    def feed(self, stream: Any) -> None:
        try:
            while chunk := stream.read(64 * 1024):
                self.parser.Parse(chunk, False)
            self.parser.Parse(b"", True)
        except _Stop:
            raise WorkbookRefused(self.problem or "") from None
        except expat.ExpatError:
            raise WorkbookRefused(_("This is not an Excel workbook (.xlsx): a part of it "
                                    "cannot be read.")) from None


def xlsx_check(content: bytes, *, limits: Limits = LIMITS) -> None:
    """Refuse (WorkbookRefused) a file that is not a workbook or exceeds `limits`, reading
    it as a stream: never more than one chunk of it unpacked at a time."""
    if len(content) > limits.packed_bytes:
        raise WorkbookRefused(_("The file is larger than %(n)d MB.") % {
            "n": limits.packed_bytes // (1024 * 1024)})
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise WorkbookRefused(_("This is not an Excel workbook (.xlsx).")) from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.parts:
            raise WorkbookRefused(_("This is not an Excel workbook (.xlsx): it has too "
                                    "many parts."))
        # the sizes recorded in the zip bound what reading may unpack (zipfile stops there)
        if sum(m.file_size for m in members) > limits.unpacked_bytes:
            raise WorkbookRefused(_("Unpacked, the file would be larger than %(n)d MB: "
                                    "remove empty rows and columns, or split it.") % {
                "n": limits.unpacked_bytes // (1024 * 1024)})
        names = {m.filename for m in members}
        if "xl/workbook.xml" not in names:
            raise WorkbookRefused(_("This is not an Excel workbook (.xlsx)."))
        for member in members:
            if not member.filename.endswith((".xml", ".rels")):
                continue
            scan = _PartScan(limits, worksheet=member.filename.startswith("xl/worksheets/"),
                             shared=member.filename == "xl/sharedStrings.xml")
            try:
                with archive.open(member) as stream:
                    scan.feed(stream)
            except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError):
                raise WorkbookRefused(_("This is not an Excel workbook (.xlsx): a part of "
                                        "it is damaged.")) from None


@dataclass
class SheetIn:
    """A sheet as read: its title and its rows (tuples of cell values), streamed."""

    title: str
    rows: Iterator[tuple[Any, ...]]


def xlsx_read(content: bytes, *, sheet: str, limits: Limits = LIMITS) -> tuple[SheetIn, Any]:
    """The sheet called `sheet` (else the first) of a checked workbook, read in streaming
    mode; returns the sheet and the open book (close it when done)."""
    from openpyxl import load_workbook

    xlsx_check(content, limits=limits)
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        ws = book[sheet] if sheet in book.sheetnames else book.worksheets[0]
    except Exception:  # openpyxl raises many kinds on a malformed part
        raise WorkbookRefused(_("This is not an Excel workbook (.xlsx).")) from None
    return SheetIn(ws.title, ws.iter_rows(values_only=True)), book
