"""The consumption summary behind the live index: per enterprise and year, what each
whole-year record brings (`RecordPart`) and the enterprise's part in each group's link on
the year before (`LinkPart`), computed by the SQL of `progress.consumption`.

The parts hold no acceptance: a record, or a link, counts only while
`registry.selectors.records_accepted` counts its record(s). What they hold follows the
figures: `summary_refresh` rewrites one enterprise's rows inside the transaction that
changed its figures or its sector (receivers in `progress.receivers`). The read
(`summary_sums`) takes each sector's totals over the parts that count (`SectorTotals`, a
row a sector): whatever changes a sector's parts or which of its records count (figures,
a report opened or changing state, a designation, a deletion) marks them in the same
transaction (`sector_totals_invalidate`), and the next read sums that sector again, so an
acceptance shows at once and a read touches a row per sector.
The conversion factors it was built with are fingerprinted (`SummaryBasis`); while they
differ from the unit table's, the index is computed from the raw figures instead, and the
summary is rebuilt after the commit that changed them."""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Iterable, Sequence
from functools import reduce
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, F, JSONField, Q, Value, When

from common.bulk import values_insert
from plans.models import Sector
from progress import methods
from progress.consumption import (
    ENERGY,
    NO_CONSUMPTION,
    ZERO_OUTPUT,
    Factor,
    SectorSums,
    aggregate_cursor,
    factors_of,
    fallback_note,
    registry_sql,
    unconverted_notes,
    unconverted_sql,
)
from progress.models import LinkPart, RecordPart, SectorTotals, SummaryBasis
from registry.conversion import UnitTable
from registry.models import Enterprise
from registry.selectors import records_accepted

BASIS = "consumption"


def basis_fingerprint(factors: Sequence[Factor]) -> str:
    text = "\n".join(f"{f.item_id} {f.unit_id} {f.item} {f.group} {f.factor!r} {f.base} "
                     f"{f.output}" for f in sorted(factors, key=lambda f: (f.item_id, f.unit_id)))
    return hashlib.sha256(text.encode()).hexdigest()


def summary_current(factors: Sequence[Factor]) -> bool:
    """Whether the summary was built with these factors."""
    return SummaryBasis.objects.filter(key=BASIS,
                                       fingerprint=basis_fingerprint(factors)).exists()


# The factors of the unit table the summary was last built with, kept by the process: the
# table changes only by `units load`, which rebuilds the summary after its commit (a new
# fingerprint, seen by every process); a change in this process also clears it at once.
_factors: dict[str, list[Factor]] = {}


def factors_cache_clear() -> None:
    _factors.clear()


def summary_factors() -> tuple[list[Factor], bool]:
    """The unit table's conversion factors, and whether the summary was built with them:
    one query while they are those it was built with, the unit table's four more when not."""
    built = SummaryBasis.objects.filter(key=BASIS).values_list("fingerprint", flat=True).first()
    if built is not None and built in _factors:
        return _factors[built], True
    factors = factors_of(UnitTable())
    current = basis_fingerprint(factors) == built
    if current and built is not None:
        _factors.clear()
        _factors[built] = factors
    return factors, current


PART_FIELDS = ["record_id", "enterprise_id", "sector_id", "year", "energy", "observed",
               "fallback", "unconverted"]
LINK_FIELDS = ["enterprise_id", "sector_id", "year", "group", "before_id", "after_id",
               "before_weighted", "after_weighted", "before_total", "after_total", "series",
               "left_out"]

# Above this many enterprises a rewrite plans like a full one (aggregate_cursor's `many`).
MANY = 50


