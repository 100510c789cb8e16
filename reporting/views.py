"""Pages of the reporting cycle: the reporter's inbox and report form, the coordinator's
review queue and periods, completeness, and each report's history. Thin: check the
permission, call one selector or service, render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from common.audit import action_label
from common.exceptions import ConflictError
from common.parsing import NUMBER_HELP, ParseError, number_text
from common.types import AuthedRequest
from plans.models import Plan, ValueType
from plans.selectors import plan_current, plan_obligations_on
from reporting import permissions, selectors, services
from reporting.forms import (
    AdhocForm,
    AdhocQuestionFormSet,
    PeriodOpenForm,
    ReasonForm,
    report_post_parse,
    version_parse,
)
from reporting.models import ConflictCopy, ReportRequest, ReportState, TaskStatus
from reporting.sections import section_errors, sections_for
from reporting.validation import Question, far_from_previous, value_clean
from web.pages import list_page

TASK_FIELD_NAMES = {"status": gettext_lazy("status"), "results": gettext_lazy("results"),
                    "difficulties": gettext_lazy("difficulties"),
                    "proposals": gettext_lazy("proposals")}




def _plan() -> Plan:
    plan = plan_current()
    if plan is None:
        raise Http404(_("No plan is loaded."))
    return plan


def _input_text(question: Question, text: str) -> str:
    """A stored value as the input shows it: 1.500.000 and 12,5 in every language (read
    back the same way by `common.parsing.number_parse`)."""
    if question.is_numeric and text:
        return number_text(Decimal(text))
    return text


def text_shown(question: Question, text: str | None) -> str:
    """A stored value (as text) as a reader sees it: 1.500.000, 12,5, Có, the option."""
    if text is None or text == "":
        return "—"
    if question.is_numeric:
        try:
            shown = number_format(Decimal(text), use_l10n=True, force_grouping=True)
        except ArithmeticError:
            return text
        return f"{shown} {question.unit}".strip() if question.unit else shown
    if question.value_type == ValueType.BOOLEAN:
        return _("Yes") if text == "true" else _("No")
    if question.value_type == ValueType.CHOICE:
        return question.choice_label(text)
    return text


def value_shown(question: Question, value: Any) -> str:
    return text_shown(question, value.value if value is not None else None)


# --------------------------------------------------------------------------------------
# Lists


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    user = request.user
    if not user.is_reporter:
        if permissions.can_review(user):
            return redirect("reporting:review")
        if permissions.can_view_periods(user):
            return redirect("reporting:periods")
        raise PermissionDenied(_("Your account has no unit to report for."))
    return render(request, "reporting/inbox.html",
                  {"boxes": selectors.inbox_for(user=user), "unit": user.org_unit})


@login_required
def review(request: AuthedRequest) -> HttpResponse:
    permissions.require_review(request.user)
    reports, query = list_page(request, selectors.review_queue())
    returned, returned_query = list_page(
        request, selectors.review_queue(state=ReportState.RETURNED), param="returned")
    return render(request, "reporting/review.html",
                  {"reports": reports, "query": query, "returned": returned,
                   "returned_query": returned_query, "reason_form": ReasonForm()})


@login_required
def periods(request: AuthedRequest) -> HttpResponse:
    """The plan's periods; a coordinator picks one to open, sees what opening will do (how
    many units get a request, the deadline) and confirms."""
    if not permissions.can_view_periods(request.user):
        raise PermissionDenied(_("Completeness is shown to the coordinator and viewers."))
    plan = _plan()
    openable = [(spec, selectors.period_label_of(spec))
                for spec in selectors.periods_openable(plan=plan)]
    form = PeriodOpenForm(openable=openable)
    if request.method == "POST":
        permissions.require_manage_periods(request.user)
        data = request.POST.copy()
        data["code"] = data.get("code", "").strip().upper()
        form = PeriodOpenForm(data, openable=openable)
        if form.is_valid():
            code = form.cleaned_data["code"]
            try:
                if not form.cleaned_data["confirmed"]:
                    preview = selectors.period_open_preview(plan=plan, code=code)
                    return render(request, "reporting/period_confirm.html",
                                  {"preview": preview, "code": code})
                period, created = services.period_open(plan=plan, code=code,
                                                       actor=request.user)
            except ValidationError as exc:
                for message in exc.message_dict.get("period", exc.messages):
                    form.add_error("code", message)
            else:
                messages.success(request, _(
                    "%(period)s is open: %(count)s new report requests.") % {
                    "period": period.label, "count": len(created)})
                return redirect("reporting:period", code=period.code)
    return render(request, "reporting/periods.html", {
        "plan": plan, "periods": list(selectors.period_list(plan=plan)), "form": form,
        "can_manage": permissions.can_manage_periods(request.user),
    }, status=422 if form.errors else 200)


@login_required
def period_detail(request: AuthedRequest, code: str) -> HttpResponse:
    """A period's completeness; a coordinator is offered to ask the obliged units that
    have no request yet (loaded or designated since the period was opened)."""
    permissions.require_completeness(request.user)
    period = selectors.period_get(code=code)
    completeness = selectors.completeness_for_period(period=period)
    rows, query = list_page(request, completeness.rows)
    missing = None
    if permissions.can_manage_periods(request.user) and not period.is_adhoc:
        missing = selectors.period_units_missing(period=period)
    return render(request, "reporting/period_detail.html", {
        "period": period,
        "units_missing": missing,
        "confirm_add": ngettext(
            "%(n)s unit not yet asked gets a report request for %(period)s and an e-mail; "
            "the deadline is %(due)s. This cannot be undone.",
            "%(n)s units not yet asked get a report request for %(period)s and an e-mail; "
            "the deadline is %(due)s. This cannot be undone.", missing or 0) % {
            "n": missing or 0, "period": period.label_in_text,
            "due": date_format(period.due_date, "SHORT_DATE_FORMAT")},
        "completeness": completeness, "rows": rows, "query": query,
        "questions": list(period.questions.all()) if period.is_adhoc else [],
        "recipients": list(period.recipients.all()) if period.is_adhoc else [],
        "openable": selectors.report_ids_visible(user=request.user,
                                                 ids=[row.report_id for row in rows]),
    })


@login_required
@require_POST
def period_units_add(request: AuthedRequest, code: str) -> HttpResponse:
    permissions.require_manage_periods(request.user)
    period = selectors.period_get(code=code)
    try:
        created = services.period_units_add(period=period, actor=request.user)
    except ValidationError as exc:
        for message in exc.message_dict.get("period", exc.messages):
            messages.error(request, message)
    else:
        messages.success(request, ngettext(
            "%(n)s unit was asked to report for %(period)s.",
            "%(n)s units were asked to report for %(period)s.", len(created)) % {
            "n": len(created), "period": period.label_in_text})
    return redirect("reporting:period", code=period.code)


@login_required
def completeness(request: AuthedRequest) -> HttpResponse:
    permissions.require_completeness(request.user)
    plan = _plan()
    group = request.GET.get("group", "")
    group = group if group in selectors.UNIT_GROUPS else ""
    history = selectors.completeness_by_unit(plan=plan, group=group or None,
                                             page=request.GET.get("page"))
    groups = [(key, label, history.group_sizes[key])
              for key, (label, _kinds) in selectors.UNIT_GROUPS.items()]
    return render(request, "reporting/completeness.html", {
        "plan": plan,
        "by_period": selectors.completeness_by_period(plan=plan, periods=history.periods),
        "history": history, "groups": groups, "group": group,
        "query": f"group={group}" if group else "",
        "openable": selectors.report_ids_visible(
            user=request.user,
            ids=[cell[2] for row in history.rows for cell in row.cells.values()]),
    })


@login_required
def adhoc_new(request: AuthedRequest) -> HttpResponse:
    permissions.require_manage_periods(request.user)
    plan = _plan()
    obliged = list(plan_obligations_on(plan=plan, day=timezone.localdate()))
    form = AdhocForm(request.POST or None, obliged=obliged)
    questions = AdhocQuestionFormSet(request.POST or None, prefix="q")
    finding = "find" in request.POST  # without JavaScript: show the units found, send nothing
    if request.method == "POST" and not finding and form.is_valid() and questions.is_valid():
        asked_forms = [f for f in questions.forms if f.as_question()]
        asked = [q for f in asked_forms if (q := f.as_question()) is not None]
        try:
            period = services.adhoc_request_open(
                plan=plan, title=form.cleaned_data["title"],
                instructions=form.cleaned_data["instructions"],
                due_date=form.cleaned_data["due_date"], recipients=form.recipients(),
                questions=asked, actor=request.user,
                include_plan_questions=form.cleaned_data["include_plan_questions"])
        except ValidationError as exc:
            for key, errors in exc.message_dict.items():
                parts = key.split(".")
                if parts[0] == "questions" and len(parts) == 3 and parts[1].isdigit():
                    target = asked_forms[int(parts[1])]
                    name = {"min": None, "max": None}.get(parts[2], parts[2])
                    for message in errors:
                        target.add_error(name if name in target.fields else None, message)
                    continue
                field = "units" if key == "recipients" else key if key in form.fields else None
                for message in errors:
                    form.add_error(field, message)
        else:
            messages.success(request, _("Ad-hoc request %(code)s sent to %(count)s units.") % {
                "code": period.code, "count": period.requests.count()})
            return redirect("reporting:period", code=period.code)
    status = 422 if request.method == "POST" and not finding else 200
    return render(request, "reporting/adhoc_form.html",
                  {"form": form, "questions": questions}, status=status)


@login_required
def adhoc_units(request: AuthedRequest) -> HttpResponse:
    """htmx: the units ticked so far and those the search field names (a few at most), as
    the ad-hoc form's checkboxes."""
    permissions.require_manage_periods(request.user)
    chosen = selectors.units_chosen(request.GET.getlist("units"))
    text = request.GET.get("unit_search", "")[:200]
    found = [u for u in selectors.units_matching(text) if u not in chosen]
    return render(request, "reporting/_unit_choices.html",
                  {"chosen": chosen, "found": found, "searched": text.strip()})


