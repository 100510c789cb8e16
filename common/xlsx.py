"""The one writer and the one reader of Excel workbooks (.xlsx).

Writing streams (openpyxl's write-only workbook: rows go straight to disk, so a long export
costs time and memory in proportion to its rows) and writes every text as text: a name
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
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.parsers import expat

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


def _cell_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        digits = value.normalize().as_tuple().digits
        # beyond 15 significant digits a float would change the number: keep it as text
        return float(value) if len(digits) <= 15 else format(value, "f")
    if isinstance(value, str):
        # characters a workbook cannot hold (NUL and other controls) are dropped
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def xlsx_write(*, sheets: Iterable[SheetOut]) -> bytes:
    """The workbook holding `sheets`, in order. Text is always written as text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        ws = book.create_sheet(spec.title[:31])
        widths = spec.widths or [max(12, min(40, len(str(h)) + 4)) for h in spec.header]
        for i, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
        if spec.freeze_header:
            ws.freeze_panes = "A2"

        def cell(value: Any, *, header: bool = False, ws: Any = ws) -> Any:
            c = WriteOnlyCell(ws, value=_cell_value(value))
            if isinstance(c.value, str):
                c.data_type = "s"  # never a formula, whatever the text starts with
            elif isinstance(c.value, dt.date):
                c.number_format = "DD/MM/YYYY"
            if header:
                c.font = bold
            return c

        ws.append([cell(h, header=True) for h in spec.header])
        for row in spec.rows:
            ws.append([cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


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