@transaction.atomic
def summary_refresh(*, enterprise_ids: Iterable[int] | None,
                    table: UnitTable | None = None) -> None:
    """Rewrite the summary of these enterprises (None: of all, and record the factors'
    fingerprint). Four queries on the enterprises' own records, then the writes."""
    ids = None if enterprise_ids is None else sorted(set(enterprise_ids))
    if ids is not None and not ids:
        return
    # a few enterprises: the factors the summary holds (kept by the process while current)
    factors = factors_of(table or UnitTable()) if table is not None or ids is None \
        else summary_factors()[0]
    # the sectors the enterprises were summed in, and those they are in now
    sector_totals_invalidate(sector_ids=None if ids is None else (
        RecordPart.objects.filter(enterprise_id__in=ids).order_by()
        .values_list("sector_id", flat=True)
        .union(Enterprise.objects.filter(pk__in=ids).order_by()
               .values_list("sector_id", flat=True))))
    for model in (LinkPart, RecordPart):
        rows = model.objects.all()
        (rows if ids is None else rows.filter(enterprise_id__in=ids)).delete()
    if factors:
        if ids is None:
            records, record_params = "1 = 1", []
        else:
            records = f"r.enterprise_id IN ({', '.join(['%s'] * len(ids))})"
            record_params = list(ids)
        # an import's thousands of enterprises are many: nested loops would be quadratic
        _build(factors, records, record_params, many=ids is None or len(ids) > MANY)
    if ids is None:
        SummaryBasis.objects.update_or_create(
            key=BASIS, defaults={"fingerprint": basis_fingerprint(factors)})


def _build(factors: Sequence[Factor], records: str, record_params: list[Any], *,
           many: bool) -> None:
    head = registry_sql(factors, records)
    params = [v for f in factors for v in (f.item_id, f.unit_id, f.group, f.factor, f.output)]
    params += record_params
    valid = "pq > 0 AND q > 0 AND pc > 0"
    ratio = "((c / q) / (pc / pq))"
    lagged = ("lagged AS (SELECT ent, scope, rid, product, grp, year, q, c, "
              "LAG(year) OVER w AS py, LAG(q) OVER w AS pq, LAG(c) OVER w AS pc, "
              "LAG(rid) OVER w AS prid "
              "FROM attributed WINDOW w AS (PARTITION BY ent, product, grp ORDER BY year)), "
              "common AS (SELECT * FROM lagged WHERE py = year - 1)")
    # one statement, so that the registry's CTEs (the costly part) are evaluated once for
    # the three kinds of row: a link part ('L'), a series left out of one ('N'), a record
    # part ('R'); the columns a kind does not use are NULL
    left_out: dict[tuple[int, int, str], list[str]] = {}
    links: list[list[Any]] = []
    parts: dict[int, list[Any]] = {}
    with aggregate_cursor(many=many) as cursor:
        cursor.execute(
            f"WITH {head}, {lagged} "
            f"SELECT 'L', ent, MIN(scope), year, grp, MIN(prid), MIN(rid), "
            f"SUM({ratio} * pc) FILTER (WHERE {valid}), SUM({ratio} * c) FILTER (WHERE {valid}),"
            f" SUM(pc) FILTER (WHERE {valid}), SUM(c) FILTER (WHERE {valid}), "
            f"COUNT(*) FILTER (WHERE {valid}), NULL FROM common GROUP BY ent, year, grp "
            "UNION ALL "
            f"SELECT 'N', ent, NULL, year, grp, NULL, NULL, NULL, NULL, NULL, NULL, "
            f"CASE WHEN pq <= 0 OR q <= 0 THEN {ZERO_OUTPUT} ELSE {NO_CONSUMPTION} END, "
            f"product FROM common WHERE NOT ({valid}) "
            "UNION ALL "
            "SELECT 'R', rec.ent, rec.scope, rec.year, NULL, NULL, rec.rid, en.c, NULL, NULL, "
            "NULL, CASE WHEN rec.rid IN (SELECT rid FROM fallback) THEN 1 ELSE 0 END, "
            "CASE WHEN ob.n > 0 THEN 'observed' END FROM rec "
            "LEFT JOIN (SELECT rid, SUM(c) AS c FROM used WHERE grp = %s GROUP BY rid) en "
            "ON en.rid = rec.rid LEFT JOIN (SELECT rid, COUNT(*) AS n FROM attributed "
            "GROUP BY rid) ob ON ob.rid = rec.rid",
            [*params, ENERGY])
        for kind, ent, sec, year, grp, prid, rid, a, b, ta, tb, n, text in cursor.fetchall():
            if kind == "L":  # in LINK_FIELDS' order, left_out last
                links.append([ent, sec, year, grp, prid, rid, a or 0.0, b or 0.0, ta or 0.0,
                              tb or 0.0, n, ""])
            elif kind == "N":
                left_out.setdefault((ent, year, grp), []).append(f"{text}\t{n}")
            else:  # in PART_FIELDS' order, unconverted last
                parts[rid] = [rid, ent, sec, year, a or 0.0, bool(text), bool(n), ""]
        cursor.execute(unconverted_sql(factors, records),
                       [*[v for f in factors for v in (f.item_id, f.unit_id)], *record_params])
        missing: dict[int, set[str]] = {}
        for rid, code in cursor.fetchall():
            missing.setdefault(rid, set()).add(code)
    for rid, codes in missing.items():
        parts[rid][-1] = "\n".join(sorted(codes))
    for link in links:
        link[-1] = "\n".join(sorted(left_out.get((link[0], link[2], link[3]), [])))
    # an import rewrites thousands of enterprises' parts: COPY on PostgreSQL, as values
    values_insert(model=RecordPart, fields=PART_FIELDS, rows=list(parts.values()))
    values_insert(model=LinkPart, fields=LINK_FIELDS, rows=links)