# --------------------------------------------------------------------------------------
# One report


def _report(request: AuthedRequest, period: str, unit: str, *, for_page: bool = False
            ) -> ReportRequest:
    report = selectors.report_get(period_code=period, unit_code=unit,
                                  for_page=for_page)
    permissions.require_view(request.user, report)
    return report


def _messages(post_errors: list[str], issues: list[Any]) -> list[tuple[str, str]]:
    """(css class, text) of a field: the messages of a refused save or submission, then the
    standing issues (except "required", which shows after a submission attempt)."""
    shown = [("field-error", m) for m in post_errors]
    for issue in issues:
        if issue.kind == "required" or any(m.startswith(issue.message) for m in post_errors):
            continue
        if issue.level == "warning":
            shown.append(("field-warning", f"⚠ {issue.message}"))
        else:
            shown.append(("field-error", issue.message))
    return shown


def _decorate(layout: selectors.ReportLayout, posted: Any,
              errors: dict[str, list[str]]) -> None:
    """Give every field what the template shows: the input text (the posted one after a
    refused save), the stored value for reading, and its messages."""
    values: dict[str, Any] = posted[0] if posted else {}
    answers: dict[str, Any] = posted[1] if posted else {}
    for fs in layout.fields:
        q = fs.question
        item = values.get(q.code, {})
        fs.original = _input_text(q, fs.raw)  # type: ignore[attr-defined]
        fs.display = item.get("value", fs.original)  # type: ignore[attr-defined]
        fs.display_comment = item.get("comment", fs.comment)  # type: ignore[attr-defined]
        fs.shown = value_shown(q, fs.value)  # type: ignore[attr-defined]
        fs.previous_shown = (  # type: ignore[attr-defined]
            number_text(fs.previous) if fs.previous is not None else "")
        fs.messages = _messages(  # type: ignore[attr-defined]
            errors.get(q.key, []) + errors.get(f"{q.key}.comment", []), fs.issues)
    for section in layout.tasks:
        ref = section.task.ref
        item = answers.get(ref, {})
        section.original = {name: getattr(section.answer, name)  # type: ignore[attr-defined]
                            for name in ("status", "results", "difficulties", "proposals")}
        section.display = {name: item.get(name, value)  # type: ignore[attr-defined]
                           for name, value in section.original.items()}  # type: ignore
        section.messages = {  # type: ignore[attr-defined]
            name: _messages(errors.get(f"tasks.{ref}.{name}", []) + (
                errors.get(f"tasks.{ref}", []) if name == "status" else []),
                section.issues_for(name))
            for name in ("status", "results", "difficulties", "proposals")}


