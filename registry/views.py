"""Registry pages (thin: check permission, parse the form, call one service or selector,
render). Services' ValidationError becomes messages on the form; nothing is stored from a
rejected request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.forms import BaseForm
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from common.exceptions import ConflictError
from common.streaming import download
from common.types import AuthedRequest
from jobs.services import job_enqueue
from jobs.worker import jobs_kick
from orgunits.selectors import orgunit_by_code
from plans.forms import OnDateForm
from plans.selectors import plan_current
from registry import excel, permissions, selectors, services, tasks
from registry.conversion import UnitTable
from registry.figures import line_values, period_label, record_problems
from registry.filters import ActivityFilter, entry_filter_class
from registry.forms import (
    ActivityForm,
    AllocationForm,
    DesignateForm,
    ImportForm,
    LineFormSet,
    PackagingForm,
    PlaceMoveForm,
    entry_form_class,
    figure_errors_place,
    figure_form_kwargs,
)
from registry.models import (
    Area,
    AwarenessActivity,
    ConsumptionRecord,
    Enterprise,
    FigurePeriod,
    PackagingPractice,
    Retailer,
)
from registry.places import PlaceResolver, unit_label
from registry.specs import REGISTRIES, RegistrySpec
from web.pages import list_page

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"


def _spec(slug: str) -> RegistrySpec:
    spec = REGISTRIES.get(slug)
    if spec is None:
        raise Http404(slug)
    return spec


def _add_errors(form: BaseForm, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for key, msgs in exc.message_dict.items():
            target = key if key in form.fields else None
            for msg in msgs:
                form.add_error(target, msg)
    else:
        for msg in exc.messages:
            form.add_error(None, msg)


def _download(export: excel.Export, name: str, fmt: str) -> StreamingHttpResponse:
    """The export as a file that streams: .xlsx, or CSV when `fmt` is "csv"."""
    if fmt == "csv":
        return download(export.csv(), filename=f"{name}.csv", content_type=CSV)
    return download(export.xlsx(), filename=f"{name}.xlsx", content_type=XLSX)


def _day(request: AuthedRequest) -> tuple[OnDateForm, dt.date]:
    form = OnDateForm(request.GET or None)
    return form, form.day()


def _plan_start() -> dt.date:
    plan = plan_current()
    return dt.date(plan.start_year if plan else 2021, 1, 1)


# ------------------------------------------------------------------ overview


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    if permissions.is_enterprise_user(request.user):
        return redirect("registry:mine")
    permissions.require_read(request.user)
    form, day = _day(request)
    reach = selectors.area_reach(day=day, since=_plan_start())
    packaging = selectors.packaging_coverage(day=day)
    counts = selectors.registry_counts(day=day)
    return render(request, "registry/index.html", {
        "form": form, "day": day, "counts": counts, "since": _plan_start(),
        "reach": reach, "reach_total": selectors.reach_total(reach),
        "packaging": packaging, "packaging_total": selectors.reach_total(packaging),
        "scp_count": next(c for c in counts if c.spec.slug == "models"),
        "st_count": next(c for c in counts if c.spec.slug == "st-enterprises"),
        "can_edit": permissions.can_edit_registries(request.user),
    })


@login_required
def by_place(request: AuthedRequest) -> HttpResponse:
    permissions.require_read(request.user)
    form, day = _day(request)
    spec = REGISTRIES.get(request.GET.get("registry", "areas")) or REGISTRIES["areas"]
    rows = selectors.counts_by_place(spec=spec, day=day)
    kinds = list(spec.kind_choices.choices) if spec.kind_choices else [("", _("Entries"))]
    page, query = list_page(request, rows)
    table = [(row, [row.by_kind.get(k, 0) for k, _label in kinds]) for row in page]
    totals = [sum(r.by_kind.get(k, 0) for r in rows) for k, _label in kinds]
    return render(request, "registry/by_place.html", {
        "form": form, "day": day, "spec": spec, "kinds": kinds, "table": table,
        "page": page, "query": query,
        "totals": totals, "grand_total": sum(totals), "registries": REGISTRIES.values(),
        "can_edit": permissions.can_edit_registries(request.user),
    })


@login_required
def places_search(request: AuthedRequest) -> HttpResponse:
    """htmx: the suggestions of a place search field (registry.forms.PlaceSearchInput) for
    what was typed in it so far, as <option>s of its <datalist>; at most a few."""
    text = request.GET.get(request.GET.get("name", "place"), "")[:300]
    labels = [unit_label(u) for u in selectors.places_matching(text)] if text.strip() else []
    return render(request, "registry/_place_options.html", {"labels": labels})


@login_required
def places_move(request: AuthedRequest) -> HttpResponse:
    """Coordinators: move the entries still recorded in abolished units to the unit they
    lie in on a day, after a preview; entries of a split place get a choice."""
    permissions.require_edit(request.user)
    date_form = OnDateForm(request.POST if request.method == "POST" else request.GET or None)
    day = date_form.day()
    moves = selectors.place_moves_preview(day=day)
    form = PlaceMoveForm(request.POST if request.method == "POST" else None, moves=moves)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.registry_places_move(day=day, actor=request.user,
                                                   choices=form.choices())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _(
                "%(moved)d entries moved to the unit they lie in on %(day)s; %(left)d left "
                "in a divided place.") % {"moved": len(result.moved), "left": len(result.left),
                                           "day": date_format(day, "SHORT_DATE_FORMAT")})
            return redirect(f"{reverse('registry:places-move')}?on={day:%d/%m/%Y}")
    rows = [(m, form.field_for(m) if m.needs_choice else None) for m in moves]
    return render(request, "registry/places_move.html", {
        "date_form": date_form, "day": day, "rows": rows, "form": form,
        "automatic": sum(1 for m in moves if not m.needs_choice),
        "to_choose": sum(1 for m in moves if m.needs_choice),
    })


@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    """An enterprise user's own enterprise."""
    enterprise = selectors.enterprise_for_unit(unit=request.user.org_unit)
    if enterprise is None:
        raise PermissionDenied(_("Your account is not linked to an enterprise."))
    return redirect("registry:detail", registry="enterprises", pk=enterprise.pk)


