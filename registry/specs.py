"""The registries described as data, one declaration each: its model, its columns and how
a raw value of each column (text, a number, a date, an org-unit code...) becomes a model
value. Everything else is derived from it: the entry form (`registry.forms.entry_form_class`),
the fields the service accepts, the list's filter set (`registry.filters`), the API's
request and response schemas (`registry.api`) and the Excel columns (`registry.excel`).
Adding a column to a registry is adding it here (and to the model).

Values are read through `common.parsing`, as every other input of the system is: a column
parser raises ValueError (`ParseError`) with a message in the user's language; the
importer and the API report it against the column."""

from __future__ import annotations

import builtins
import functools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common.exceptions import STATE
from common.parsing import (
    MAX_TEXT,
    ParseError,
    bool_parse,
    date_parse,
    is_blank,
    number_parse,
    text_clean,
)
from orgunits.models import LOCAL_KINDS, OrgUnit
from plans.models import Sector
from registry.checks import TAX_CODE_FORMAT
from registry.models import (
    Area,
    AreaKind,
    Enterprise,
    PracticeBasis,
    Retailer,
    RetailerKind,
    ScpModel,
    ScpModelKind,
    StEnterprise,
)


@dataclass(frozen=True)
class Column:
    """One field as it appears in a form, a spreadsheet and the API."""

    key: str
    label: Promise | str
    type: str = "text"  # text slug date decimal int bool choice orgunit local sector area
    #                     retailer enterprise areas year
    required: bool = False
    choices: builtins.type[models.TextChoices] | None = None
    max_length: int | None = None
    multiline: bool = False  # text kept with its line breaks (a text area on forms)
    minimum: int | None = None  # numbers: the least value allowed
    help: Promise | str | None = None
    format: str | None = None  # text: a format of the API schema ("tax-code")
    after: tuple[str, ...] = ()  # dates: the columns, when given, it must come after

    @property
    def field(self) -> str:
        """The model field (or service argument) this column fills."""
        return self.key


@dataclass
class Lookups:
    """Reference data a parser needs, read once per import or request."""

    units_by_code: dict[str, OrgUnit] = field(default_factory=dict)
    units_by_name: dict[str, list[OrgUnit]] = field(default_factory=dict)
    sectors: dict[str, Sector] = field(default_factory=dict)
    _areas: dict[str, Area] | None = None
    _retailers: dict[str, Retailer] | None = None
    _enterprises: dict[str, Enterprise] | None = None

    @classmethod
    def load(cls) -> Lookups:
        from plans.selectors import plan_current

        units = list(OrgUnit.objects.all())
        by_name: dict[str, list[OrgUnit]] = {}
        for u in units:
            for name in {u.name.casefold(), u.short_name.casefold()} - {""}:
                by_name.setdefault(name, []).append(u)
        plan = plan_current()
        sectors = {s.code: s for s in Sector.objects.filter(plan=plan)} if plan else {}
        return cls({u.code: u for u in units}, by_name, sectors)

    @property
    def areas(self) -> dict[str, Area]:
        if self._areas is None:
            self._areas = {a.code: a for a in Area.objects.all()}
        return self._areas

    @property
    def retailers(self) -> dict[str, Retailer]:
        if self._retailers is None:
            self._retailers = {r.code: r for r in Retailer.objects.all()}
        return self._retailers

    @property
    def enterprises(self) -> dict[str, Enterprise]:
        if self._enterprises is None:
            self._enterprises = {e.tax_code: e for e in Enterprise.objects.all()}
        return self._enterprises

    def forget(self) -> None:
        """Drop cached registry rows (after an import row saved new ones)."""
        self._areas = self._retailers = self._enterprises = None


def parse_choice(raw: Any, choices: type[models.TextChoices]) -> str:
    """A choice by its value or its label in the current language, else in English or
    Vietnamese (case aside)."""
    text = text_clean(raw, max_length=None)
    value = _choice_names(choices, translation.get_language()).get(text.casefold())
    if value is not None:
        return value
    allowed = ", ".join(v for v, _label in choices.choices)
    raise ParseError(_("\"%(value)s\" is not one of: %(allowed)s.") % {
        "value": text, "allowed": allowed})


