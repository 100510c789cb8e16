"""Small helpers of the documents templates."""

from __future__ import annotations

from typing import Any

from django import template

from documents.views import can_record

register = template.Library()


@register.simple_tag
def may_record_document(user: Any, report: Any) -> bool:
    return can_record(user, report)


@register.filter
def at(values: list[Any], index: int) -> Any:
    return values[index] if 0 <= index < len(values) else None


@register.simple_tag
def value_text(question: Any, value: Any) -> str:
    """A stored answer as a reader sees it (1.500.000 đồng, Có, the option)."""
    from reporting.views import value_shown

    return value_shown(question, value)


@register.simple_tag
def total_text(question: Any, total: Any) -> str:
    from reporting.views import text_shown

    if total is None:
        return "—"
    if question.value_type == "boolean":
        from django.utils.translation import gettext as _

        return _("%(n)s × yes") % {"n": int(total)}
    return text_shown(question, format(total.normalize(), "f"))