# ------------------------------------------------------------------ entries


@login_required
def entry_list(request: AuthedRequest, registry: str) -> HttpResponse:
    spec = _spec(registry)
    if permissions.is_enterprise_user(request.user) and spec.slug == "enterprises":
        return redirect("registry:mine")
    permissions.require_read(request.user)
    filterset = entry_filter_class(spec)(request.GET or None,
                                         queryset=selectors.entry_queryset(spec))
    entries = filterset.qs if filterset.is_valid() else spec.model._default_manager.none()
    page, query = list_page(request, entries, per_page=PAGE_SIZE)
    day = filterset.day
    resolver = PlaceResolver()
    rows = []
    for entry in page.object_list:
        row = {"entry": entry, "now": resolver.resolve(entry.place_id, entry.later_place_id, day)}
        if isinstance(entry, Retailer):
            row["practice"] = next((p for p in entry.packaging.all() if p.is_active_on(day)),
                                   None)
        rows.append(row)
    return render(request, "registry/list.html", {
        "spec": spec, "filter": filterset, "page": page, "rows": rows, "day": day,
        "query": query, "can_edit": permissions.can_edit_registries(request.user),
        "total": page.paginator.count,
        "filtered": any(request.GET.get(k) for k in ("q", "kind", "place", "sector", "sort",
                                                     "reporting")),
    })


def _entry_or_404(spec: RegistrySpec, pk: int) -> Any:
    entry = selectors.entry_get(spec=spec, pk=pk)
    if entry is None:
        raise Http404(str(pk))
    return entry


@login_required
def entry_detail(request: AuthedRequest, registry: str, pk: int) -> HttpResponse:
    spec = _spec(registry)
    entry = _entry_or_404(spec, pk)
    if isinstance(entry, Enterprise):
        permissions.require_view_enterprise(request.user, entry)
    else:
        permissions.require_read(request.user)
    today = timezone.localdate()
    resolver = PlaceResolver()
    context: dict[str, Any] = {
        "spec": spec, "entry": entry, "today": today,
        "place_now": resolver.resolve(entry.place_id, entry.later_place_id, today),
        "history": selectors.entry_history(entry=entry),
        "can_edit": permissions.can_edit_registries(request.user),
        "can_read": permissions.can_read_registries(request.user),
        "fields": _fields(spec, entry),
    }
    if isinstance(entry, Area):
        context["activities"] = entry.activities.select_related("organiser").order_by("-date")
        context["parts"] = entry.parts.all() if entry.kind == "economic_zone" else []
    elif isinstance(entry, Retailer):
        context["practices"] = entry.packaging.order_by("since")
        context["practice_now"] = next(
            (p for p in entry.packaging.all() if p.is_active_on(today)), None)
    elif isinstance(entry, Enterprise):
        table = UnitTable()
        context["records"] = selectors.enterprise_records(enterprise=entry, user=request.user,
                                                         table=table)
        context["can_edit_figures"] = permissions.can_edit_figures(request.user, entry)
        context["years"] = list(range(today.year, max(entry.valid_from.year, 1990) - 1, -1))
        context["periods"] = selectors.figure_periods_asked(plan=plan_current())
        context["designate_form"] = DesignateForm()
        context["models"] = entry.scp_models.all()
    return render(request, "registry/detail.html", context)


