"""List filters (django-filter): search, kind, place on the day shown, open/closed on that
day, sector, and sort order. The day is the list's "as of" date (default today)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.text import search_terms
from plans.models import Sector
from registry.forms import DATE_ATTRS, PlaceField
from registry.models import AwarenessActivity
from registry.selectors import active_q, place_filter_pairs
from registry.specs import YEAR_MAX, YEAR_MIN, RegistrySpec

STATUS_CHOICES = [
    ("open", _("Open on the day")),
    ("closed", _("Closed by the day")),
    ("all", _("All, open or closed")),
]


class PlaceFilter(django_filters.Filter):
    """A place typed in a search field (see registry.forms.PlaceField), not picked from a
    list of every commune."""

    field_class = PlaceField


class EntryFilter(django_filters.FilterSet):
    """Base filter set; `entry_filter_class(spec)` adds the registry's own fields."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    on = django_filters.DateFilter(
        label=_("As of"), method="filter_nothing",
        widget=forms.DateInput(attrs=DATE_ATTRS, format="%d/%m/%Y"))
    status = django_filters.ChoiceFilter(label=_("Status"), choices=STATUS_CHOICES,
                                         method="filter_nothing", empty_label=None)
    place = PlaceFilter(label=_("Place on the day"), method="filter_nothing")

    spec: RegistrySpec

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else {}
        if not data.get("status"):
            data["status"] = "open"
        super().__init__(data, *args, **kwargs)
        for name, flt in self.filters.items():
            if isinstance(flt, django_filters.ModelChoiceFilter) and name == "sector":
                from plans.selectors import plan_current

                flt.queryset = Sector.objects.filter(plan=plan_current())

    @property
    def day(self) -> dt.date:
        cleaned = getattr(self.form, "cleaned_data", None) or {}
        return cleaned.get("on") or timezone.localdate()

    def filter_nothing(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset  # applied together in filter_queryset, which knows the day

    def filter_reporting(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(reporting_unit__isnull=value != "yes")

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # every word, case and diacritics ignored ("cai lan" finds "Cái Lân"), in the
        # entry's stored folded text (its model's search_fields)
        for term in search_terms(value):
            queryset = queryset.filter(search_text__contains=term)
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter_queryset(queryset)
        day, data = self.day, self.form.cleaned_data
        status = data.get("status") or "open"
        if status == "open":
            queryset = queryset.filter(active_q(day))
        elif status == "closed":
            queryset = queryset.filter(valid_to__lte=day)
        unit = data.get("place")
        if unit is not None:
            queryset = queryset.filter(place_filter_pairs(queryset=queryset, unit=unit, day=day))
        return queryset


# names in the order of the Vietnamese alphabet (their stored sort keys)
ORDERING = [("name_sort", "name"), ("valid_from", "opened"), ("place__name_sort", "place")]


def entry_filter_class(spec: RegistrySpec) -> type[EntryFilter]:
    """The filter set of one registry, derived from its declaration: a kind filter for a
    registry with kinds, a sector filter for a column of sectors, a reporting-unit filter
    for a model that can be one, the sort orders the declaration adds. Page and API use it
    alike."""
    attrs: dict[str, Any] = {"spec": spec}
    fields = list(ORDERING)
    labels: dict[str, Any] = {"name": _("Name"), "opened": _("Opening day"),
                              "place": _("Place")}
    if spec.kind_choices is not None:
        attrs["kind"] = django_filters.ChoiceFilter(label=_("Kind"),
                                                    choices=spec.kind_choices.choices)
        fields.append(("kind", "kind"))
        labels["kind"] = _("Kind")
    for column in spec.columns:
        if column.type == "sector":
            attrs[column.key] = django_filters.ModelChoiceFilter(
                label=column.label, queryset=Sector.objects.none())
    if any(f.name == "reporting_unit" for f in spec.model._meta.get_fields()):
        attrs["reporting"] = django_filters.ChoiceFilter(
            label=_("Reporting unit"), method="filter_reporting",
            choices=[("yes", _("Reporting units only")), ("no", _("Not reporting units"))])
    for field, name, label in spec.sort_extra:
        fields.append((field, name))
        labels[name] = label
    attrs["sort"] = django_filters.OrderingFilter(
        label=_("Sort by"), fields=fields, field_labels=labels)
    meta = type("Meta", (), {"model": spec.model, "fields": []})
    attrs["Meta"] = meta
    return type(f"{spec.model.__name__}Filter", (EntryFilter,), attrs)


class ActivityFilter(django_filters.FilterSet):
    """Awareness activities by year and words of the title or the organiser's name; the
    page and the API use it alike."""

    year = django_filters.NumberFilter(
        label=_("Year"), field_name="date", lookup_expr="year",
        min_value=YEAR_MIN, max_value=YEAR_MAX)
    q = django_filters.CharFilter(label=_("Search"), method="filter_search")

    class Meta:
        model = AwarenessActivity
        fields: list[str] = []

    def filter_search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(title__icontains=text) | Q(organiser__name__icontains=text))
