"""Checks on report contents.

Two stages:
- `value_clean` runs on every save: the type and range of one answer (a percentage
  0-100, counts and money non-negative whole numbers, a choice among the allowed ones).
  A value that fails is refused and nothing of that save is stored.
- `report_issues` runs before submission (and on every render of the form): required
  answers, a part never larger than its whole, task statuses and results, the other apps'
  form sections, and warnings for values far from the unit's previous period (more than
  3× or less than 1/3), which need a comment before the report can be submitted.

Messages name the question as the reporter reads it on the form, in the user's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from common.parsing import (
    ParseError,
    bool_parse,
    is_blank,
    number_parse,
    number_text,
    text_clean,
)
from plans.models import DataElement, Recurrence, ValueType

PLACES = 4  # digits after the decimal comma a stored value keeps
WARN_FACTOR = Decimal(3)
NUMERIC_TYPES = frozenset(
    {ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT, ValueType.MONEY}
)
WHOLE_TYPES = frozenset({ValueType.INTEGER, ValueType.MONEY})


@dataclass(frozen=True)
class Question:
    """A question of one report form as it is stored: a plan data element (the model the
    plan file's questions load into) or an ad-hoc question. Its fields (code, name,
    value_type, unit, min_value, choices...) are the stored row's; this adds only how the
    form names and keys it, and the code of the whole it is part of."""

    source: Any  # plans.models.DataElement | reporting.models.AdhocQuestion
    part_of: str | None = None

    def __getattr__(self, name: str) -> Any:
        if name == "source":  # not yet set (copying)
            raise AttributeError(name)
        return getattr(self.source, name)

    @property
    def element_id(self) -> int | None:
        return self.source.pk if isinstance(self.source, DataElement) else None

    @property
    def question_id(self) -> int | None:
        return None if isinstance(self.source, DataElement) else self.source.pk

    @property
    def task_id(self) -> int | None:
        return getattr(self.source, "task_id", None)

    @property
    def label(self) -> str:
        if get_language() == "en" and self.source.name_en:
            return str(self.source.name_en)
        return str(self.source.name)

    @property
    def key(self) -> str:
        return f"values.{self.source.code}"

    @property
    def is_numeric(self) -> bool:
        return self.source.value_type in NUMERIC_TYPES

    def choice_label(self, code: str) -> str:
        for choice in self.source.choices or []:
            if choice.get("code") == code:
                if get_language() == "en" and choice.get("name_en"):
                    return str(choice["name_en"])
                return str(choice.get("name", code))
        return code


def value_clean(question: Question, raw: Any, *, machine: bool = False
                ) -> tuple[str, Decimal | None]:
    """The stored text and numeric value of one answer, read by `common.parsing` (the same
    reading as every other form, the API and the Excel import); ParseError naming the
    question. None or "" clears the answer: ("", None). `machine`: numbers as text come
    from a program's exchange format (DHIS2: "12.5"), not typed by a person."""
    try:
        return _value_read(question, raw, machine=machine)
    except ParseError as exc:
        raise ParseError(_("«%(name)s»: %(problem)s") % {"name": question.label,
                                                         "problem": exc.message}) from None


def _value_read(question: Question, raw: Any, *, machine: bool) -> tuple[str, Decimal | None]:
    if is_blank(raw):
        return "", None
    kind = question.value_type
    if kind == ValueType.TEXT:
        return text_clean(raw, multiline=True), None
    if kind == ValueType.BOOLEAN:
        flag = bool_parse(raw)
        return ("true" if flag else "false"), Decimal(int(bool(flag)))
    if kind == ValueType.CHOICE:
        codes = [c.get("code") for c in question.choices]
        if not isinstance(raw, str) or raw.strip() not in codes:
            raise ParseError(_("choose one of the options given"))
        return raw.strip(), None
    whole = kind in WHOLE_TYPES
    minimum = question.min_value
    if minimum is None and whole:
        minimum = Decimal(0)  # counts and money are never negative
    number = number_parse(raw, whole=whole, places=PLACES, minimum=minimum,
                          maximum=question.max_value, machine=machine)
    assert number is not None  # not blank
    return format(number, "f"), number


# --------------------------------------------------------------------------------------
# Before submission


@dataclass(frozen=True)
class Issue:
    """A problem found in a report. `blocking` issues stop submission: every error, and a
    warning whose answer has no comment yet."""

    key: str
    message: str
    level: str = "error"  # error | warning
    blocking: bool = True
    kind: str = ""  # required | part | far | status | results


def far_from_previous(current: Decimal, previous: Decimal) -> bool:
    """More than 3× or less than 1/3 of the previous period's value."""
    if previous <= 0:
        return False
    return current > previous * WARN_FACTOR or current * WARN_FACTOR < previous


def value_issues(question: Question, value: Any, previous: Decimal | None,
                 whole_value: Any, whole: Question | None) -> list[Issue]:
    """The submit-time issues of one answer. `value` is the stored DataValue or None."""
    issues: list[Issue] = []
    name = question.label
    has_value = value is not None and value.value != ""
    if not has_value:
        if question.required:
            issues.append(Issue(question.key, _("«%(name)s»: this answer is required.")
                                % {"name": name}, kind="required"))
        return issues
    number = value.numeric
    if (whole is not None and number is not None and whole_value is not None
            and whole_value.numeric is not None and number > whole_value.numeric):
        issues.append(Issue(question.key, _(
            "«%(part)s» (%(value)s) cannot be larger than «%(whole)s» (%(total)s)."
        ) % {"part": name, "value": number_text(number), "whole": whole.label,
             "total": number_text(whole_value.numeric)}, kind="part"))
    if (question.is_numeric and number is not None and previous is not None
            and far_from_previous(number, previous)):
        commented = bool(value.comment.strip())
        message = _(
            "«%(name)s» is %(value)s, far from the previous period's %(previous)s. "
            "Check the figure; if it is right, explain it in the comment."
        ) % {"name": name, "value": number_text(number), "previous": number_text(previous)}
        issues.append(Issue(question.key, message, level="warning", blocking=not commented,
                            kind="far"))
    return issues


def task_issues(answer: Any) -> list[Issue]:
    """Submit-time issues of one task answer (its task joined)."""
    task = answer.task
    prefix = f"tasks.{task.ref}"
    issues: list[Issue] = []
    if not answer.status:
        issues.append(Issue(f"{prefix}.status", _("Task %(ref)s: choose its status.")
                            % {"ref": task.ref}, kind="required"))
    elif answer.status == "recurring_done" and task.recurrence != Recurrence.RECURRING:
        issues.append(Issue(f"{prefix}.status", _(
            "Task %(ref)s is a one-off task: choose 'in progress' or 'completed'."
        ) % {"ref": task.ref}, kind="status"))
    elif answer.status != "not_started" and not answer.results.strip():
        issues.append(Issue(f"{prefix}.results", _(
            "Task %(ref)s: describe the results achieved."
        ) % {"ref": task.ref}, kind="required"))
    return issues


def answer_text_clean(label: str, raw: Any) -> str:
    """A free-text answer of a task (results, difficulties, proposals) or a comment;
    ParseError naming it."""
    try:
        return text_clean(raw, multiline=True)
    except ParseError as exc:
        raise ParseError(_("«%(name)s»: %(problem)s") % {"name": label,
                                                         "problem": exc.message}) from None
