"""The Excel template of one unit's report for one period: pre-filled with the unit's
tasks and questions and its current answers, cells validated, structure protected,
instructions in Vietnamese; and the reading of a filled template back into a save of the
report (the service is `exchange.services.report_template_import`).

The layout is fixed (sheet names, headers, columns) and always Vietnamese, like the
documents the units sign; a hidden sheet names the period, the unit, the version of the
report the template was made from and a fingerprint of the form, so that another unit's
or another period's template, or one whose layout was changed, is refused."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import translation
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from common.parsing import MAX_TEXT
from plans.models import ValueType
from reporting.models import ReportRequest, TaskStatus
from reporting.selectors import ReportLayout, report_layout

KIND = "scp-report-template"
FORMAT_VERSION = 1
HELP_SHEET, TASK_SHEET, VALUE_SHEET, META_SHEET = "Hướng dẫn", "Nhiệm vụ", "Số liệu", "_scp"
TASK_HEADER = ("Mã nhiệm vụ", "Nội dung nhiệm vụ", "Tình trạng", "Kết quả đạt được",
               "Khó khăn, vướng mắc", "Đề xuất, kiến nghị")
VALUE_HEADER = ("Mã chỉ tiêu", "Nhiệm vụ", "Chỉ tiêu", "Đơn vị tính", "Kiểu dữ liệu",
                "Giá trị", "Ghi chú")
# Where each answer lives: the column of a task field, of a value and of its comment.
TASK_COLUMNS = {"status": "C", "results": "D", "difficulties": "E", "proposals": "F"}
VALUE_COLUMN, COMMENT_COLUMN = "F", "G"
YES, NO = "Có", "Không"
TYPE_NAMES: dict[str, str] = {ValueType.INTEGER: "Số nguyên", ValueType.DECIMAL: "Số",
              ValueType.PERCENT: "Tỷ lệ (%)", ValueType.MONEY: "Số tiền (đồng)",
              ValueType.BOOLEAN: "Có / Không", ValueType.TEXT: "Văn bản",
              ValueType.CHOICE: "Chọn trong danh sách"}
INPUT_FILL = PatternFill("solid", fgColor="FFF8E1")


def status_labels() -> dict[str, str]:
    """Task statuses as the template writes them (Vietnamese), by code."""
    with translation.override("vi"):
        return {code: str(label) for code, label in TaskStatus.choices}


def layout_fingerprint(layout: ReportLayout) -> str:
    """Changes when the report's form changes (tasks or questions added or removed)."""
    text = "|".join([*layout.answers, "#", *(f.question.code for f in layout.fields)])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _text(cell: Cell, value: str) -> None:
    """Text stays text, whatever it starts with (never a formula)."""
    cell.value = value
    cell.data_type = "s"


def _input(cell: Cell) -> None:
    cell.protection = Protection(locked=False)
    cell.fill = INPUT_FILL
    cell.alignment = Alignment(wrap_text=True, vertical="top")


def _header(ws: Any, names: tuple[str, ...], widths: tuple[int, ...]) -> None:
    for index, (name, width) in enumerate(zip(names, widths, strict=True), start=1):
        cell = ws.cell(row=1, column=index)
        _text(cell, name)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"


def _cell_value(question: Any, text: str) -> Any:
    """A stored answer as the template shows it: numbers as numbers, Có/Không, the
    option's name."""
    if not text:
        return None
    if question.is_numeric:
        number = Decimal(text)
        return int(number) if number == number.to_integral_value() else float(number)
    if question.value_type == ValueType.BOOLEAN:
        return YES if text == "true" else NO
    if question.value_type == ValueType.CHOICE:
        return question.choice_label(text)
    return text


