"""Demo history of the reporting cycle: every period of Plan 141 from 2021S1 up to today,
each obliged unit's report filled, submitted (mostly on time, some late), some returned
and resubmitted, accepted by the coordinator; one unit that never reports; the current
period in progress; one ad-hoc request. Everything goes through the services; the
timestamps of a past event (submission, return, acceptance, and its audit record) are
set to when it would have happened. Idempotent: a period already opened is left alone."""

from __future__ import annotations

import datetime as dt
import random
import zlib
from collections.abc import Callable
from decimal import Decimal
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Role, User
from accounts.services import user_upsert
from common.models import AuditEvent
from orgunits.models import OrgUnit
from plans.models import Plan, Recurrence, ReportKind, ValueType
from plans.selectors import plan_current
from reporting.models import Period, ReportRequest
from reporting.periods import period_spec
from reporting.selectors import report_issues, report_layout
from reporting.services import (
    adhoc_request_open,
    period_open,
    report_accept,
    report_return,
    report_save,
    report_submit,
)
from reporting.validation import Question

NEVER_REPORTS = "sngv"  # Sở Ngoại vụ: never sends its report, so the pages show it
OPENED_BEFORE_DUE = 45  # days: when the coordinator opens a period

RESULTS = [
    "Đã ban hành văn bản chỉ đạo, hướng dẫn triển khai nhiệm vụ; tổ chức {n} hội nghị, lớp "
    "tập huấn cho cán bộ, doanh nghiệp và người dân.",
    "Lồng ghép nội dung sản xuất và tiêu dùng bền vững vào kế hoạch công tác năm; thực hiện "
    "{n} đợt kiểm tra, giám sát việc triển khai tại cơ sở.",
    "Đăng tải {n} tin, bài tuyên truyền trên cổng thông tin điện tử của đơn vị và phối hợp với "
    "Trung tâm Truyền thông tỉnh đưa tin.",
    "Hướng dẫn các cơ sở sản xuất áp dụng giải pháp sử dụng tiết kiệm năng lượng, nguyên liệu; "
    "hỗ trợ {n} cơ sở đánh giá sản xuất sạch hơn.",
    "Tổ chức các hoạt động truyền thông về phân loại rác thải tại nguồn, hạn chế sử dụng túi "
    "ni lông khó phân hủy tại khu dân cư, chợ và trường học; {n} lượt hoạt động.",
    "Phối hợp với Sở Công Thương và các địa phương triển khai nhiệm vụ theo kế hoạch; kết quả "
    "cơ bản đạt yêu cầu đề ra, {n} nội dung đã hoàn thành.",
]
DIFFICULTIES = [
    "Kinh phí bố trí cho nhiệm vụ còn hạn chế.",
    "Nhận thức của một bộ phận doanh nghiệp và người dân về tiêu dùng bền vững chưa cao.",
    "Thiếu cán bộ chuyên trách theo dõi nhiệm vụ.",
    "Số liệu thống kê ở cơ sở chưa đầy đủ, khó tổng hợp.",
    "",
    "",
]
PROPOSALS = [
    "Đề nghị UBND tỉnh bố trí kinh phí thực hiện nhiệm vụ hằng năm.",
    "Đề nghị Sở Công Thương tổ chức tập huấn nghiệp vụ báo cáo cho cán bộ đầu mối.",
    "Đề nghị tăng cường phối hợp giữa các sở, ngành trong chia sẻ số liệu.",
    "",
    "",
]
RETURN_REASONS = [
    "Đề nghị bổ sung số liệu kinh phí đã thực hiện và nêu rõ nguồn kinh phí.",
    "Số liệu số lượt người được tuyên truyền chưa khớp với báo cáo tháng; đề nghị rà soát lại.",
    "Đề nghị nêu rõ kết quả cụ thể của từng nhiệm vụ, tránh nêu chung chung.",
    "Thiếu phần khó khăn, vướng mắc và đề xuất, kiến nghị; đề nghị bổ sung.",
]
EXPLANATION = "Số liệu thay đổi so với kỳ trước do điều chỉnh kế hoạch hoạt động trong kỳ."
# Stocks: counted at the end of the window, not summed over it (no halving for a half-year).
STOCKS = {"supermarkets-total", "supermarkets-eco-packaging", "zones-total", "zones-reached",
          "scp-models", "st-enterprises-certified", "iv-14-1-green-credit-outstanding",
          "iv-14-1-green-borrowers", "iv-14-2-cashless-points", "iv-9-3-software-deployed",
          "iv-6-2-unfired-share", "iv-5-1-facilities-traced", "iv-5-1-products-traced"}


