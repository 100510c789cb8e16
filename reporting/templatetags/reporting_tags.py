"""Badges and small formats of the reporting pages."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reporting.models import ReportState

register = template.Library()

_STATE_CLASS = {
    ReportState.DRAFT: "muted", ReportState.SUBMITTED: "", ReportState.RETURNED: "warn",
    ReportState.ACCEPTED: "ok",
}


@register.simple_tag
def state_badge(state: str) -> str:
    labels = {str(value): label for value, label in ReportState.choices}
    css = {str(k): v for k, v in _STATE_CLASS.items()}
    return format_html('<span class="badge {}">{}</span>', css.get(state, ""),
                       labels.get(state, state))


@register.simple_tag
def due_badge(days_left: int) -> str:
    """"3 days left", "due today", "5 days overdue"."""
    if days_left > 1:
        return format_html('<span class="badge{}">{}</span>', " warn" if days_left <= 7 else "",
                           ngettext("%(n)s day left", "%(n)s days left", days_left)
                           % {"n": days_left})
    if days_left == 1:
        return format_html('<span class="badge warn">{}</span>', _("due tomorrow"))
    if days_left == 0:
        return format_html('<span class="badge warn">{}</span>', _("due today"))
    return format_html('<span class="badge bad">{}</span>',
                       ngettext("%(n)s day overdue", "%(n)s days overdue", -days_left)
                       % {"n": -days_left})


@register.simple_tag
def timeliness_badge(status: str, days: int = 0) -> str:
    if status == "on_time":
        return format_html('<span class="badge ok">{}</span>', _("on time"))
    if status == "late":
        return format_html('<span class="badge warn">{}</span>',
                           ngettext("late by %(n)s day", "late by %(n)s days", days)
                           % {"n": days})
    if status == "pending":
        return format_html('<span class="badge muted">{}</span>', _("not yet due"))
    return format_html('<span class="badge bad">{}</span>',
                       ngettext("not submitted, %(n)s day overdue",
                                "not submitted, %(n)s days overdue", days) % {"n": days})


def _cell_symbols() -> dict[str, tuple[str, str, str]]:
    return {"on_time": ("ok", "✓", _("on time")), "late": ("warn", "+{days}", _("late (days)")),
            "pending": ("muted", "…", _("not yet due")),
            "missing": ("bad", "✗", _("not submitted"))}


def _cell(cell: Any, symbols: dict[str, tuple[str, str, str]]) -> str:
    if not cell:
        return '<span class="muted">·</span>'
    status, days, _pk = cell
    css, text, title = symbols[status]
    return format_html('<span class="badge {}" title="{}">{}</span>', css, title,
                       text.format(days=days))


@register.simple_tag
def timeliness_cells(row: Any, periods: Any, openable: Any) -> str:
    """A unit's cells of the unit × period table, each linked to its report where the
    reader may open it: written at once, as a page holds hundreds of them (a template
    `url` tag and four translations per cell were a third of the page)."""
    symbols = _cell_symbols()
    link = reverse("reporting:report", args=["PERIOD", "UNIT"])
    unit = quote(row.unit.code)
    out = []
    for period in periods:
        cell = row.cells.get(period.code)
        shown = _cell(cell, symbols)
        if cell and cell[2] in openable:
            href = link.replace("PERIOD", quote(period.code)).replace("UNIT", unit)
            shown = f'<a href="{escape(href)}">{shown}</a>'
        out.append(f"<td>{shown}</td>")
    return mark_safe("".join(out))


@register.filter
def percent(value) -> str:
    if value is None:
        return "—"
    from django.utils.formats import number_format

    return f"{number_format(value, decimal_pos=1, use_l10n=True)}%"


@register.filter
def issue_anchor(key: str) -> str:
    """The id of the form part an issue's key points at."""
    kind, _sep, rest = key.partition(".")
    if kind == "values":
        return f"f-{rest}"
    if kind == "tasks":
        return f"task-{rest.rsplit('.', 1)[0] if rest.count('.') > 2 else rest}"
    if kind == "sections":
        return f"section-{rest}"
    return "report-form"
