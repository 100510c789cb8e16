"""The one writer and the one reader of Excel workbooks (.xlsx).

Writing streams: the sheet's XML is made row by row straight into a zip archive sent in
chunks as it grows (`xlsx_stream`), so a long export costs time in proportion to its rows,
flat memory, and its first bytes leave at once; every text is written as text: a name
such as `=1+1` or `=HYPERLINK(...)` is a string cell, never a live formula, and exporting
then importing gives back the same text.

Reading first checks the file as it lies packed, before anything is parsed: the unpacked
size, the number of parts, every XML part streamed once (no DTDs, so no entity expansion),
the rows (blank rows count: a row number is a row), the columns, and the shared strings.
A file over a limit is refused in seconds and within little memory; only then is the sheet
read, in streaming mode (`Book`: expat, one row at a time, values as openpyxl's read-only
mode gives them, at a fraction of its cost per cell)."""

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
    # the highest row number of any sheet, blank rows included: Excel's own maximum (no
    # cap of the application's: the unpacked size bounds how many rows a file holds)
    rows: int = 1_048_576
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


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


class Book:
    """A checked workbook, read in streaming mode: its sheets' names, and a sheet's rows
    as values (what openpyxl's read-only `values_only` gives: texts, int or float
    numbers, dates and times for cells formatted as such, booleans, error texts), parsed
    with expat as they are iterated, one row at a time. A row missing from the file
    (blank) reads as an empty tuple, so a row's place is its number."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self.archive = archive
        sheets: list[tuple[str, str]] = []
        self.epoch = CALENDAR_WINDOWS_1900

        def workbook(name: str, attrs: dict[str, str]) -> None:
            if name == f"{_MAIN} sheet":
                sheets.append((attrs.get("name", ""), attrs.get(f"{_RELS} id", "")))
            elif name == f"{_MAIN} workbookPr" and attrs.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904

        self._parse("xl/workbook.xml", workbook)
        targets: dict[str, tuple[str, str]] = {}

        def relationship(name: str, attrs: dict[str, str]) -> None:
            if name.rpartition(" ")[2] == "Relationship":
                target = attrs.get("Target", "")
                path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
                targets[attrs.get("Id", "")] = (attrs.get("Type", "").rpartition("/")[2], path)

        self._parse("xl/_rels/workbook.xml.rels", relationship)
        self.paths = {name: targets.get(rid, ("", ""))[1] for name, rid in sheets}
        self.sheetnames = [name for name, _rid in sheets]
        parts = {kind: path for kind, path in targets.values()}
        self._strings_path = parts.get("sharedStrings")
        self._strings: list[str] | None = None
        self._dates, self._durations = self._date_styles(parts.get("styles"))

    def _parse(self, path: str | None, start: Any, end: Any = None, text: Any = None
               ) -> None:
        if not path or path not in self.archive.NameToInfo:
            return
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = start
        if end is not None:
            parser.EndElementHandler = end
        if text is not None:
            parser.CharacterDataHandler = text
        parser.buffer_text = True
        with self.archive.open(path) as stream:
            parser.ParseFile(stream)

    def _date_styles(self, path: str | None) -> tuple[set[int], set[int]]:
        """The cell styles that show a number as a date or time (and of these, those
        that show a duration)."""
        from openpyxl.styles.numbers import (
            BUILTIN_FORMATS,
            is_date_format,
            is_timedelta_format,
        )

        formats = dict(BUILTIN_FORMATS)
        styles: list[int] = []
        within = [False]

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == f"{_MAIN} numFmt":
                formats[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
            elif name == f"{_MAIN} cellXfs":
                within[0] = True
            elif name == f"{_MAIN} xf" and within[0]:
                styles.append(int(attrs.get("numFmtId", "0")))

        def end(name: str) -> None:
            if name == f"{_MAIN} cellXfs":
                within[0] = False

        self._parse(path, start, end)
        dates = {i for i, f in enumerate(styles) if is_date_format(formats.get(f) or "")}
        return dates, {i for i in dates if is_timedelta_format(formats.get(styles[i]) or "")}

    @property
    def strings(self) -> list[str]:
        """The shared strings (read when a sheet first needs them)."""
        if self._strings is None:
            strings: list[str] = []
            parts: list[str] = []
            state = {"t": False, "phonetic": 0}

            def start(name: str, attrs: dict[str, str]) -> None:
                local = name.rpartition(" ")[2]
                if local == "t":
                    state["t"] = True
                elif local == "rPh":  # a reading aid, not part of the text
                    state["phonetic"] += 1

            def end(name: str) -> None:
                local = name.rpartition(" ")[2]
                if local == "t":
                    state["t"] = False
                elif local == "rPh":
                    state["phonetic"] -= 1
                elif local == "si":
                    strings.append("".join(parts))
                    parts.clear()

            def text(data: str) -> None:
                if state["t"] and not state["phonetic"]:
                    parts.append(data)

            self._parse(self._strings_path, start, end, text)
            self._strings = strings
        return self._strings

    def rows(self, name: str) -> Iterator[tuple[Any, ...]]:
        """The rows of the sheet `name` (KeyError if there is none), streamed."""
        path = self.paths[name]
        with self.archive.open(path) as stream:
            yield from _SheetRows(self).read(stream)

    def close(self) -> None:
        self.archive.close()


class _SheetRows:
    """The expat handlers that turn a worksheet's XML into rows of values."""

    def __init__(self, book: Book) -> None:
        self.book = book
        self.done: list[tuple[Any, ...]] = []  # rows complete, not yet handed out
        self.number = 0        # the current row's number
        self.cells: dict[int, Any] = {}
        self.column = 0
        self.kind = self.style = ""
        self.text: list[str] | None = None  # the current <v> or inline <t>, being read
        self.value: str | None = None
        self.phonetic = 0

    def read(self, stream: Any) -> Iterator[tuple[Any, ...]]:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.chars
        parser.buffer_text = True
        while chunk := stream.read(64 * 1024):
            parser.Parse(chunk, False)
            yield from self.done
            self.done.clear()
        parser.Parse(b"", True)
        yield from self.done

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        if local == "c":
            ref = attrs.get("r")
            self.column = _column_number(ref) if ref else self.column + 1
            self.kind, self.style = attrs.get("t", "n"), attrs.get("s", "")
            self.value = None
        elif local == "row":
            ref = attrs.get("r")
            number = _row_number(ref) if ref else self.number + 1
            # blank rows the file leaves out, so that a row's place is its number
            self.done.extend(() for _n in range(self.number + 1, number))
            self.number, self.cells, self.column = number, {}, 0
        elif local == "v" or (local == "t" and self.kind == "inlineStr"):
            if not self.phonetic:
                self.text = []
        elif local == "rPh":
            self.phonetic += 1

    def chars(self, data: str) -> None:
        if self.text is not None:
            self.text.append(data)

    def end(self, name: str) -> None:
        local = name.rpartition(" ")[2]
        if local in ("v", "t"):
            if self.text is not None:
                text = "".join(self.text)
                if text or local == "t":  # an empty <v/> is an empty cell
                    self.value = (self.value or "") + text
                self.text = None
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c":
            self.cells[self.column] = self.cast()
        elif local == "row":
            last = max(self.cells, default=0)
            self.done.append(tuple(self.cells.get(i) for i in range(1, last + 1)))

    def cast(self) -> Any:
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        value, kind = self.value, self.kind
        if value is None:
            return None
        if kind == "n":
            number = float(value) if "." in value or "E" in value or "e" in value else int(
                value)
            style = int(self.style) if self.style.isdigit() else -1
            if style in self.book._dates:
                try:
                    return from_excel(number, self.book.epoch,
                                      timedelta=style in self.book._durations)
                except (OverflowError, ValueError):
                    return "#VALUE!"
            return number
        if kind == "s":
            return self.book.strings[int(value)]
        if kind == "b":
            return bool(int(value))
        if kind == "d":
            return from_ISO8601(value)
        return value  # inline and formula texts, errors


def xlsx_read(content: bytes, *, sheet: str, limits: Limits = LIMITS) -> tuple[SheetIn, Book]:
    """The sheet called `sheet` (else the first) of a checked workbook, read in streaming
    mode; returns the sheet and the open book (close it when done)."""
    xlsx_check(content, limits=limits)
    try:
        book = Book(zipfile.ZipFile(io.BytesIO(content)))
        name = sheet if sheet in book.paths else book.sheetnames[0]
    except Exception:  # a malformed part
        raise WorkbookRefused(_("This is not an Excel workbook (.xlsx).")) from None
    return SheetIn(name, book.rows(name)), book