def _rng(*parts: Any) -> random.Random:
    return random.Random(zlib.crc32("|".join(map(str, parts)).encode()))


def _at(when: dt.datetime, action: Callable[[], Any]) -> Any:
    """Run a service, then date the audit records it wrote to `when`."""
    last = AuditEvent.objects.aggregate(m=Max("id"))["m"] or 0
    result = action()
    AuditEvent.objects.filter(id__gt=last).update(occurred_at=when)
    return result


def _aware(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


# ------------------------------------------------------------------------------- values


def _base(unit: OrgUnit, q: Question) -> Decimal:
    """A unit's typical yearly figure for one question (stable from run to run)."""
    r = _rng(unit.code, q.code)
    name = f"{q.unit} {q.name}".lower()
    if q.value_type == ValueType.MONEY:
        if "outstanding" in q.code:
            return Decimal(r.randint(2000, 8000)) * 1_000_000_000
        return Decimal(r.randint(20, 900)) * 1_000_000
    if q.value_type == ValueType.PERCENT:
        return Decimal(r.randint(35, 60))
    if q.value_type == ValueType.DECIMAL:
        return Decimal(r.randint(800, 20000))
    if q.code == "supermarkets-total":
        return Decimal(r.randint(40, 48))
    if q.code == "zones-total":
        return Decimal(r.randint(48, 54))
    if "người" in name or "học sinh" in name:
        return Decimal(r.randint(300, 5000))
    if "điểm" in name:
        return Decimal(r.randint(3000, 9000))
    if "cơ sở" in name or "doanh nghiệp" in name or "khách hàng" in name:
        return Decimal(r.randint(8, 80))
    return Decimal(r.randint(2, 15))


def _value(unit: OrgUnit, q: Question, period: Period, whole: Decimal | None) -> Any:
    r = _rng(unit.code, q.code, period.code)
    years = period.year - 2021
    if q.value_type == ValueType.BOOLEAN:
        return r.random() < 0.85
    if q.value_type == ValueType.CHOICE:
        return r.choice(q.choices)["code"]
    if q.value_type == ValueType.TEXT:
        return "Đã triển khai theo kế hoạch."
    if whole is not None:  # a part: a growing share of its whole
        share = min(Decimal("0.95"), Decimal("0.45") + Decimal("0.08") * years
                    + Decimal(r.randint(0, 5)) / 100)
        number = (whole * share).to_integral_value()
        return int(number) if q.value_type != ValueType.DECIMAL else float(number)
    base = _base(unit, q)
    if q.code in ("scp-models", "st-enterprises-certified"):  # cumulative since 2021
        return int(2 + 3 * years + (1 if period.kind == ReportKind.ANNUAL else 0))
    if q.value_type == ValueType.PERCENT:
        return float(min(Decimal(98), base + 7 * years + Decimal(r.randint(0, 3))))
    factor = Decimal(r.randint(85, 125)) / 100 * (1 + Decimal("0.06") * years)
    if period.kind == ReportKind.SEMIANNUAL and q.code not in STOCKS:
        factor /= 2
    number = max(Decimal(1), base * factor)
    if q.value_type == ValueType.MONEY:
        return int((number / 1_000_000).to_integral_value() * 1_000_000)
    if q.value_type == ValueType.DECIMAL:
        return float(number.quantize(Decimal("0.1")))
    return int(number.to_integral_value())


def _payload(report: ReportRequest, period: Period) -> tuple[dict, dict]:
    layout = report_layout(report=report, with_issues=False)
    unit = report.org_unit
    values: dict[str, Any] = {}

    def fill(q: Question) -> Decimal | None:
        if q.code in values:
            return _as_decimal(values[q.code])
        whole = None
        if q.part_of and q.part_of in layout.questions:
            whole = fill(layout.questions[q.part_of])
        values[q.code] = _value(unit, q, period, whole)
        return _as_decimal(values[q.code])

    for q in layout.questions.values():
        fill(q)
    answers = {}
    r = _rng(unit.code, period.code, "tasks")
    for ref, answer in layout.answers.items():
        if answer.task.recurrence == Recurrence.RECURRING:
            status = "recurring_done" if r.random() < 0.8 else "in_progress"
        else:
            status = "completed" if period.year >= 2023 and r.random() < 0.7 else "in_progress"
        answers[ref] = {"status": status,
                        "results": r.choice(RESULTS).format(n=r.randint(2, 12)),
                        "difficulties": r.choice(DIFFICULTIES),
                        "proposals": r.choice(PROPOSALS)}
    return values, answers


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))


