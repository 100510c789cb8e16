"""The audit trail as people read it: the catalogue of action names with their labels, and
each recorded change as (field label, old value, new value) in the user's language: a unit's
name instead of its code, dd/mm/yyyy, "Có"/"Không", a choice's label."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext, pgettext_lazy

# every action a service records (common.services.audit_record), with its label
ACTION_LABELS: dict[str, Any] = {
    "area.create": pgettext_lazy("audit action", "Zone, park, cluster or village added"),
    "area.update": pgettext_lazy("audit action", "Zone, park, cluster or village changed"),
    "retailer.create": pgettext_lazy("audit action", "Retailer added"),
    "retailer.update": pgettext_lazy("audit action", "Retailer changed"),
    "enterprise.create": pgettext_lazy("audit action", "Enterprise added"),
    "enterprise.update": pgettext_lazy("audit action", "Enterprise changed"),
    "enterprise.designate": pgettext_lazy("audit action", "Designated a reporting unit"),
    "scp_model.create": pgettext_lazy("audit action", "Model added"),
    "scp_model.update": pgettext_lazy("audit action", "Model changed"),
    "st_enterprise.create": pgettext_lazy("audit action",
                                          "Science and technology enterprise added"),
    "st_enterprise.update": pgettext_lazy("audit action",
                                          "Science and technology enterprise changed"),
    "activity.create": pgettext_lazy("audit action", "Activity added"),
    "activity.update": pgettext_lazy("audit action", "Activity changed"),
    "packaging.create": pgettext_lazy("audit action", "Packaging practice added"),
    "packaging.update": pgettext_lazy("audit action", "Packaging practice changed"),
    "figures.create": pgettext_lazy("audit action", "Figures entered"),
    "figures.update": pgettext_lazy("audit action", "Figures changed"),
    "figures.delete": pgettext_lazy("audit action", "Figures removed"),
    "units.load": pgettext_lazy("audit action", "Unit table loaded"),
    "orgunit.create": pgettext_lazy("audit action", "Organisation unit added"),
    "orgunit.created": pgettext_lazy("audit action", "Organisation unit added"),
    "orgunit.updated": pgettext_lazy("audit action", "Organisation unit changed"),
    "succession.created": pgettext_lazy("audit action", "Succession added"),
    "succession.updated": pgettext_lazy("audit action", "Succession changed"),
    "plan.load": pgettext_lazy("audit action", "Plan loaded"),
    "period.open": pgettext_lazy("audit action", "Period opened"),
    "period.units_add": pgettext_lazy("audit action", "Units added to the period"),
    "report.open": pgettext_lazy("audit action", "Request opened"),
    "report.save": pgettext_lazy("audit action", "Saved"),
    "report.submit": pgettext_lazy("audit action", "Submitted"),
    "report.resubmit": pgettext_lazy("audit action", "Resubmitted"),
    "report.return": pgettext_lazy("audit action", "Returned"),
    "report.accept": pgettext_lazy("audit action", "Accepted"),
    "report.reopen": pgettext_lazy("audit action", "Reopened"),
    "report.conflict": pgettext_lazy("audit action", "Save refused: edit conflict"),
    "report.conflict_resolve": pgettext_lazy("audit action", "Edit conflict resolved"),
    "report.document": pgettext_lazy("audit action", "Official document details changed"),
    "progress.assess": pgettext_lazy("audit action", "Target assessed"),
    "login.unlock": pgettext_lazy("audit action", "Sign-in unlocked"),
    "token.create": pgettext_lazy("audit action", "API access token created"),
    "token.revoke": pgettext_lazy("audit action", "API access token revoked"),
    "user.create": pgettext_lazy("audit action", "User added"),
    "user.update": pgettext_lazy("audit action", "User changed"),
    "job.enqueue": pgettext_lazy("audit action", "Background job queued"),
    "job.start": pgettext_lazy("audit action", "Background job started"),
    "job.finish": pgettext_lazy("audit action", "Background job finished"),
    "job.fail": pgettext_lazy("audit action", "Background job failed"),
}


def action_label(action: str) -> str:
    """The label of a recorded action; a general one (never the code) for an unknown one."""
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else pgettext("audit action", "Change")


def value_shown(value: Any) -> str | None:
    """A stored audit value as text for people: booleans as Có/Không, ISO dates as
    dd/mm/yyyy, numbers with the decimal comma; None stays None (shown as —)."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return "; ".join(v for v in (value_shown(x) for x in value) if v)
    text = str(value)
    try:
        return date_format(dt.date.fromisoformat(text), "SHORT_DATE_FORMAT")
    except ValueError:
        pass
    if isinstance(value, int | float | Decimal) or _numeric(text):
        try:
            return number_format(Decimal(text), use_l10n=True, force_grouping=True)
        except InvalidOperation:
            return text
    return text


