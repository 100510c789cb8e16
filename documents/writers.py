"""The consolidated report of the lead agency and each unit's own report, written into
the Decree 30 layout (`documents.decree30`). Always in Vietnamese: these are the
documents an official signs, whatever language the screen is in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.formats import number_format

from documents.decree30 import DecreeDocument, date_line
from documents.layout_file import document_settings
from documents.models import OfficialDocument
from documents.selectors import ConsolidatedReport, consolidated_report, unit_report
from orgunits.models import AGENCY_KINDS, OrgUnit
from reporting.models import Period, ReportRequest, TaskStatus
from reporting.selectors import LATE, MISSING, ON_TIME, PENDING
from reporting.views import text_shown

ROMAN = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X"]
STATUS_LABELS = {
    ON_TIME: "Đúng hạn", LATE: "Muộn {n} ngày", PENDING: "Chưa đến hạn",
    MISSING: "Chưa gửi",
}


def _date(day: dt.date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def _number(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return "—"
    shown = number_format(value.normalize() if value == value.to_integral_value() else value,
                          use_l10n=True, force_grouping=True)
    return f"{shown} {unit}".strip()


# How a report says where a task stands (no nested brackets inside a sentence).
TASK_STATUS_TEXT: dict[str, str] = {
    TaskStatus.NOT_STARTED: "chưa triển khai", TaskStatus.IN_PROGRESS: "đang thực hiện",
    TaskStatus.COMPLETED: "đã hoàn thành", TaskStatus.RECURRING_DONE: "đã thực hiện trong kỳ",
}


def _status(status: str) -> str:
    return TASK_STATUS_TEXT.get(status, "chưa đánh giá")


def _symbol(unit: OrgUnit | None) -> str:
    return f"BC-{(unit.short_name or unit.code).upper()}" if unit else "BC"


def _superior(unit: OrgUnit) -> str:
    """Departments write the People's Committee above their name; a People's Committee
    of a district or commune, or an enterprise, has no superior line."""
    if unit.kind in AGENCY_KINDS and unit.parent is not None:
        return unit.parent.name
    return ""


def _source_line(unit: OrgUnit, report: ReportRequest, document: OfficialDocument | None
                 ) -> str:
    if document is not None:
        line = (f"Báo cáo số {document.number} ngày {_date(document.issued_on)} của "
                f"{unit.name} ({document.position} {document.signatory} ký")
        return line + (", có bản quét văn bản đã ký)" if document.has_scan else ")")
    submitted = report.first_submitted_on
    return (f"Báo cáo của {unit.name} gửi qua hệ thống"
            + (f" ngày {_date(submitted)}" if submitted else ""))


def _subject(period: Period, prefix: str) -> str:
    label = str(period.label)
    return f"{prefix} {label[:1].lower()}{label[1:]}" if not period.is_adhoc else (
        f"{prefix} ({period.title or period.code})")


# --------------------------------------------------------------------------------------
# The consolidated report


def consolidated_report_docx(*, period: Period, today: dt.date | None = None,
                             signed_on: dt.date | None = None) -> bytes:
    """The lead agency's report for `period` as .docx (accepted reports only)."""
    with translation.override("vi"):
        content = consolidated_report(period=period, today=today)
        return _consolidated(content, signed_on).to_bytes()


