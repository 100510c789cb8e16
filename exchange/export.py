"""Full data export: every period, report, task answer and value the user may see (of one
period, or of everything), as one .xlsx workbook with a sheet per kind or as CSV files
(one per kind, zipped). Vietnamese headers, codes beside names; the rows stream from the
database into the writer (`common.xlsx.xlsx_stream`) and out to the user as they are
written, so memory does not grow with the data. Access follows `reporting.permissions`:
a reporter its own unit, a viewer accepted reports, the coordinator everything."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation

from common.streaming import csv_stream, zip_stream
from common.xlsx import SheetOut, xlsx_stream
from documents.models import OfficialDocument
from plans.models import Plan, ReportKind
from reporting.models import DataValue, Period, ReportRequest, ReportState, TaskAnswer, TaskStatus
from reporting.selectors import requests_visible


def _labels() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    with translation.override("vi"):
        return ({k: str(v) for k, v in ReportState.choices},
                {k: str(v) for k, v in TaskStatus.choices},
                {k: str(v) for k, v in ReportKind.choices})


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value is not None else None


def _requests(user: Any, plan: Plan, period: Period | None) -> QuerySet[ReportRequest]:
    rows = requests_visible(user=user).filter(period__plan=plan)
    return rows.filter(period=period) if period is not None else rows


def export_sheets(*, user: Any, plan: Plan, period: Period | None = None) -> list[SheetOut]:
    """The sheets of the export; each sheet's rows are read lazily when written."""
    states, statuses, kinds = _labels()
    requests = _requests(user, plan, period)
    periods = Period.objects.filter(plan=plan, pk__in=requests.values("period_id"))

    def period_rows() -> Iterator[list[Any]]:
        for p in periods.order_by("due_date", "code"):
            yield [p.code, p.title or "", kinds.get(p.kind, p.kind), p.kind, p.start, p.end,
                   p.due_date]

    def report_rows() -> Iterator[list[Any]]:
        documents = {d.request_id: d for d in OfficialDocument.objects.defer("scan").filter(
            request__in=requests)}
        for r in requests.order_by("period__due_date", "period__code", "org_unit__code"
                                   ).iterator(chunk_size=500):
            d = documents.get(r.pk)
            yield [r.period.code, r.org_unit.code, r.org_unit.name,
                   states.get(r.state, r.state), r.state, r.version, r.first_submitted_on,
                   _local(r.submitted_at), _local(r.accepted_at),
                   d.number if d else "", d.issued_on if d else None,
                   d.signatory if d else "", d.position if d else ""]

    def task_rows() -> Iterator[list[Any]]:
        answers = (TaskAnswer.objects.filter(request__in=requests)
                   .select_related("request__period", "request__org_unit", "task")
                   .order_by("request__period__due_date", "request__org_unit__code",
                             "task__order"))
        for a in answers.iterator(chunk_size=1000):
            yield [a.request.period.code, a.request.org_unit.code, a.request.org_unit.name,
                   a.task.ref, a.status, statuses.get(a.status, ""), a.results,
                   a.difficulties, a.proposals]

    def value_rows() -> Iterator[list[Any]]:
        values = (DataValue.objects.filter(request__in=requests)
                  .select_related("request__period", "request__org_unit", "element",
                                  "question")
                  .order_by("request__period__due_date", "request__org_unit__code",
                            "element__order", "question__order"))
        for v in values.iterator(chunk_size=1000):
            asked = v.element or v.question
            number: Decimal | None = v.numeric
            yield [v.request.period.code, v.request.org_unit.code, v.request.org_unit.name,
                   asked.code if asked else "", asked.name if asked else "",
                   asked.unit if asked else "", number if number is not None else v.value,
                   v.value, v.comment]

    return [
        SheetOut("Kỳ báo cáo", ["Mã kỳ", "Tên (báo cáo đột xuất)", "Loại kỳ", "Mã loại",
                                "Số liệu từ ngày", "Đến ngày", "Hạn báo cáo"], period_rows(),
                 [12, 40, 16, 12, 14, 14, 14]),
        SheetOut("Báo cáo", ["Mã kỳ", "Mã đơn vị", "Đơn vị", "Trạng thái", "Mã trạng thái",
                             "Phiên bản", "Ngày gửi lần đầu", "Gửi lúc", "Tiếp nhận lúc",
                             "Số, ký hiệu văn bản", "Ngày văn bản", "Người ký", "Chức vụ"],
                 report_rows(), [12, 18, 40, 14, 12, 10, 14, 18, 18, 18, 14, 24, 20]),
        SheetOut("Nhiệm vụ", ["Mã kỳ", "Mã đơn vị", "Đơn vị", "Mã nhiệm vụ", "Mã tình trạng",
                              "Tình trạng", "Kết quả đạt được", "Khó khăn, vướng mắc",
                              "Đề xuất, kiến nghị"], task_rows(),
                 [12, 18, 40, 12, 14, 24, 60, 40, 40]),
        SheetOut("Số liệu", ["Mã kỳ", "Mã đơn vị", "Đơn vị", "Mã chỉ tiêu", "Chỉ tiêu",
                             "Đơn vị tính", "Giá trị", "Giá trị như lưu", "Ghi chú"],
                 value_rows(), [12, 18, 40, 30, 60, 14, 16, 16, 40]),
    ]


def export_xlsx(*, user: Any, plan: Plan, period: Period | None = None) -> Iterator[bytes]:
    """The workbook, in chunks as it is written."""
    return xlsx_stream(sheets=export_sheets(user=user, plan=plan, period=period))


def export_csv_zip(*, user: Any, plan: Plan, period: Period | None = None
                   ) -> Iterator[bytes]:
    """One CSV file (UTF-8 with a byte-order mark, for Excel) per sheet, in a zip, in
    chunks as it is written."""
    return zip_stream((f"{sheet.title}.csv", csv_stream(header=sheet.header, rows=sheet.rows))
                      for sheet in export_sheets(user=user, plan=plan, period=period))
