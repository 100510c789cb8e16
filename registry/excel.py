"""Excel import and export of the registries, awareness activities, packaging practice and
enterprise figures.

An import is all-or-nothing: the sheet is streamed a row at a time (common.xlsx, within its
size limits; no row cap), every row is checked by the same services that check a form,
reading only and outside any transaction, and every problem is listed by sheet, row and
column; if there is any, nothing is stored. A clean file is written in bulk (common.bulk: a
few statements per table whatever the rows) in one short transaction. An export has the
same columns, so an exported file can be edited and imported again."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common.exceptions import ConflictError
from common.parsing import DATE_HELP, NUMBER_HELP, YES_NO_HELP, ParseError, text_clean
from common.streaming import csv_stream
from common.xlsx import LIMITS, SheetIn, SheetOut, WorkbookRefused, xlsx_read, xlsx_stream
from registry import permissions
from registry.checks import tax_code_normalise
from registry.models import (
    AwarenessActivity,
    ConsumptionLine,
    Enterprise,
    FigurePeriod,
    FigureSource,
    PackagingPractice,
    Retailer,
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


# ------------------------------------------------------------------ imports


def _key_twice(sheet: Sheet, seen: dict[Any, int], key: Any, number: int, column: str,
               problems: list[ImportProblem]) -> bool:
    """Whether an earlier row of the file has the same natural key (listed if so)."""
    first = seen.setdefault(key, number)
    if first != number:
        problems.append(ImportProblem(sheet.name, number, sheet.label(column), _(
            "Also in row %(row)d of this file.") % {"row": first}))
    return first != number


def _unchanged_or_conflict(queryset: QuerySet, stamps: dict[Any, Any]) -> None:
    """Lock the rows an import changes and refuse (ConflictError) if any was saved since
    the file was checked: `stamps` maps their ids to the `updated_at` then read."""
    stored = dict(queryset.select_for_update().filter(pk__in=stamps)
                  .values_list("pk", "updated_at"))
    if stored != stamps:
        raise ConflictError(_("Someone changed entries of this file while it was being "
                              "checked: import it again."))


def _tally(sheet: Sheet, drafts: Iterable[Any]) -> ImportResult:
    result = ImportResult(sheet=sheet.name, rows=len(sheet.rows))
    for draft in drafts:
        outcome = "created" if draft.created else "updated" if draft.changes else "unchanged"
        setattr(result, outcome, getattr(result, outcome) + 1)
    return result


Progress = Callable[[int, int], None]


def _written(sheet: Sheet, problems: list[ImportProblem], drafts: list[Any], *,
             write: Callable[[], None], on_progress: Progress | None) -> ImportResult:
    """Every import's second phase: refuse with every problem found, by row; or `write`
    (which re-reads what the check relied on, then stores in bulk) in one short
    transaction, and report the end."""
    if problems:
        problems.sort(key=lambda p: p.row or 0)
        raise ImportRejected(problems)
    with transaction.atomic():
        write()
    if on_progress is not None:
        on_progress(len(sheet.rows) + 1, len(sheet.rows) + 1)
    return _tally(sheet, drafts)


def _checking(sheet: Sheet, on_progress: Progress | None) -> Callable[[int], None]:
    """Reports rows checked as progress (every 500 rows; the write is the last step)."""
    total = len(sheet.rows) + 1

    def tick(done: int) -> None:
        if on_progress is not None and (done % 500 == 0 or done == total - 1):
            on_progress(done, total)

    return tick


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


def _stored_twins(sheet: Sheet, model: type[models.Model],
                  seen: dict[tuple[tuple[str, ...], tuple[Any, ...]], int],
                  numbered: dict[int, Any], problems: list[ImportProblem]) -> None:
    """List the rows whose unique value (code, tax code, certificate number) another
    stored entry holds: one query per unique field for the whole file."""
    fields = {names for names, _values in seen if len(names) == 1}
    for (name,) in fields:
        wanted = {values[0]: number for (names, values), number in seen.items()
                  if names == (name,) and number in numbered}
        taken = model._default_manager.filter(**{f"{name}__in": list(wanted)}).values_list(
            name, "pk")
        for value, pk in taken:
            number = wanted[value]
            if pk != numbered[number].entry.pk:
                problems.append(ImportProblem(
                    sheet.name, number, sheet.label(_UNIQUE_COLUMN.get(name, name)),
                    _("Another entry already has this value.")))


def registry_import(*, slug: str, content: bytes, actor: Any,
                    on_progress: Progress | None = None) -> ImportResult:
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
    numbered: dict[int, Any] = {}
    tick = _checking(sheet, on_progress)
    for done, (number, raw) in enumerate(sheet.rows, start=1):
        tick(done)
        # row by row: a row may lie in a zone an earlier row of the file adds
        data, failed = _parse_row(sheet, number, raw, spec.columns, lookups, problems)
        entry = existing.get(key_of(raw.get(spec.key)))
        if spec.key == "code" and not data.get("code"):
            data.pop("code", None)
        try:
            draft = entry_check(spec=spec, data=data, entry=entry, reserved=reserved,
                                validate_unique=False)
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
        numbered[number] = draft
    _stored_twins(sheet, model, seen, numbered, problems)

    def write() -> None:
        _unchanged_or_conflict(model._default_manager.all(), {
            d.entry.pk: d.stamp for d in drafts if not d.created and d.changes})
        entries_write(drafts=drafts, actor=actor)

    return _written(sheet, problems, drafts, write=write, on_progress=on_progress)


def activities_import(*, content: bytes, actor: Any, on_progress: Progress | None = None
                      ) -> ImportResult:
    """Import awareness activities; a row with the date, organiser and title of a stored
    activity updates it. Checked whole first, reading only, then written in bulk in one
    short transaction; all or nothing."""
    from registry.services import activities_write, activity_check

    if actor is not None:
        permissions.require_edit(actor)
    sheet = read_sheet(content, sheet="activities", columns=ACTIVITY_COLUMNS)
    lookups = Lookups.load()
    problems: list[ImportProblem] = []
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, raw in sheet.rows:
        data, failed = _parse_row(sheet, number, raw, ACTIVITY_COLUMNS, lookups, problems)
        if not failed:
            parsed.append((number, data))

    def key(data: dict[str, Any]) -> tuple[Any, Any, Any]:
        organiser = data.get("organiser")
        return data.get("date"), getattr(organiser, "pk", None), data.get("title")

    keys = {key(d) for _n, d in parsed}
    stored = {(a.date, a.organiser_id, a.title): a for a in AwarenessActivity.objects.filter(
        date__in={k[0] for k in keys if k[0]}, organiser_id__in={k[1] for k in keys if k[1]}
    ).prefetch_related("areas")} if keys else {}
    drafts = []
    seen: dict[Any, int] = {}
    today = timezone.localdate()
    tick = _checking(sheet, on_progress)
    for done, (number, data) in enumerate(parsed, start=1):
        tick(done)
        if _key_twice(sheet, seen, key(data), number, "title", problems):
            continue
        try:
            drafts.append(activity_check(data=data, activity=stored.get(key(data)),
                                         validate_unique=False, today=today))
        except ValidationError as exc:
            _report(sheet, number, exc, problems)

    def write() -> None:
        _unchanged_or_conflict(AwarenessActivity.objects.all(), {
            d.activity.pk: d.stamp for d in drafts if not d.created and d.changes})
        activities_write(drafts=drafts, actor=actor)

    return _written(sheet, problems, drafts, write=write, on_progress=on_progress)


def _practices_unchanged(*, retailers: list[int], stamps: dict[int, Any]) -> None:
    """Lock the retailers (one import or save at a time per retailer), then refuse
    (ConflictError) if their practices are not those the check read (`stamps`)."""
    list(Retailer.objects.select_for_update().filter(pk__in=retailers).order_by("pk")
         .values_list("pk"))
    now = dict(PackagingPractice.objects.filter(retailer_id__in=retailers)
               .values_list("pk", "updated_at"))
    if now != stamps:
        raise ConflictError(_("Someone changed entries of this file while it was being "
                              "checked: import it again."))


def packaging_import(*, content: bytes, actor: Any, on_progress: Progress | None = None
                     ) -> ImportResult:
    """Import packaging practice; a row with the retailer and start date of a stored
    practice updates it. Checked whole first, reading only (a row against the retailer's
    stored practices and the file's earlier rows), then written in bulk in one short
    transaction holding the retailers' locks; all or nothing."""
    import copy

    from registry.services import packaging_check, packagings_write

    if actor is not None:
        permissions.require_edit(actor)
    sheet = read_sheet(content, sheet="packaging", columns=PACKAGING_COLUMNS)
    lookups = Lookups.load()
    problems: list[ImportProblem] = []
    parsed: list[tuple[int, Any, dict[str, Any]]] = []
    for number, raw in sheet.rows:
        data, failed = _parse_row(sheet, number, raw, PACKAGING_COLUMNS, lookups, problems)
        if not failed:
            parsed.append((number, data.pop("retailer"), data))
    retailers = {r.pk: r for _n, r, _d in parsed}
    standing: dict[int, list[PackagingPractice]] = {pk: [] for pk in retailers}
    stamps: dict[int, Any] = {}
    for practice in PackagingPractice.objects.filter(retailer_id__in=retailers):
        practice.retailer = retailers[practice.retailer_id]
        standing[practice.retailer_id].append(practice)
        stamps[practice.pk] = practice.updated_at
    drafts = []
    seen: dict[Any, int] = {}
    tick = _checking(sheet, on_progress)
    for done, (number, retailer, data) in enumerate(parsed, start=1):
        tick(done)
        if _key_twice(sheet, seen, (retailer.pk, data.get("since")), number, "since",
                      problems):
            continue
        others = standing[retailer.pk]
        stored = next((p for p in others if p.pk and p.since == data.get("since")), None)
        try:
            draft = packaging_check(retailer=retailer, data=data, others=others,
                                    practice=copy.copy(stored) if stored else None)
        except ValidationError as exc:
            _report(sheet, number, exc, problems)
            continue
        # later rows are checked against the practices as this row leaves them
        others[:] = [p for p in others if p is not stored] + [draft.practice]
        drafts.append(draft)

    def write() -> None:
        _practices_unchanged(retailers=list(retailers), stamps=stamps)
        packagings_write(drafts=drafts, actor=actor)

    return _written(sheet, problems, drafts, write=write, on_progress=on_progress)


def figures_import(*, content: bytes, actor: Any, on_progress: Progress | None = None
                   ) -> ImportResult:
    """Import enterprises' figures, one line per row (tax code, year, period, item,
    quantity, unit, product used for). The rows of one enterprise and period replace that
    record's lines. Checked whole first, reading only (the stored records and lines read
    in a few queries), then written in bulk in one short transaction holding the
    enterprises' locks; all or nothing; coordinators only."""
    from registry.conversion import UnitTable
    from registry.models import ConsumptionRecord
    from registry.services import consumption_record_check, consumption_records_write

    if actor is not None:
        permissions.require_edit(actor)
    sheet = read_sheet(content, sheet="figures", columns=FIGURE_COLUMNS)
    lookups = Lookups.load()
    table = UnitTable()
    problems: list[ImportProblem] = []
    groups: dict[tuple[int, int, str], list[tuple[int, dict[str, Any]]]] = {}
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
        groups.setdefault((data["tax_code"].pk, data["year"], period), []).append(
            (number, data))
    enterprises = Enterprise.objects.select_related("sector").in_bulk({k[0] for k in groups})
    stored = {(r.enterprise_id, r.year, r.period): r for r in ConsumptionRecord.objects.filter(
        enterprise_id__in=enterprises, year__in={k[1] for k in groups}
    ).prefetch_related(Prefetch("lines", queryset=ConsumptionLine.objects.select_related(
        "item", "unit", "product")))}
    labels = {c.key: str(c.label) for c in FIGURE_COLUMNS}
    drafts = []
    tick = _checking(sheet, on_progress)
    done = 0
    for (enterprise_id, year, period), rows in groups.items():
        done += len(rows)
        tick(done)
        record = stored.get((enterprise_id, year, period))
        try:
            drafts.append(consumption_record_check(
                enterprise=enterprises[enterprise_id], year=year, period=period,
                lines=[{"item": d["item"], "quantity": d["quantity"], "unit": d["unit"],
                        "product": d.get("product")} for _n, d in rows],
                record=record, stored_lines=list(record.lines.all()) if record else None,
                source=FigureSource.IMPORTED, require_output=True, table=table))
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

    def write() -> None:
        _records_unchanged(enterprises=list(enterprises), years={k[1] for k in groups},
                           versions={k: r.version for k, r in stored.items()})
        consumption_records_write(drafts=drafts, actor=actor)

    return _written(sheet, problems, drafts, write=write, on_progress=on_progress)


def _records_unchanged(*, enterprises: list[int], years: set[int],
                       versions: dict[tuple[int, int, str], int]) -> None:
    """Lock the enterprises (their figures are saved one writer at a time), then refuse
    (ConflictError) if their records of `years` are not those the check read."""
    from registry.models import ConsumptionRecord

    list(Enterprise.objects.select_for_update().filter(pk__in=enterprises).order_by("pk")
         .values_list("pk"))
    now = {(e, y, p): v for e, y, p, v in ConsumptionRecord.objects.filter(
        enterprise_id__in=enterprises, year__in=years).values_list(
        "enterprise_id", "year", "period", "version")}
    if now != versions:
        raise ConflictError(_("Someone changed entries of this file while it was being "
                              "checked: import it again."))


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


@dataclass
class Export:
    """Rows of an export with their columns, written as a workbook (the data sheet, header
    = column labels in the current language, and a help sheet listing each column) or as
    CSV; either streams, reading the rows once as they go out."""

    sheet: str
    columns: list[Column]
    rows: Iterable[list[Any]]
    title: str

    def xlsx(self) -> Iterator[bytes]:
        help_rows = [[self.title], [_("Column"), _("Code"), _("Required"), _("Format")]]
        help_rows += [[str(c.label), c.key, _("yes") if c.required else "", _format_hint(c)]
                      for c in self.columns]
        return xlsx_stream(sheets=[
            SheetOut(title=self.sheet, header=[str(c.label) for c in self.columns],
                     rows=self.rows),
            SheetOut(title=_("help"), header=help_rows[0], rows=help_rows[1:],
                     widths=[30, 20, 10, 60], freeze_header=False),
        ])

    def csv(self) -> Iterator[bytes]:
        return csv_stream(header=[str(c.label) for c in self.columns], rows=self.rows)

    def content(self) -> bytes:
        """The whole workbook (for small files and tests)."""
        return b"".join(self.xlsx())


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


# what a cell holds of the entry a reference column points to
_REFERENCE_VALUE = {"orgunit": "name", "local": "name", "sector": "name", "area": "code",
                    "retailer": "code", "enterprise": "tax_code"}


def _column_values(columns: list[Column], queryset: QuerySet) -> Iterator[list[Any]]:
    """The cells of `columns` for every row of `queryset`, as `format_value` writes them,
    read as plain values a chunk at a time (no model objects: the cost per row stays a
    few microseconds whatever the rows)."""
    paths = [f"{c.key}__{_REFERENCE_VALUE[c.type]}" if c.type in _REFERENCE_VALUE else c.key
             for c in columns]
    yes, no = _("yes"), _("no")
    def writer(column: Column) -> Callable[[Any], Any]:
        if column.type == "choice" and column.choices is not None:
            labels = {v: str(label) for v, label in column.choices.choices}
            return lambda v: labels.get(v) if v else None
        if column.type == "bool":
            return lambda v: None if v is None else yes if v else no
        if column.type in _REFERENCE_VALUE:
            return lambda v: v
        return lambda v: format_value(column, v)

    writers = [writer(c) for c in columns]
    for values in queryset.prefetch_related(None).values_list(*paths).iterator(
            chunk_size=CHUNK_ROWS):
        yield [write(v) for write, v in zip(writers, values, strict=True)]


def registry_export(*, spec: RegistrySpec, entries: Iterable[Any]) -> Export:
    columns = spec.columns
    if isinstance(entries, QuerySet):
        rows: Iterable[list[Any]] = _column_values(columns, entries)
    else:
        rows = ([format_value(c, getattr(e, c.key)) for c in columns] for e in entries)
    return Export(spec.sheet, columns, rows, str(spec.title))


def activities_export(*, activities: Iterable[AwarenessActivity]) -> Export:
    rows = ([format_value(c, list(a.areas.all()) if c.key == "areas" else getattr(a, c.key))
             for c in ACTIVITY_COLUMNS] for a in _chunked(activities))
    return Export("activities", ACTIVITY_COLUMNS, rows, _("Awareness activities"))


def packaging_export(*, practices: Iterable[PackagingPractice]) -> Export:
    rows = ([format_value(c, getattr(p, c.key)) for c in PACKAGING_COLUMNS]
            for p in _chunked(practices))
    return Export("packaging", PACKAGING_COLUMNS, rows, _("Packaging practice"))


def figures_export(*, lines: Iterable[Any]) -> Export:
    """One row per line. `lines`: a queryset of lines; only the values written are read
    (no model objects), in chunks."""
    periods = {FigurePeriod.YEAR: _("year"), FigurePeriod.H1: _("first half"),
               FigurePeriod.H2: _("second half")}
    if isinstance(lines, QuerySet):
        lines = lines.values_list("record__enterprise__tax_code", "record__year",
                                  "record__period", "item__name", "quantity", "unit__symbol",
                                  "product__name").iterator(chunk_size=CHUNK_ROWS)
    rows = ([tax_code, year, periods.get(period), item, quantity, unit, product or ""]
            for tax_code, year, period, item, quantity, unit, product in lines)
    return Export("figures", FIGURE_COLUMNS, rows, _("Enterprise figures"))


CHUNK_ROWS = 2000


def _chunked(rows: Iterable[Any]) -> Iterable[Any]:
    """A queryset read a chunk at a time (its prefetches too), so memory stays flat."""
    return rows.iterator(chunk_size=CHUNK_ROWS) if isinstance(rows, QuerySet) else rows
