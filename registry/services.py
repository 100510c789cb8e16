"""Writes on the registries: entries, awareness activities, packaging practice, consumption
figures, designating an enterprise as a reporting unit, loading the unit table, and Excel
imports. Every write is atomic, checks the actor's permission (`actor=None` is the system:
loaders and the demo) and leaves an audit record; a rejected write stores nothing."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst, slugify
from django.utils.translation import gettext as _

from common.bulk import rows_insert, rows_update
from common.exceptions import ConflictError, state_error
from common.loading import ChangeLog
from common.parsing import ParseError, number_parse, text_clean
from common.services import audit_event, audit_record
from orgunits.models import LOCAL_KINDS, OrgUnit, OrgUnitKind
from registry import permissions, signals
from registry.checks import name_normalise, tax_code_normalise, tax_code_problem
from registry.conversion import UnitTable
from registry.loader import units_file_read
from registry.models import (
    Allocation,
    Area,
    AreaKind,
    AwarenessActivity,
    ConsumptionLine,
    ConsumptionRecord,
    Enterprise,
    FigurePeriod,
    FigureSource,
    FuelFactor,
    Item,
    ItemRole,
    MeasureKind,
    MeasureUnit,
    PackagingPractice,
    Retailer,
    ScpModel,
    StEnterprise,
)
from registry.places import PlaceResolver
from registry.specs import ACTIVITY_COLUMNS, PACKAGING_COLUMNS, REGISTRIES, Column, RegistrySpec

# ------------------------------------------------------------------ helpers


def _plain(value: Any) -> Any:
    """A value as it is kept in an audit record: codes for units, text for the rest."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, OrgUnit):
        return value.code
    if isinstance(value, Enterprise):
        return value.tax_code
    if isinstance(value, Area | Retailer):
        return value.code
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(getattr(value, "code", value))
    if isinstance(value, list | tuple | set):
        return sorted(_plain(v) for v in value)
    return str(value)


def _snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"field": k, "old": before.get(k), "new": v} for k, v in after.items()
            if before.get(k) != v]


def _merge(errors: dict[str, list[Any]], exc: ValidationError) -> None:
    """Add `exc`'s messages to `errors`, each with its code (a refusal because of the
    stored data stays one: common.exceptions.STATE)."""
    if hasattr(exc, "error_dict"):
        for key, errs in exc.error_dict.items():
            errors.setdefault(key, []).extend(errs)
    else:
        errors.setdefault("__all__", []).extend(exc.error_list)


def _given_or_stored(data: Mapping[str, Any], *keys: str) -> Any:
    """How a rule joining fields `keys` refuses: on the request's own values when it
    gives them all (a plain message), else on what is stored (common.exceptions.STATE)."""
    return (lambda message: message) if all(k in data for k in keys) else state_error


def _raise(errors: dict[str, list[Any]]) -> None:
    if errors:
        raise ValidationError(errors)