def _consolidated(c: ConsolidatedReport, signed_on: dt.date | None) -> DecreeDocument:
    conf, period = c.conf, c.period
    doc = DecreeDocument()
    issuer_name = c.issuer.name if c.issuer else "Sở Công Thương"
    doc.header(superior=conf.superior_body, issuer=issuer_name, number="",
               symbol=_symbol(c.issuer),
               date_text=date_line(conf.place, signed_on, (signed_on or c.today).year))
    doc.title("Báo cáo", _subject(period, conf.subject), conf.addressee)
    rates = c.completeness.rates
    accepted = len(c.sources)
    doc.paragraph(
        f"Thực hiện Kế hoạch số {conf.plan} của UBND tỉnh, {issuer_name} báo cáo kết quả "
        f"thực hiện {period.label_in_text} (số liệu từ ngày {_date(period.start)} đến "
        f"ngày {_date(period.end)}) như sau:")
    section = iter(ROMAN)
    doc.heading(f"{next(section)}. TÌNH HÌNH CHUNG")
    doc.paragraph(
        f"{issuer_name} đã đề nghị {rates.total} cơ quan, đơn vị báo cáo; hạn gửi báo cáo là "
        f"ngày {_date(period.due_date)}. Đến ngày {_date(c.today)}, {rates.submitted} đơn vị "
        f"đã gửi báo cáo ({rates.on_time} đúng hạn, {rates.late} gửi muộn), "
        f"{rates.missing} đơn vị chưa gửi báo cáo dù đã quá hạn. {accepted} báo cáo đã được "
        f"{issuer_name} tiếp nhận; báo cáo này chỉ tổng hợp số liệu của các báo cáo đã được "
        f"tiếp nhận.")
    if rates.completeness is not None:
        doc.paragraph(f"Tỷ lệ đơn vị gửi báo cáo đạt {_number(Decimal(str(rates.completeness)))}"
                      f"%, tỷ lệ gửi đúng hạn đạt "
                      f"{_number(Decimal(str(rates.timeliness or 0)))}%.")

    doc.heading(f"{next(section)}. KẾT QUẢ THỰC HIỆN")
    if c.adhoc:
        _adhoc_part(doc, c)
    doc.heading("1. Kết quả thực hiện các chỉ tiêu", level=2)
    doc.table(["TT", "Chỉ tiêu", "Giá trị gốc", "Kết quả", "Mục tiêu 2025", "Mục tiêu 2030",
               "Đánh giá"],
              [[str(i), row.target.text, row.baseline or "—", row.value or "—",
                row.target_2025 or "—", row.target_2030 or "—", row.status or "—"]
               for i, row in enumerate(c.targets, start=1)],
              (10, 53, 21, 23, 17, 18, 23))
    doc.heading("2. Kết quả thực hiện theo nhóm nhiệm vụ", level=2)
    groups = {g.ref: g for g in c.consolidation.groups}
    by_group: dict[str, list[Any]] = {}
    for item in c.consolidation.tasks:
        by_group.setdefault(item.group, []).append(item)
    for n, ref in enumerate(sorted(by_group, key=lambda r: (r == "", r)), start=1):
        group = groups.get(ref)
        title = group.title if group is not None else "Các nhiệm vụ khác"
        doc.heading(f"2.{n}. {title} (mục {ref})" if ref else f"2.{n}. {title}", level=3)
        for item in by_group[ref]:
            doc.paragraph(item.task.text, lead=f"Nhiệm vụ {item.task.ref}: ", italic_text=True)
            for row in item.answered:
                doc.paragraph(f"- {row.unit.name} ({_status(row.answer.status)}): "
                              f"{row.answer.results or 'không nêu kết quả.'}")
            totals = [f"{q.name}: {_number(total, q.unit)}"
                      for q, total in zip(item.questions, item.totals, strict=True)
                      if total is not None]
            if totals:
                doc.paragraph("; ".join(totals) + ".", lead="Số liệu tổng hợp: ")
            missing = [r.unit.name for r in item.missing]
            if missing:
                doc.paragraph(", ".join(missing) + ".", lead="Chưa có báo cáo được tiếp nhận: ")
    doc.heading("3. Kết quả theo cơ quan, đơn vị", level=2)
    doc.table(["TT", "Cơ quan, đơn vị", "Số nhiệm vụ", "Hoàn thành", "Đang thực hiện",
               "Chưa triển khai"],
              [[str(i), unit.name, str(sum(counts.values())),
                str(counts.get(TaskStatus.COMPLETED, 0)
                    + counts.get(TaskStatus.RECURRING_DONE, 0)),
                str(counts.get(TaskStatus.IN_PROGRESS, 0)),
                str(counts.get(TaskStatus.NOT_STARTED, 0))]
               for i, (unit, counts) in enumerate(c.agencies, start=1)],
              (10, 75, 20, 20, 20, 20), numeric=(2, 3, 4, 5))
    doc.heading("4. Các cơ quan, đơn vị chưa có báo cáo được tiếp nhận", level=2)
    if c.not_reported:
        doc.bullets(f"{unit.name} ({state.lower()})" for unit, state in c.not_reported)
    else:
        doc.paragraph("Tất cả các cơ quan, đơn vị đã gửi báo cáo và được tiếp nhận.")

    doc.heading(f"{next(section)}. KHÓ KHĂN, VƯỚNG MẮC")
    if c.difficulties:
        doc.bullets(f"{r.text} ({', '.join(u.name for u in r.units)})" for r in c.difficulties)
    else:
        doc.paragraph("Các cơ quan, đơn vị không nêu khó khăn, vướng mắc.")
    doc.heading(f"{next(section)}. ĐỀ XUẤT, KIẾN NGHỊ")
    if c.proposals:
        doc.bullets(f"{r.text} ({', '.join(u.name for u in r.units)})" for r in c.proposals)
    else:
        doc.paragraph("Các cơ quan, đơn vị không có đề xuất, kiến nghị.")
    doc.heading(f"{next(section)}. NGUỒN SỐ LIỆU")
    doc.paragraph("Báo cáo được tổng hợp từ các văn bản sau:")
    lines = [_source_line(s.unit, s.report, s.document) for s in c.sources]
    doc.bullets(line + (";" if i < len(lines) else ".") for i, line in enumerate(lines, 1))
    doc.paragraph(f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {conf.plan} "
                  f"{period.label_in_text} của {issuer_name}./.")
    doc.closing(recipients=conf.recipients, archive=conf.archive, authority=conf.authority,
                position=conf.position, signatory=conf.signatory)

    doc.appendix("Phụ lục I", "Tình hình gửi báo cáo của các cơ quan, đơn vị",
                 f"(Kèm theo Báo cáo của {issuer_name} về kết quả thực hiện "
                 f"{period.label_in_text})")
    documents = {s.report.pk: s.document for s in c.sources}
    rows = []
    for i, row in enumerate(c.completeness.rows, start=1):
        document = documents.get(row.report_id)
        rows.append([str(i), row.unit.name,
                     f"{document.number}, {_date(document.issued_on)}" if document else "",
                     _date(row.submitted_on) or "—",
                     STATUS_LABELS[row.status].format(n=row.days_late)])
    doc.table(["TT", "Cơ quan, đơn vị", "Văn bản báo cáo", "Ngày gửi", "Tình trạng"], rows,
              (10, 70, 35, 22, 28))
    doc.paragraph(f"Tổng số: {rates.total} đơn vị; đã gửi {rates.submitted} ({rates.on_time} "
                  f"đúng hạn, {rates.late} muộn); chưa gửi {rates.missing}; chưa đến hạn "
                  f"{rates.pending}.")
    _progress_appendix(doc, c)
    return doc


