"""Word documents laid out as Decree 30/2020/NĐ-CP requires of administrative documents:
A4 portrait, Times New Roman, margins 20/20/30/15 mm, the issuing-body and national-title
blocks, number and symbol, place and date, the title and subject, the body, "Nơi nhận"
and the signature block, page numbers centred in the top margin from page 2.

`DecreeDocument` knows the layout and nothing of the plan; `documents.writers` fills it."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FONT = "Times New Roman"
PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(20), Mm(20), Mm(30), Mm(15)
TEXT_WIDTH_MM = 210 - 30 - 15
LEFT_BLOCK_MM, RIGHT_BLOCK_MM = 84, 90
HEADER_SHIFT_MM = 6
# Sizes (pt) within the decree's ranges.
SIZE_BODY = 14
SIZE_SUPERIOR = 12       # superior body: capitals, not bold
SIZE_ISSUER = 12         # issuing body: capitals, bold, a short rule beneath
SIZE_NATIONAL = 12       # CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
SIZE_MOTTO = 13          # Độc lập - Tự do - Hạnh phúc, underlined as long as the text
SIZE_NUMBER = 13
SIZE_DATE = 14
SIZE_TITLE = 14
SIZE_RECIPIENTS_HEAD = 12
SIZE_RECIPIENTS = 11
SIZE_SIGNATURE = 14
SIZE_TABLE = 12
SIZE_PAGE_NUMBER = 14
NATIONAL_TITLE = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def date_line(place: str, day: dt.date | None, year: int) -> str:
    """"Quảng Ninh, ngày 06 tháng 8 năm 2020": a leading zero for days below 10 and for
    months 1 and 2; without a date, blanks for the day and month, filled in at signing."""
    if day is None:
        return f"{place}, ngày      tháng      năm {year}"
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def number_line(number: str, symbol: str) -> str:
    """"Số: 125/BC-SCT", or "Số:       /BC-SCT" before the clerk gives the number."""
    return f"Số: {number}" if number else f"Số:        /{symbol}"


def xml_text(text: str) -> str:
    """`text` without what XML cannot carry (NUL and other control characters but tab and
    newline, lone surrogates, U+FFFE and U+FFFF). Input is cleaned when it is stored, but
    rows older than that, or written by hand, must not make a document fail."""
    return "".join(ch for ch in text
                   if ch in "\t\n" or not (unicodedata.category(ch) in {"Cc", "Cs"}
                                            or ch in "\ufffe\uffff"))


def _add_run(paragraph: Paragraph, text: str) -> Run:
    return paragraph.add_run(xml_text(text))


def _fonts(run: Run, size: float, *, bold: bool = False, italic: bool = False,
           underline: bool = False) -> Run:
    run.font.name = FONT
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.italic = italic
    run.font.underline = underline
    rpr = run._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    return run


def _tight(paragraph: Paragraph, *, after: float = 0) -> Paragraph:
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(after)
    fmt.line_spacing = 1.0
    fmt.first_line_indent = Pt(0)
    return paragraph


def _rule(paragraph: Paragraph, *, width_mm: float, block_mm: float) -> None:
    """Turn an empty paragraph into a centred solid line `width_mm` long."""
    side = Mm(max(0.0, (block_mm - width_mm) / 2))
    fmt = paragraph.paragraph_format
    fmt.left_indent = side
    fmt.right_indent = side
    _tight(paragraph)
    ppr = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"),
                       ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    ppr.append(borders)
    _fonts(paragraph.add_run(""), 2)


def _no_borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _widths(table: Table, widths_mm: Sequence[float]) -> None:
    """Fixed column widths, written where Word and LibreOffice both read them (the grid,
    each cell and the table's own width)."""
    table.autofit = False
    for column, width in zip(table.columns, widths_mm, strict=False):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_mm, strict=False):
            cell.width = Mm(width)
    tbl_pr = table._tbl.tblPr
    total = OxmlElement("w:tblW")
    total.set(qn("w:w"), str(int(Mm(sum(widths_mm)).twips)))
    total.set(qn("w:type"), "dxa")
    for old in tbl_pr.findall(qn("w:tblW")):
        tbl_pr.remove(old)
    tbl_pr.append(total)
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)