def sector_totals_invalidate(*, sector_ids: Iterable[int] | None) -> None:
    """Mark these sectors' totals (None: every sector's) to be summed again at the next
    read: call inside the transaction that changes what they are summed from. The row is
    created if missing, so that a read summing meanwhile cannot store a stale total."""
    ids = sorted(set(Sector.objects.values_list("pk", flat=True) if sector_ids is None
                     else sector_ids))
    if not ids:
        return
    rows = SectorTotals.objects.filter(sector_id__in=ids)
    if rows.update(generation=F("generation") + 1) < len(ids):
        SectorTotals.objects.bulk_create([SectorTotals(sector_id=pk) for pk in ids],
                                         ignore_conflicts=True)
        rows.update(generation=F("generation") + 1)


def _totals_sum(sector_ids: list[int]) -> dict[int, list[list[Any]]]:
    """The summary's rows of these sectors, every year, over the records that count: one
    query. Rows (kind, group, year, a, b, ta, tb, n, enterprise, text) by sector."""
    accepted, accepted_params = (
        records_accepted().filter(period="year", enterprise__sector_id__in=sector_ids)
        .order_by().values("pk").query.sql_with_params())
    sectors = ", ".join(["%s"] * len(sector_ids))
    sql = (f"WITH acc AS ({accepted}), "
           'lp AS (SELECT sector_id AS sec, "group" AS grp, year, enterprise_id, '
           "before_weighted, after_weighted, before_total, after_total, series, left_out "
           f"FROM progress_linkpart WHERE sector_id IN ({sectors}) "
           "AND before_id IN (SELECT * FROM acc) AND after_id IN (SELECT * FROM acc)), "
           "rp AS (SELECT sector_id AS sec, enterprise_id, year, energy, observed, "
           "fallback, unconverted "
           f"FROM progress_recordpart WHERE sector_id IN ({sectors}) "
           "AND record_id IN (SELECT * FROM acc)) "
           "SELECT 'link', sec, grp, year, CAST(SUM(before_weighted) AS DOUBLE PRECISION), "
           "SUM(after_weighted), SUM(before_total), SUM(after_total), SUM(series), "
           "CAST(NULL AS BIGINT), CAST(NULL AS TEXT) FROM lp GROUP BY sec, grp, year "
           "UNION ALL SELECT 'units', sec, NULL, year, NULL, NULL, NULL, NULL, "
           "COUNT(DISTINCT enterprise_id), NULL, NULL FROM lp GROUP BY sec, year "
           "UNION ALL SELECT 'note', sec, grp, year, NULL, NULL, NULL, NULL, NULL, "
           "enterprise_id, left_out FROM lp WHERE left_out <> '' "
           "UNION ALL SELECT 'year', sec, NULL, year, SUM(energy), NULL, NULL, NULL, "
           "MAX(CASE WHEN observed THEN 1 ELSE 0 END), NULL, NULL FROM rp GROUP BY sec, year "
           "UNION ALL SELECT 'unconverted', sec, NULL, year, NULL, NULL, NULL, NULL, "
           "NULL, NULL, unconverted FROM rp WHERE unconverted <> '' "
           "UNION ALL SELECT 'fallback', sec, NULL, year, NULL, NULL, NULL, NULL, NULL, "
           "enterprise_id, NULL FROM rp WHERE fallback")
    out: dict[int, list[list[Any]]] = {pk: [] for pk in sector_ids}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*accepted_params, *sector_ids, *sector_ids])
        for kind, sec, grp, year, a, b, ta, tb, n, ent, text in cursor.fetchall():
            out[sec].append([kind, grp, year, a, b, ta, tb, None if n is None else int(n),
                             ent, text])
    return out


