"""Template helpers shared by every app's pages."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()

_UNITS = {"percent": "%"}


@register.simple_tag
def target_value(target) -> str:
    """A target's value as officials read it: "5 - 8%", "≥ 70%", "1 - 2 models"."""
    if target.minimum_value is None:
        return "—"
    low = number_format(target.minimum_value.normalize(), use_l10n=True)
    value = low
    if target.stretch_value is not None:
        value = f"{low} – {number_format(target.stretch_value.normalize(), use_l10n=True)}"
    unit = _UNITS.get(target.unit, f" {target.unit}" if target.unit else "")
    prefix = {"decrease": "−", "increase": "≥ "}.get(target.direction, "")
    return f"{prefix}{value}{unit}"


@register.filter
def localised(obj, field: str = "name") -> str:
    """`obj.<field>_en` when the page is in English and it is filled, else `obj.<field>`."""
    from django.utils.translation import get_language

    if get_language() == "en":
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    return getattr(obj, field, "")


@register.filter
def task_title(task) -> str:
    """A task's heading: its English title in English; in Vietnamese, the start of the
    plan's own words (the plan gives tasks no separate titles)."""
    from django.utils.text import Truncator
    from django.utils.translation import get_language

    if get_language() == "en" and task.title_en:
        return task.title_en
    return Truncator(task.text).words(16)