@functools.cache
def _choice_names(choices: type[models.TextChoices], language: str | None
                  ) -> dict[str, str]:
    """Every name of each choice, casefolded, to its value: the current language's first
    (values and labels), then the English and Vietnamese labels; read once per process."""
    names: dict[str, str] = {}
    for lang in (language, "en", "vi"):
        with translation.override(lang):
            for value, label in choices.choices:
                if lang == language:
                    names.setdefault(value.casefold(), value)
                names.setdefault(str(label).casefold(), value)
    return names


def parse_orgunit(raw: Any, lookups: Lookups, *, local: bool) -> OrgUnit:
    text = text_clean(raw, max_length=None)
    unit = lookups.units_by_code.get(text)
    if unit is None:
        named = lookups.units_by_name.get(text.casefold(), [])
        if len(named) == 1:
            unit = named[0]
        elif len(named) > 1:
            raise ParseError(_("Several units are called \"%(value)s\": give the code.")
                             % {"value": text}, code=STATE)
    if unit is None:
        raise ParseError(_("Unknown organisation unit \"%(value)s\".") % {"value": text},
                         code=STATE)
    if local and unit.kind not in LOCAL_KINDS:
        raise ParseError(_("%(unit)s is not a district or commune-level unit.") % {
            "unit": unit.name}, code=STATE)
    return unit


def parse_value(column: Column, raw: Any, lookups: Lookups) -> Any:
    """The model value of `raw` for `column`; None (or "", False, []) for a blank optional
    cell. Raises ParseError (a ValueError) in the user's words."""
    if is_blank(raw):
        if column.required:
            raise ParseError(_("This field is required."))
        if column.type in {"text", "choice", "slug"}:
            return ""
        if column.type == "bool":
            return False
        if column.type == "areas":
            return []
        return None
    kind = column.type
    if kind == "text":
        return text_clean(raw, max_length=column.max_length or MAX_TEXT,
                          multiline=column.multiline)
    if kind == "slug":
        text = text_clean(raw, max_length=None)
        if not re.fullmatch(r"[-a-zA-Z0-9_]+", text) or len(text) > 60:
            raise ParseError(_("A code uses letters without accents, digits and dashes "
                               "(at most 60)."))
        return text
    if kind == "date":
        return date_parse(raw)
    if kind == "decimal":
        return number_parse(raw, places=4, minimum=column.minimum)
    if kind == "int":
        number = number_parse(raw, whole=True, minimum=0)
        return None if number is None else int(number)
    if kind == "year":
        number = number_parse(raw, whole=True, minimum=YEAR_MIN, maximum=YEAR_MAX)
        return None if number is None else int(number)
    if kind == "bool":
        return bool(bool_parse(raw))
    if kind == "choice":
        assert column.choices is not None
        return parse_choice(raw, column.choices)
    if kind in {"orgunit", "local"}:
        return parse_orgunit(raw, lookups, local=kind == "local")
    raw = raw if isinstance(raw, list) else text_clean(raw, max_length=None, multiline=True)
    if kind == "sector":
        text = raw
        sector = lookups.sectors.get(text) or next(
            (s for s in lookups.sectors.values()
             if text.casefold() in {s.name.casefold(), s.name_en.casefold()}), None)
        if sector is None:
            raise ParseError(_("Unknown sector \"%(value)s\" (sectors: %(codes)s).") % {
                "value": text, "codes": ", ".join(lookups.sectors)}, code=STATE)
        return sector
    if kind == "area":
        area = lookups.areas.get(str(raw).strip())
        if area is None:
            raise ParseError(_("No zone, park, cluster or village with code \"%(value)s\".")
                             % {"value": raw}, code=STATE)
        return area
    if kind == "areas":
        parts = raw if isinstance(raw, list) else re.split(r"[;,\n]", raw)
        codes = [text_clean(c, max_length=None) for c in parts]
        codes = [c for c in codes if c]
        missing = [c for c in codes if c not in lookups.areas]
        if missing:
            raise ParseError(_("Unknown zone, park, cluster or village codes: %(codes)s.")
                             % {"codes": ", ".join(missing)}, code=STATE)
        return [lookups.areas[c] for c in codes]
    if kind == "retailer":
        retailer = lookups.retailers.get(str(raw).strip())
        if retailer is None:
            raise ParseError(_("No retailer with code \"%(value)s\".") % {"value": raw},
                             code=STATE)
        return retailer
    if kind == "enterprise":
        from registry.checks import tax_code_normalise

        enterprise = lookups.enterprises.get(tax_code_normalise(str(raw)))
        if enterprise is None:
            raise ParseError(_("No enterprise with tax code \"%(value)s\" in the registry.")
                             % {"value": raw}, code=STATE)
        return enterprise
    raise ValueError(f"unknown column type {kind}")  # pragma: no cover