def _explain_warnings(report: ReportRequest, actor: Any) -> ReportRequest:
    """Comment every figure far from the previous period, as a reporter would."""
    flagged = {i.key.removeprefix("values.") for i in report_issues(report=report)
               if i.level == "warning" and i.blocking}
    if not flagged:
        return report
    return report_save(report=report, actor=actor, version=report.version,
                       values={code: {"comment": EXPLANATION} for code in flagged})


# ------------------------------------------------------------------------------ history


def _reporter(unit: OrgUnit, actor: Any) -> User:
    # The unit's own reporter if it has one (an enterprise's `dn-…` user), else `bc-<code>`.
    found = (User.objects.filter(org_unit=unit, role=Role.REPORTER).order_by("username").first()
             or User.objects.filter(username=f"bc-{unit.code}").first())
    if found is not None:
        return found
    # Reporters of units closed since the 2025 reorganisation do not sign in any more:
    # no password (and no slow hashing).
    return user_upsert(username=f"bc-{unit.code}", role=Role.REPORTER, actor=actor,
                       org_unit=unit, full_name=f"Cán bộ {unit.name}",
                       email=f"bc-{unit.code}@example.invalid")[0]


def _coordinator(actor: Any) -> Any:
    return User.objects.filter(username="dieuphoi").first() or actor


def _play(report: ReportRequest, period: Period, coordinator: Any, actor: Any,
          today: dt.date, *, last_past: bool, current: bool) -> None:
    """One unit's story in one period."""
    unit = report.org_unit
    if unit.code == NEVER_REPORTS:
        return
    r = _rng(unit.code, period.code, "story")
    due = period.due_date
    reporter = _reporter(unit, actor)
    roll = r.random()
    if current:
        if roll < 0.45:
            return  # not started yet
        draft_only = roll < 0.75
        submitted_on = today - dt.timedelta(days=r.randint(0, 12))
    else:
        if last_past and roll < 0.08:
            return  # overdue, never submitted
        late = roll > 0.78
        submitted_on = due + dt.timedelta(days=r.randint(1, 25)) if late else \
            due - dt.timedelta(days=r.randint(0, 18))
        draft_only = False
    submitted_on = min(submitted_on, today)
    values, answers = _payload(report, period)
    saved_at = _aware(submitted_on - dt.timedelta(days=r.randint(1, 5)), 9)
    report = _at(saved_at, lambda: report_save(report=report, actor=reporter, version=1,
                                               values=values, answers=answers))
    report = _at(saved_at, lambda: _explain_warnings(report, reporter))
    if draft_only:
        return
    when = _aware(submitted_on, r.randint(8, 16))
    report = _at(when, lambda: report_submit(report=report, actor=reporter, now=when))
    if current and r.random() < 0.3:  # returned, waiting for the unit's correction
        back = _aware(min(today, submitted_on + dt.timedelta(days=2)), 10)
        _at(back, lambda: report_return(report=report, actor=coordinator, notify=False,
                                        reason=r.choice(RETURN_REASONS), now=back))
        return
    if r.random() < 0.15:  # returned once, corrected, resubmitted
        back = _aware(submitted_on + dt.timedelta(days=r.randint(2, 6)), 10)
        if back.date() > today:
            return
        reason = r.choice(RETURN_REASONS)
        report = _at(back, lambda: report_return(report=report, actor=coordinator,
                                                 reason=reason, now=back, notify=False))
        again = _aware(back.date() + dt.timedelta(days=r.randint(1, 7)), 15)
        if again.date() > today:
            return  # still with the unit
        ref = next(iter(answers), None)
        fix = {ref: {"results": answers[ref]["results"] + " Đã bổ sung theo yêu cầu."}} \
            if ref else {}
        report = _at(again, lambda: report_save(report=report, actor=reporter,
                                                version=report.version, answers=fix))
        report = _at(again, lambda: report_submit(report=report, actor=reporter, now=again))
        when = again
    accept_at = _aware(when.date() + dt.timedelta(days=r.randint(2, 12)), 11)
    if accept_at.date() >= today or current:
        return  # waits in the review queue
    _at(accept_at, lambda: report_accept(report=report, actor=coordinator, now=accept_at,
                                         notify=False))


