"""Display helpers of the progress pages: numbers with the decimal comma, the target band,
status badges, Vietnamese names of input groups."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()


def _number(value: float | None, places: int = 1) -> str:
    if value is None:
        return "—"
    return number_format(round(value, places), places, use_l10n=True, force_grouping=True)


@register.simple_tag
def value(number: float | None, unit: str) -> str:
    if number is not None and unit != "percent" and float(number).is_integer():
        return _number(number, 0)  # counts without a decimal part
    text = _number(number)
    return f"{text}%" if unit == "percent" and number is not None else text


@register.simple_tag
def band(status: Any) -> str:
    low, high = status.minimum, status.stretch
    unit = "%" if status.unit == "percent" else ""
    prefix = _("cut by") + " " if status.target.direction == "decrease" else ""
    if high is None or high == low:
        return f"{prefix}{_number(low, 0)}{unit}"
    return f"{prefix}{_number(low, 0)}–{_number(high, 0)}{unit}"


@register.simple_tag
def reduction(index: float | None) -> str:
    return "—" if index is None else _number(100.0 - index)


@register.simple_tag
def province_value(province: dict, year: int) -> str:
    return _number(province.get(year))


@register.simple_tag
def link_units(sector_index: Any, year: int) -> str:
    link = sector_index.result.links.get(year)
    return "—" if link is None else str(link.units)


@register.simple_tag
def target_title(target: Any) -> str:
    if get_language() == "en" and target.title_en:
        return target.title_en
    text = target.text
    return text if len(text) <= 160 else text[:157].rsplit(" ", 1)[0] + " …"


@register.simple_tag
def status_badge(status: Any, labels: dict) -> str:
    return format_html('<span class="badge status-{}">{}</span>', status.status,
                       labels.get(status.status, status.status))


@register.simple_tag
def group_name(sector_index: Any, group: str) -> str:
    return sector_index.group_names.get(group, group)


@register.simple_tag
def unit_of(sector_index: Any, group: str) -> str:
    return sector_index.lmdi_units.get(group, "")


@register.simple_tag(takes_context=True)
def source_link(context: Any, source: Any) -> str:
    """A number's source: a link where the reader may open it, its name otherwise (a
    reporter sees other units' accepted figures here but not their reports)."""
    from progress.permissions import can_open_source

    user = context["request"].user
    if source.url and can_open_source(user, source.opens):
        return format_html('<a href="{}">{}</a>', source.url, source.label)
    return format_html("{}", source.label)