YEAR_MIN, YEAR_MAX = 1990, 2100


def format_value(column: Column, value: Any) -> Any:
    """A model value as it goes into a spreadsheet cell (re-importable)."""
    if value is None:
        return None
    # names and labels, not codes: the importer reads them back (parse_value)
    if column.type in {"orgunit", "local", "sector"}:
        return value.name
    if column.type == "choice" and column.choices is not None:
        return str(column.choices(value).label) if value else None
    if column.type in {"area", "retailer"}:
        return value.code
    if column.type == "enterprise":
        return value.tax_code
    if column.type == "areas":
        return "; ".join(a.code for a in value)
    if column.type == "bool":
        return _("yes") if value else _("no")
    if column.type == "decimal":
        return float(value) if isinstance(value, Decimal) else value
    return value


# -------------------------------------------------------------------- the registries

_PLACE = [
    Column("place", gettext_lazy("Place (as recorded)"), "local", required=True,
           help=gettext_lazy("District before 1 July 2025, commune-level unit after.")),
    Column("later_place", gettext_lazy("Place after a split"), "local",
           help=gettext_lazy("Only when the recorded place was later split.")),
    Column("address", gettext_lazy("Address"), max_length=255),
]
_VALIDITY = [
    Column("valid_from", gettext_lazy("Opened on"), "date", required=True),
    Column("valid_to", gettext_lazy("Closed on"), "date", after=("valid_from",)),
    Column("illustrative", gettext_lazy("Illustrative"), "bool"),
    Column("source", gettext_lazy("Source"), multiline=True),
    Column("note", gettext_lazy("Note"), multiline=True),
]


@dataclass(frozen=True)
class RegistrySpec:
    """One registry: its URL slug, model, titles, key column, columns, the name of its
    audit actions, what the list searches and what else it sorts by."""

    slug: str
    model: type[models.Model]
    title: Promise
    title_one: Promise
    sheet: str
    key: str
    columns: list[Column]
    action: str
    kind_choices: type[models.TextChoices] | None = None
    sort_extra: tuple[tuple[str, str, Promise], ...] = ()  # (field, name, label)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields the registry's service accepts: its columns."""
        return tuple(c.key for c in self.columns)


