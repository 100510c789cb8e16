"""Property tests of report values beyond the input layer: one random answer to a question
of every value type of a report, through the saving service and through the report page.

Each answer is drawn either from what the type accepts (with the value it must be stored
as, worked out here, not by the code under test) or from what it refuses. A save with any
refused answer raises a ValidationError keyed by exactly the refused questions and stores
nothing; otherwise every answer reads back as expected. The page never answers 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db.models.functions import Coalesce
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from common.models import AuditEvent
from common.parsing import number_text
from orgunits.models import OrgUnit
from plans.models import ValueType
from reporting.models import DataValue, ReportRequest
from reporting.selectors import report_layout
from reporting.services import adhoc_request_open, report_save
from reporting.tests.conftest import report_of

NUMERIC = (ValueType.INTEGER, ValueType.MONEY, ValueType.PERCENT, ValueType.DECIMAL)
TEXT_CHARS = st.characters(exclude_categories=("Cc", "Cs"))
OK, BAD = "ok", "bad"


def _questions(report: ReportRequest) -> dict[str, Any]:
    """One question of each value type the report asks (the first in the form's order)."""
    chosen: dict[str, Any] = {}
    for question in report_layout(report=report, with_issues=False).questions.values():
        chosen.setdefault(question.value_type, question)
    return chosen


def _bounds(question: Any) -> tuple[Decimal, Decimal]:
    """The range of accepted numbers: the question's own bounds, counts and money never
    negative; where the question sets none, a span of numbers it must take."""
    whole = question.value_type in (ValueType.INTEGER, ValueType.MONEY)
    low = question.min_value if question.min_value is not None else (
        Decimal(0) if whole else Decimal(-10**12))
    high = question.max_value if question.max_value is not None else Decimal(10**12)
    return Decimal(low), Decimal(high)


@st.composite
def answer(draw: Any, question: Any) -> tuple[Any, str, Any]:
    """(raw answer, OK or BAD, what it is stored as when OK: (text, numeric))."""
    kind = question.value_type
    if kind in NUMERIC:
        whole = kind in (ValueType.INTEGER, ValueType.MONEY)
        low, high = _bounds(question)
        if draw(st.booleans()):
            places = 0 if whole else draw(st.integers(0, 4))
            step = Decimal(1).scaleb(-places)
            n = draw(st.integers(int(low / step), int(high / step)))
            number = (Decimal(n) * step).normalize()
            if number == number.to_integral_value():
                number = number.quantize(Decimal(1))
            raw = draw(st.sampled_from([number_text(number), int(number)] if whole
                                       else [number_text(number)]))
            return raw, OK, (format(number, "f"), number)
        refused = [st.sampled_from(["abc", "1e3", "12.5", "1,2,3", "nan", "∞", "12 5", "--1",
                                    [1], {"a": 1}])]
        if question.max_value is not None:
            refused.append(st.just(number_text(high + 1)))
        if question.min_value is not None or whole:
            refused.append(st.just(number_text(low - 1)))
        if whole:
            refused.append(st.just("2,5"))
        return draw(st.one_of(refused)), BAD, None
    if kind == ValueType.BOOLEAN:
        if draw(st.booleans()):
            flag = draw(st.booleans())
            return flag, OK, ("true" if flag else "false", Decimal(int(flag)))
        return draw(st.sampled_from(["có lẽ", 7, [True], "truefalse"])), BAD, None
    if kind == ValueType.CHOICE:
        codes = [c["code"] for c in question.choices]
        if draw(st.booleans()):
            code = draw(st.sampled_from(codes))
            return code, OK, (code, None)
        # blank text (white space alone, "\r") clears the answer: not a wrong choice
        return draw(st.text(min_size=1).filter(lambda t: t.strip() and t.strip() not in codes)
                    | st.integers()), BAD, None
    # free text: kept as written (trimmed), refused beyond 20.000 characters
    if draw(st.booleans()):
        text = draw(st.text(TEXT_CHARS, min_size=1, max_size=300).filter(
            lambda t: t.strip() and t == t.strip()))
        return text, OK, (text, None)
    return "x" * 20_001, BAD, None


def _stored(report: ReportRequest) -> list[tuple]:
    # a value answers a plan element or an ad-hoc question, never both: one code sorts it
    return sorted(DataValue.objects.filter(request=report).values_list(
        Coalesce("element__code", "question__code"), "value", "numeric", "comment"))


@pytest.fixture
def report(plan, coordinator) -> ReportRequest:
    """The sct report of an ad-hoc request asking the plan's questions and one question of
    each value type with its own bounds."""
    period = adhoc_request_open(
        plan=plan, title="Rà soát số liệu", due_date=dt.date.today() + dt.timedelta(days=30),
        recipients=[OrgUnit.objects.get(code="sct")], actor=coordinator, notify=False,
        include_plan_questions=True, questions=[
            {"name": "Ghi chú", "value_type": ValueType.TEXT},
            {"name": "Tỷ lệ hộ dùng túi thân thiện", "value_type": ValueType.PERCENT},
            {"name": "Thay đổi cường độ năng lượng", "value_type": ValueType.DECIMAL,
             "min": "-5", "max": "1.000"},
            {"name": "Mức độ", "value_type": ValueType.CHOICE,
             "choices": ["Thấp", "Trung bình", "Cao"]}])
    return report_of(period, "sct")


@pytest.fixture
def reporter(make_user):
    return make_user(Role.REPORTER, "sct")


def test_the_report_asks_every_value_type(report):
    assert set(_questions(report)) == set(ValueType.values)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_a_save_stores_every_answer_as_read_or_refuses_exactly_the_wrong_ones(
        report, reporter, data):
    questions = _questions(report)
    drawn = {q.code: data.draw(answer(q), label=q.code) for q in questions.values()}
    report.refresh_from_db()
    before, events = _stored(report), AuditEvent.objects.count()
    wrong = {f"values.{code}" for code, (_raw, verdict, _v) in drawn.items() if verdict == BAD}
    values = {code: raw for code, (raw, _verdict, _v) in drawn.items()}
    if wrong:
        with pytest.raises(ValidationError) as refused:
            report_save(report=report, actor=reporter, version=report.version, values=values)
        assert set(refused.value.message_dict) == wrong
        assert _stored(report) == before
        assert AuditEvent.objects.count() == events
        assert ReportRequest.objects.get(pk=report.pk).version == report.version
    else:
        report_save(report=report, actor=reporter, version=report.version, values=values)
        stored = {code: (value, numeric) for code, value, numeric, _c in _stored(report)}
        for code, (_raw, _verdict, (text, numeric)) in drawn.items():
            assert stored[code][0] == text
            assert (stored[code][1] is None if numeric is None
                    else Decimal(stored[code][1]) == numeric)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_the_report_page_answers_any_typed_answers_without_a_server_error(
        client, report, reporter, data):
    """A person types text: every answer is sent as the text it would show. Saved (302)
    when all are right, else 422 with nothing stored."""
    client.force_login(reporter)
    drawn = {q.code: data.draw(answer(q), label=q.code) for q in _questions(report).values()}
    report.refresh_from_db()
    before = _stored(report)
    form = {"version": str(report.version)}
    for code, (raw, _verdict, _v) in drawn.items():
        form[f"v:{code}"] = ("có" if raw else "không") if isinstance(raw, bool) else str(raw)
    wrong = any(verdict == BAD for _raw, verdict, _v in drawn.values())
    response = client.post(f"/reporting/r/{report.period.code}/sct/", form)
    assert response.status_code == (422 if wrong else 302), response.content[:3000]
    if wrong:
        assert _stored(report) == before
