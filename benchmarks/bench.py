"""Timing and memory figures for the main paths, on a throwaway SQLite database (or on
DATABASE_URL if set) loaded with the demo data. Prints one line a measurement:

    uv run python benchmarks/bench.py [--repeat N]

Figures, not pass/fail: compare them between commits on the same machine."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
os.environ.setdefault("SCP_DEBUG", "0")  # measure without the debug machinery
if "DATABASE_URL" not in os.environ:
    os.environ["SCP_SQLITE_PATH"] = str(Path(tempfile.mkdtemp()) / "bench.sqlite3")


def _timed(fn, repeat: int) -> tuple[float, float]:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - start) * 1000)
    return statistics.median(runs), max(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from accounts.models import User
    from plans.selectors import plan_current, plan_obligations_on
    from plans.services import plan_load

    start = time.perf_counter()
    with open(os.devnull, "w") as quiet:
        call_command("demo", verbosity=0, stdout=quiet)
    print(f"demo load (migrate + reference + demo data): {time.perf_counter() - start:.1f} s")

    tracemalloc.start()
    median, worst = _timed(lambda: plan_load(path=settings.SCP_PLAN_FILE, actor=None), 1)
    peak = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    print(f"plan load, unchanged file: {median:.0f} ms, peak {peak:.1f} MB")

    from orgunits.models import OrgUnit
    from plans.loader import plan_file_read

    codes = set(OrgUnit.objects.values_list("code", flat=True))
    median, worst = _timed(lambda: plan_file_read(settings.SCP_PLAN_FILE, known_units=codes),
                           args.repeat)
    print(f"plan file read and checked (all 40 tasks, 94 questions): median {median:.0f} ms")

    plan = plan_current()
    assert plan is not None, "the demo loads the plan"
    import datetime as dt

    day = dt.date(2025, 8, 1)
    median, worst = _timed(lambda: plan_obligations_on(plan=plan, day=day), args.repeat)
    print(f"plan_obligations_on (after the reorganisation): median {median:.1f} ms, "
          f"max {worst:.1f} ms")

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username="dieuphoi"))
    pages = ["/", "/plan/agencies/", "/plan/tasks/", "/reporting/review/",
             "/reporting/completeness/", "/reporting/periods/2025/", "/registry/",
             "/registry/enterprises/", "/api/v1/plan", "/api/v1/reporting/completeness"]
    queries: list[str] = []

    def count(execute, sql, *rest):
        queries.append(sql)
        return execute(sql, *rest)

    for url in pages:
        queries.clear()
        with connection.execute_wrapper(count):
            status = client.get(url).status_code
        median, worst = _timed(lambda url=url: client.get(url), args.repeat)
        print(f"GET {url:<34} {status}  median {median:6.1f} ms  max {worst:6.1f} ms  "
              f"{len(queries)} queries")


if __name__ == "__main__":
    main()