REGISTRIES: dict[str, RegistrySpec] = {
    "areas": RegistrySpec(
        slug="areas", model=Area, sheet="areas", key="code", action="area",
        title=gettext_lazy("Zones, parks, clusters and villages"),
        title_one=gettext_lazy("Zone, park, cluster or village"),
        kind_choices=AreaKind,
        columns=[
            Column("code", gettext_lazy("Code"), "slug"),
            Column("kind", gettext_lazy("Kind"), "choice", required=True, choices=AreaKind),
            Column("name", gettext_lazy("Name"), required=True, max_length=255),
            *_PLACE,
            Column("zone", gettext_lazy("In economic zone"), "area"),
            Column("area_ha", gettext_lazy("Area (ha)"), "decimal", minimum=0),
            Column("activity", gettext_lazy("Main activity or craft"), max_length=255),
            *_VALIDITY,
        ],
    ),
    "retailers": RegistrySpec(
        slug="retailers", model=Retailer, sheet="retailers", key="code", action="retailer",
        title=gettext_lazy("Supermarkets, centres, stores and markets"),
        title_one=gettext_lazy("Retailer"),
        kind_choices=RetailerKind,
        columns=[
            Column("code", gettext_lazy("Code"), "slug"),
            Column("kind", gettext_lazy("Kind"), "choice", required=True, choices=RetailerKind),
            Column("name", gettext_lazy("Name"), required=True, max_length=255),
            Column("operator", gettext_lazy("Operator or chain"), max_length=255),
            *_PLACE,
            *_VALIDITY,
        ],
    ),
    "enterprises": RegistrySpec(
        slug="enterprises", model=Enterprise, sheet="enterprises", key="tax_code",
        action="enterprise",
        title=gettext_lazy("Enterprises in the plan's sectors"),
        title_one=gettext_lazy("Enterprise"),
        sort_extra=(("tax_code", "tax_code", gettext_lazy("Tax code")),),
        columns=[
            Column("tax_code", gettext_lazy("Tax code"), required=True, max_length=14,
                   format=TAX_CODE_FORMAT,
                   help=gettext_lazy("10 digits, or 10 digits, a dash and the 3-digit "
                                     "branch number.")),
            Column("name", gettext_lazy("Name"), required=True, max_length=255),
            Column("sector", gettext_lazy("Sector"), "sector", required=True),
            *_PLACE,
            *_VALIDITY,
        ],
    ),
    "models": RegistrySpec(
        slug="models", model=ScpModel, sheet="models", key="code", action="scp_model",
        title=gettext_lazy("SCP and cleaner-production models"),
        title_one=gettext_lazy("SCP or cleaner-production model"),
        kind_choices=ScpModelKind,
        columns=[
            Column("code", gettext_lazy("Code"), "slug"),
            Column("kind", gettext_lazy("Kind"), "choice", required=True, choices=ScpModelKind),
            Column("name", gettext_lazy("Name"), required=True, max_length=255),
            Column("description", gettext_lazy("What it is"), multiline=True),
            Column("enterprise", gettext_lazy("Enterprise running it (tax code)"), "enterprise"),
            Column("operator", gettext_lazy("Who runs it"), max_length=255),
            *_PLACE,
            *_VALIDITY,
        ],
    ),
    "st-enterprises": RegistrySpec(
        slug="st-enterprises", model=StEnterprise, sheet="st_enterprises", key="code",
        action="st_enterprise",
        title=gettext_lazy("Science and technology enterprises"),
        title_one=gettext_lazy("Science and technology enterprise"),
        sort_extra=(("certificate_date", "certificate_date",
                     gettext_lazy("Certificate date")),),
        columns=[
            Column("code", gettext_lazy("Code"), "slug"),
            Column("name", gettext_lazy("Name"), required=True, max_length=255),
            Column("tax_code", gettext_lazy("Tax code"), max_length=14,
                   format=TAX_CODE_FORMAT),
            Column("certificate_number", gettext_lazy("Certificate number"), required=True,
                   max_length=60),
            Column("certificate_date", gettext_lazy("Certificate date"), "date", required=True),
            Column("issuer", gettext_lazy("Issued by"), max_length=255),
            Column("field", gettext_lazy("Field of science and technology"), max_length=255),
            *_PLACE,
            Column("valid_from", gettext_lazy("Opened on"), "date",
                   help=gettext_lazy("Empty: the certificate date.")),
            # closed after it opened, which is the certificate date when not given
            Column("valid_to", gettext_lazy("Closed on"), "date",
                   after=("valid_from", "certificate_date")),
            *_VALIDITY[2:],
        ],
    ),
}

ACTIVITY_COLUMNS = [
    Column("date", gettext_lazy("Date"), "date", required=True),
    Column("organiser", gettext_lazy("Organiser"), "orgunit", required=True),
    Column("title", gettext_lazy("Title"), required=True, max_length=255),
    Column("description", gettext_lazy("What was done"), multiline=True),
    Column("participants", gettext_lazy("Participants"), "int"),
    Column("areas", gettext_lazy("Reached (codes, separated by ;)"), "areas"),
    Column("evidence", gettext_lazy("Evidence"), max_length=255),
    Column("illustrative", gettext_lazy("Illustrative"), "bool"),
]

PACKAGING_COLUMNS = [
    Column("retailer", gettext_lazy("Retailer (code)"), "retailer", required=True),
    Column("since", gettext_lazy("Since"), "date", required=True),
    Column("until", gettext_lazy("Until"), "date", after=("since",)),
    Column("basis", gettext_lazy("Basis"), "choice", required=True, choices=PracticeBasis),
    Column("evidence", gettext_lazy("Evidence"), multiline=True),
    Column("evidence_ref", gettext_lazy("Evidence file or document"), max_length=255),
    Column("illustrative", gettext_lazy("Illustrative"), "bool"),
]

FIGURE_COLUMNS = [
    Column("tax_code", gettext_lazy("Tax code"), "enterprise", required=True),
    Column("year", gettext_lazy("Year"), "year", required=True),
    Column("period", gettext_lazy("Period (year, first half, second half)"), "text"),
    Column("item", gettext_lazy("Product, material or fuel"), "text", required=True),
    Column("quantity", gettext_lazy("Quantity"), "decimal", required=True),
    Column("unit", gettext_lazy("Unit"), "text", required=True),
    Column("product", gettext_lazy("Used for product"), "text",
           help=gettext_lazy("for a material or fuel used for one product, that product's "
                             "name or code; empty: shared by the record's allocation rule")),
]
