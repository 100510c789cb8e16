"""The report form's questions and tasks, each written by one template tag: escaped, with
the stored answer selected, and read-only where the form is not editable; the
completeness page's cells and shares, in the reader's language."""

from __future__ import annotations

from types import SimpleNamespace

from django.template import Context
from django.urls import reverse
from django.utils import translation

from plans.models import DataElement, Recurrence, Task
from reporting.models import TaskAnswer
from reporting.templatetags.reporting_tags import (
    percent,
    task_section,
    timeliness_cells,
    value_field,
)
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


def _task(recurrence: str, answer: TaskAnswer, **shown) -> SimpleNamespace:
    task = Task(ref="IV.1.<2>", text="Tuyên truyền <về> " + "sản xuất " * 20 + "bền vững",
                title_en="Campaigns & more", recurrence=recurrence)
    fields = ("status", "results", "difficulties", "proposals")
    original = {name: getattr(answer, name) for name in fields}
    return SimpleNamespace(**{
        "task": task, "answer": answer, "fields": [], "original": original,
        "display": dict(original), "messages": {name: [] for name in fields}, **shown})


def test_a_task_is_written_escaped_with_its_status_selected_and_its_messages():
    answer = TaskAnswer(status="in_progress", results="Đã <làm>", proposals="Đề xuất & thêm")
    section = _task(Recurrence.ONE_OFF, answer, messages={
        "status": [], "results": [("field-error", "<quá dài>")], "difficulties": [],
        "proposals": []}, display={**_task(Recurrence.ONE_OFF, answer).display,
                                    "results": "Sửa <mới>"})
    with translation.override("vi"):
        html = task_section(Context({"editable": True, "LANGUAGE_CODE": "vi"}), section)
    assert '<article class="task-section" id="task-IV.1.&lt;2&gt;">' in html
    assert "<về>" not in html and "Tuyên truyền &lt;về&gt; sản xuất" in html
    assert "xuất sản …</summary>" in html  # the summary: the text's first 22 words
    assert '<input type="hidden" name="o:t:IV.1.&lt;2&gt;:results" value="Đã &lt;làm&gt;">' \
        in html
    assert '<option value="in_progress" selected>Đang triển khai</option>' in html
    assert 'value="recurring_done"' not in html  # a one-off task is not done "for the period"
    assert ('<textarea name="t:IV.1.&lt;2&gt;:results" rows="3" aria-invalid="true">'
            "Sửa &lt;mới&gt;</textarea>") in html
    assert '<small class="field-error">&lt;quá dài&gt;</small>' in html
    assert "Đề xuất &amp; thêm</textarea>" in html
    assert "Tình trạng" in html and "Kết quả đạt được" in html and "Campaigns" not in html


def test_a_recurring_task_may_be_done_for_the_period_and_reads_in_english():
    section = _task(Recurrence.RECURRING, TaskAnswer(status="recurring_done"))
    with translation.override("en"):
        html = task_section(Context({"editable": True, "LANGUAGE_CODE": "en"}), section)
    assert '<option value="recurring_done" selected>' in html
    assert "<strong>Campaigns &amp; more</strong>" in html
    assert "<summary>Task text</summary>" in html


def test_where_the_form_is_not_editable_a_task_is_shown_as_text():
    section = _task(Recurrence.ONE_OFF, TaskAnswer(status="", results="", proposals="<Đề>"))
    with translation.override("vi"):
        html = task_section(Context({"editable": False, "LANGUAGE_CODE": "vi"}), section)
    assert "<textarea" not in html and "<select" not in html and 'type="hidden"' not in html
    assert "<p><strong>Tình trạng:</strong> —</p>" in html
    assert '<p class="source-text">—</p>' in html
    assert "<strong>Đề xuất, kiến nghị:</strong> &lt;Đề&gt;" in html
    assert "Khó khăn" not in html  # no difficulties told: no line for them