def _day(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _unique_code(model: type[models.Model], base: str, exclude_pk: Any = None,
                 reserved: set[str] = frozenset()) -> str:  # type: ignore[assignment]
    stem = slugify(base.replace("đ", "d").replace("Đ", "D"))[:50].strip("-") or "entry"
    code, n = stem, 1
    qs = model._default_manager.all()
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    taken = set(qs.filter(code__startswith=stem).values_list("code", flat=True)) | reserved
    while code in taken:
        n += 1
        code = f"{stem}-{n}"
    return code


# ------------------------------------------------------------------ registry entries

def _check_place(entry: Any, errors: dict[str, list[Any]]) -> None:
    """The places are stored units: whether they fit is a matter of the stored data."""
    place = entry.place if entry.place_id else None
    if place is None:
        return
    if place.kind not in LOCAL_KINDS:
        errors.setdefault("place", []).append(state_error(
            _("The place must be a district or a commune-level unit.")))
    later = entry.later_place if entry.later_place_id else None
    if later is not None:
        if later.kind not in LOCAL_KINDS:
            errors.setdefault("later_place", []).append(state_error(
                _("The place after a split must be a district or a commune-level unit.")))
        elif later.pk not in PlaceResolver().descendants(place.pk):
            errors.setdefault("later_place", []).append(state_error(
                _("%(later)s did not take over from %(place)s.") % {
                    "later": later.name, "place": place.name}))


def _check_validity(entry: Any, errors: dict[str, list[Any]], data: Mapping[str, Any]
                    ) -> None:
    if entry.valid_from and entry.valid_to and entry.valid_to <= entry.valid_from:
        refusal = _given_or_stored(data, "valid_from", "valid_to")
        errors.setdefault("valid_to", []).append(refusal(_(
            "An entry cannot close before it opens: the closing day %(to)s is not after the "
            "opening day %(from)s.") % {"to": _day(entry.valid_to),
                                        "from": _day(entry.valid_from)}))


def _check_enterprise(entry: Enterprise, errors: dict[str, list[Any]]) -> None:
    from plans.selectors import plan_current

    entry.tax_code = tax_code_normalise(entry.tax_code)
    problem = tax_code_problem(entry.tax_code) if entry.tax_code else None
    if problem:
        errors.setdefault("tax_code", []).append(problem)
    entry.name_key = name_normalise(entry.name)
    plan = plan_current()
    if entry.sector_id and plan is not None and entry.sector.plan_id != plan.pk:
        errors.setdefault("sector", []).append(state_error(
            _("Choose a sector of the current plan.")))
    others = Enterprise.objects.exclude(pk=entry.pk) if entry.pk else Enterprise.objects.all()
    if entry.tax_code and not problem:
        twin = others.filter(tax_code=entry.tax_code).first()
        if twin is not None:
            errors.setdefault("tax_code", []).append(state_error(_(
                "This tax code is already registered, for %(name)s.") % {"name": twin.name}))
    if entry.name_key and entry.place_id:
        twin = others.filter(name_key=entry.name_key, place_id=entry.place_id).first()
        if twin is not None:
            errors.setdefault("name", []).append(state_error(_(
                "%(name)s (tax code %(code)s) is already registered in this place under "
                "the same name.") % {"name": twin.name, "code": twin.tax_code}))
    if not entry.code or entry.code != entry.tax_code:
        entry.code = entry.tax_code or entry.code


def _check_specific(entry: Any, errors: dict[str, list[Any]], data: Mapping[str, Any]
                    ) -> None:
    if isinstance(entry, Enterprise):
        _check_enterprise(entry, errors)
    elif isinstance(entry, Area):
        zone = entry.zone  # may be a zone of the same import, not yet stored
        if zone is not None:
            if zone.kind != AreaKind.ECONOMIC_ZONE:
                errors.setdefault("zone", []).append(state_error(
                    _("Choose an economic zone.")))
            elif entry.kind == AreaKind.ECONOMIC_ZONE or zone is entry or (
                    zone.pk is not None and zone.pk == entry.pk):
                errors.setdefault("zone", []).append(_given_or_stored(data, "kind", "zone")(
                    _("An economic zone does not lie in another zone.")))
        if entry.area_ha is not None and entry.area_ha < 0:
            errors.setdefault("area_ha", []).append(_("Must not be negative."))
    elif isinstance(entry, ScpModel):
        if not entry.enterprise_id and not entry.operator.strip():
            refusal = _given_or_stored(data, "enterprise", "operator")
            errors.setdefault("operator", []).append(refusal(
                _("Say who runs the model: an enterprise of the registry or a name.")))
    elif isinstance(entry, StEnterprise):
        entry.tax_code = tax_code_normalise(entry.tax_code)
        if entry.tax_code:
            problem = tax_code_problem(entry.tax_code)
            if problem:
                errors.setdefault("tax_code", []).append(problem)
        if entry.valid_from is None and entry.certificate_date is not None:
            entry.valid_from = entry.certificate_date


def _clean_text(columns: Sequence[Column], key: str, value: Any) -> Any:
    """Text as stored: through `common.parsing.text_clean` (whatever path it came by)."""
    if not isinstance(value, str):
        return value
    column = next((c for c in columns if c.key == key), None)
    return text_clean(value, max_length=None, multiline=bool(column and column.multiline))


def _loaded_references(obj: Any) -> list[str]:
    """The foreign keys of `obj` that hold an object read from the database (its pk set):
    `full_clean` need not query again whether it exists."""
    return [f.name for f in obj._meta.concrete_fields
            if f.many_to_one and f.is_cached(obj)
            and getattr(f.get_cached_value(obj), "pk", None) is not None]


def _spec_of(model: type[models.Model]) -> RegistrySpec:
    return next(s for s in REGISTRIES.values() if s.model is model)


@dataclass
class EntryDraft:
    """An entry checked and ready to write (nothing is stored yet): the entry with its
    new values, whether it is new, what changes, and when it was last saved (to refuse
    writing over someone else's change made meanwhile)."""

    spec: RegistrySpec
    entry: Any
    created: bool
    changes: list[dict[str, Any]]
    stamp: dt.datetime | None = None


def entry_check(*, spec: RegistrySpec, data: Mapping[str, Any], entry: Any = None,
                lock: bool = False, reserved: set[str] | None = None,
                validate_unique: bool = True) -> EntryDraft:
    """Check an entry of `spec`'s registry made (entry None) or changed with `data`,
    reading but never writing (an import checks its whole file this way before it writes).
    Raises ValidationError naming every field at fault. `reserved`: codes taken by other
    entries of the same import, avoided when a code is made from the name.
    `validate_unique=False`: the caller checks unique values for many entries at once (an
    import, in one query per field)."""
    model = spec.model
    fields = spec.fields
    unknown = set(data) - set(fields)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    created = entry is None
    if created:
        entry = model()
        before: dict[str, Any] = {}
    else:
        entry_pk: Any = entry.pk
        if lock:
            entry = model._default_manager.select_for_update().get(pk=entry_pk)
        before = _snapshot(entry, fields)
    stamp = getattr(entry, "updated_at", None)
    for key, value in data.items():
        setattr(entry, key, _clean_text(spec.columns, key, value))
    if entry.code is None:
        entry.code = ""
    errors: dict[str, list[Any]] = {}
    _check_place(entry, errors)
    _check_validity(entry, errors, data)
    _check_specific(entry, errors, data)
    if not entry.code and entry.name:
        entry.code = _unique_code(model, entry.name, exclude_pk=entry.pk,
                                  reserved=reserved or set())
    # without a name there is no code to make: the name's error says it
    blank_code = ["code"] if not entry.code else []
    try:
        entry.full_clean(exclude=[*(k for k in errors if k != "__all__"), "name_key",
                                  *blank_code, *_loaded_references(entry)],
                         validate_unique=validate_unique, validate_constraints=validate_unique)
    except ValidationError as exc:
        _merge(errors, exc)
    _raise(errors)
    return EntryDraft(spec=spec, entry=entry, created=created,
                      changes=_changes(before, _snapshot(entry, fields)), stamp=stamp)


def entry_write(*, draft: EntryDraft, actor: Any) -> Any:
    """Store a checked entry and its audit record (inside the caller's transaction). Two
    writers adding the same code at once: the second gets ConflictError, not a crash."""
    entry = draft.entry
    if not draft.created and not draft.changes:
        return entry
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ConflictError(_(
            "Someone else saved an entry with the same code, tax code or certificate "
            "meanwhile: reload and try again.")) from None
    if isinstance(entry, Enterprise) and entry.reporting_unit_id:
        _sync_reporting_unit(entry)
    verb = "create" if draft.created else "update"
    audit_record(actor=actor, action=f"{draft.spec.action}.{verb}", target=entry,
                 changes=draft.changes)
    return entry


def _waits(entry: Any) -> bool:
    """Whether `entry` refers to an entry not stored yet (a zone of the same import)."""
    for f in entry._meta.concrete_fields:
        if f.many_to_one and f.is_cached(entry):
            other = f.get_cached_value(entry)
            if other is not None and other.pk is None:
                return True
    return False


def entries_write(*, drafts: Sequence[EntryDraft], actor: Any) -> None:
    """Store an import's checked entries in bulk, inside the caller's transaction: new
    entries in as few INSERTs as their references allow (a park after the zone of the
    same file it lies in), changed ones in one UPDATE, and all audit records at once. A
    unique value someone else took meanwhile: ConflictError, not a crash."""
    new = [d for d in drafts if d.created]
    changed = [d for d in drafts if not d.created and d.changes]
    try:
        with transaction.atomic():
            while new:
                ready = [d for d in new if not _waits(d.entry)]
                if not ready:  # pragma: no cover - references form no cycle
                    raise ValueError("entries refer to each other")
                rows_insert(objs=[d.entry for d in ready])
                done = {id(d) for d in ready}
                new = [d for d in new if id(d) not in done]
            if changed:
                model = type(changed[0].entry)
                rows_update(objs=[d.entry for d in changed], fields=[
                    f.name for f in model._meta.concrete_fields
                    if not f.primary_key and f.name != "created_at"])
    except IntegrityError:
        raise ConflictError(_(
            "Someone else saved an entry with the same code, tax code or certificate "
            "meanwhile: reload and try again.")) from None
    moved = set()
    for draft in changed:
        if isinstance(draft.entry, Enterprise):
            if draft.entry.reporting_unit_id:
                _sync_reporting_unit(draft.entry)
            if any(c["field"] == "sector" for c in draft.changes):
                moved.add(draft.entry.pk)
    if moved:
        signals.figures_changed_send(enterprise_ids=moved)
    rows_insert(objs=[
        audit_event(actor=actor, target=d.entry, changes=d.changes,
                    action=f"{d.spec.action}.{'create' if d.created else 'update'}")
        for d in drafts if d.created or d.changes])


@transaction.atomic
def entry_save(*, spec: RegistrySpec, data: Mapping[str, Any], actor: Any,
               entry: Any = None) -> Any:
    """Create (entry None) or update an entry of `spec`'s registry with `data` (keys:
    the registry's columns): checked whole, then stored with its audit record."""
    if actor is not None:
        permissions.require_edit(actor)
    draft = entry_check(spec=spec, data=data, entry=entry, lock=True)
    return entry_write(draft=draft, actor=actor)


def _sync_reporting_unit(enterprise: Enterprise) -> None:
    unit = enterprise.reporting_unit
    if unit is None:
        return
    wanted_to = enterprise.valid_to if enterprise.valid_to and (
        unit.valid_from is None or enterprise.valid_to > unit.valid_from) else unit.valid_to
    if unit.name != enterprise.name or unit.valid_to != wanted_to:
        unit.name = enterprise.name
        unit.valid_to = wanted_to
        unit.save(update_fields=["name", "valid_to", "updated_at"])


@dataclass
class PlacesMoved:
    """What a bulk move did: the entries moved, and those left where they are because
    their place was split and no unit was chosen for them."""

    moved: list[Any]
    left: list[Any]


@transaction.atomic
def registry_places_move(*, day: dt.date, actor: Any,
                         choices: Mapping[str, OrgUnit] | None = None) -> PlacesMoved:
    """Move every entry whose recorded place no longer exists on `day` to the unit it lies
    in that day (`registry.selectors.place_moves_preview`): the successor itself, or the
    entry's place after the split, or the unit `choices` gives for it (keyed "areas:12",
    one of its candidates). Entries of a split place with no choice stay where they are.
    Each move is one audited update of the entry (place, and the place after a split,
    which it no longer needs); counts as of an earlier day are unchanged, since a place is
    followed back to the units it was formed from. A unit formed from parts of several
    (xã Tiên Yên) could not say which the entry lay in before: such an entry keeps its
    recorded place and gets the unit as its place after the split instead."""
    from registry.selectors import place_moves_preview

    if actor is not None:
        permissions.require_edit(actor)
    choices = choices or {}
    preview = place_moves_preview(day=day)
    resolver = PlaceResolver()
    known = {move.key for move in preview}
    errors: dict[str, list[str]] = {
        key: [_("This entry has nothing to move on %(day)s.") % {"day": _day(day)}]
        for key in choices if key not in known
    }
    moved: list[Any] = []
    left: list[Any] = []
    for move in preview:
        target = move.target
        chosen = choices.get(move.key)
        if chosen is not None:
            if chosen.pk not in {c.pk for c in move.candidates}:
                errors.setdefault(move.key, []).append(_(
                    "%(unit)s did not take over %(place)s on %(day)s: choose one of %(units)s."
                ) % {"unit": chosen.name, "place": move.place.name, "day": _day(day),
                     "units": ", ".join(c.name for c in move.candidates)})
                continue
            target = chosen
            keep_place = resolver.formed_from_several(chosen.pk)
        else:
            keep_place = move.keep_place
        if target is None:
            left.append(move)
            continue
        entry = move.entry
        if isinstance(entry, Enterprise) and Enterprise.objects.exclude(pk=entry.pk).filter(
                name_key=entry.name_key, place=target).exists():
            errors.setdefault(move.key, []).append(_(
                "%(name)s: an enterprise of the same name is already registered in "
                "%(unit)s.") % {"name": entry.name, "unit": target.name})
            continue
        fields = ("place", "later_place")
        before = _snapshot(entry, fields)
        if keep_place:
            entry.later_place = target
        else:
            entry.place, entry.later_place = target, None
        entry.save(update_fields=[*fields, "updated_at"])
        audit_record(actor=actor, action=f"{move.spec.action}.update", target=entry,
                     changes=_changes(before, _snapshot(entry, fields)),
                     note=_("Moved to the unit it lies in on %(day)s.") % {"day": _day(day)})
        moved.append(move)
    _raise(errors)
    return PlacesMoved(moved=moved, left=left)


@transaction.atomic
def area_save(*, data: Mapping[str, Any], actor: Any, entry: Area | None = None) -> Area:
    """Create (entry None) or update an economic zone, park, cluster or craft village."""
    return entry_save(spec=REGISTRIES["areas"], data=data, actor=actor, entry=entry)


@transaction.atomic
def retailer_save(*, data: Mapping[str, Any], actor: Any,
                  entry: Retailer | None = None) -> Retailer:
    """Create or update a supermarket, commercial centre, convenience store or market."""
    return entry_save(spec=REGISTRIES["retailers"], data=data, actor=actor, entry=entry)


@transaction.atomic
def enterprise_save(*, data: Mapping[str, Any], actor: Any,
                    entry: Enterprise | None = None) -> Enterprise:
    """Create or update an enterprise: the tax code must pass its check, and neither the
    tax code nor the normalised name in the same place may be registered already."""
    return entry_save(spec=REGISTRIES["enterprises"], data=data, actor=actor, entry=entry)


@transaction.atomic
def scp_model_save(*, data: Mapping[str, Any], actor: Any,
                   entry: ScpModel | None = None) -> ScpModel:
    """Create or update an SCP or cleaner-production model."""
    return entry_save(spec=REGISTRIES["models"], data=data, actor=actor, entry=entry)


@transaction.atomic
def st_enterprise_save(*, data: Mapping[str, Any], actor: Any,
                       entry: StEnterprise | None = None) -> StEnterprise:
    """Create or update a science-and-technology enterprise (opens on its certificate date
    unless an opening day is given)."""
    return entry_save(spec=REGISTRIES["st-enterprises"], data=data, actor=actor, entry=entry)


# ------------------------------------------------------------------ awareness activities

ACTIVITY_FIELDS = ("date", "organiser", "title", "description", "participants", "evidence",
                   "illustrative")


@dataclass
class ActivityDraft:
    """An activity checked and ready to write (nothing stored yet): the activity with its
    new values, the areas it reached (None: unchanged), whether it is new, what changes,
    and when it was last saved."""

    activity: AwarenessActivity
    areas: list[Area] | None
    created: bool
    changes: list[dict[str, Any]]
    stamp: dt.datetime | None = None


def activity_check(*, data: Mapping[str, Any], activity: AwarenessActivity | None = None,
                   lock: bool = False, validate_unique: bool = True,
                   today: dt.date | None = None) -> ActivityDraft:
    """Check an activity made (None) or changed with `data`, reading but never writing;
    ValidationError names every field at fault. The areas reached must exist on the
    activity's date. `activity`'s areas are read through its prefetch when it has one.
    `validate_unique=False`: the caller has matched the natural key (an import, against
    the stored activities and the rest of its file; the database checks it at the
    write). `today`: the local date, read once by an import for all its rows."""
    data = dict(data)
    areas = data.pop("areas", None)
    unknown = set(data) - set(ACTIVITY_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    created = activity is None
    if activity is None:
        activity = AwarenessActivity()
        before: dict[str, Any] = {}
    else:
        if lock:
            activity = AwarenessActivity.objects.select_for_update().get(pk=activity.pk)
        before = {**_snapshot(activity, ACTIVITY_FIELDS),
                  "areas": _plain(list(activity.areas.all()))}
    stamp = activity.updated_at
    for key, value in data.items():
        setattr(activity, key, _clean_text(ACTIVITY_COLUMNS, key, value))
    errors: dict[str, list[Any]] = {}
    if activity.date and activity.date > (today or timezone.localdate()):  # by today's date
        errors.setdefault("date", []).append(state_error(_("The date is in the future.")))
    if areas is not None and activity.date:
        closed = [a.name for a in areas if not a.is_active_on(activity.date)]
        if closed:
            errors.setdefault("areas", []).append(state_error(_(
                "Not open on %(date)s: %(names)s.") % {"date": _day(activity.date),
                                                       "names": ", ".join(closed)}))
    try:
        activity.full_clean(exclude=[*(k for k in errors if k != "__all__"),
                                     *_loaded_references(activity)],
                            validate_unique=validate_unique,
                            validate_constraints=validate_unique)
    except ValidationError as exc:
        _merge(errors, exc)
    _raise(errors)
    after = {**_snapshot(activity, ACTIVITY_FIELDS),
             "areas": _plain(list(areas)) if areas is not None else before.get("areas", [])}
    return ActivityDraft(activity, list(areas) if areas is not None else None, created,
                         _changes(before, after), stamp)


def activities_write(*, drafts: Sequence[ActivityDraft], actor: Any) -> None:
    """Store checked activities in bulk, inside the caller's transaction: new ones in
    one INSERT, changed ones in one UPDATE, the areas they reached and every audit record
    at once. An activity someone else added meanwhile: ConflictError."""
    new = [d for d in drafts if d.created]
    changed = [d for d in drafts if not d.created and d.changes]
    try:
        with transaction.atomic():
            rows_insert(objs=[d.activity for d in new])
            rows_update(objs=[d.activity for d in changed], fields=ACTIVITY_FIELDS)
    except IntegrityError:
        raise ConflictError(_("Someone else saved the same activity meanwhile: reload and "
                              "try again.")) from None
    through = AwarenessActivity.areas.through
    reached = [d for d in [*new, *changed] if d.areas is not None]
    through.objects.filter(awarenessactivity_id__in=[
        d.activity.pk for d in changed if d.areas is not None]).delete()
    rows_insert(objs=[through(awarenessactivity_id=d.activity.pk, area_id=a.pk)
                      for d in reached for a in d.areas or []])
    rows_insert(objs=[
        audit_event(actor=actor, target=d.activity, changes=d.changes,
                    action=f"activity.{'create' if d.created else 'update'}")
        for d in [*new, *changed]])


@transaction.atomic
def activity_save(*, data: Mapping[str, Any], actor: Any,
                  activity: AwarenessActivity | None = None) -> AwarenessActivity:
    """Create or update an SCP awareness activity and the zones, parks, clusters and
    villages it reached (each must exist on the activity's date)."""
    if actor is not None:
        permissions.require_edit(actor)
    draft = activity_check(data=data, activity=activity, lock=activity is not None)
    if draft.created or draft.changes:
        activities_write(drafts=[draft], actor=actor)
    return draft.activity


# ------------------------------------------------------------------ packaging practice

PACKAGING_FIELDS = ("since", "until", "basis", "evidence", "evidence_ref", "illustrative")


@dataclass
class PackagingDraft:
    """A packaging practice checked and ready to write (nothing stored yet)."""

    practice: PackagingPractice
    created: bool
    changes: list[dict[str, Any]]
    stamp: dt.datetime | None = None


def packaging_check(*, retailer: Retailer, data: Mapping[str, Any],
                    practice: PackagingPractice | None = None, lock: bool = False,
                    others: Sequence[PackagingPractice] | None = None) -> PackagingDraft:
    """Check a practice of `retailer` made (None) or changed with `data`, reading but never
    writing. Periods of one retailer may not overlap (`others`: the retailer's other
    practices as they will stand, e.g. with the earlier rows of an import; None: the
    stored ones), and must fall while the retailer is open."""
    unknown = set(data) - set(PACKAGING_FIELDS)
    if unknown:
        raise ValidationError({k: [_("Unknown field.")] for k in sorted(unknown)})
    created = practice is None
    if practice is None:
        practice = PackagingPractice(retailer=retailer)
        before: dict[str, Any] = {}
    else:
        if lock:
            practice = PackagingPractice.objects.select_for_update().get(pk=practice.pk,
                                                                         retailer=retailer)
        before = _snapshot(practice, PACKAGING_FIELDS)
    stamp = practice.updated_at
    for key, value in data.items():
        setattr(practice, key, _clean_text(PACKAGING_COLUMNS, key, value))
    errors: dict[str, list[Any]] = {}
    since, until = practice.since, practice.until
    if since and until and until <= since:
        errors.setdefault("until", []).append(_given_or_stored(data, "since", "until")(
            _("A practice cannot stop before it starts.")))
    # the retailer's dates and its other practices are stored data
    if since and since < retailer.valid_from:
        errors.setdefault("since", []).append(state_error(_(
            "%(name)s opened on %(date)s: the practice cannot start before.") % {
            "name": retailer.name, "date": _day(retailer.valid_from)}))
    if since and retailer.valid_to and since >= retailer.valid_to:
        errors.setdefault("since", []).append(state_error(_(
            "%(name)s had closed by then.") % {"name": retailer.name}))
    if since and not errors:
        for other in (PackagingPractice.objects.filter(retailer=retailer) if others is None
                      else others):
            if other is practice or (practice.pk and other.pk == practice.pk):
                continue
            if since < (other.until or dt.date.max) and other.since < (until or dt.date.max):
                errors.setdefault("since", []).append(state_error(_(
                    "Overlaps the practice recorded from %(date)s.") % {
                    "date": _day(other.since)}))
                break
    try:
        # the constraint (until after since) is checked above, without a query
        practice.full_clean(exclude=[*(k for k in errors if k != "__all__"),
                                     *_loaded_references(practice)],
                            validate_constraints=False)
    except ValidationError as exc:
        _merge(errors, exc)
    _raise(errors)
    return PackagingDraft(practice, created, _changes(before, _snapshot(practice,
                                                                        PACKAGING_FIELDS)),
                          stamp)


def packagings_write(*, drafts: Sequence[PackagingDraft], actor: Any) -> None:
    """Store checked practices in bulk, inside the caller's transaction (which holds the
    retailers' locks): new ones in one INSERT, changed ones in one UPDATE, every audit
    record at once."""
    new = [d for d in drafts if d.created]
    changed = [d for d in drafts if not d.created and d.changes]
    rows_insert(objs=[d.practice for d in new])
    rows_update(objs=[d.practice for d in changed], fields=PACKAGING_FIELDS)
    rows_insert(objs=[
        audit_event(actor=actor, target=d.practice, scope=d.practice.retailer,
                    changes=d.changes, action=f"packaging.{'create' if d.created else 'update'}")
        for d in [*new, *changed]])


@transaction.atomic
def packaging_save(*, retailer: Retailer, data: Mapping[str, Any], actor: Any,
                   practice: PackagingPractice | None = None) -> PackagingPractice:
    """Record (or correct) since when a retailer uses eco-friendly packaging instead of
    single-use, hard-to-degrade plastic. Periods of one retailer may not overlap, and must
    fall while the retailer is open."""
    if actor is not None:
        permissions.require_edit(actor)
    # one writer per retailer at a time: the overlap check sees the others' practices
    Retailer.objects.select_for_update().filter(pk=retailer.pk).first()
    draft = packaging_check(retailer=retailer, data=data, practice=practice,
                            lock=practice is not None)
    if draft.created or draft.changes:
        packagings_write(drafts=[draft], actor=actor)
    return draft.practice


# ------------------------------------------------------------------ consumption figures


@dataclass(frozen=True)
class LineIn:
    """One line of a record as given: an item code, a quantity, a unit code and, for an
    input, the code of the product it was used for ("": shared by the record's rule)."""

    item: str
    quantity: Any
    unit: str
    product: str = ""


class CheckedLine(NamedTuple):
    item: Item
    quantity: Decimal
    unit: Any
    product: Item | None


def _line(raw: Any) -> LineIn:
    if isinstance(raw, LineIn):
        return raw
    if isinstance(raw, Mapping):
        return LineIn(str(raw.get("item") or ""), raw.get("quantity"),
                      str(raw.get("unit") or ""), str(raw.get("product") or ""))
    item, quantity, unit, *product = raw
    return LineIn(str(item or ""), quantity, str(unit or ""),
                  str(product[0] or "") if product else "")


def _line_product(line: LineIn, item: Item | None, table: UnitTable, key: str,
                  errors: dict[str, list[Any]]) -> Item | None:
    """The product an input line names (None: none named, or refused with the reason)."""
    if not line.product.strip():
        return None
    try:
        product = table.item(line.product, field=f"{key}.product")
    except ValidationError as exc:
        _merge(errors, exc)
        return None
    # the items' roles are the unit table's: stored data
    if product.role != ItemRole.PRODUCT:
        errors.setdefault(f"{key}.product", []).append(state_error(_(
            "%(item)s is not a product.") % {"item": product.name}))
        return None
    if item is not None and item.role == ItemRole.PRODUCT:
        errors.setdefault(f"{key}.product", []).append(state_error(_(
            "%(item)s is a product: only a material or fuel is used for a product; leave "
            "\"used for product\" empty.") % {"item": item.name}))
        return None
    return product


def figure_lines_check(*, lines: Sequence[Any], table: UnitTable,
                       require_output: bool = False
                       ) -> tuple[list[CheckedLine], dict[str, list[Any]]]:
    """Check lines of figures; returns the checked lines and errors keyed `lines.N.field`
    (N from 0) or `lines` for the record as a whole. An input that names a product needs
    that product's output, above zero if the input is, in the same record."""
    errors: dict[str, list[Any]] = {}
    checked: list[tuple[int, CheckedLine]] = []
    seen: set[tuple[str, str | None]] = set()
    for n, raw in enumerate(lines):
        try:
            line = _line(raw)
        except (TypeError, ValueError):
            errors.setdefault(f"lines.{n}", []).append(_("A line has an item, a quantity "
                                                           "and a unit."))
            continue
        key = f"lines.{n}"
        item = unit = quantity = None
        try:
            item = table.item(line.item, field=f"{key}.item")
        except ValidationError as exc:
            _merge(errors, exc)
        try:
            unit = table.unit(line.unit, field=f"{key}.unit")
        except ValidationError as exc:
            _merge(errors, exc)
        product = _line_product(line, item, table, key, errors)
        if line.quantity is None or (isinstance(line.quantity, str) and not line.quantity.strip()):
            errors.setdefault(f"{key}.quantity", []).append(
                _("Give the quantity of %(item)s.") % {"item": item.name} if item is not None
                else _("Give a quantity."))
        else:
            try:
                quantity = number_parse(line.quantity)
            except ParseError as exc:
                errors.setdefault(f"{key}.quantity", []).append(capfirst(exc.message))
        if quantity is not None:
            if quantity < 0:
                errors.setdefault(f"{key}.quantity", []).append(_(
                    "A quantity cannot be negative."))
                quantity = None
            elif abs(quantity) >= Decimal("1e16") or quantity != quantity.quantize(
                    Decimal("0.0001")):
                errors.setdefault(f"{key}.quantity", []).append(_(
                    "At most 16 digits before the decimal point and 4 after it."))
                quantity = None
        if item is not None and unit is not None:
            allowed = table.item_kinds.get(item.code, set())
            if unit.kind not in allowed:  # the unit table's kinds: stored data
                errors.setdefault(f"{key}.unit", []).append(state_error(_(
                    "%(unit)s is a unit of %(kind)s; %(item)s is measured in %(allowed)s.") % {
                    "unit": unit.symbol, "kind": table.kind_name(unit.kind).lower(),
                    "item": item.name,
                    "allowed": ", ".join(sorted(table.kind_name(k).lower() for k in allowed))}))
                unit = None
        if item is not None:
            if (item.code, product.code if product else None) in seen:
                errors.setdefault(f"{key}.item", []).append(
                    _("%(item)s for %(product)s is listed twice.") % {
                        "item": item.name, "product": product.name} if product else
                    _("%(item)s is listed twice.") % {"item": item.name})
                item = None
            else:
                seen.add((item.code, product.code if product else None))
        if item is not None and unit is not None and quantity is not None \
                and (product is not None or not line.product.strip()):
            checked.append((n, CheckedLine(item, quantity, unit, product)))
    if not errors:
        _attribution_check(checked, errors)
    if not errors:
        outputs = [ln.quantity for _n, ln in checked if ln.item.role == ItemRole.PRODUCT]
        used = [ln.item.name for _n, ln in checked
                if ln.item.role != ItemRole.PRODUCT and ln.quantity > 0]
        if outputs and all(q == 0 for q in outputs) and used:
            errors.setdefault("lines", []).append(_(
                "Output is zero but %(items)s consumed: impossible. Enter the output, or "
                "zero consumption.") % {"items": ", ".join(dict.fromkeys(used))})
        elif require_output and not outputs and used:
            errors.setdefault("lines", []).append(_(
                "Consumption without any output: enter the output of at least one product."))
    return [ln for _n, ln in checked], errors


def _attribution_check(checked: list[tuple[int, CheckedLine]],
                       errors: dict[str, list[Any]]) -> None:
    """An input names a product the record reports, with output if the input is used."""
    outputs = {ln.item.code: ln.quantity for _n, ln in checked
               if ln.item.role == ItemRole.PRODUCT}
    for n, ln in checked:
        if ln.product is None:
            continue
        if ln.product.code not in outputs:
            errors.setdefault(f"lines.{n}.product", []).append(_(
                "%(product)s has no output in these figures: enter its output, or leave "
                "\"used for product\" empty.") % {"product": ln.product.name})
        elif outputs[ln.product.code] == 0 and ln.quantity > 0:
            errors.setdefault(f"lines.{n}.product", []).append(_(
                "The output of %(product)s is zero, yet %(item)s is entered for it.") % {
                "product": ln.product.name, "item": ln.item.name})


def allocation_resolve(*, requested: str | None, stored: str | None,
                       principal: Item | None, outputs: set[str]) -> str:
    """The allocation rule a record keeps: the one asked for; else the stored one while it
    still applies; else all to the sector's principal product when the record reports it,
    else by output (the rule the index applied before inputs could name a product).
    ValidationError on "allocation" for an unknown rule or a principal product the record
    lacks."""
    applies = principal is not None and principal.code in outputs
    if requested is None or requested == "":
        if stored and (stored != Allocation.PRINCIPAL or applies):
            return stored
        return Allocation.PRINCIPAL if applies else Allocation.OUTPUT
    if requested not in Allocation.values:
        raise ValidationError({"allocation": [_(
            "The allocation is \"%(principal)s\" or \"%(output)s\".") % {
            "principal": Allocation.PRINCIPAL.label, "output": Allocation.OUTPUT.label}]})
    if requested == Allocation.PRINCIPAL and not applies:
        raise ValidationError({"allocation": [
            _("The sector names no principal product: share the inputs in proportion to "
              "output, or enter them per product.") if not principal else
            _("These figures have no output of %(product)s, the sector's principal "
              "product: share the inputs in proportion to output, or enter them per "
              "product.") % {"product": principal.name}]})
    return requested


def _period_check(year: Any, period: Any, enterprise: Enterprise) -> dict[str, list[Any]]:
    errors: dict[str, list[Any]] = {}
    this_year = timezone.localdate().year
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= this_year:
        message = _("A year between 1990 and %(year)d is expected.") % {"year": this_year}
        # a year still to come is refused by today's date, not by its form
        errors["year"] = [state_error(message) if isinstance(year, int) and year > this_year
                          else message]
    if period not in FigurePeriod.values:
        errors["period"] = [_("The period is year, h1 (first half) or h2 (second half).")]
    if "year" not in errors:
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        if enterprise.valid_from > last or (enterprise.valid_to and enterprise.valid_to <= first):
            errors.setdefault("year", []).append(state_error(_(
                "%(name)s was not open in %(year)d.") % {"name": enterprise.name, "year": year}))
    return errors


def _line_key(item: str, product: str | None) -> str:
    """A line's name in the audit record: the item's code, "item/product" for an input
    entered for one product."""
    return f"{item}/{product}" if product else item


@dataclass
class RecordDraft:
    """A record of figures checked and ready to write (nothing stored yet): the record
    with its new values, the lines as stored (`old`, by line key: quantity, unit code and
    the line) and as they will be (`new`), whether it is new, what changes, and the
    version read."""

    record: ConsumptionRecord
    old: dict[str, tuple[Decimal, str, ConsumptionLine]]
    new: dict[str, CheckedLine]
    created: bool
    changes: list[dict[str, Any]]
    version: int


def consumption_record_check(
    *,
    enterprise: Enterprise,
    year: int,
    period: str,
    lines: Sequence[Any],
    record: ConsumptionRecord | None,
    stored_lines: Sequence[ConsumptionLine] | None = None,
    source: str = FigureSource.ENTERED,
    note: str | None = None,
    illustrative: bool | None = None,
    allocation: str | None = None,
    require_output: bool = False,
    table: UnitTable,
) -> RecordDraft:
    """Check `lines` as the figures of `enterprise` for a year or half-year, against its
    stored `record` (None: none yet) and that record's lines (`stored_lines`, with item,
    unit and product; None: read them), reading but never writing. ValidationError names
    every line and field at fault (see `consumption_record_save`)."""
    errors = _period_check(year, period, enterprise)
    checked, line_errors = figure_lines_check(lines=lines, table=table,
                                              require_output=require_output)
    errors.update(line_errors)
    rule: str = Allocation.OUTPUT
    try:
        rule = allocation_resolve(
            requested=allocation, stored=record.allocation if record else None,
            principal=table.items.get(enterprise.sector.principal_product or "")
            if enterprise.sector else None,
            outputs={ln.item.code for ln in checked if ln.item.role == ItemRole.PRODUCT})
    except ValidationError as exc:
        _merge(errors, exc)
    _raise(errors)
    created = record is None
    if record is None:
        record = ConsumptionRecord(enterprise=enterprise, year=year, period=period,
                                   source=source, version=0, allocation=rule)
    elif stored_lines is None:
        stored_lines = list(record.lines.select_related("item", "unit", "product"))
    version = record.version
    old = {_line_key(ln.item.code, ln.product.code if ln.product else None):
           (ln.quantity, ln.unit.code, ln) for ln in stored_lines or []}
    changes: list[dict[str, Any]] = []
    if note is not None and note != record.note:
        changes.append({"field": "note", "old": record.note, "new": note})
        record.note = note
    if illustrative is not None and illustrative != record.illustrative:
        changes.append({"field": "illustrative", "old": record.illustrative,
                        "new": illustrative})
        record.illustrative = illustrative
    if not created and rule != record.allocation:
        changes.append({"field": "allocation", "old": record.allocation, "new": rule})
        record.allocation = rule
    new = {_line_key(ln.item.code, ln.product.code if ln.product else None): ln
           for ln in checked}
    for key, ln in new.items():
        before = old.get(key)
        if before is None or before[0] != ln.quantity or before[1] != ln.unit.code:
            changes.append({
                "field": key,
                "old": f"{_plain(before[0])} {before[1]}" if before else None,
                "new": f"{_plain(ln.quantity)} {ln.unit.code}",
            })
    for key, before in old.items():
        if key not in new:
            changes.append({"field": key, "old": f"{_plain(before[0])} {before[1]}",
                            "new": None})
    record.source = source if created or changes else record.source
    return RecordDraft(record, old, new, created, changes, version)


def consumption_records_write(*, drafts: Sequence[RecordDraft], actor: Any) -> None:
    """Store checked records in bulk, inside the caller's transaction (which holds their
    enterprises' locks): new records and lines in INSERTs, changed records and lines in
    UPDATEs (one per table), removed lines in one DELETE, every audit record at once. A record
    someone else added meanwhile: ConflictError."""
    drafts = [d for d in drafts if d.created or d.changes]
    for draft in drafts:
        draft.record.version += 1
    try:
        with transaction.atomic():
            rows_insert(objs=[d.record for d in drafts if d.created])
    except IntegrityError:
        raise ConflictError(_("Someone else saved these figures meanwhile: reload the page "
                              "to see their version, then enter your changes again.")) from None
    rows_update(objs=[d.record for d in drafts if not d.created],
                fields=["version", "source", "note", "illustrative", "allocation"])
    # removed first: a line may move from "shared" to one product
    ConsumptionLine.objects.filter(pk__in=[
        before[2].pk for d in drafts for key, before in d.old.items() if key not in d.new
    ]).delete()
    added, changed = [], []
    for draft in drafts:
        for key, ln in draft.new.items():
            before = draft.old.get(key)
            if before is None:
                added.append(ConsumptionLine(record=draft.record, item=ln.item,
                                             quantity=ln.quantity, unit_id=ln.unit.pk,
                                             product=ln.product))
            elif before[0] != ln.quantity or before[1] != ln.unit.code:
                line = before[2]
                line.quantity, line.unit_id = ln.quantity, ln.unit.pk
                changed.append(line)
    rows_insert(objs=added)
    rows_update(objs=changed, fields=["quantity", "unit"])
    if drafts:
        signals.figures_changed_send(enterprise_ids={d.record.enterprise_id for d in drafts})
    rows_insert(objs=[
        audit_event(actor=actor, action="figures.create" if d.created else "figures.update",
                    target=d.record, scope=d.record.enterprise, changes=d.changes,
                    note=d.record.period_label) for d in drafts])


@transaction.atomic
def consumption_record_save(
    *,
    enterprise: Enterprise,
    year: int,
    period: str = FigurePeriod.YEAR,
    lines: Sequence[Any],
    actor: Any,
    source: str = FigureSource.ENTERED,
    expected_version: int | None = None,
    note: str | None = None,
    illustrative: bool | None = None,
    allocation: str | None = None,
    require_output: bool = False,
    table: UnitTable | None = None,
) -> ConsumptionRecord:
    """Set an enterprise's output and consumption for a year or half-year to exactly
    `lines` (item code, quantity, unit code, and for an input the product it was used for
    or ""). `allocation` is how inputs naming no product are shared (None: keep or choose,
    see `allocation_resolve`). Refuses, with the reason: an unknown item or unit, a unit
    of the wrong kind, a negative quantity, an item twice (for one product), an input for
    a product the record does not report, zero output with non-zero consumption, a rule
    that cannot apply, and a stale `expected_version` (ConflictError)."""
    # the stored enterprise, locked: its reporting unit decides who may write, and two
    # saves of one enterprise's figures run one after the other
    enterprise = Enterprise.objects.select_for_update().select_related("sector").get(
        pk=enterprise.pk)
    if actor is not None:
        permissions.require_edit_figures(actor, enterprise)
    record = (ConsumptionRecord.objects.select_for_update()
              .filter(enterprise=enterprise, year=year, period=period).first())
    draft = consumption_record_check(
        enterprise=enterprise, year=year, period=period, lines=lines, record=record,
        source=source, note=note, illustrative=illustrative, allocation=allocation,
        require_output=require_output, table=table or UnitTable())
    if expected_version is not None and draft.version != expected_version:
        raise ConflictError(
            _("Someone else saved these figures meanwhile: reload the page to see their "
              "version, then enter your changes again."), current=record)
    consumption_records_write(drafts=[draft], actor=actor)
    return draft.record


@transaction.atomic
def consumption_record_delete(*, record: ConsumptionRecord, actor: Any) -> None:
    """Remove a record entered in error (coordinators only)."""
    if actor is not None:
        permissions.require_edit(actor)
    enterprise = record.enterprise
    lines = [f"{_line_key(ln.item.code, ln.product.code if ln.product else None)}: "
             f"{_plain(ln.quantity)} {ln.unit.code}"
             for ln in record.lines.select_related("item", "unit", "product")]
    audit_record(actor=actor, action="figures.delete", target=record, scope=enterprise,
                 changes=[{"field": "lines", "old": lines, "new": None}],
                 note=record.period_label)
    record.delete()


# ------------------------------------------------------------------ reporting units


@dataclass(frozen=True)
class Designation:
    unit: OrgUnit
    user: Any
    password: str | None  # shown once when generated here


@transaction.atomic
def enterprise_designate(*, enterprise: Enterprise, actor: Any, email: str = "",
                         password: str | None = None, since: dt.date | None = None
                         ) -> Designation:
    """Make an enterprise a reporting unit: an organisation unit of kind `enterprise`
    (code `dn-<tax code>`), linked from the enterprise, and its reporter user of the same
    name. Designating again keeps the unit and refreshes the user."""
    from accounts.models import Role, User
    from accounts.services import user_upsert

    if actor is not None:
        permissions.require_edit(actor)
    given, enterprise = enterprise, Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    today = timezone.localdate()
    if enterprise.valid_to and enterprise.valid_to <= today:
        raise ValidationError({"enterprise": [_("%(name)s has closed.") % {
            "name": enterprise.name}]})
    code = f"dn-{enterprise.tax_code}".lower()
    unit = enterprise.reporting_unit
    created = unit is None
    if unit is None:
        if OrgUnit.objects.filter(code=code).exists():
            raise ValidationError({"enterprise": [_(
                "An organisation unit with code %(code)s exists already.") % {"code": code}]})
        province = OrgUnit.objects.filter(kind=OrgUnitKind.PROVINCE).order_by("pk").first()
        unit = OrgUnit.objects.create(
            code=code, name=enterprise.name, short_name=enterprise.name[:60],
            kind=OrgUnitKind.ENTERPRISE, parent=province,
            valid_from=since or today, valid_to=enterprise.valid_to,
            source=_("Designated a reporting unit in the enterprise registry."),
        )
        enterprise.reporting_unit = given.reporting_unit = unit
        enterprise.save(update_fields=["reporting_unit", "updated_at"])
        audit_record(actor=actor, action="orgunit.create", target=unit,
                     changes=[{"field": "kind", "old": None, "new": unit.kind}])
    existing = User.objects.filter(username=unit.code).first()
    if existing is not None and existing.org_unit_id not in (None, unit.pk):
        raise ValidationError({"username": [_(
            "The user name %(name)s is taken by another unit's user.") % {"name": unit.code}]})
    generated = None
    if password is None and (existing is None or not existing.has_usable_password()):
        password = generated = secrets.token_urlsafe(9)
    user, _created = user_upsert(
        username=unit.code, role=Role.REPORTER, actor=actor, org_unit=unit,
        email=email or (existing.email if existing else ""), full_name=enterprise.name,
        password=password,
    )
    if created:
        audit_record(actor=actor, action="enterprise.designate", target=enterprise,
                     changes=[{"field": "reporting_unit", "old": None, "new": unit.code}])
    return Designation(unit=unit, user=user, password=generated)


# ------------------------------------------------------------------ the unit table


@dataclass
class UnitsLoadReport(ChangeLog):
    """What a unit-table load did."""

    path: str = ""

    def summary(self) -> str:
        return (f"{self.path}: {len(self.created)} created, {len(self.updated)} updated, "
                f"{self.unchanged} unchanged")


@transaction.atomic
def units_load(*, path: Path | str, actor: Any) -> UnitsLoadReport:
    """Load (or update in place) the unit table file; idempotent. The file is checked whole
    first (`common.datafile.DataFileError`), so a faulty file stores nothing. Units and
    items taken out of the file stay (figures may use them)."""
    spec = units_file_read(path)
    report = UnitsLoadReport(path=str(path))
    kinds = {}
    for k in spec.kinds:
        kinds[k["code"]] = report.upsert(MeasureKind, "kind", k['code'], {"code": k["code"]},
                                   {"name": k["name"], "name_en": k["name_en"],
                                    "base_unit": k["base_unit"], "order": k["order"]})
    units = {}
    for u in spec.units:
        units[u["code"]] = report.upsert(
            MeasureUnit, "unit", u["code"], {"code": u["code"]},
            {"symbol": u["symbol"], "name": u["name"], "name_en": u["name_en"],
             "kind_id": kinds[u["kind"]].pk, "factor": u["factor"], "source": u["source"],
             "order": u["order"]})
    for it in spec.items:
        item = report.upsert(Item, "item", it['code'], {"code": it["code"]},
                       {"name": it["name"], "name_en": it["name_en"], "role": it["role"],
                        "default_unit_id": units[it["default_unit"]].pk, "order": it["order"],
                        "sectors": it["sectors"]})
        wanted = {kinds[k].pk for k in it["kinds"]}
        if set(item.kinds.values_list("pk", flat=True)) != wanted:
            item.kinds.set(wanted)
            report.record("item", it["code"], "updated",
                          note=f"kinds → {', '.join(it['kinds'])}")
        keep = []
        for f in it["toe"]:
            factor = report.upsert(FuelFactor, "toe factor", f"{it['code']} per {f['per']}",
                             {"item": item, "unit": units[f["per"]]},
                             {"toe": f["value"], "source": f["source"], "note": f["note"]})
            keep.append(factor.pk)
        stale = FuelFactor.objects.filter(item=item).exclude(pk__in=keep)
        for factor in stale.select_related("unit"):
            report.record("toe factor", f"{it['code']} per {factor.unit.code}", "deleted")
        stale.delete()
    if report.changed:
        # the unit table has no single object; the audit record hangs on the toe unit
        audit_record(actor=actor, action="units.load", target=units["toe"], note=str(path),
                     changes=[{"field": "load", "old": None, "new": line}
                              for line in report.lines()[:500]])
    return report
