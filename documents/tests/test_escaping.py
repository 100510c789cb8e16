"""User-supplied text in the generated Word documents: markup characters, quotes, control
characters, a very long word, line breaks and Vietnamese come out in the unit's report and
the consolidated report exactly as stored (read back with python-docx), and every XML part
of the file is well-formed."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from docx import Document
from lxml import etree

from accounts.models import Role
from documents.services import official_document_record
from documents.writers import consolidated_report_docx, unit_report_docx
from reporting.models import DataValue, TaskAnswer
from reporting.services import period_open, report_accept, report_save, report_submit
from reporting.tests.conftest import complete_payload, report_of

MARKUP = '<script>alert("x")</script> & "trích dẫn" \'nháy\' ]]> <w:p/> &amp;'
VIETNAMESE = "Đã hướng dẫn 45 doanh nghiệp ở Hạ Long, Cẩm Phả tiết kiệm năng lượng; "
LONG_WORD = "Tiếtkiệmnănglượng" * 300  # 5.100 letters without a space
TYPED_CONTROLS = "trước\x07\x0b\x1b\x7fsau"
SIGNATORY = 'Nguyễn "An" <b>&'


@pytest.fixture
def accepted(plan, coordinator):
    """The 2022 report of stnmt with answers holding the awkward texts, accepted, and its
    official-document record."""
    period = period_open(plan=plan, code="2022", actor=None, notify=False)[0]
    report = report_of(period, "stnmt")
    values, answers = complete_payload(report)
    task = sorted(answers)[0]
    answers[task] = {"status": "in_progress", "results": MARKUP,
                     "difficulties": VIETNAMESE + "\n" + LONG_WORD,
                     "proposals": TYPED_CONTROLS}
    question = next(code for code, v in values.items() if isinstance(v, int))
    values[question] = {"value": values[question], "comment": MARKUP}
    report = report_save(report=report, actor=None, version=report.version, values=values,
                         answers=answers)
    report = report_submit(report=report, actor=None)
    official_document_record(report=report, actor=None, number="7/BC-STNMT",
                             issued_on=dt.date(2022, 12, 10), signatory=SIGNATORY,
                             position="Phó Giám đốc <Sở>", today=dt.date(2022, 12, 20))
    report = report_accept(report=report, actor=coordinator, notify=False)
    stored = TaskAnswer.objects.get(request=report, task__ref=task)
    # what the input layer keeps: everything but the control characters
    assert (stored.results, stored.proposals) == (MARKUP, "trướcsau")
    assert stored.difficulties == VIETNAMESE + "\n" + LONG_WORD
    assert DataValue.objects.get(request=report, element__code=question).comment == MARKUP
    return report


def _well_formed(content: bytes) -> str:
    """Parse every XML part of the .docx (lxml refuses anything malformed); returns the
    body's XML."""
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        parts = [n for n in package.namelist() if n.endswith((".xml", ".rels"))]
        assert "word/document.xml" in parts
        for name in parts:
            etree.fromstring(package.read(name))
        return package.read("word/document.xml").decode()


def _texts(content: bytes) -> list[str]:
    """Every paragraph's text, body and table cells, as Word shows it."""
    doc = Document(io.BytesIO(content))
    texts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    return texts


def _markup_escaped(xml: str) -> None:
    assert "<script>" not in xml and "&lt;w:p/&gt; &amp;amp;" in xml
    assert "&lt;script&gt;alert(\"x\")&lt;/script&gt; &amp; \"trích dẫn\"" in xml


def test_the_unit_report_shows_user_text_exactly(accepted):
    content = unit_report_docx(report=accepted)
    _markup_escaped(_well_formed(content))
    texts = _texts(content)
    assert "Kết quả: " + MARKUP in texts
    assert "Khó khăn, vướng mắc: " + VIETNAMESE + "\n" + LONG_WORD in texts
    assert "Đề xuất, kiến nghị: trướcsau" in texts
    assert texts.count(MARKUP) == 1  # the value's comment, in its table cell
    assert SIGNATORY in texts and "Số: 7/BC-STNMT" in texts


def test_the_consolidated_report_shows_user_text_exactly(accepted):
    content = consolidated_report_docx(period=accepted.period, today=dt.date(2023, 1, 20))
    _markup_escaped(_well_formed(content))
    texts = _texts(content)
    unit = accepted.org_unit.name
    assert f"- {unit} (đang thực hiện): {MARKUP}" in texts
    assert f"- {VIETNAMESE}\n{LONG_WORD} ({unit})" in texts
    assert f"- trướcsau ({unit})" in texts
    source = (f"- Báo cáo số 7/BC-STNMT ngày 10/12/2022 của {unit} (Phó Giám đốc <Sở> "
              f"{SIGNATORY} ký)")
    assert [t for t in texts if t.startswith(source)] == [source + "."]


@pytest.mark.parametrize("field", ["results", "difficulties", "proposals"])
def test_control_characters_stored_before_the_input_layer_do_not_break_the_documents(
        accepted, field):
    """Rows written before every path cleaned its text (or by hand in the database) may
    hold characters XML cannot carry: the documents leave them out instead of failing.
    (Not NUL, which PostgreSQL itself refuses to store.)"""
    TaskAnswer.objects.filter(request=accepted).update(**{field: "một\x01hai\x07ba\x1bbốn"})
    for content in [unit_report_docx(report=accepted),
                    consolidated_report_docx(period=accepted.period,
                                             today=dt.date(2023, 1, 20))]:
        _well_formed(content)
        assert any("mộthaibabốn" in t for t in _texts(content))


def test_the_download_pages_serve_the_same_documents(client, accepted, make_user):
    client.force_login(make_user(Role.COORDINATOR, "sct"))
    period, unit = accepted.period.code, accepted.org_unit.code
    unit_doc = client.get(f"/documents/r/{period}/{unit}/report.docx")
    assert unit_doc.status_code == 200
    assert "Kết quả: " + MARKUP in _texts(unit_doc.content)
    whole = client.get(f"/documents/periods/{period}/report.docx")
    assert whole.status_code == 200
    _markup_escaped(_well_formed(whole.content))
