"""Badges and small formats of the reporting pages."""

from __future__ import annotations

from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.formats import get_format
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from common.forms import html_escaped
from plans.models import Recurrence
from reporting.models import ReportState, TaskStatus

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


@lru_cache(maxsize=8)
def _cell_symbols(language: str | None) -> dict[str, tuple[str, str, str]]:
    """Per status: the badge's class, its text (with the days) and its title, escaped; in
    `language`, the active one (built once per language, not once per row)."""
    return {status: (css, text, html_escaped(title)) for status, css, text, title in (
        ("on_time", "ok", "✓", _("on time")), ("late", "warn", "+{days}", _("late (days)")),
        ("pending", "muted", "…", _("not yet due")),
        ("missing", "bad", "✗", _("not submitted")))}


def _cell(cell: Any, symbols: dict[str, tuple[str, str, str]]) -> str:
    if not cell:
        return '<span class="muted">·</span>'
    status, days, _pk = cell
    css, text, title = symbols[status]
    return f'<span class="badge {css}" title="{title}">{text.format(days=int(days))}</span>'



@lru_cache(maxsize=8)
def _report_link(script_prefix: str) -> tuple[str, str, str]:
    """A report's address, escaped, around its period and unit codes: (before the period,
    between, after the unit); once per prefix the site is served under."""
    link = escape(reverse("reporting:report", args=["PERIOD", "UNIT"]))
    before, rest = link.split("PERIOD")
    between, after = rest.split("UNIT")
    return before, between, after


@register.simple_tag
def timeliness_cells(row: Any, periods: Any, openable: Any) -> str:
    """A unit's cells of the unit × period table, each linked to its report where the
    reader may open it: written at once, as a page holds hundreds of them (a template
    `url` tag and four translations per cell were a third of the page)."""
    symbols = _cell_symbols(get_language())
    before, between, after = _report_link(get_script_prefix())
    # quote() leaves letters, digits, "_.-~/" and %XX: nothing HTML would read
    unit = quote(row.unit.code)
    out = []
    for period in periods:
        cell = row.cells.get(period.code)
        shown = _cell(cell, symbols)
        if cell and cell[2] in openable:
            shown = f'<a href="{before}{quote(period.code)}{between}{unit}{after}">{shown}</a>'
        out.append(f"<td>{shown}</td>")
    return mark_safe("".join(out))


@register.filter
def percent(value) -> str:
    """A share in percent with one decimal, as the language writes it (12,5%): a
    completeness page holds over a hundred."""
    if value is None:
        return "—"
    return f"{value:.1f}".replace(".", get_format("DECIMAL_SEPARATOR")) + "%"


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


@register.simple_tag
def field_messages(messages: Any) -> str:
    """A form part's messages, each (css class, text): a tag, not an include, as a form
    repeats it four times a task."""
    return mark_safe("".join(f'<small class="{html_escaped(css)}">{html_escaped(m)}</small>'
                             for css, m in messages or ()))


@register.simple_tag(takes_context=True)
def value_field(context: Any, fs: Any) -> str:
    """One question of the report form: its input, the stored value it was read with,
    its messages and comment where the form is editable, else its value. Written at once:
    a form repeats it for every question, and an include each was a fifth of the page."""
    q = fs.question
    code, label = html_escaped(q.code), html_escaped(q.label)
    if not context.get("editable"):
        before = _("previous period:")
        previous = (f' <small class="muted">({before} {html_escaped(fs.previous_shown)})'
                    "</small>" if fs.previous_shown else "")
        parts = [f'<div class="field" id="f-{code}"><div><strong>{label}</strong></div>',
                 f'<div class="value-shown">{html_escaped(fs.shown)}{previous}</div>']
        if fs.comment:
            said = _("Comment:")
            parts.append(f'<small class="muted">{said} {html_escaped(fs.comment)}</small>')
        parts.extend(f'<small class="field-warning">⚠ {html_escaped(i.message)}</small>'
                     for i in fs.warnings)
        parts.append("</div>")
        return mark_safe("\n".join(parts))
    invalid = ' aria-invalid="true"' if fs.messages else ""
    display = html_escaped(fs.display)
    name = f'id="v-{code}" name="v:{code}"'
    must = _("required")
    required = f' <span class="req" title="{must}">*</span>' if q.required else ""
    unit = f' <small class="muted">({html_escaped(q.unit)})</small>' if q.unit else ""
    parts = [f'<div class="field" id="f-{code}">',
             f'<label for="v-{code}">{label}{required}{unit}</label>']
    if q.value_type in ("text", "boolean", "choice"):
        if q.value_type == "text":
            parts.append(f'<textarea {name} rows="2"{invalid}>{display}</textarea>')
        else:
            options = ([("true", _("Yes")), ("false", _("No"))] if q.value_type == "boolean"
                       else [(c["code"], q.choice_label(c["code"])) for c in q.choices or []])
            parts.append(f"<select {name}{invalid}>")
            parts.append('<option value="">—</option>')
            parts.extend(
                f'<option value="{html_escaped(value)}"'
                f'{" selected" if fs.display == value else ""}>{html_escaped(text)}</option>'
                for value, text in options)
            parts.append("</select>")
    else:
        mode = "numeric" if q.value_type in ("integer", "money") else "decimal"
        check = context.render_context.get("value_field_check")
        if check is None:
            report = context["report"]
            check = context.render_context["value_field_check"] = reverse(
                "reporting:check", args=[report.period.code, report.org_unit.code])
        parts.append(
            f'<input type="text" inputmode="{mode}" {name} value="{display}" autocomplete="off"'
            f'{invalid} hx-post="{html_escaped(check)}" hx-trigger="blur changed" '
            f'hx-target="#m-{code}" hx-vals=\'{{"field": "{code}"}}\' hx-swap="innerHTML" '
            f'aria-describedby="m-{code}">')
    parts.append(f'<input type="hidden" name="o:v:{code}" value="{html_escaped(fs.original)}">')
    if q.help_text:
        parts.append(f'<small class="muted">{html_escaped(q.help_text)}</small>')
    if fs.previous_shown:
        before = _("Previous period:")
        parts.append(f'<small class="muted prev">{before} '
                     f'{html_escaped(fs.previous_shown)}</small>')
    parts.append(f'<div class="msgs" id="m-{code}" aria-live="polite">'
                 f"{field_messages(fs.messages)}</div>")
    opened = " open" if fs.display_comment or fs.warnings else ""
    summary, comment = _("Comment / explanation"), _("Comment")
    parts.append(
        f'<details{opened}><summary>{summary}</summary>'
        f'<input type="text" name="c:{code}" value="{html_escaped(fs.display_comment)}" '
        f'maxlength="2000" aria-label="{comment}: {label}">'
        f'<input type="hidden" name="o:c:{code}" value="{html_escaped(fs.comment)}">'
        f"</details></div>")
    return mark_safe("\n".join(parts))