def _totals_current(sector_ids: list[int]) -> dict[int, list[list[Any]]]:
    """Every sector's rows: stored where still valid, summed again (and stored) where not:
    one query, or three when some sector changed since."""
    rows = {t.sector_id: t for t in SectorTotals.objects.filter(sector_id__in=sector_ids)}
    out = {pk: t.sums.get("rows", []) for pk, t in rows.items()
           if t.computed_generation == t.generation}
    stale = [pk for pk in sector_ids if pk not in out]
    if not stale:
        return out
    if any(pk not in rows for pk in stale):
        sector_totals_invalidate(sector_ids=[pk for pk in stale if pk not in rows])
        rows.update({t.sector_id: t for t in SectorTotals.objects.filter(sector_id__in=stale)})
    summed = _totals_sum(stale)
    # stored only where no change came meanwhile (its transaction raised the generation)
    SectorTotals.objects.filter(reduce(operator.or_, (
        Q(sector_id=pk, generation=rows[pk].generation) for pk in stale))).update(
        computed_generation=Case(*(When(sector_id=pk, then=Value(rows[pk].generation))
                                   for pk in stale)),
        sums=Case(*(When(sector_id=pk, then=Value({"rows": summed[pk]},
                                                  output_field=JSONField()))
                    for pk in stale), output_field=JSONField()))
    out.update(summed)
    return out


def summary_sums(*, sectors: Iterable[Sector], last_year: int
                 ) -> tuple[dict[int, SectorSums], list[str]]:
    """These sectors' link sums, enterprises per link, series left out, years with data
    and energy to `last_year`, from their totals (`SectorTotals`: a row a sector, summed
    again only for the sectors changed since they were stored)."""
    sector_ids = sorted(s.pk for s in sectors)
    out: dict[int, SectorSums] = {}
    codes: set[str] = set()
    notes: set[str] = set()
    for sec, rows in _totals_current(sector_ids).items():
        for kind, grp, year, a, b, ta, tb, n, ent, text in rows:
            if year > last_year:
                continue
            if kind == "unconverted":
                codes.update(text.split("\n"))
                continue
            if kind == "fallback":
                notes.add(fallback_note(ent, year))
                continue
            sums = out.setdefault(sec, SectorSums())
            if kind == "link":
                sums.links[year][grp] = methods.LinkSums(a, b, ta, tb, int(n))
            elif kind == "units":
                sums.units[year] = int(n)
            elif kind == "note":
                for line in text.split("\n"):
                    product, reason = line.split("\t")
                    sums.left_out[year].append((str(ent), product, grp, int(reason)))
            else:
                if n:
                    sums.years.add(year)
                if a:
                    sums.energy[year] = a
    return out, sorted({*unconverted_notes(codes), *notes})
