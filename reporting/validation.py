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

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from plans.models import Recurrence, ValueType

MAX_TEXT = 20_000
MAX_ABS = Decimal(10) ** 19
WARN_FACTOR = Decimal(3)
NUMERIC_TYPES = frozenset(
    {ValueType.INTEGER, ValueType.DECIMAL, ValueType.PERCENT, ValueType.MONEY}
)
WHOLE_TYPES = frozenset({ValueType.INTEGER, ValueType.MONEY})
_TRUE = {"true", "1", "yes", "y", "có", "co", "x", "on"}
_FALSE = {"false", "0", "no", "n", "không", "khong", "off"}
_PLAIN = re.compile(r"^-?\d+(\.\d+)?$", re.ASCII)
_DOT_GROUPS = re.compile(r"^-?\d{1,3}(\.\d{3})+$", re.ASCII)
_COMMA_GROUPS = re.compile(r"^-?\d{1,3}(,\d{3})+$", re.ASCII)


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


def no_nul(text: str) -> str:
    """Text the database can store: no NUL characters, no lone surrogates (both refused
    by PostgreSQL), Unix newlines."""
    text = text.replace("\x00", "").replace("\r\n", "\n")
    return text.encode("utf-8", "replace").decode("utf-8")


class FieldError(Exception):
    """One answer that cannot be stored; the message names the question."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _fmt(number: Decimal) -> str:
    return number_format(number.normalize() if number == number.to_integral_value()
                         else number, use_l10n=True, force_grouping=True)


def number_parse(raw: str, *, style: str) -> Decimal:
    """A number typed by a person (`style` "vi": 1.500.000 or 12,5; "en": 1,500,000 or
    12.5) or sent by a program (`style` "machine": 1500000 or 12.5). Raises ValueError."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "")
    if style != "machine":
        if "." in text and "," in text:
            decimal_sep = "." if text.rfind(".") > text.rfind(",") else ","
            group_sep = "," if decimal_sep == "." else "."
            text = text.replace(group_sep, "").replace(decimal_sep, ".")
        elif "," in text:
            if (style == "en" and _COMMA_GROUPS.match(text)) or text.count(",") > 1:
                text = text.replace(",", "")
            else:
                text = text.replace(",", ".")
        elif "." in text and ((style == "vi" and _DOT_GROUPS.match(text)) or text.count(".") > 1):
            text = text.replace(".", "")
    if not _PLAIN.match(text):
        raise ValueError(raw)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(raw) from None


def value_clean(question: Question, raw: Any, *, style: str = "machine"
                ) -> tuple[str, Decimal | None]:
    """The stored text and numeric value of one answer, or FieldError. None or "" clears
    the answer: ("", None)."""
    name = question.label
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return "", None
    kind = question.value_type
    if kind == ValueType.TEXT:
        if not isinstance(raw, str | int | float) or isinstance(raw, bool):
            raise FieldError(_("«%(name)s»: write a text.") % {"name": name})
        text = no_nul(str(raw)).strip()
        if len(text) > MAX_TEXT:
            raise FieldError(_("«%(name)s»: the text is too long (at most %(max)s characters).")
                             % {"name": name, "max": MAX_TEXT})
        return text, None
    if kind == ValueType.BOOLEAN:
        if isinstance(raw, bool):
            flag = raw
        elif isinstance(raw, str) and raw.strip().lower() in _TRUE | _FALSE:
            flag = raw.strip().lower() in _TRUE
        elif isinstance(raw, int) and raw in (0, 1):
            flag = bool(raw)
        else:
            raise FieldError(_("«%(name)s»: answer yes or no.") % {"name": name})
        return ("true" if flag else "false"), Decimal(int(flag))
    if kind == ValueType.CHOICE:
        codes = [c.get("code") for c in question.choices]
        if not isinstance(raw, str) or raw.strip() not in codes:
            raise FieldError(_("«%(name)s»: choose one of the options given.") % {"name": name})
        return raw.strip(), None
    return _number_clean(question, raw, style=style)


def _number_clean(question: Question, raw: Any, *, style: str) -> tuple[str, Decimal | None]:
    name, kind = question.label, question.value_type
    whole = kind in WHOLE_TYPES
    if whole:
        wrong = _("«%(name)s»: write a whole number, without decimals (e.g. 12).")
    else:
        wrong = _("«%(name)s»: write a number (e.g. 12 or 12,5).")
    if isinstance(raw, bool) or not isinstance(raw, str | int | float | Decimal):
        raise FieldError(wrong % {"name": name})
    try:
        number = (Decimal(raw) if isinstance(raw, int | Decimal) else
                  number_parse(repr(raw) if isinstance(raw, float) else raw,
                               style="machine" if isinstance(raw, float) else style))
    except (ValueError, InvalidOperation):
        raise FieldError(wrong % {"name": name}) from None
    if not number.is_finite():
        raise FieldError(wrong % {"name": name})
    if whole and number != number.to_integral_value():
        raise FieldError(wrong % {"name": name})
    if abs(number) >= MAX_ABS:
        raise FieldError(_("«%(name)s»: the number is too large.") % {"name": name})
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -4:
        raise FieldError(_("«%(name)s»: at most 4 digits after the decimal comma.")
                         % {"name": name})
    low = question.min_value
    if low is None and whole:
        low = Decimal(0)  # counts and money are never negative
    if low is not None and number < low:
        if low == 0 and whole:
            message = _("«%(name)s»: cannot be negative.")
        else:
            message = _("«%(name)s»: must be at least %(min)s.")
        raise FieldError(message % {"name": name, "min": _fmt(low)})
    if question.max_value is not None and number > question.max_value:
        raise FieldError(_("«%(name)s»: must be at most %(max)s.")
                         % {"name": name, "max": _fmt(question.max_value)})
    if whole:
        number = number.to_integral_value()
        return str(int(number)), number
    normal = number.normalize()
    text = format(normal, "f")
    return text, Decimal(text)


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
        ) % {"part": name, "value": _fmt(number), "whole": whole.label,
             "total": _fmt(whole_value.numeric)}, kind="part"))
    if (question.is_numeric and number is not None and previous is not None
            and far_from_previous(number, previous)):
        commented = bool(value.comment.strip())
        message = _(
            "«%(name)s» is %(value)s, far from the previous period's %(previous)s. "
            "Check the figure; if it is right, explain it in the comment."
        ) % {"name": name, "value": _fmt(number), "previous": _fmt(previous)}
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


def text_clean(label: str, raw: Any) -> str:
    """A free-text answer of a task (results, difficulties, proposals)."""
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise FieldError(_("«%(name)s»: write a text.") % {"name": label})
    text = no_nul(raw).strip()
    if len(text) > MAX_TEXT:
        raise FieldError(_("«%(name)s»: the text is too long (at most %(max)s characters).")
                         % {"name": label, "max": MAX_TEXT})
    return text
