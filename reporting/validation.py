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

from dataclasses import dataclass, field
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
from plans.models import Recurrence, ValueType

PLACES = 4  # digits after the decimal comma a stored value keeps
WARN_FACTOR = Decimal(3)
NUMERIC_TYPES = frozenset(
    {ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT, ValueType.MONEY}
)
WHOLE_TYPES = frozenset({ValueType.INTEGER, ValueType.MONEY})


@dataclass(frozen=True)
class Question:
    """A question of one report form: a plan data element or an ad-hoc question."""

    code: str
    name: str
    name_en: str
    help_text: str
    value_type: str
    unit: str
    min_value: Decimal | None
    max_value: Decimal | None
    required: bool
    choices: list[dict[str, str]] = field(default_factory=list)
    task_id: int | None = None
    part_of: str | None = None
    element_id: int | None = None
    question_id: int | None = None

    @property
    def label(self) -> str:
        if get_language() == "en" and self.name_en:
            return self.name_en
        return self.name

    @property
    def key(self) -> str:
        return f"values.{self.code}"

    @property
    def is_numeric(self) -> bool:
        return self.value_type in NUMERIC_TYPES

    def choice_label(self, code: str) -> str:
        for choice in self.choices:
            if choice.get("code") == code:
                if get_language() == "en" and choice.get("name_en"):
                    return choice["name_en"]
                return choice.get("name", code)
        return code

    @classmethod
    def of_element(cls, element: Any, part_of_code: str | None) -> Question:
        return cls(code=element.code, name=element.name, name_en=element.name_en,
                   help_text=element.help_text, value_type=element.value_type,
                   unit=element.unit, min_value=element.min_value,
                   max_value=element.max_value, required=element.required,
                   choices=list(element.choices or []), task_id=element.task_id,
                   part_of=part_of_code, element_id=element.pk)

    @classmethod
    def of_adhoc(cls, question: Any) -> Question:
        return cls(code=question.code, name=question.name, name_en=question.name_en,
                   help_text=question.help_text, value_type=question.value_type,
                   unit=question.unit, min_value=question.min_value,
                   max_value=question.max_value, required=question.required,
                   choices=list(question.choices or []), question_id=question.pk)


def value_clean(question: Question, raw: Any) -> tuple[str, Decimal | None]:
    """The stored text and numeric value of one answer, read by `common.parsing` (the same
    reading as every other form, the API and the Excel import); ParseError naming the
    question. None or "" clears the answer: ("", None)."""
    try:
        return _value_read(question, raw)
    except ParseError as exc:
        raise ParseError(_("«%(name)s»: %(problem)s") % {"name": question.label,
                                                         "problem": exc.message}) from None


def _value_read(question: Question, raw: Any) -> tuple[str, Decimal | None]:
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
                          maximum=question.max_value)
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
