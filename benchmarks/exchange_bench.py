"""Exports and imports at national scale: time, first byte, size, memory, and time per row
when the rows grow tenfold.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scp_national \\
        uv run python benchmarks/exchange_bench.py [--skip-generate] [--only exports|imports]

Builds the national scale first (`benchmarks/national.py`: 3,363 org units, 30,035
enterprises with 2020-2030 figures, 39,035 reports), then through the pages, as the
coordinator (Django's test client, in this process):

- exports: every enterprise (.xlsx and CSV), one whole province's figures (.xlsx and CSV),
  and the full data export (.xlsx); each with its time to the first byte and to the last,
  its size, and the Python memory it held at its peak (tracemalloc, a separate run);
- linearity: the same export over N and 10 N rows, time per row for each;
- imports of 1,000 and 10,000 rows (areas, enterprises' figures, awareness activities and
  packaging practice), each checked and written (then removed again), with time per row
  and peak memory.

Figures, not pass/fail: the aims are printed beside them."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("SCP_DEBUG", "0")

from benchmarks import national


def _drain(chunks: Iterable[bytes]) -> tuple[float, float, int]:
    """Seconds to the first chunk and to the last, and the bytes."""
    start = time.perf_counter()
    first, size = None, 0
    for chunk in chunks:
        if first is None:
            first = time.perf_counter() - start
        size += len(chunk)
    return first or 0.0, time.perf_counter() - start, size


def _peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def _user() -> Any:
    from accounts.models import Role, User
    from orgunits.models import OrgUnit

    user, _created = User.objects.get_or_create(
        username="bench-coordinator",
        defaults={"role": Role.COORDINATOR, "org_unit": OrgUnit.objects.get(code="sct")})
    return user


def exports(*, memory: bool) -> None:
    from django.test import Client

    from registry import excel, selectors
    from registry.models import Enterprise
    from registry.specs import REGISTRIES

    client = Client(HTTP_HOST="127.0.0.1")
    user = _user()
    client.force_login(user)
    client.get("/robots.txt")  # the process's first request imports every URL module
    province = "nat-p01"
    cases = [
        ("all enterprises, .xlsx", "/registry/enterprises/export.xlsx", 5),
        ("all enterprises, CSV", "/registry/enterprises/export.csv", 5),
        (f"figures of a province ({province}), .xlsx",
         f"/registry/figures/export.xlsx?place={province}", 30),
        (f"figures of a province ({province}), CSV",
         f"/registry/figures/export.csv?place={province}", 30),
        ("full data export, .xlsx", "/exchange/export/?format=xlsx", None),
    ]
    for label, url, aim in cases:
        start = time.perf_counter()
        response: Any = client.get(url)
        first, total, size = _drain(response.streaming_content)
        first += 0  # the view returned before any row was read
        view = time.perf_counter() - start - total
        line = (f"{label}: first byte {(view + first) * 1000:.0f} ms, all {view + total:.2f} s, "
                f"{size / 1e6:.1f} MB")
        if memory:
            def again(url: str = url) -> Any:
                return _drain(getattr(client.get(url), "streaming_content"))  # noqa: B009
            line += f", peak Python memory {_peak_mb(again):.0f} MB"
        print(line + (f"  [aim < {aim} s]" if aim else ""))
    # linearity: the same export over N and 10 N rows
    spec = REGISTRIES["enterprises"]
    entries = selectors.entry_queryset(spec)
    total_entries = Enterprise.objects.count()
    lines = selectors.figures_rows(user=user)
    for label, make, big in [
        ("enterprises .xlsx", lambda n: excel.registry_export(
            spec=spec, entries=entries.filter(pk__in=list(
                entries.values_list("pk", flat=True)[:n]))).xlsx(), total_entries),
        ("figures .xlsx", lambda n: excel.figures_export(lines=lines.filter(
            record__enterprise_id__in=list(Enterprise.objects.order_by("pk").values_list(
                "pk", flat=True)[:n]))).xlsx(), 8000),
        ("figures CSV", lambda n: excel.figures_export(lines=lines.filter(
            record__enterprise_id__in=list(Enterprise.objects.order_by("pk").values_list(
                "pk", flat=True)[:n]))).csv(), 8000),
    ]:
        per = []
        for n in (big // 10, big):
            _first, seconds, _size = _drain(make(n))
            per.append(seconds / n)
        print(f"linearity, {label}: {big // 10:,} enterprises {per[0] * 1e6:.0f} µs each, "
              f"{big:,}: {per[1] * 1e6:.0f} µs each; ratio {per[1] / per[0]:.2f}  "
              "[aim: within a factor of 2]")


def _import_files(n: int) -> dict[str, tuple[Callable[..., Any], list[list[Any]]]]:
    """Per import, its service and a sheet of `n` new rows."""
    from registry import excel
    from registry.models import Enterprise, Retailer

    retailers = list(Retailer.objects.filter(code__startswith="bench-st-").order_by("code")
                     .values_list("code", flat=True))
    taxes = list(Enterprise.objects.filter(code__startswith=national.PREFIX).order_by("code")
                 .values_list("tax_code", flat=True)[:n // 5])
    lines = [("coal", 1000, "t"), ("diesel", 50, "l"), ("electricity", 900, "kWh"),
             ("explosives", 20, "kg"), ("coke", 7, "t")]
    return {
        "areas": (lambda **kw: excel.registry_import(slug="areas", **kw),
                  [["code", "kind", "name", "place", "valid_from"]]
                  + [[f"bench-kcn-{i}", "industrial_park", f"KCN thử {i}", "tp-ha-long",
                      "01/01/2015"] for i in range(n)]),
        "activities": (excel.activities_import, [["date", "organiser", "title", "participants"]]
                       + [["15/05/2022", "sct", f"Hội nghị thử {i}", i] for i in range(n)]),
        "packaging": (excel.packaging_import, [["retailer", "since", "until", "basis"]]
                      + [[retailers[i % len(retailers)], f"01/01/{2000 + i // len(retailers)}",
                          f"31/12/{2000 + i // len(retailers)}", "declared"]
                         for i in range(n)]),
        "figures": (excel.figures_import,
                    [["tax_code", "year", "period", "item", "quantity", "unit"]]
                    + [[tax, 2019, "year", item, q, unit] for tax in taxes
                       for item, q, unit in lines]),
    }


def _imports_undo() -> None:
    from registry.models import Area, AwarenessActivity, ConsumptionRecord, PackagingPractice

    Area.objects.filter(code__startswith="bench-kcn-").delete()
    AwarenessActivity.objects.filter(title__startswith="Hội nghị thử").delete()
    PackagingPractice.objects.filter(retailer__code__startswith="bench-st-").delete()
    ConsumptionRecord.objects.filter(enterprise__code__startswith=national.PREFIX,
                                     year=2019).delete()


def imports(*, memory: bool) -> None:
    from common.xlsx import SheetOut, xlsx_write
    from registry import excel
    from registry.models import Retailer

    user = _user()
    _imports_undo()
    if not Retailer.objects.filter(code__startswith="bench-st-").exists():
        excel.registry_import(slug="retailers", actor=user, content=xlsx_write(sheets=[SheetOut(
            "retailers", ["code", "kind", "name", "place", "valid_from"],
            [[f"bench-st-{i:04d}", "supermarket", f"Siêu thị thử {i}", "tp-ha-long",
              "01/01/1990"] for i in range(1000)])]))
    for n in (1000, 10000):
        for what, (run, rows) in _import_files(n).items():
            content = xlsx_write(sheets=[SheetOut(what, [str(h) for h in rows[0]], rows[1:])])
            start = time.perf_counter()
            result = run(content=content, actor=user)
            seconds = time.perf_counter() - start
            line = (f"import {what}, {n:,} rows ({len(content) / 1e6:.1f} MB): {seconds:.2f} s, "
                    f"{seconds / n * 1e6:.0f} µs a row; {result.created:,} created")
            _imports_undo()
            if memory and n == 10000:
                def again(run: Callable[..., Any] = run, content: bytes = content) -> Any:
                    return run(content=content, actor=user)
                peak = _peak_mb(again)
                _imports_undo()
                line += f"; peak Python memory {peak:.0f} MB"
            line += f" (load {os.getloadavg()[0]:.1f})"
            print(line + ("  [aim < 5 s, < 200 MB]" if n == 10000 else ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-generate", action="store_true")
    parser.add_argument("--only", choices=["exports", "imports"])
    parser.add_argument("--small", action="store_true",
                        help="a small database (2,000 enterprises: enough for the imports' "
                             "files) built in seconds instead of minutes; for the imports")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the tracemalloc runs (they take as long again)")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database, e.g. "
                 "postgres://postgres@127.0.0.1:5432/scp_national")
    national.setup(url)
    if not args.skip_generate:
        sizes = ({"orgunits": 1000, "enterprises": 2000, "reports": 1000} if args.small else
                 {"orgunits": 3363, "enterprises": 30035, "reports": 39035})
        counts = national.generate(**sizes)
        print(", ".join(f"{n:,} {label}" for label, n in counts.items()))
    print(f"load average: {os.getloadavg()[0]:.1f} (1 min), started {dt.datetime.now():%H:%M}")
    if args.only in (None, "exports"):
        exports(memory=not args.no_memory)
    if args.only in (None, "imports"):
        imports(memory=not args.no_memory)
    print(f"load average: {os.getloadavg()[0]:.1f} (1 min)")


if __name__ == "__main__":
    main()
