"""The report form's questions, written by one template tag: escaped, with the stored
answer selected, and read-only where the form is not editable; the completeness page's
cells and shares, in the reader's language."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context
from django.urls import reverse
from django.utils import translation

from plans.models import DataElement
from reporting.templatetags.reporting_tags import percent, timeliness_cells, value_field
from reporting.validation import Question

REPORT = SimpleNamespace(period=SimpleNamespace(code="2025"), org_unit=SimpleNamespace(code="sct"))


def _field(element: DataElement, **shown) -> SimpleNamespace:
    return SimpleNamespace(**{
        "question": Question(element), "display": "", "original": "", "messages": [],
        "previous_shown": "", "display_comment": "", "warnings": [], "comment": "",
        "shown": "", **shown})


def test_a_choice_is_written_escaped_with_its_answer_selected():
    element = DataElement(code="loai", name='Loại <b>"x"</b>', value_type="choice",
                          required=True, choices=[{"code": "a", "name": "A & B"},
                                                  {"code": "b", "name": "Bê"}])
    html = value_field(Context({"editable": True, "report": REPORT}), _field(
        element, display="b", original="b", messages=[("field-error", "<lỗi>")],
        comment="ghi <chú>", display_comment="ghi <chú>"))
    assert 'Loại &lt;b&gt;&quot;x&quot;&lt;/b&gt;' in html and "<b>" not in html
    assert '<select id="v-loai" name="v:loai" aria-invalid="true">' in html
    assert '<option value="a">A &amp; B</option>' in html
    assert '<option value="b" selected>Bê</option>' in html
    assert '<small class="field-error">&lt;lỗi&gt;</small>' in html
    assert '<input type="hidden" name="o:v:loai" value="b">' in html
    assert 'name="c:loai" value="ghi &lt;chú&gt;"' in html and "<details open>" in html
    assert '<span class="req"' in html


def test_a_number_checks_itself_where_it_is_typed_and_shows_the_previous_period():
    element = DataElement(code="so-cho", name="Số chợ", value_type="integer", unit="chợ")
    html = value_field(Context({"editable": True, "report": REPORT}), _field(
        element, display="1.234", original="1234", previous_shown="1.000"))
    check = reverse("reporting:check", args=["2025", "sct"])
    assert f'hx-post="{check}"' in html and 'inputmode="numeric"' in html
    assert 'value="1.234"' in html and "aria-invalid" not in html
    assert '<small class="muted">(chợ)</small>' in html and "1.000</small>" in html
    assert "<details>" in html and '<span class="req"' not in html


def test_where_the_form_is_not_editable_only_the_value_is_shown():
    element = DataElement(code="co-khong", name="Có <không>", value_type="boolean")
    html = value_field(Context({"editable": False, "report": REPORT}), _field(
        element, shown="Có", comment="đã <xác> nhận",
        warnings=[SimpleNamespace(message="cao <bất> thường")]))
    assert "<select" not in html and "<input" not in html
    assert '<div class="value-shown">Có</div>' in html
    assert "Có &lt;không&gt;" in html and "đã &lt;xác&gt; nhận" in html
    assert "⚠ cao &lt;bất&gt; thường" in html


def test_the_question_is_written_in_vietnamese():
    element = DataElement(code="so-cho", name="Số chợ", value_type="integer", required=True)
    field = _field(element, previous_shown="3", shown="4", comment="ghi chú")
    with translation.override("vi"):
        editable = value_field(Context({"editable": True, "report": REPORT}), field)
        shown = value_field(Context({"editable": False, "report": REPORT}), field)
    assert "Ghi chú / giải trình" in editable and "Kỳ trước: 3" in editable
    assert 'aria-label="Ghi chú: Số chợ"' in editable and 'title="bắt buộc"' in editable
    assert "(kỳ trước: 3)" in shown and "Ghi chú: ghi chú" in shown


def test_a_share_is_written_as_the_language_writes_numbers():
    with translation.override("vi"):
        assert [percent(v) for v in (12.5, 100.0, 0, None)] == ["12,5%", "100,0%", "0,0%", "—"]
    with translation.override("en"):
        assert percent(87.5) == "87.5%"


def test_the_cells_of_a_unit_speak_the_readers_language_and_link_only_what_it_may_open():
    periods = [SimpleNamespace(code=c) for c in ("2025S1", "2025", "2026S1")]
    row = SimpleNamespace(
        unit=SimpleNamespace(code="sct"),
        cells={"2025S1": ("late", 3, 11), "2025": ("missing", 40, 12)},
    )
    with translation.override("vi"):
        vi = timeliness_cells(row, periods, {11})
    with translation.override("en"):
        en = timeliness_cells(row, periods, {11})
    link = reverse("reporting:report", args=["2025S1", "sct"])
    assert vi.count("<td>") == 3 and vi.count("<a ") == 1 and f'href="{link}"' in vi
    assert 'title="muộn (số ngày)">+3</span>' in vi and 'title="late (days)">+3' in en
    assert 'title="chưa nộp">✗</span>' in vi and 'title="not submitted">✗' in en
    assert vi.endswith('<td><span class="muted">·</span></td>')