def _validation(question: Any, choices_ref: str | None) -> DataValidation:
    kind = question.value_type
    low, high = question.min_value, question.max_value
    if kind in (ValueType.INTEGER, ValueType.MONEY):
        low = low if low is not None else Decimal(0)
        rule = DataValidation(type="whole", operator="greaterThanOrEqual",
                              formula1=str(int(low)))
        message = f"Số nguyên, không nhỏ hơn {int(low)}."
    elif kind in (ValueType.DECIMAL, ValueType.PERCENT):
        low = low if low is not None else Decimal(-(10**15))
        high = high if high is not None else Decimal(10**15)
        rule = DataValidation(type="decimal", operator="between", formula1=str(low),
                              formula2=str(high))
        message = "Một số (dấu phẩy trước phần thập phân)."
    elif kind == ValueType.BOOLEAN:
        rule = DataValidation(type="list", formula1=f'"{YES},{NO}"')
        message = "Chọn Có hoặc Không."
    elif kind == ValueType.CHOICE and choices_ref:
        rule = DataValidation(type="list", formula1=choices_ref)
        message = "Chọn một mục trong danh sách."
    else:
        rule = DataValidation(type="textLength", operator="lessThanOrEqual",
                              formula1=str(MAX_TEXT))
        message = f"Văn bản, tối đa {MAX_TEXT} ký tự."
    rule.error, rule.errorTitle = message, "Giá trị không hợp lệ"
    rule.prompt, rule.promptTitle = message, question.name[:30]
    rule.showErrorMessage = rule.showInputMessage = True
    rule.allow_blank = True
    return rule


HELP_LINES = (
    "MẪU BÁO CÁO NHẬP NGOẠI TUYẾN",
    "",
    "Đơn vị: {unit}",
    "Kỳ báo cáo: {period} (mã {code}); số liệu từ ngày {start} đến ngày {end}.",
    "Hạn gửi báo cáo: {due}.",
    "",
    "Cách điền:",
    "1. Trang «Nhiệm vụ»: với mỗi nhiệm vụ, chọn Tình trạng trong danh sách, ghi Kết quả "
    "đạt được, Khó khăn, vướng mắc và Đề xuất, kiến nghị (nếu có).",
    "2. Trang «Số liệu»: ghi Giá trị và Ghi chú (nếu cần) cho từng chỉ tiêu. Số viết dấu "
    "phẩy trước phần thập phân, ví dụ 1.234,5; câu hỏi Có / Không chọn trong danh sách.",
    "3. Chỉ điền vào các ô nền vàng. Không thêm, xóa, đổi tên trang, cột hay dòng: tệp "
    "có cấu trúc khác sẽ bị từ chối.",
    "4. Tải tệp lên tại trang «Nhập từ Excel» của hệ thống (hoặc lệnh scp-monitor import). "
    "Hệ thống kiểm tra toàn bộ tệp như khi nhập trên web: nếu có lỗi, không lưu gì và "
    "liệt kê từng lỗi theo trang, ô và lý do.",
    "5. Mẫu chỉ dùng cho đơn vị và kỳ báo cáo ghi ở trên. Nếu báo cáo đã được sửa trên web "
    "sau khi tải mẫu, các thay đổi trong tệp được giữ lại bên cạnh bản hiện tại để chọn.",
    "",
    "Mẫu được tạo từ phiên bản {version} của báo cáo.",
)