def _fields(spec: RegistrySpec, entry: Any) -> list[tuple[str, Any, str]]:
    """(label, value, type) of the entry's columns for the detail page."""
    out = []
    for column in spec.columns:
        if column.key in {"name", "source", "note", "illustrative"}:
            continue
        value = getattr(entry, column.key)
        if column.type == "choice":
            value = getattr(entry, f"get_{column.key}_display")()
        out.append((str(column.label), value, column.type))
    return out


def _entry_form(request: AuthedRequest, spec: RegistrySpec, entry: Any = None) -> HttpResponse:
    permissions.require_edit(request.user)
    form = entry_form_class(spec)(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.entry_save(spec=spec, data=form.service_data(),
                                        actor=request.user, entry=entry)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:detail", registry=spec.slug, pk=saved.pk)
    return render(request, "registry/form.html", {
        "spec": spec, "form": form, "entry": entry,
        "title": (_("Edit: %(name)s") % {"name": entry.name}) if entry else
        _("New: %(what)s") % {"what": spec.title_one},
        "cancel": reverse("registry:detail", args=[spec.slug, entry.pk]) if entry else
        reverse("registry:list", args=[spec.slug]),
    }, status=400 if form.errors else 200)


@login_required
def entry_create(request: AuthedRequest, registry: str) -> HttpResponse:
    return _entry_form(request, _spec(registry))


@login_required
def entry_edit(request: AuthedRequest, registry: str, pk: int) -> HttpResponse:
    spec = _spec(registry)
    permissions.require_edit(request.user)
    entry = get_object_or_404(spec.model, pk=pk)
    return _entry_form(request, spec, entry)


def _import(request: AuthedRequest, *, title: str, params: dict[str, str], back: str,
            template: str) -> HttpResponse:
    """The upload page of an import: the file is queued as a background job
    (registry.tasks) and the browser goes to the job's page, which shows its progress and
    then the tally or every problem."""
    permissions.require_edit(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > excel.MAX_BYTES:
            form.add_error("file", _("The file is larger than 5 MB."))
        else:
            job = job_enqueue(kind=tasks.IMPORT_KIND, actor=request.user,
                              content=upload.read(), filename=upload.name or "",
                              params={**params, "title": title, "back": back,
                                      "again": request.get_full_path()})
            jobs_kick()
            return redirect("jobs:detail", pk=job.pk)
    return render(request, "registry/import.html", {
        "form": form, "title": title, "back": back, "template_url": template,
    }, status=400 if form.errors else 200)


@login_required
def entry_import(request: AuthedRequest, registry: str) -> HttpResponse:
    spec = _spec(registry)
    return _import(request, title=str(spec.title),
                   params={"what": "registry", "slug": spec.slug},
                   back=reverse("registry:list", args=[spec.slug]),
                   template=reverse("registry:export", args=[spec.slug]) + "?template=1")


@login_required
def entry_export(request: AuthedRequest, registry: str, fmt: str = "xlsx"
                 ) -> StreamingHttpResponse:
    spec = _spec(registry)
    permissions.require_read(request.user)
    if request.GET.get("template"):
        entries: Any = []
    else:
        filterset = entry_filter_class(spec)(request.GET or None,
                                             queryset=selectors.entry_queryset(spec))
        entries = filterset.qs if filterset.is_valid() else []
    return _download(excel.registry_export(spec=spec, entries=entries),
                     f"{spec.sheet}-{timezone.localdate():%Y%m%d}", fmt)


# ------------------------------------------------------------------ packaging


@login_required
def packaging_form(request: AuthedRequest, pk: int, practice_pk: int | None = None
                   ) -> HttpResponse:
    permissions.require_edit(request.user)
    retailer = get_object_or_404(Retailer, pk=pk)
    practice = (get_object_or_404(PackagingPractice, pk=practice_pk, retailer=retailer)
                if practice_pk else None)
    form = PackagingForm(request.POST or None, instance=practice)
    if request.method == "POST" and form.is_valid():
        try:
            services.packaging_save(retailer=retailer, data=form.service_data(),
                                    actor=request.user, practice=practice)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:detail", registry="retailers", pk=retailer.pk)
    return render(request, "registry/form.html", {
        "form": form, "title": _("Packaging practice: %(name)s") % {"name": retailer.name},
        "intro": _("Since when this retailer distributes or uses eco-friendly packaging "
                   "instead of single-use, hard-to-degrade plastic bags and packaging."),
        "cancel": reverse("registry:detail", args=["retailers", retailer.pk]),
    }, status=400 if form.errors else 200)


@login_required
def packaging_import(request: AuthedRequest) -> HttpResponse:
    return _import(request, title=_("Packaging practice"), params={"what": "packaging"},
                   back=reverse("registry:list", args=["retailers"]),
                   template=reverse("registry:packaging-export") + "?template=1")


@login_required
def packaging_export(request: AuthedRequest, fmt: str = "xlsx") -> StreamingHttpResponse:
    permissions.require_read(request.user)
    practices: Any = [] if request.GET.get("template") else selectors.packaging_rows()
    return _download(excel.packaging_export(practices=practices), "packaging", fmt)


# ------------------------------------------------------------------ activities


@login_required
def activity_list(request: AuthedRequest) -> HttpResponse:
    permissions.require_read(request.user)
    filterset = ActivityFilter(request.GET or None, queryset=selectors.activity_list())
    qs = filterset.qs if filterset.is_valid() else AwarenessActivity.objects.none()
    page, query = list_page(request, qs.order_by("-date", "title"), per_page=PAGE_SIZE)
    years = list(range(timezone.localdate().year, 2019, -1))
    return render(request, "registry/activity_list.html", {
        "page": page, "year": request.GET.get("year", ""), "q": request.GET.get("q", ""),
        "filter": filterset, "years": years, "query": query,
        "can_edit": permissions.can_edit_registries(request.user),
    })


@login_required
def activity_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    permissions.require_read(request.user)
    activity = get_object_or_404(AwarenessActivity.objects.select_related("organiser")
                                 .prefetch_related(Prefetch("areas", queryset=Area.objects
                                                            .select_related("place"))), pk=pk)
    from common.audit import history_rows
    from common.selectors import audit_events_for

    return render(request, "registry/activity_detail.html", {
        "activity": activity,
        "history": history_rows(audit_events_for(obj=activity)[:100], model=AwarenessActivity),
        "can_edit": permissions.can_edit_registries(request.user),
    })


@login_required
def activity_form(request: AuthedRequest, pk: int | None = None) -> HttpResponse:
    permissions.require_edit(request.user)
    activity = get_object_or_404(AwarenessActivity, pk=pk) if pk else None
    form = ActivityForm(request.POST or None, instance=activity)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.activity_save(data=form.service_data(), actor=request.user,
                                           activity=activity)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:activity-detail", pk=saved.pk)
    return render(request, "registry/form.html", {
        "form": form, "title": _("Awareness activity"),
        "intro": _("An activity that spread awareness of sustainable production and "
                   "consumption, and the zones, parks, clusters and villages it reached."),
        "cancel": reverse("registry:activity-detail", args=[activity.pk]) if activity
        else reverse("registry:activity-list"),
    }, status=400 if form.errors else 200)


@login_required
def activity_import(request: AuthedRequest) -> HttpResponse:
    return _import(request, title=_("Awareness activities"), params={"what": "activities"},
                   back=reverse("registry:activity-list"),
                   template=reverse("registry:activity-export") + "?template=1")


@login_required
def activity_export(request: AuthedRequest, fmt: str = "xlsx") -> StreamingHttpResponse:
    permissions.require_read(request.user)
    activities: Any = [] if request.GET.get("template") else (
        selectors.activities_with_areas().order_by("date", "title"))
    return _download(excel.activities_export(activities=activities), "activities", fmt)


# ------------------------------------------------------------------ figures


def figures_locked(*, enterprise: Enterprise, year: int, period: str) -> bool:
    from registry.sections import figures_locked as locked

    return locked(enterprise=enterprise, year=year, period=period)


@login_required
def figures_edit(request: AuthedRequest, pk: int, year: int, period: str) -> HttpResponse:
    enterprise = get_object_or_404(Enterprise.objects.select_related("sector"), pk=pk)
    permissions.require_edit_figures(request.user, enterprise)
    if period not in FigurePeriod.values or not 1990 <= year <= 2100:
        raise Http404(period)
    locked = (not permissions.can_edit_registries(request.user)
              and figures_locked(enterprise=enterprise, year=year, period=period))
    table = UnitTable()
    record = selectors.record_for(enterprise=enterprise, year=year, period=period)
    if record is not None:
        initial = line_values(list(record.lines.all()), raw=True)
    else:
        previous = (ConsumptionRecord.objects.filter(enterprise=enterprise, year__lt=year,
                                                     period=period).order_by("-year").first())
        initial = [{**x, "quantity": ""} for x in line_values(
                   list(previous.lines.select_related("item", "unit", "product")))
                   ] if previous else []
    formset = LineFormSet(request.POST or None, initial=initial, prefix="lines",
                          form_kwargs=figure_form_kwargs(table, sector=enterprise.sector))
    allocation = AllocationForm(request.POST or None,
                                initial={"allocation": record.allocation if record else ""})
    version = record.version if record else 0
    problems: list[str] = []
    if request.method == "POST":
        if locked:
            raise PermissionDenied(_("These figures are in a report that can no longer be "
                                     "changed."))
        if formset.is_valid() and allocation.is_valid():
            kept = [f for f in formset.forms if not f.is_blank()]
            lines = [f.cleaned_data for f in kept]
            try:
                expected = int(request.POST.get("version", ""))
            except ValueError:
                expected = None
            try:
                services.consumption_record_save(
                    enterprise=enterprise, year=year, period=period, lines=lines,
                    actor=request.user, expected_version=expected, table=table,
                    note=request.POST.get("note", "")[:2000],
                    allocation=allocation.cleaned_data["allocation"] or None)
            except ConflictError as exc:
                problems.append(exc.message)
            except ValidationError as exc:
                problems.extend(figure_errors_place(errors=exc.message_dict, kept=kept,
                                                    allocation=allocation))
            else:
                messages.success(request, _("Figures saved."))
                return redirect("registry:detail", registry="enterprises", pk=enterprise.pk)
    return render(request, "registry/figures_form.html", {
        "enterprise": enterprise, "year": year, "period": period, "formset": formset,
        "allocation_form": allocation,
        "period_label": period_label(year, period), "version": version, "record": record,
        "problems": problems, "locked": locked,
        "record_problems": record_problems(record=record) if record else [],
    }, status=400 if problems or (request.method == "POST" and not (
        formset.is_valid() and allocation.is_valid())) else 200)


@login_required
def figures_go(request: AuthedRequest, pk: int) -> HttpResponse:
    """The year-and-period picker of the enterprise page: on to that period's form."""
    year, period = request.GET.get("year", ""), request.GET.get("period", FigurePeriod.YEAR)
    if not (year.isdigit() and 1990 <= int(year) <= 2100) or period not in FigurePeriod.values:
        return redirect("registry:detail", registry="enterprises", pk=pk)
    return redirect("registry:figures-edit", pk=pk, year=int(year), period=period)


@login_required
@require_POST
def designate(request: AuthedRequest, pk: int) -> HttpResponse:
    permissions.require_edit(request.user)
    enterprise = get_object_or_404(Enterprise, pk=pk)
    form = DesignateForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(m) for ms in form.errors.values() for m in ms))
    else:
        try:
            result = services.enterprise_designate(
                enterprise=enterprise, actor=request.user, email=form.cleaned_data["email"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            text = _("%(name)s is a reporting unit; its reporter signs in as %(user)s.") % {
                "name": enterprise.name, "user": result.user.username}
            if result.password:
                text += " " + _("Initial password (shown once): %(pw)s") % {
                    "pw": result.password}
            messages.success(request, text)
    return redirect("registry:detail", registry="enterprises", pk=enterprise.pk)


@login_required
def figures_import(request: AuthedRequest) -> HttpResponse:
    return _import(request, title=_("Enterprise figures"), params={"what": "figures"},
                   back=reverse("registry:list", args=["enterprises"]),
                   template=reverse("registry:figures-export") + "?template=1")


@login_required
def figures_export(request: AuthedRequest, fmt: str = "xlsx") -> StreamingHttpResponse:
    """The figures the user may see; `sector` (code) and `place` (code of a unit: its
    enterprises and those of every unit below it) narrow them."""
    permissions.require_read(request.user)
    lines: Any = []
    if not request.GET.get("template"):
        place = None
        if request.GET.get("place"):
            place = orgunit_by_code(code=request.GET["place"][:40])
            if place is None:
                raise Http404(_("Unknown place."))
        lines = selectors.figures_rows(user=request.user, place=place,
                                       sector_code=request.GET.get("sector") or None)
    return _download(excel.figures_export(lines=lines), "figures", fmt)


@login_required
def units(request: AuthedRequest) -> HttpResponse:
    if not (permissions.can_read_registries(request.user)
            or permissions.is_enterprise_user(request.user)):
        raise PermissionDenied
    table = selectors.unit_table_listing()
    return render(request, "registry/units.html", {
        "units": table.units, "items": table.items, "factors": table.factors,
    })