def _header_table(table: Table, widths_mm: Sequence[float]) -> None:
    """The header and signature tables: no borders, no cell padding, and shifted
    HEADER_SHIFT_MM into the left margin so that the superior body and the national title
    each fit on one line at 12 pt, as on the offices' own letterheads."""
    _no_borders(table)
    _widths(table, widths_mm)
    tbl_pr = table._tbl.tblPr
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(-int(Mm(HEADER_SHIFT_MM).twips)))
    indent.set(qn("w:type"), "dxa")
    tbl_pr.append(indent)
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:w"), "0")
        element.set(qn("w:type"), "dxa")
        margins.append(element)
    tbl_pr.append(margins)


class DecreeDocument:
    """One administrative document being written."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.header_distance = Mm(10)
        section.footer_distance = Mm(10)
        for name in ("Normal", "Table Grid"):
            style = self.doc.styles[name]
            style.font.name = FONT  # type: ignore[union-attr]
            style.font.size = Pt(SIZE_BODY)  # type: ignore[union-attr]
            rpr = style.element.get_or_add_rPr()
            fonts = rpr.find(qn("w:rFonts"))
            if fonts is None:
                fonts = OxmlElement("w:rFonts")
                rpr.insert(0, fonts)
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attr), FONT)
        normal = self.doc.styles["Normal"].paragraph_format  # type: ignore[union-attr]
        normal.space_before, normal.space_after = Pt(0), Pt(6)
        normal.line_spacing = 1.15
        self._page_numbers()

    def _page_numbers(self) -> None:
        """Centred in the top margin, from the second page on."""
        section = self.doc.sections[0]
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = _fonts(paragraph.add_run(), SIZE_PAGE_NUMBER)
        for kind, text in (("begin", None), (None, "PAGE"), ("separate", None), ("end", None)):
            if kind is None:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)

    # ------------------------------------------------------------------ header blocks

    def header(self, *, superior: str, issuer: str, number: str, symbol: str,
               date_text: str) -> None:
        """The two header blocks side by side: superior and issuing body with the number
        on the left; national title, motto and place and date on the right."""
        self.doc.core_properties.author = xml_text(issuer)
        self.doc.core_properties.title = ""
        table = self.doc.add_table(rows=2, cols=2)
        _header_table(table, (LEFT_BLOCK_MM, RIGHT_BLOCK_MM))
        left, right = table.cell(0, 0), table.cell(0, 1)
        first = left.paragraphs[0]
        if superior:
            self._centre(first, superior.upper(), SIZE_SUPERIOR)
            first = left.add_paragraph()
        self._centre(first, issuer.upper(), SIZE_ISSUER, bold=True)
        _rule(left.add_paragraph(), width_mm=LEFT_BLOCK_MM / 3, block_mm=LEFT_BLOCK_MM)
        self._centre(right.paragraphs[0], NATIONAL_TITLE, SIZE_NATIONAL, bold=True)
        self._centre(right.add_paragraph(), MOTTO, SIZE_MOTTO, bold=True, underline=True)
        self._centre(table.cell(1, 0).paragraphs[0], number_line(number, symbol), SIZE_NUMBER)
        date_paragraph = table.cell(1, 1).paragraphs[0]
        self._centre(date_paragraph, date_text, SIZE_DATE, italic=True)
        for cell in (table.cell(1, 0), table.cell(1, 1)):
            cell.paragraphs[0].paragraph_format.space_before = Pt(6)

    @staticmethod
    def _centre(paragraph: Paragraph, text: str, size: float, **style: bool) -> Paragraph:
        _tight(paragraph)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(_add_run(paragraph, text), size, **style)
        return paragraph

    def title(self, kind: str, subject: str, addressee: str = "") -> None:
        """"BÁO CÁO" with the subject beneath, bold, and a short rule under the subject."""
        self.doc.core_properties.title = xml_text(f"{kind} {subject}")[:250]
        heading = self.doc.add_paragraph()
        self._centre(heading, kind.upper(), SIZE_TITLE, bold=True)
        heading.paragraph_format.space_before = Pt(18)
        self._centre(self.doc.add_paragraph(), subject, SIZE_TITLE, bold=True)
        _rule(self.doc.add_paragraph(), width_mm=40, block_mm=TEXT_WIDTH_MM)
        if addressee:
            paragraph = self._centre(self.doc.add_paragraph(), addressee, SIZE_BODY)
            paragraph.paragraph_format.space_before = Pt(12)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    # ------------------------------------------------------------------ body

    def heading(self, text: str, *, level: int = 1) -> Paragraph:
        """"I. TÌNH HÌNH CHUNG" (level 1, capitals) or "1. Kết quả …" (level 2), bold."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
        paragraph.paragraph_format.space_before = Pt(6)
        paragraph.paragraph_format.keep_with_next = True
        _fonts(_add_run(paragraph, text), SIZE_BODY, bold=True, italic=level >= 3)
        return paragraph

    def paragraph(self, text: str = "", *, lead: str = "", italic_text: bool = False
                  ) -> Paragraph:
        """A body paragraph: justified, first-line indent 1,27 cm, 6 pt after; `lead` is
        written bold before the text."""
        paragraph = self.doc.add_paragraph()
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        paragraph.paragraph_format.first_line_indent = Cm(1.27)
        if lead:
            _fonts(_add_run(paragraph, lead), SIZE_BODY, bold=True)
        if text:
            _fonts(_add_run(paragraph, text), SIZE_BODY, italic=italic_text)
        return paragraph

    def bullets(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.paragraph(f"- {line}")

    def table(self, headers: Sequence[str], rows: Iterable[Sequence[str]],
              widths_mm: Sequence[float], *, numeric: Sequence[int] = ()) -> Table:
        """A bordered table, header row bold and centred, 12 pt; columns in `numeric`
        right-aligned."""
        table = self.doc.add_table(rows=1, cols=len(headers))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, headers, strict=True):
            self._cell(cell, text, bold=True, centre=True)
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        table.rows[0]._tr.get_or_add_trPr().append(repeat)
        for values in rows:
            cells = table.add_row().cells
            for index, (cell, text) in enumerate(zip(cells, values, strict=True)):
                self._cell(cell, text, right=index in numeric)
        _widths(table, widths_mm)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)
        return table

    @staticmethod
    def _cell(cell: _Cell, text: str, *, bold: bool = False, centre: bool = False,
              right: bool = False) -> None:
        paragraph = _tight(cell.paragraphs[0], after=2)
        if centre:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        elif right:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _fonts(_add_run(paragraph, str(text)), SIZE_TABLE, bold=bold)

    def image(self, png: bytes, *, width_mm: float = 150, caption: str = "") -> None:
        self.doc.add_picture(io.BytesIO(png), width=Mm(width_mm))
        self.doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if caption:
            self._centre(self.doc.add_paragraph(), caption, SIZE_TABLE, italic=True)

    def page_break(self) -> None:
        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def appendix(self, number: str, title: str, note: str = "") -> None:
        """A new page headed "Phụ lục I" and its title, centred and bold."""
        self.page_break()
        self._centre(self.doc.add_paragraph(), number.upper(), SIZE_TITLE, bold=True)
        self._centre(self.doc.add_paragraph(), title.upper(), SIZE_TITLE, bold=True)
        if note:
            self._centre(self.doc.add_paragraph(), note, SIZE_BODY - 1, italic=True)
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    # ------------------------------------------------------------------ closing

    def closing(self, *, recipients: Sequence[str], archive: str, authority: str,
                position: str, signatory: str) -> None:
        """"Nơi nhận" on the left (12 pt bold italic, then 11 pt lines "- …;", the last
        "- Lưu: …."); the signature block on the right (authority and position bold
        capitals, room to sign, the name bold)."""
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)
        table = self.doc.add_table(rows=1, cols=2)
        _header_table(table, (LEFT_BLOCK_MM, RIGHT_BLOCK_MM))
        left, right = table.cell(0, 0), table.cell(0, 1)
        head = _tight(left.paragraphs[0])
        _fonts(head.add_run("Nơi nhận:"), SIZE_RECIPIENTS_HEAD, bold=True, italic=True)
        for line in recipients:
            _fonts(_add_run(_tight(left.add_paragraph()), f"- {line};"), SIZE_RECIPIENTS)
        if archive:
            _fonts(_add_run(_tight(left.add_paragraph()), f"- {archive}."), SIZE_RECIPIENTS)
        first = right.paragraphs[0]
        if authority:
            self._centre(first, authority.upper(), SIZE_SIGNATURE, bold=True)
            first = right.add_paragraph()
        self._centre(first, position.upper(), SIZE_SIGNATURE, bold=True)
        for _blank in range(4):
            self._centre(right.add_paragraph(), "", SIZE_SIGNATURE)
        self._centre(right.add_paragraph(), signatory, SIZE_SIGNATURE, bold=True)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return buffer.getvalue()