def _periodic_codes(plan: Plan, today: dt.date) -> list[str]:
    codes = []
    for year in range(plan.start_year, min(plan.end_year, today.year) + 1):
        for code in (f"{year}S1", str(year)):
            spec = period_spec(plan=plan, code=code)
            if spec.due_date - dt.timedelta(days=OPENED_BEFORE_DUE) <= today:
                codes.append(code)
    return codes


def _adhoc(plan: Plan, coordinator: Any, actor: Any, today: dt.date) -> None:
    title = "Báo cáo nhanh kết quả hạn chế sử dụng túi ni lông khó phân hủy và sản phẩm nhựa " \
            "dùng một lần năm 2024"
    if Period.objects.filter(plan=plan, kind=ReportKind.ADHOC, title=title).exists():
        return
    opened = dt.date(2024, 9, 10)
    if opened > today:
        return
    units = [u for u in OrgUnit.objects.filter(code__in=["sct", "stnmt", "svhtt", "sdl",
                                                         "tp-ha-long", "tp-cam-pha"])]
    period = _at(_aware(opened, 9), lambda: adhoc_request_open(
        plan=plan, title=title, due_date=dt.date(2024, 9, 30), recipients=units,
        actor=coordinator, today=opened, notify=False,
        instructions="Theo đề nghị của Bộ Công Thương tại văn bản về tình hình triển khai "
                     "Chỉ thị số 33/CT-TTg; các đơn vị báo cáo số liệu đến ngày 20/9/2024.",
        questions=[
            {"name": "Số siêu thị, cửa hàng tiện ích đã cam kết không sử dụng túi ni lông khó "
                     "phân hủy", "value_type": "integer", "unit": "cơ sở", "required": True},
            {"name": "Số đợt ra quân, chiến dịch làm sạch môi trường đã tổ chức",
             "value_type": "integer", "unit": "đợt", "required": True},
            {"name": "Đánh giá chung về mức độ chuyển biến", "value_type": "choice",
             "choices": ["Chưa rõ", "Có chuyển biến", "Chuyển biến rõ rệt"]},
            {"name": "Kiến nghị với Bộ Công Thương", "value_type": "text"},
        ]))
    for report in period.requests.select_related("org_unit", "period"):
        r = _rng(report.org_unit.code, period.code)
        if r.random() < 0.2:
            continue
        reporter = _reporter(report.org_unit, actor)
        when = _aware(dt.date(2024, 9, r.randint(18, 30)), 10)
        values = {"q1": r.randint(5, 60), "q2": r.randint(1, 8), "q3": r.choice("23"),
                  "q4": r.choice(PROPOSALS) or "Không có kiến nghị."}
        report = _at(when, partial(report_save, report=report, actor=reporter, version=1,
                                   values=values))
        report = _at(when, partial(report_submit, report=report, actor=reporter, now=when))
        accept = when + dt.timedelta(days=3)
        _at(accept, partial(report_accept, report=report, actor=coordinator, now=accept,
                            notify=False))

def demo_load(*, actor: Any) -> None:
    """Load the demo reporting history (idempotent)."""
    plan = plan_current()
    if plan is None:
        return
    today = timezone.localdate()
    coordinator = _coordinator(actor)
    codes = _periodic_codes(plan, today)
    past = [c for c in codes if period_spec(plan=plan, code=c).due_date < today]
    for code in codes:
        with transaction.atomic():
            opened_on = period_spec(plan=plan, code=code).due_date - dt.timedelta(
                days=OPENED_BEFORE_DUE)
            period, created = _at(_aware(min(opened_on, today), 8), partial(
                period_open, plan=plan, code=code, actor=coordinator, notify=False))
            for report in created:
                _play(report, period, coordinator, actor, today,
                      last_past=bool(past) and code == past[-1],
                      current=period.due_date >= today)
    with transaction.atomic():
        _adhoc(plan, coordinator, actor, today)

