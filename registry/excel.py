"""Excel import and export of the registries, awareness activities, packaging practice and
enterprise figures.

An import is all-or-nothing: every row is checked by the same services that check a form
(each in a savepoint of one transaction), every problem is listed by sheet, row and column,
and if there is any, the transaction is rolled back and nothing is stored. An export has
the same columns, so an exported file can be edited and imported again."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.exceptions import ConflictError
from common.parsing import DATE_HELP, NUMBER_HELP, YES_NO_HELP, ParseError, text_clean
from common.xlsx import LIMITS, SheetIn, SheetOut, WorkbookRefused, xlsx_read, xlsx_write
from registry import permissions, selectors
from registry.checks import tax_code_normalise
from registry.models import (
    AwarenessActivity,
    Enterprise,
    FigurePeriod,
    FigureSource,
    PackagingPractice,
)
from registry.specs import (
    ACTIVITY_COLUMNS,
    FIGURE_COLUMNS,
    PACKAGING_COLUMNS,
    REGISTRIES,
    Column,
    Lookups,
    RegistrySpec,
    format_value,
    parse_value,
)

MAX_BYTES = LIMITS.packed_bytes
MAX_PROBLEMS = 300  # listed; the rest are counted


@dataclass(frozen=True)
class ImportProblem:
    sheet: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [_("sheet %(name)s") % {"name": self.sheet}]
        if self.row is not None:
            where.append(_("row %(n)d") % {"n": self.row})
        if self.column:
            where.append(_("column %(name)s") % {"name": self.column})
        return f"{', '.join(where)}: {self.message}"


class ImportRejected(ValidationError):
    """The file was refused; `problems` lists the first MAX_PROBLEMS reasons and `total`
    counts them all. Nothing was stored."""

    def __init__(self, problems: list[ImportProblem]) -> None:
        self.total = len(problems)
        self.problems = problems[:MAX_PROBLEMS]
        messages = [str(p) for p in self.problems]
        if self.total > len(self.problems):
            messages.append(self.more)
        super().__init__({"file": messages})

    @property
    def more(self) -> str:
        """The line saying how many problems are not listed ("" when none)."""
        hidden = self.total - len(self.problems)
        if not hidden:
            return ""
        return ngettext("… and %(n)d more problem.", "… and %(n)d more problems.",
                        hidden) % {"n": hidden}


@dataclass
class ImportResult:
    sheet: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0


# ------------------------------------------------------------------ reading


def _norm(text: Any) -> str:
    text = unicodedata.normalize("NFC", str(text or "")).strip().casefold()
    return re.sub(r"\s+", " ", text)


def _header_map(columns: list[Column]) -> dict[str, Column]:
    names: dict[str, Column] = {}
    for column in columns:
        names[_norm(column.key)] = column
        for lang in ("vi", "en"):
            with translation.override(lang):
                names[_norm(column.label)] = column
    return names


@dataclass
class Sheet:
    name: str
    columns: dict[int, Column]  # by 0-based column index
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row number, raw)

    def label(self, key: str) -> str:
        for column in self.columns.values():
            if column.key == key:
                return str(column.label)
        return key


def read_sheet(content: bytes, *, sheet: str, columns: list[Column]) -> Sheet:
    """The sheet named `sheet` (or the workbook's first sheet) as raw rows; raises
    ImportRejected for an unreadable file, one over the limits of `common.xlsx` (checked
    before it is parsed) or a bad header."""
    try:
        data, book = xlsx_read(content, sheet=sheet)
    except WorkbookRefused as exc:
        raise ImportRejected([ImportProblem(sheet, None, None, exc.message)]) from None
    try:
        return _sheet_rows(data, columns)
    except ImportRejected:
        raise
    except Exception:  # a malformed cell openpyxl cannot read
        raise ImportRejected([ImportProblem(data.title, None, None, _(
            "This is not an Excel workbook (.xlsx): a part of it cannot be read."))]) from None
    finally:
        book.close()


def _sheet_rows(data: SheetIn, columns: list[Column]) -> Sheet:
    name = data.title
    header = next(data.rows, None)
    problems: list[ImportProblem] = []
    known = _header_map(columns)
    mapping: dict[int, Column] = {}
    for index, cell in enumerate(header or []):
        if cell is None or not str(cell).strip():
            continue
        column = known.get(_norm(cell))
        if column is None:
            problems.append(ImportProblem(name, 1, str(cell)[:100], _("Unknown column.")))
        elif column in mapping.values():
            problems.append(ImportProblem(name, 1, str(cell)[:100], _("Column given twice.")))
        else:
            mapping[index] = column
    for column in columns:
        if column.required and column not in mapping.values():
            problems.append(ImportProblem(name, 1, str(column.label), _(
                "Required column missing.")))
    result = Sheet(name, mapping)
    if problems:
        raise ImportRejected(problems)
    for number, values in enumerate(data.rows, start=2):
        if values is None or all(v is None or (isinstance(v, str) and not v.strip())
                                 for v in values):
            continue
        raw = {c.key: values[i] if i < len(values) else None for i, c in mapping.items()}
        result.rows.append((number, raw))
    return result


def _parse_row(sheet: Sheet, number: int, raw: dict[str, Any], columns: list[Column],
               lookups: Lookups, problems: list[ImportProblem]
               ) -> tuple[dict[str, Any], set[str]]:
    """The row's values read by column, and the columns that could not be read (each
    listed in `problems`)."""
    data: dict[str, Any] = {}
    failed: set[str] = set()
    for column in columns:
        if column.key not in raw:
            continue
        try:
            data[column.key] = parse_value(column, raw[column.key], lookups)
        except ValueError as exc:
            problems.append(ImportProblem(sheet.name, number, str(column.label),
                                          capfirst(str(exc))))
            failed.add(column.key)
    return data, failed


def _report(sheet: Sheet, number: int, exc: ValidationError, problems: list[ImportProblem],
            labels: dict[str, str] | None = None, skip: set[str] = frozenset()  # type: ignore[assignment]
            ) -> None:
    labels = labels or {}
    if hasattr(exc, "error_dict"):
        for key, messages in exc.message_dict.items():
            if key in skip:  # a cell already reported as unreadable
                continue
            column = None if key == "__all__" else labels.get(key) or sheet.label(key)
            for message in messages:
                problems.append(ImportProblem(sheet.name, number, column, message))
    else:
        for message in exc.messages:
            problems.append(ImportProblem(sheet.name, number, None, message))


def _run(sheet: Sheet, columns: list[Column], lookups: Lookups,
         save_row: Callable[[dict[str, Any]], str]) -> ImportResult:
    """Check and save every row in one transaction; any problem rolls all of it back."""
    problems: list[ImportProblem] = []
    result = ImportResult(sheet=sheet.name, rows=len(sheet.rows))
    with transaction.atomic():
        for number, raw in sheet.rows:
            data, failed = _parse_row(sheet, number, raw, columns, lookups, problems)
            if failed:
                continue
            try:
                with transaction.atomic():
                    outcome = save_row(data)
            except ValidationError as exc:
                _report(sheet, number, exc, problems)
                continue
            setattr(result, outcome, getattr(result, outcome) + 1)
        if problems:
            raise ImportRejected(problems)
    return result


def _outcome(before: Any, after: Any, model: type[models.Model]) -> str:
    if before is None:
        return "created"
    return "updated" if after.updated_at != before.updated_at else "unchanged"


# ------------------------------------------------------------------ imports


# a unique value of the model that the sheet holds in another column
_UNIQUE_COLUMN = {"name_key": "name"}


def _unique_values(entry: Any) -> list[tuple[tuple[str, ...], tuple[Any, ...]]]:
    """The values `entry` must not share with another entry: its unique fields and the
    fields of its unique constraints."""
    opts = entry._meta
    groups: list[tuple[str, ...]] = [(f.name,) for f in opts.fields
                                     if f.unique and not f.primary_key]
    groups += [tuple(c.fields) for c in opts.constraints
               if isinstance(c, models.UniqueConstraint) and c.fields]
    out: list[tuple[tuple[str, ...], tuple[Any, ...]]] = []
    for names in groups:
        values = tuple(getattr(entry, opts.get_field(n).attname) for n in names)
        if all(v not in (None, "") for v in values):
            out.append((names, values))
    return out


def registry_import(*, slug: str, content: bytes, actor: Any) -> ImportResult:
    """Import a registry's sheet: rows whose key (code, or tax code for enterprises) exists
    update that entry, the others create one. All or nothing.

    The whole file is checked first, reading only (other users go on working meanwhile;
    on SQLite nobody waits for a lock), with every problem of every row listed. Only a
    clean file is then written, in one short transaction; if someone changed or added
    the same entries in between, the import is refused with ConflictError and nothing is
    stored."""
    from registry.services import entries_write, entry_check

    if actor is not None:
        permissions.require_edit(actor)
    spec = REGISTRIES[slug]
    model = spec.model
    sheet = read_sheet(content, sheet=spec.sheet, columns=spec.columns)
    lookups = Lookups.load()
    problems: list[ImportProblem] = []

    def key_of(value: Any) -> str:
        try:
            text = text_clean(value, max_length=None)
        except ParseError:
            return ""
        return tax_code_normalise(text) if spec.key == "tax_code" else text

    wanted = {key_of(raw.get(spec.key)) for _n, raw in sheet.rows} - {""}
    existing = {getattr(e, spec.key): e for e in model._default_manager.filter(
        **{f"{spec.key}__in": wanted})} if wanted else {}
    drafts: list[Any] = []
    reserved: set[str] = set()
    seen: dict[tuple[tuple[str, ...], tuple[Any, ...]], int] = {}
    for number, raw in sheet.rows:
        # row by row: a row may lie in a zone an earlier row of the file adds
        data, failed = _parse_row(sheet, number, raw, spec.columns, lookups, problems)
        entry = existing.get(key_of(raw.get(spec.key)))
        if spec.key == "code" and not data.get("code"):
            data.pop("code", None)
        try:
            draft = entry_check(spec=spec, data=data, entry=entry, reserved=reserved)
        except ValidationError as exc:
            _report(sheet, number, exc, problems, skip=failed)
            continue
        if failed:
            continue
        for names, values in _unique_values(draft.entry):
            first = seen.setdefault((names, values), number)
            if first != number:
                problems.append(ImportProblem(
                    sheet.name, number, sheet.label(_UNIQUE_COLUMN.get(names[0], names[0])),
                    _("Also in row %(row)d of this file.") % {"row": first}))
        reserved.add(draft.entry.code)
        if slug == "areas":  # later rows may lie in a zone of this file
            lookups.areas[draft.entry.code] = draft.entry
        drafts.append(draft)
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ImportRejected(problems)
    stamps = {d.entry.pk: d.stamp for d in drafts if not d.created and d.changes}
    with transaction.atomic():
        stored = dict(model._default_manager.select_for_update().filter(pk__in=stamps)
                      .values_list("pk", "updated_at"))
        if stored != stamps:
            raise ConflictError(_("Someone changed entries of this file while it was being "
                                  "checked: import it again."))
        entries_write(drafts=drafts, actor=actor)
    result = ImportResult(sheet=sheet.name, rows=len(sheet.rows))
    for draft in drafts:
        outcome = "created" if draft.created else "updated" if draft.changes else "unchanged"
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def activities_import(*, content: bytes, actor: Any) -> ImportResult:
    """Import awareness activities; a row with the date, organiser and title of a stored
    activity updates it."""
    from registry.services import activity_save

    if actor is not None:
        permissions.require_edit(actor)
    sheet = read_sheet(content, sheet="activities", columns=ACTIVITY_COLUMNS)
    lookups = Lookups.load()

    def save_row(data: dict[str, Any]) -> str:
        existing = selectors.activity_find(date=data["date"], organiser=data["organiser"],
                                           title=data["title"])
        activity = activity_save(data=data, actor=actor, activity=existing)
        return _outcome(existing, activity, AwarenessActivity)

    return _run(sheet, ACTIVITY_COLUMNS, lookups, save_row)


def packaging_import(*, content: bytes, actor: Any) -> ImportResult:
    """Import packaging practice; a row with the retailer and start date of a stored
    practice updates it."""
    from registry.services import packaging_save

    if actor is not None:
        permissions.require_edit(actor)
    sheet = read_sheet(content, sheet="packaging", columns=PACKAGING_COLUMNS)
    lookups = Lookups.load()

    def save_row(data: dict[str, Any]) -> str:
        retailer = data.pop("retailer")
        existing = selectors.packaging_find(retailer=retailer, since=data["since"])
        practice = packaging_save(retailer=retailer, data=data, actor=actor,
                                  practice=existing)
        return _outcome(existing, practice, PackagingPractice)

    return _run(sheet, PACKAGING_COLUMNS, lookups, save_row)


def figures_import(*, content: bytes, actor: Any) -> ImportResult:
    """Import enterprises' figures, one line per row (tax code, year, period, item,
    quantity, unit). The rows of one enterprise and period replace that record's lines.
    All or nothing; coordinators only."""
    from registry.conversion import UnitTable
    from registry.services import consumption_record_save

    if actor is not None:
        permissions.require_edit(actor)
    sheet = read_sheet(content, sheet="figures", columns=FIGURE_COLUMNS)
    lookups = Lookups.load()
    table = UnitTable()
    problems: list[ImportProblem] = []
    groups: dict[tuple[int, int, str], list[tuple[int, dict[str, Any]]]] = {}
    enterprises: dict[int, Enterprise] = {}
    period_label = str(FIGURE_COLUMNS[2].label)
    for number, raw in sheet.rows:
        data, failed = _parse_row(sheet, number, raw, FIGURE_COLUMNS, lookups, problems)
        if failed:
            continue
        period = _figure_period(data.get("period"))
        if period is None:
            problems.append(ImportProblem(sheet.name, number, period_label, _(
                "The period is \"year\", \"first half\" or \"second half\".")))
            continue
        enterprise = data["tax_code"]
        enterprises[enterprise.pk] = enterprise
        groups.setdefault((enterprise.pk, data["year"], period), []).append((number, data))
    result = ImportResult(sheet=sheet.name, rows=len(sheet.rows))
    labels = {c.key: str(c.label) for c in FIGURE_COLUMNS}
    with transaction.atomic():
        for (enterprise_id, year, period), rows in groups.items():
            lines = [{"item": d["item"], "quantity": d["quantity"], "unit": d["unit"],
                      "product": d.get("product")} for _n, d in rows]
            before = (enterprises[enterprise_id].records
                      .filter(year=year, period=period).values_list("version", flat=True).first())
            try:
                with transaction.atomic():
                    record = consumption_record_save(
                        enterprise=enterprises[enterprise_id], year=year, period=period,
                        lines=lines, actor=actor, source=FigureSource.IMPORTED,
                        require_output=True, table=table)
            except ValidationError as exc:
                for key, messages in exc.message_dict.items():
                    match = re.match(r"^lines\.(\d+)\.(\w+)$", key)
                    if match:
                        number = rows[int(match.group(1))][0]
                        column = labels.get(match.group(2))
                    else:
                        number = rows[0][0]
                        column = labels.get(key)
                    for message in messages:
                        problems.append(ImportProblem(sheet.name, number, column, message))
                continue
            if before is None:
                result.created += 1
            elif record.version != before:
                result.updated += 1
            else:
                result.unchanged += 1
        if problems:
            problems.sort(key=lambda p: (p.row or 0))
            raise ImportRejected(problems)
    return result


def _figure_period(raw: Any) -> str | None:
    text = str(raw or "").strip().casefold()
    if text in {"", "year", "năm", "nam", "cả năm", "y"}:
        return FigurePeriod.YEAR
    if text in {"h1", "s1", "6 tháng đầu năm", "sáu tháng đầu năm", "first half"}:
        return FigurePeriod.H1
    if text in {"h2", "s2", "6 tháng cuối năm", "sáu tháng cuối năm", "second half"}:
        return FigurePeriod.H2
    return None


# ------------------------------------------------------------------ exports


def workbook_bytes(*, sheet: str, columns: list[Column], rows: Iterable[list[Any]],
                   title: str) -> bytes:
    """A workbook with the data sheet (header = column labels in the current language)
    and a help sheet listing each column."""
    help_rows = [[title], [_("Column"), _("Code"), _("Required"), _("Format")]]
    help_rows += [[str(c.label), c.key, _("yes") if c.required else "", _format_hint(c)]
                  for c in columns]
    return xlsx_write(sheets=[
        SheetOut(title=sheet, header=[str(c.label) for c in columns], rows=rows),
        SheetOut(title=_("help"), header=help_rows[0], rows=help_rows[1:],
                 widths=[30, 20, 10, 60], freeze_header=False),
    ])


def _format_hint(column: Column) -> str:
    hints = {
        "date": str(DATE_HELP),
        "decimal": str(NUMBER_HELP),
        "int": _("whole number"),
        "year": _("year, e.g. 2024"),
        "bool": str(YES_NO_HELP),
        "local": _("code or name of a district or commune-level unit"),
        "orgunit": _("code or name of an organisation unit"),
        "sector": _("sector code"),
        "area": _("code of a zone, park, cluster or village"),
        "areas": _("codes of zones, parks, clusters or villages, separated by ;"),
        "retailer": _("retailer code"),
        "enterprise": _("tax code of a registered enterprise"),
        "slug": _("letters without accents, digits and dashes; empty: made from the name"),
    }
    if column.type == "choice" and column.choices is not None:
        return ", ".join(str(label) for _v, label in column.choices.choices)
    hint = hints.get(column.type, _("text"))
    return f"{hint}: {column.help}" if column.help else hint


def registry_export(*, spec: RegistrySpec, entries: Iterable[Any]) -> bytes:
    rows = ([format_value(c, getattr(e, c.key)) for c in spec.columns] for e in entries)
    return workbook_bytes(sheet=spec.sheet, columns=spec.columns, rows=rows,
                          title=str(spec.title))


def activities_export(*, activities: Iterable[AwarenessActivity]) -> bytes:
    rows = ([format_value(c, list(a.areas.all()) if c.key == "areas" else getattr(a, c.key))
             for c in ACTIVITY_COLUMNS] for a in activities)
    return workbook_bytes(sheet="activities", columns=ACTIVITY_COLUMNS, rows=rows,
                          title=_("Awareness activities"))


def packaging_export(*, practices: Iterable[PackagingPractice]) -> bytes:
    rows = ([format_value(c, getattr(p, c.key)) for c in PACKAGING_COLUMNS] for p in practices)
    return workbook_bytes(sheet="packaging", columns=PACKAGING_COLUMNS, rows=rows,
                          title=_("Packaging practice"))


def figures_export(*, lines: Iterable[Any]) -> bytes:
    periods = {FigurePeriod.YEAR: _("year"), FigurePeriod.H1: _("first half"),
               FigurePeriod.H2: _("second half")}
    rows = ([ln.record.enterprise.tax_code, ln.record.year, periods.get(ln.record.period),
             ln.item.name, ln.quantity, ln.unit.symbol,
             ln.product.name if ln.product is not None else ""] for ln in lines)
    return workbook_bytes(sheet="figures", columns=FIGURE_COLUMNS, rows=rows,
                          title=_("Enterprise figures"))