def _extra_sections(request: AuthedRequest, report: ReportRequest, editable: bool,
                    posted: bool, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Each section's HTML; after a refused save, with what was posted and its errors."""
    out = []
    for section in sections_for(report):
        shown = section.context(report, data=request.POST if posted else None,
                                errors=section_errors(errors, section.key)) \
            if section.in_form else section.context(report)
        context = {**shown, "request_obj": report, "editable": editable}
        out.append({"key": section.key, "title": section.title, "in_form": section.in_form,
                    "html": mark_safe(render_to_string(section.template, context,
                                                       request=request))})
    return out


def _conflict_rows(conflict: ConflictCopy, layout: selectors.ReportLayout
                   ) -> list[tuple[str, str, str]]:
    """(what, current value, refused value) for each change the conflict copy holds."""
    rows = []
    fields = {f.question.code: f for f in layout.fields}
    machine = bool(conflict.payload.get("machine"))
    for code, item in (conflict.payload.get("values") or {}).items():
        fs = fields.get(code)
        if fs is None:
            continue
        if isinstance(item, dict) and "comment" in item and item["comment"] != fs.comment:
            rows.append((_("Comment: %(name)s") % {"name": fs.question.label}, fs.comment,
                         str(item["comment"])))
        if isinstance(item, dict) and "value" not in item:
            continue
        mine = item.get("value", "") if isinstance(item, dict) else item
        try:
            text, _number = value_clean(fs.question, mine, machine=machine)
            shown = text_shown(fs.question, text)
        except ParseError:
            text, shown = str(mine), str(mine)
        if text != fs.raw:
            rows.append((fs.question.label, value_shown(fs.question, fs.value), shown))
    labels = dict(TaskStatus.choices)
    for ref, item in (conflict.payload.get("answers") or {}).items():
        answer = layout.answers.get(ref)
        if answer is None or not isinstance(item, dict):
            continue
        for name, mine in item.items():
            current = getattr(answer, name, "")
            if name == "status":
                current, mine = labels.get(current, current), labels.get(mine, mine)
            if str(mine) != str(current):
                rows.append((f"{ref} · {TASK_FIELD_NAMES.get(name, name)}", str(current),
                             str(mine)))
    return rows


def _render_report(request: AuthedRequest, report: ReportRequest, *,
                   posted: Any = None, errors: dict[str, list[str]] | None = None,
                   status: int = 200, sections_posted: bool = False,
                   layout: selectors.ReportLayout | None = None) -> HttpResponse:
    """The report page; `layout`: the request's own layout of the report, if it built one
    (used when it still holds the report as it stands)."""
    user = request.user
    layout = selectors.report_layout_current(report=report, layout=layout).check()
    _decorate(layout, posted, errors or {})
    editable = permissions.can_edit(user, report)
    conflicts = selectors.report_conflicts_open(report=report) if editable else []
    issues = selectors.report_issues(report=report, layout=layout)
    section_issues = [i for i in issues if i.key.startswith("sections.")]
    return render(request, "reporting/report.html", {
        "report": report, "period": report.period, "layout": layout, "editable": editable,
        "can_review": permissions.can_review(user) and report.state == ReportState.SUBMITTED,
        "can_reopen": permissions.can_review(user) and report.state == ReportState.ACCEPTED,
        "conflicts": [(c, _conflict_rows(c, layout)) for c in conflicts],
        "blocking": [i for i in issues if i.blocking],
        "section_issues": section_issues,
        "extra_sections": _extra_sections(request, report, editable, sections_posted,
                                          errors or {}),
        "errors": errors or {},
        "reason_form": ReasonForm(),
        "days_left": selectors.days_left(report.period.due_date),
        "number_help": NUMBER_HELP,
    }, status=status)


@login_required
def report_view(request: AuthedRequest, period: str, unit: str) -> HttpResponse:
    report = _report(request, period, unit, for_page=True)
    if request.method != "POST":
        return _render_report(request, report)
    permissions.require_write(request.user, report)
    layout = selectors.report_layout(report=report, with_issues=False)
    posted = report_post_parse(request.POST, codes=list(layout.questions),
                               refs=list(layout.answers))
    version = version_parse(request.POST)
    action = request.POST.get("action", "save")
    if version is None:
        messages.error(request, _("The form is incomplete; reload it."))
        return _render_report(request, report, posted=posted, status=422, layout=layout)
    # the other apps' sections are part of the one form: read here, saved with the rest
    sections: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for section in sections_for(report):
        try:
            sections[section.key] = section.read(report, request.POST)
        except ValidationError as exc:
            for name, msgs in exc.message_dict.items():
                errors[f"sections.{section.key}.{name}"] = msgs
    submit_refused: ValidationError | None = None
    try:
        if errors:
            raise ValidationError(errors)
        if action == "submit":
            report, submit_refused = services.report_save_submit(
                report=report, actor=request.user, version=version, values=posted[0],
                answers=posted[1], sections=sections, layout=layout)
        else:
            report = services.report_save(
                report=report, actor=request.user, version=version, values=posted[0],
                answers=posted[1], sections=sections, layout=layout)
    except ValidationError as exc:
        messages.error(request, _("Nothing was saved: correct the fields marked below."))
        for message in exc.message_dict.get("state", []):
            messages.error(request, message)
        return _render_report(request, report, posted=posted, errors=exc.message_dict,
                              status=422, sections_posted=True, layout=layout)
    except ConflictError as exc:
        messages.error(request, exc.message)
        # a refused report keeps the author's edits as a conflict copy shown on the page;
        # refused figures leave the page showing the author's answers and the new figures
        return _render_report(request, report, status=409,
                              posted=None if isinstance(exc.current, ConflictCopy) else posted)
    if submit_refused is not None:
        messages.warning(request, _(
            "Your changes are saved, but the report cannot be submitted yet: %(count)s "
            "problems are marked below.") % {
                "count": sum(map(len, submit_refused.message_dict.values()))})
        return _render_report(request, report, errors=submit_refused.message_dict, status=422,
                              layout=layout)
    if action == "submit":
        messages.success(request, _("Report submitted. The coordinator has been notified "
                                    "through the review queue."))
    else:
        messages.success(request, _("Saved."))
    return redirect("reporting:report", period=report.period.code, unit=report.org_unit.code)


@login_required
@require_POST
def report_check(request: AuthedRequest, period: str, unit: str) -> HttpResponse:
    """htmx: the messages of one field as typed (type and range; far from the previous
    period; larger than its whole)."""
    report = _report(request, period, unit)
    permissions.require_write(request.user, report)
    code = request.POST.get("field", "")
    layout = selectors.report_layout(report=report, with_issues=False)
    question = layout.questions.get(code)
    if question is None:
        return HttpResponse(status=204)
    errors, warnings = [], []
    try:
        _text, number = value_clean(question, request.POST.get(f"v:{code}", ""))
    except ParseError as exc:
        errors.append(exc.message)
        number = None
    if number is not None:
        fs = next(f for f in layout.fields if f.question.code == code)
        if fs.previous is not None and far_from_previous(number, fs.previous):
            warnings.append(_("Far from the previous period's %(previous)s: check it, or explain "
                              "it in the comment.") % {"previous": number_text(fs.previous)})
        whole = layout.questions.get(question.part_of or "")
        if whole is not None:
            try:
                _t, total = value_clean(whole, request.POST.get(f"v:{whole.code}", ""))
            except ParseError:
                total = None
            if total is not None and number > total:
                errors.append(_("Cannot be larger than «%(whole)s».") % {"whole": whole.label})
    return render(request, "reporting/_field_messages.html",
                  {"errors": errors, "warnings": warnings})


def _review_action(request: AuthedRequest, period: str, unit: str, action: str
                   ) -> HttpResponse:
    report = _report(request, period, unit)
    permissions.require_review(request.user, report)
    try:
        if action == "accept":
            services.report_accept(report=report, actor=request.user)
            messages.success(request, _("Report accepted and locked."))
        else:
            form = ReasonForm(request.POST)
            reason = form.data.get("reason", "")
            if action == "return":
                services.report_return(report=report, actor=request.user, reason=reason)
                messages.success(request, _("Report returned to the unit."))
            else:
                services.report_reopen(report=report, actor=request.user, reason=reason)
                messages.success(request, _("Report reopened and returned to the unit."))
    except ValidationError as exc:
        for message in (m for ms in exc.message_dict.values() for m in ms):
            messages.error(request, message)
        return _render_report(request, report, status=422)
    nxt = request.POST.get("next", "")
    if nxt == "review":
        return redirect("reporting:review")
    return redirect("reporting:report", period=report.period.code, unit=report.org_unit.code)


@login_required
@require_POST
def report_accept(request: AuthedRequest, period: str, unit: str) -> HttpResponse:
    return _review_action(request, period, unit, "accept")


@login_required
@require_POST
def report_return(request: AuthedRequest, period: str, unit: str) -> HttpResponse:
    return _review_action(request, period, unit, "return")


@login_required
@require_POST
def report_reopen(request: AuthedRequest, period: str, unit: str) -> HttpResponse:
    return _review_action(request, period, unit, "reopen")


@login_required
@require_POST
def conflict_resolve(request: AuthedRequest, period: str, unit: str, pk: int) -> HttpResponse:
    report = _report(request, period, unit)
    conflict = get_object_or_404(ConflictCopy, pk=pk, request=report)
    try:
        services.conflict_resolve(conflict=conflict, actor=request.user,
                                  keep=request.POST.get("keep", ""))
    except ValidationError as exc:
        for message in (m for ms in exc.message_dict.values() for m in ms):
            messages.error(request, message)
        return _render_report(request, report, status=422)
    messages.success(request, _("Conflict resolved."))
    return redirect("reporting:report", period=report.period.code, unit=report.org_unit.code)


@login_required
def report_history(request: AuthedRequest, period: str, unit: str) -> HttpResponse:
    report = _report(request, period, unit)
    events, query = list_page(request, selectors.report_history(report=report))
    questions = selectors.report_layout(report=report, with_issues=False).questions
    labels = dict(ReportState.choices) | dict(TaskStatus.choices)
    names = TASK_FIELD_NAMES
    other_names = {"state": _("state"), "version": _("version"), "conflict": _("conflict"),
                   "start": _("data from"), "end": _("data to"), "due_date": _("due date"),
                   "title": _("title"), "recipients": _("recipients")}
    for event in events:
        rows = []
        for change in event.changes or []:
            key = str(change.get("field", ""))
            kind, _sep, rest = key.partition(":")
            old, new = change.get("old"), change.get("new")
            # a save records the question's code; older rows also carry its name
            question = questions.get(rest) if kind in ("value", "comment") else None
            name = question.label if question is not None else change.get("label") or rest
            if kind == "value":
                what = name
                if question is not None:
                    old, new = text_shown(question, old), text_shown(question, new)
            elif kind == "comment":
                what = _("Comment: %(name)s") % {"name": name}
            elif kind == "section":
                what = change.get("label") or rest
            elif kind == "task":
                ref, _sep2, name = rest.partition(":")
                what = f"{ref} · {names.get(name, name)}"
            else:
                what = other_names.get(key, key)
            if kind != "value" and (key == "state" or key.endswith(":status")):
                old, new = labels.get(old, old), labels.get(new, new)
            rows.append((what, old, new))
        event.rows = rows  # type: ignore[attr-defined]
        event.label = action_label(event.action)  # type: ignore[attr-defined]
    return render(request, "reporting/history.html", {"report": report, "events": events,
                                                      "query": query})