_TASK_FIELDS = ("status", "results", "difficulties", "proposals")


@register.simple_tag(takes_context=True)
def task_section(context: Any, s: Any) -> str:
    """One task of the report form: its reference and text, then its status, results,
    quantitative outputs, difficulties and proposals, as inputs where the form is
    editable, else as text. Written at once, as `value_field`: a form repeats it for
    every task, and its loops and conditions were most of the page's template work."""
    task, ref = s.task, html_escaped(s.task.ref)
    english = context.get("LANGUAGE_CODE") == "en"
    title = f" <strong>{html_escaped(task.title_en)}</strong>" if english else ""
    summary = (_("Task text") if english
               else html_escaped(Truncator(task.text).words(22, truncate=" …")))
    parts = [f'<article class="task-section" id="task-{ref}">',
             f'  <header>\n    <span><span class="ref">{ref}</span>{title}</span>\n'
             f'    <details><summary>{summary}</summary><p class="source-text">'
             f"{html_escaped(task.text)}</p></details>\n  </header>"]
    fields = "".join(value_field(context, fs) for fs in s.fields)
    status, results = _("Status"), _("Results achieved")
    difficulties, proposals = _("Difficulties"), _("Proposals")
    if context.get("editable"):
        parts.extend(f'  <input type="hidden" name="o:t:{ref}:{name}" '
                     f'value="{html_escaped(s.original[name])}">' for name in _TASK_FIELDS)

        def invalid(name: str) -> str:
            return ' aria-invalid="true"' if s.messages[name] else ""

        def text(name: str, label: str, rows: int) -> str:
            return (f'<label>{label}<textarea name="t:{ref}:{name}" rows="{rows}"'
                    f'{invalid(name)}>{html_escaped(s.display[name])}</textarea>'
                    f"{field_messages(s.messages[name])}</label>")

        options = "".join(
            f'<option value="{value}"{" selected" if s.display["status"] == value else ""}>'
            f"{html_escaped(label)}</option>"
            for value, label in TaskStatus.choices
            if value != TaskStatus.RECURRING_DONE or task.recurrence == Recurrence.RECURRING)
        parts.append(
            f'  <div class="grid-2">\n    <label>{status} <span class="req">*</span>\n'
            f'      <select name="t:{ref}:status"{invalid("status")}>'
            f'<option value="">—</option>{options}</select>\n'
            f'      {field_messages(s.messages["status"])}\n    </label>\n  </div>')
        parts.append(f"  {text('results', results, 3)}")
        if fields:
            outputs = _("Quantitative outputs")
            parts.append(f'  <fieldset><legend><small class="muted">{outputs}</small></legend>'
                         f'<div class="grid-2">{fields}</div></fieldset>')
        parts.append(f'  <div class="grid-2">\n    {text("difficulties", difficulties, 2)}\n'
                     f'    {text("proposals", proposals, 2)}\n  </div>')
    else:
        answer = s.answer
        parts.append(f"  <p><strong>{status}:</strong> "
                     f"{html_escaped(answer.get_status_display() or '—')}</p>")
        parts.append(f"  <p><strong>{results}:</strong></p>"
                     f'<p class="source-text">{html_escaped(answer.results or "—")}</p>')
        if fields:
            parts.append(f'  <div class="grid-2">{fields}</div>')
        if answer.difficulties:
            parts.append(f"  <p><strong>{difficulties}:</strong> "
                         f"{html_escaped(answer.difficulties)}</p>")
        if answer.proposals:
            parts.append(f"  <p><strong>{proposals}:</strong> {html_escaped(answer.proposals)}</p>")
    parts.append("</article>")
    return mark_safe("\n".join(parts))