def _adhoc_part(doc: DecreeDocument, c: ConsolidatedReport) -> None:
    """The answers to an ad-hoc request's own questions, before the plan's results."""
    doc.heading(f"Kết quả theo nội dung yêu cầu ({c.period.title or c.period.code})",
                level=2)
    for n, item in enumerate(c.adhoc, start=1):
        q = item.question
        doc.paragraph(q.name + (f" ({q.unit})" if q.unit else ""), lead=f"{chr(96 + n)}) ")
        rows = [[str(i), unit.name, text_shown(q, value.value), value.comment]
                for i, (unit, value) in enumerate(item.answers, start=1)]
        if item.total is not None:
            rows.append(["", "Tổng cộng", text_shown(q, format(item.total.normalize(), "f")),
                         ""])
        if rows:
            doc.table(["TT", "Cơ quan, đơn vị", "Trả lời", "Ghi chú"], rows, (10, 70, 45, 40),
                      numeric=(2,) if q.is_numeric else ())
        else:
            doc.paragraph("Chưa có báo cáo được tiếp nhận trả lời nội dung này.")


def _shorten(text: str, limit: int) -> str:
    """At most `limit` characters, cut at a word and marked with an ellipsis."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _float_text(value: float | None, places: int = 1) -> str:
    if value is None:
        return "—"
    return number_format(round(value, places), decimal_pos=places, use_l10n=True,
                         force_grouping=True)


def _progress_appendix(doc: DecreeDocument, c: ConsolidatedReport) -> None:
    """Phụ lục II: each sector's consumption index (2020 = 100) and the LMDI effects of
    the change in its consumption; Phụ lục III: the charts of the targets with data and
    of the province's index. Figures and charts are the progress app's."""
    part = c.progress
    label = c.period.label_in_text
    doc.appendix("Phụ lục II", "Chỉ số tiêu hao theo ngành và phân rã LMDI",
                 f"(Kèm theo Báo cáo về kết quả thực hiện {label}; số liệu đến năm "
                 f"{part.year})")
    consumption = part.consumption
    years = [y for y in range(2020, part.year + 1)]
    if not consumption.sectors:
        doc.paragraph("Chưa có số liệu tiêu hao nguyên, nhiên, vật liệu của doanh nghiệp đã "
                      "được tiếp nhận để tính chỉ số theo ngành.")
        return
    doc.heading("1. Chỉ số tiêu hao theo ngành (năm 2020 = 100)", level=2)
    rows = [[si.sector.name, *(_float_text(si.result.index.get(y)) for y in years)]
            for si in consumption.sectors]
    rows.append(["Toàn tỉnh", *(_float_text(consumption.province.get(y)) for y in years)])
    width = max(12.0, (165 - 45) / max(1, len(years)))
    doc.table(["Ngành", *map(str, years)], rows, (45, *([width] * len(years))),
              numeric=tuple(range(1, len(years) + 1)))
    doc.heading("2. Phân rã LMDI thay đổi mức tiêu hao", level=2)
    rows = []
    for si in consumption.sectors:
        for group, effects in si.lmdi.items():
            name = f"{si.sector.name}: {si.group_names.get(group, group)}"
            unit = si.lmdi_units.get(group, "")
            if effects is None:
                rows.append([name, "—", "Chưa đủ số liệu", "", "", ""])
                continue
            rows.append([f"{name} ({unit})" if unit else name, f"{effects.start}-{effects.end}",
                         *(f"{_float_text(effects.additive[k])} "
                           f"(×{_float_text(effects.multiplicative[k], 3)})"
                           for k in ("activity", "structure", "intensity", "total"))])
    doc.table(["Ngành, đầu vào", "Giai đoạn", "Hiệu ứng quy mô", "Hiệu ứng cơ cấu",
               "Hiệu ứng cường độ", "Tổng thay đổi"], rows, (45, 20, 25, 25, 25, 25),
              numeric=(2, 3, 4, 5))
    doc.paragraph("Hiệu ứng cộng tính tính theo đơn vị của đầu vào, tổng bằng mức thay đổi; "
                  "trong ngoặc là hiệu ứng nhân tính (tích bằng tỷ số giữa hai năm).",
                  italic_text=True)
    _charts_appendix(doc, c)


def _charts_appendix(doc: DecreeDocument, c: ConsolidatedReport) -> None:
    from progress.charts import chart_render, chart_spec

    part = c.progress
    plan = c.period.plan
    with_data = [s for s in part.statuses if s.current is not None
                 and s.target.milestone.end_year >= part.year]
    seen: set[str] = set()
    charts = []
    for status in with_data:
        key = status.target.indicator or status.target.code
        if key in seen:
            continue
        seen.add(key)
        charts.append((f"{status.target.ref}: {_shorten(status.target.text, 140)}",
                       ("target", status.target.code)))
    if part.consumption.sectors:
        charts.append(("Chỉ số tiêu hao toàn tỉnh (năm 2020 = 100)", ("province", "province")))
    if not charts:
        return
    doc.appendix("Phụ lục III", "Biểu đồ tiến độ thực hiện các chỉ tiêu",
                 f"(Kèm theo Báo cáo về kết quả thực hiện {c.period.label_in_text})")
    for caption, (kind, code) in charts:
        spec = chart_spec(plan=plan, kind=kind, code=code, period=part.year)
        if spec is not None:
            doc.image(chart_render(spec, fmt="png"), width_mm=150, caption=caption)


# --------------------------------------------------------------------------------------
# One unit's report


def unit_report_docx(*, report: ReportRequest, signed_on: dt.date | None = None) -> bytes:
    """A unit's own report for its period as .docx, the unit as issuing body; its
    official-document record (number, date, signatory) when one was recorded."""
    from documents.selectors import official_document_for

    with translation.override("vi"):
        conf = document_settings()
        unit, period = report.org_unit, report.period
        layout = unit_report(report=report)
        document = official_document_for(report=report)
        lead = OrgUnit.objects.filter(code=conf.issuing_unit).first()
        doc = DecreeDocument()
        day = document.issued_on if document else signed_on
        doc.header(superior=_superior(unit), issuer=unit.name,
                   number=document.number if document else "", symbol=_symbol(unit),
                   date_text=date_line(conf.place, day, (day or period.end).year))
        doc.title("Báo cáo", _subject(period, conf.subject))
        doc.paragraph(f"Thực hiện Kế hoạch số {conf.plan} của UBND tỉnh, {unit.name} báo cáo "
                      f"kết quả thực hiện {period.label_in_text} (số liệu từ ngày "
                      f"{_date(period.start)} đến ngày {_date(period.end)}) như sau:")
        section = iter(ROMAN)
        if layout.tasks:
            doc.heading(f"{next(section)}. KẾT QUẢ THỰC HIỆN NHIỆM VỤ")
            for n, task in enumerate(layout.tasks, start=1):
                answer = task.answer
                doc.heading(f"{n}. Nhiệm vụ {task.task.ref}", level=2)
                doc.paragraph(task.task.text, italic_text=True)
                status = _status(answer.status)
                doc.paragraph(status[:1].upper() + status[1:] + ".", lead="Tình trạng: ")
                doc.paragraph(answer.results or "Không nêu.", lead="Kết quả: ")
                if answer.difficulties:
                    doc.paragraph(answer.difficulties, lead="Khó khăn, vướng mắc: ")
                if answer.proposals:
                    doc.paragraph(answer.proposals, lead="Đề xuất, kiến nghị: ")
                if task.fields:
                    _values_table(doc, task.fields)
        extra = layout.unit_fields + layout.adhoc_fields
        if extra:
            doc.heading(f"{next(section)}. SỐ LIỆU CỦA ĐƠN VỊ")
            _values_table(doc, extra)
        doc.paragraph(f"Trên đây là báo cáo kết quả thực hiện Kế hoạch số {conf.plan} "
                      f"{period.label_in_text} của {unit.name}./.")
        recipients = [f"{lead.name} (để tổng hợp)"] if lead and lead != unit else []
        doc.closing(recipients=recipients, archive="Lưu: VT",
                    authority="", position=document.position if document else "",
                    signatory=document.signatory if document else "")
        return doc.to_bytes()


def _values_table(doc: DecreeDocument, fields: list[Any]) -> None:
    doc.table(["TT", "Nội dung", "Kết quả", "Ghi chú"],
              [[str(i), f.question.name, text_shown(f.question, f.raw), f.comment]
               for i, f in enumerate(fields, start=1)],
              (10, 85, 35, 35), numeric=(2,))