def _numeric(text: str) -> bool:
    return bool(text) and text.lstrip("-").replace(".", "", 1).isdigit()


class FieldDisplay:
    """How the changes to one model's fields read: the field's verbose name, a choice's
    label, a related row's name instead of its code (looked up once for all events)."""

    def __init__(self, model: type[models.Model], events: Iterable[Any]) -> None:
        self.model = model
        self.fields = {f.name: f for f in model._meta.get_fields() if hasattr(f, "verbose_name")}
        wanted: dict[str, set[str]] = {}
        for event in events:
            for change in event.changes or []:
                field = self.fields.get(str(change.get("field", "")))
                if field is not None and field.is_relation:
                    for v in (change.get("old"), change.get("new")):
                        for item in v if isinstance(v, list) else [v]:
                            if item not in (None, ""):
                                wanted.setdefault(field.name, set()).add(str(item))
        self.names: dict[str, dict[str, str]] = {}
        for name, keys in wanted.items():
            related = self.fields[name].related_model
            if not isinstance(related, type):
                continue
            key = "code" if any(f.name == "code" for f in related._meta.fields) else "tax_code"
            self.names[name] = {str(getattr(obj, key)): str(obj) for obj in
                                related._default_manager.filter(**{f"{key}__in": keys})}

    def label(self, field: str) -> str | None:
        f = self.fields.get(field)
        return str(f.verbose_name).capitalize() if f is not None else None

    def shown(self, field: str, value: Any) -> str | None:
        f = self.fields.get(field)
        if f is None:
            return value_shown(value)
        if f.is_relation and field in self.names:
            names = self.names[field]
            items = value if isinstance(value, list) else [value]
            return value_shown([names.get(str(v), str(v)) for v in items if v not in (None, "")])
        choices = dict(getattr(f, "choices", None) or [])
        if choices and value in choices:
            return str(choices[value])
        return value_shown(value)


ChangeRenderer = Callable[[Any, dict[str, Any]], tuple[str, Any, Any] | None]


def history_rows(events: Iterable[Any], *, model: type[models.Model],
                 other: ChangeRenderer | None = None) -> list[Any]:
    """The events with `label` (the action's) and `rows` [(field, old, new)] set for a
    history table; fields are those of each event's target (`model` if it has none).
    `other(event, change)` renders changes that are not fields (e.g. an enterprise's
    figures), or returns None for the general rendering."""
    events = list(events)
    # each event's changes are fields of its own target (a retailer's history also holds
    # its packaging practices' changes)
    by_model: dict[type[models.Model], list[Any]] = {}
    for event in events:
        target = ContentType.objects.get_for_id(event.target_type_id).model_class()
        by_model.setdefault(target or model, []).append(event)
    displays = {m: FieldDisplay(m, evs) for m, evs in by_model.items()}
    for event in events:
        target = ContentType.objects.get_for_id(event.target_type_id).model_class()
        display = displays[target or model]
        rows = []
        for change in event.changes or []:
            field = str(change.get("field", ""))
            row = other(event, change) if other is not None else None
            if row is None:
                row = (display.label(field) or field.replace("_", " ").capitalize(),
                       display.shown(field, change.get("old")),
                       display.shown(field, change.get("new")))
            rows.append(row)
        event.label = action_label(event.action)
        event.rows = rows
    return events