def report_template_build(*, report: ReportRequest) -> bytes:
    """The .xlsx template of `report`, pre-filled with its current answers."""
    layout = report_layout(report=report, with_issues=False)
    period, unit = report.period, report.org_unit
    book = Workbook()
    help_ws = book.active
    help_ws.title = HELP_SHEET
    help_ws.column_dimensions["A"].width = 120
    values = {"unit": unit.name, "period": period.label, "code": period.code,
              "start": f"{period.start:%d/%m/%Y}", "end": f"{period.end:%d/%m/%Y}",
              "due": f"{period.due_date:%d/%m/%Y}", "version": report.version}
    with translation.override("vi"):
        values["period"] = str(period.label)
        for row, line in enumerate(HELP_LINES, start=1):
            cell = help_ws.cell(row=row, column=1)
            _text(cell, line.format(**values))
            cell.alignment = Alignment(wrap_text=True)
    help_ws["A1"].font = Font(bold=True, size=13)
    help_ws.protection.sheet = True

    meta = book.create_sheet(META_SHEET)
    for row, (key, value) in enumerate((("kind", KIND), ("format", FORMAT_VERSION),
                                        ("period", period.code), ("unit", unit.code),
                                        ("version", report.version),
                                        ("layout", layout_fingerprint(layout))), start=1):
        _text(meta.cell(row=row, column=1), key)
        cell = meta.cell(row=row, column=2)
        if isinstance(value, str):
            _text(cell, value)
        else:
            cell.value = value
    labels = status_labels()
    for row, label in enumerate(labels.values(), start=1):
        _text(meta.cell(row=row, column=4), label)
    status_ref = f"'{META_SHEET}'!$D$1:$D${len(labels)}"

    tasks = book.create_sheet(TASK_SHEET)
    _header(tasks, TASK_HEADER, (12, 60, 24, 50, 35, 35))
    status_rule = DataValidation(type="list", formula1=status_ref, allow_blank=True)
    status_rule.error, status_rule.errorTitle = "Chọn tình trạng trong danh sách.", "Tình trạng"
    status_rule.showErrorMessage = True
    tasks.add_data_validation(status_rule)
    for row, section in enumerate(layout.tasks, start=2):
        answer = section.answer
        _text(tasks.cell(row=row, column=1), section.task.ref)
        _text(tasks.cell(row=row, column=2), section.task.text)
        tasks.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        _text(tasks.cell(row=row, column=3), labels.get(answer.status, ""))
        for column, name in enumerate(("results", "difficulties", "proposals"), start=4):
            _text(tasks.cell(row=row, column=column), getattr(answer, name))
        for column in range(3, 7):
            _input(tasks.cell(row=row, column=column))
        status_rule.add(f"C{row}")
    tasks.protection.sheet = True

    sheet = book.create_sheet(VALUE_SHEET)
    _header(sheet, VALUE_HEADER, (30, 12, 60, 16, 18, 20, 35))
    refs = {a.task_id: ref for ref, a in layout.answers.items()}
    choice_column = 6
    for row, field in enumerate(layout.fields, start=2):
        q = field.question
        _text(sheet.cell(row=row, column=1), q.code)
        _text(sheet.cell(row=row, column=2), refs.get(q.task_id, "") if q.task_id else "")
        _text(sheet.cell(row=row, column=3), q.name)
        sheet.cell(row=row, column=3).alignment = Alignment(wrap_text=True, vertical="top")
        _text(sheet.cell(row=row, column=4), q.unit)
        _text(sheet.cell(row=row, column=5), TYPE_NAMES.get(q.value_type, q.value_type))
        value = _cell_value(q, field.raw)
        target = sheet.cell(row=row, column=6)
        if isinstance(value, str):
            _text(target, value)
        else:
            target.value = value
        _text(sheet.cell(row=row, column=7), field.comment)
        _input(target)
        _input(sheet.cell(row=row, column=7))
        choices_ref = None
        if q.value_type == ValueType.CHOICE and q.choices:
            letter = get_column_letter(choice_column)
            for k, choice in enumerate(q.choices, start=1):
                _text(meta.cell(row=k, column=choice_column), q.choice_label(choice["code"]))
            choices_ref = f"'{META_SHEET}'!${letter}$1:${letter}${len(q.choices)}"
            choice_column += 1
        rule = _validation(q, choices_ref)
        sheet.add_data_validation(rule)
        rule.add(f"F{row}")
    sheet.protection.sheet = True
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    book.security = WorkbookProtection(lockStructure=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class TemplateProblem:
    """One reason a filled template is refused: where (sheet and cell) and why."""

    sheet: str
    cell: str
    message: str

    def __str__(self) -> str:
        if self.sheet and self.cell:
            return f"{self.sheet}!{self.cell}: {self.message}"
        if self.sheet:
            return f"{self.sheet}: {self.message}"
        return self.message
