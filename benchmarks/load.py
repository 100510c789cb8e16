"""Deadline-day load benchmark: gunicorn against a throwaway database, driven by Locust.

    uv run python benchmarks/load.py                      # PostgreSQL, 200 reporters
    uv run python benchmarks/load.py --sqlite --users 50  # the embedded SQLite default

Steps (figures, never pass/fail):
1. prepare: a fresh database (PostgreSQL `<DATABASE_URL's database>_load` on that server, or a
   temporary SQLite file), migrated, with the demo loaded; synthetic designated enterprises
   are added until the current period has a report request for every simulated reporter;
   one user (and API token) per request, plus the coordinators.
2. serve it with gunicorn (`--workers`, sync workers, production-like settings).
3. throughput: Locust at 50 connections without pause on the login page and on a trivial
   endpoint (/robots.txt), the ceilings, then on each deadline step alone (inbox, form,
   draft save through the API: a client reads the report once, then saves on the version
   each save returns; the coordinator's completeness page), signed in; each
   step's throughput is divided by the login page's (aim: at least 0,25).
4. deadline day: every reporter, signed in, opens the inbox, the form, saves a draft twice
   through the API and submits, pausing `--think` seconds on average between steps as a
   person reads and types (0: none); meanwhile the coordinators reload the completeness
   and review pages. p50/p95/p99 latency and errors per step (aim: p95 under 200 ms, no
   errors). Without a pause, 200 users are 200 connections always waiting: their latency
   is the queue, not the server, and measures what step 3 measures.

Preparation runs in a subprocess: Locust monkey-patches the standard library with gevent
on import, which Django's database layer must not see."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-bench-1234"


# --------------------------------------------------------------------------------------
# 1. prepare (subprocess, plain Django)


def prepare(out: Path, reporters: int, coordinators: int) -> None:
    """Demo data plus enough designated enterprises for `reporters` open requests; write
    the credentials as JSON to `out`."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from accounts.models import Role
    from accounts.services import token_create, user_upsert
    from orgunits.models import OrgUnit
    from plans.selectors import plan_current
    from registry.checks import tax_code_check_digit
    from registry.models import Enterprise, FigurePeriod
    from registry.services import (
        consumption_record_save,
        enterprise_designate,
        enterprise_save,
    )
    from reporting.models import Period, ReportRequest, ReportState
    from reporting.services import period_open

    call_command("migrate", verbosity=0)
    call_command("demo", verbosity=0)
    plan = plan_current()
    assert plan is not None
    today = timezone.localdate()
    period = (Period.objects.filter(plan=plan, due_date__gte=today)
              .exclude(code__startswith="AH").order_by("due_date").first())
    assert period is not None, "the demo opens no current period"
    admin = user_upsert(username="load-admin", role=Role.ADMIN, actor=None,
                        password=PASSWORD, email="load-admin@example.invalid")[0]

    def open_requests() -> list[ReportRequest]:
        return list(ReportRequest.objects.filter(
            period=period, state__in=[ReportState.DRAFT, ReportState.RETURNED],
            org_unit__valid_to__isnull=True).select_related("org_unit").order_by("pk"))

    missing = reporters - len(open_requests())
    place = OrgUnit.objects.filter(kind="ward", valid_to__isnull=True).order_by("code").first()
    model = (Enterprise.objects.exclude(sector=None).filter(records__period=FigurePeriod.YEAR)
             .select_related("sector").order_by("pk").first())
    assert model is not None, "the demo has no enterprise with a sector"
    sector = model.sector
    # every synthetic enterprise's figures for the period's year, copied from the model's
    # latest year, so that its report can be submitted like a real one
    latest = model.records.filter(period=FigurePeriod.YEAR).order_by("-year").first()
    assert latest is not None, "the demo's model enterprise has no yearly figures"
    lines = [(line.item.code, line.quantity, line.unit.code,
              line.product.code if line.product is not None else "")
             for line in latest.lines.select_related("item", "unit", "product")]
    serial = 0
    while missing > 0:
        serial += 1
        first_nine = f"59{serial:07d}"
        check = tax_code_check_digit(first_nine)
        if check is None:
            continue
        enterprise = enterprise_save(data={
            "tax_code": f"{first_nine}{check}", "name": f"Doanh nghiệp thử tải {serial}",
            "sector": sector, "place": place, "valid_from": dt.date(2015, 1, 1),
        }, actor=admin)
        enterprise_designate(enterprise=enterprise, actor=admin)
        consumption_record_save(enterprise=enterprise, year=period.year,
                                period=FigurePeriod.YEAR, lines=lines, actor=admin)
        missing -= 1
    period_open(plan=plan, code=period.code, actor=admin, notify=False)

    reporters_out = []
    for n, report in enumerate(open_requests()[:reporters]):
        user = user_upsert(username=f"load-r{n}", role=Role.REPORTER, actor=None,
                           org_unit=report.org_unit, password=PASSWORD,
                           email=f"load-r{n}@example.invalid")[0]
        _, token = token_create(user=user, name="load", actor=user)
        reporters_out.append({"username": user.username, "token": token,
                              "period": period.code, "unit": report.org_unit.code})
    coordinator_unit = OrgUnit.objects.get(code="sct")
    coordinators_out = [
        {"username": user_upsert(username=f"load-c{n}", role=Role.COORDINATOR, actor=None,
                                 org_unit=coordinator_unit, password=PASSWORD,
                                 email=f"load-c{n}@example.invalid")[0].username}
        for n in range(coordinators)]
    out.write_text(json.dumps({"reporters": reporters_out, "coordinators": coordinators_out,
                               "period": period.code}))


def reopen(creds_file: Path) -> None:
    """Put the simulated units' reports that an earlier run submitted back to draft (the
    benchmark's own throwaway data), so that a run with --prepared saves and submits
    again; on PostgreSQL, vacuum the dead rows earlier runs left (every save rewrites the
    report's row), so that each run starts from the same footing."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    import django

    django.setup()
    from django.db import connection

    from reporting.models import ReportRequest, ReportState

    creds = json.loads(creds_file.read_text())
    ReportRequest.objects.filter(
        period__code=creds["period"], state=ReportState.SUBMITTED,
        org_unit__code__in=[r["unit"] for r in creds["reporters"]]).update(
        state=ReportState.DRAFT)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


# --------------------------------------------------------------------------------------
# 2. the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def gunicorn(env: dict[str, str], workers: int, log: Path):
    port = free_port()
    # the production settings (config/gunicorn.conf.py: timeouts, worker recycling), and
    # --preload with every view imported (benchmarks/wsgi.py): the workers fork ready, so
    # no measured request pays for imports
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py",
         "benchmarks.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), "--log-level", "warning", "--backlog", "2048", "--preload"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        warm_up(url, workers)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:  # a worker stuck past the graceful timeout
            proc.kill()
            proc.wait()


def warm_up(url: str, workers: int, patience: float = 300) -> None:
    """Wait until the server answers the login page, then send each worker a few requests
    (first requests pay for template loading and connections)."""
    deadline = time.monotonic() + patience
    while True:
        try:
            with urllib.request.urlopen(url + "/login/", timeout=10) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit(f"the server at {url} did not answer within {patience:.0f} s")
        time.sleep(0.5)
    for _ in range(workers * 5):
        for path in ("/login/", "/robots.txt"):
            urllib.request.urlopen(url + path, timeout=30).read()


# --------------------------------------------------------------------------------------
# 3-4. load (Locust, gevent)


def run_load(url: str, creds: dict[str, Any], *, users: int, coordinators: int,
             duration: float, ceilings: bool, think: float, saturation: bool
             ) -> dict[str, Any]:
    import gevent
    from gevent.event import Event
    from locust import FastHttpUser, SequentialTaskSet, between, constant, events, task
    from locust.env import Environment
    from locust.exception import StopUser

    pool = list(creds["reporters"][:users])
    cpool = list(creds["coordinators"][:coordinators])

    signed_in = {"n": 0}
    # deadline day starts when everyone has signed in (the window opens then)
    everyone_in = Event()

    def login(client: Any, username: str) -> None:
        page = client.get("/login/", name="(login setup)")
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text or "")
        client.post("/login/", data={"username": username, "password": PASSWORD,
                                     "csrfmiddlewaretoken": found.group(1) if found else ""},
                    headers={"Referer": url + "/login/"}, name="(login setup)")
        signed_in["n"] += 1

    # The deadline steps, each written once: deadline day chains them, the throughput
    # measure repeats one alone. `me`: a reporter's (or coordinator's) credentials.
    def inbox_step(client: Any, me: dict[str, Any]) -> None:
        client.get("/reporting/", name="1 inbox")

    def form_step(client: Any, me: dict[str, Any]) -> None:
        client.get(f"/reporting/r/{me['period']}/{me['unit']}/", name="2 report form")

    def save_step(client: Any, me: dict[str, Any], name: str = "3 save draft (API)") -> None:
        # As a client does: read the report once, then save on the version the last save
        # returned (read again only after a conflict). `me` is the simulated user's own copy.
        report, auth = f"{me['period']}/{me['unit']}", {"Authorization": f"Bearer {me['token']}"}
        if "current" not in me:
            me["current"] = client.get(f"/api/v1/reporting/reports/{report}", headers=auth,
                                       name="(read version)").json()
        with client.post(f"/api/v1/reporting/reports/{report}/values",
                         json=_draft(me["current"]), headers=auth, name=name,
                         catch_response=True) as response:
            if response.status_code == 200:
                me["current"] = response.json()
            else:
                me.pop("current")

    def completeness_step(client: Any, me: dict[str, Any]) -> None:
        client.get("/reporting/completeness/", name="6 completeness (coordinator)")

    class Deadline(SequentialTaskSet):
        """One reporter's deadline day: inbox, form, two draft saves, submit."""

        @property
        def reporter(self) -> Any:
            return self.user

        def on_start(self) -> None:
            me = self.reporter.me
            self.report = f"{me['period']}/{me['unit']}"
            self.auth = {"Authorization": f"Bearer {me['token']}"}
            # people do not all click at the same second: each starts within one pause
            everyone_in.wait()
            gevent.sleep(random.uniform(0, think))

        @task
        def inbox(self) -> None:
            inbox_step(self.client, self.reporter.me)

        @task
        def form(self) -> None:
            form_step(self.client, self.reporter.me)

        @task
        def save_1(self) -> None:
            save_step(self.client, self.reporter.me)

        @task
        def save_2(self) -> None:
            save_step(self.client, self.reporter.me, "4 save draft again (API)")

        @task
        def submit(self) -> None:
            with self.client.post(f"/api/v1/reporting/reports/{self.report}/submit", json={},
                                  headers=self.auth, name="5 submit (API)",
                                  catch_response=True) as response:
                # a demo report with required answers missing is refused, as it should be:
                # counted apart, not as an error
                if response.status_code == 409:
                    response.success()
                    refused["n"] += 1
            raise StopUser  # the reporter's deadline day is done

    # A person reads and types between two steps: `think` seconds on average (uniform
    # between half and one and a half times it); 0 sends the next request at once.
    pause = between(think / 2, think * 3 / 2) if think else constant(0)

    class Reporter(FastHttpUser):
        fixed_count = len(pool)
        host = url
        tasks = [Deadline]
        wait_time = pause

        def on_start(self) -> None:
            self.me = dict(pool.pop())
            login(self.client, self.me["username"])

    class Coordinator(FastHttpUser):
        fixed_count = len(cpool)
        host = url
        wait_time = pause

        def on_start(self) -> None:
            login(self.client, cpool.pop()["username"])

        @task(2)
        def completeness(self) -> None:
            completeness_step(self.client, {})

        @task(1)
        def review(self) -> None:
            self.client.get("/reporting/review/", name="7 review queue (coordinator)")

    class LoginPage(FastHttpUser):
        host = url

        @task
        def page(self) -> None:
            self.client.get("/login/", name="ceiling: login page")

    class Trivial(FastHttpUser):
        host = url

        @task
        def page(self) -> None:
            self.client.get("/robots.txt", name="ceiling: trivial endpoint")

    class Alone(FastHttpUser):
        """One deadline step repeated without pause by signed-in reporters (or
        coordinators): the server's throughput for that step, beside the login page's."""

        abstract = True
        host = url
        people: list[dict[str, Any]] = []

        def on_start(self) -> None:
            self.me = dict(self.people.pop())
            login(self.client, self.me["username"])

    def alone(name: str, people: list[dict[str, Any]], step: Any) -> type:
        return type(name, (Alone,), {"fixed_count": len(people), "people": people,
                                     "tasks": [lambda user: step(user.client, user.me)]})

    refused = {"n": 0}

    def measure(classes: list[Any], count: int, seconds: float) -> tuple[Any, float]:
        env = Environment(user_classes=classes, events=events)
        runner = env.create_local_runner()
        signed_in["n"] = 0
        everyone_in.clear()
        runner.start(count, spawn_rate=max(count, 1) / 2)
        gevent.sleep(2)  # spawn
        # every simulated user signs in before the measured window opens: a sign-in hashes
        # the password (Argon2, deliberately slow), and 200 of them at once held the first
        # run's window before a single deadline step was made
        waited = time.monotonic() + 600
        while signed_in["n"] < sum(c.fixed_count for c in classes
                                   if getattr(c, "fixed_count", 0)) \
                and time.monotonic() < waited:
            gevent.sleep(0.5)
        env.stats.reset_all()
        everyone_in.set()
        started = time.perf_counter()
        gevent.sleep(seconds)
        elapsed = time.perf_counter() - started
        runner.quit()
        return env.stats, elapsed

    alone_results: dict[str, Any] = {}
    errors: list[Any] = []
    if ceilings:
        for cls in (LoginPage, Trivial):
            stats, elapsed = measure([cls], 50, min(duration, 15))
            for entry in stats.entries.values():
                alone_results[entry.name] = _row(entry, elapsed)
    if saturation:
        reporters, coordinators_all = creds["reporters"], creds["coordinators"]
        for name, people, step in (("Inbox", reporters, inbox_step),
                                   ("Form", reporters, form_step),
                                   ("Save", reporters, save_step),
                                   ("Completeness", coordinators_all, completeness_step)):
            # 50 connections, pages sharing accounts if there are fewer (one session each);
            # saves only on reports of their own (two on one report conflict, rightly)
            sessions = (people[:50] if step is save_step
                        else [people[n % len(people)] for n in range(50)])
            stats, elapsed = measure([alone(name, sessions, step)], len(sessions),
                                     min(duration, 15))
            errors.extend(stats.errors.values())
            for entry in stats.entries.values():
                if not entry.name.startswith("("):
                    alone_results[entry.name] = _row(entry, elapsed)
    day: dict[str, Any] = {}
    stats, elapsed = measure([Reporter, Coordinator], len(pool) + len(cpool), duration)
    errors.extend(stats.errors.values())
    for entry in stats.entries.values():
        if not entry.name.startswith("("):
            day[entry.name] = _row(entry, elapsed)
    return {"alone": alone_results, "day": day, "refused": refused["n"],
            "errors": {f"{e.name}: {e.error}": e.occurrences for e in errors}}


def _draft(current: dict[str, Any]) -> dict[str, Any]:
    """A draft save of the report as read: new results for its first task, if it has any
    (an enterprise's report holds only its figures: then nothing changes but the version)."""
    tasks = [t["ref"] for t in current.get("tasks") or [] if "ref" in t]
    return {"version": current["version"], "values": {}, "tasks": {
        ref: {"results": f"Đã triển khai {time.time()}"} for ref in tasks[:1]}}


def _row(entry: Any, elapsed: float) -> dict[str, Any]:
    return {"requests": entry.num_requests, "errors": entry.num_failures,
            "rps": entry.num_requests / elapsed if elapsed else 0.0,
            "p50": entry.get_response_time_percentile(0.5),
            "p95": entry.get_response_time_percentile(0.95),
            "p99": entry.get_response_time_percentile(0.99)}


def _table(results: dict[str, Any], login: float | None, aim: str) -> None:
    print(f"{'step':38} {'requests':>8} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'p99 ms':>7} {'errors':>6} {'÷ login':>8}  aim ({aim})")
    for name in sorted(results):
        r = results[name]
        ratio = r["rps"] / login if login else None
        if name.startswith("ceiling"):
            verdict = ""
        elif aim.startswith("÷ login"):
            verdict = "-" if ratio is None else ("met" if ratio >= 0.25 else "missed")
        else:
            verdict = "met" if r["p95"] < 200 and not r["errors"] else "missed"
        shown = f"{ratio:8.3f}" if ratio is not None else f"{'-':>8}"
        print(f"{name:38} {r['requests']:8d} {r['rps']:8.1f} {r['p50']:7.0f} {r['p95']:7.0f} "
              f"{r['p99']:7.0f} {r['errors']:6d} {shown}  {verdict}")


def report(results: dict[str, Any], *, users: int, coordinators: int,
           think: float) -> None:
    login = results["alone"].get("ceiling: login page", {}).get("rps")
    if "ceiling: login page" in results["alone"] and not login:
        print("the login page answered no request while measured: no ratios")
    if results["alone"]:
        print("\nThroughput: each step alone, 50 connections without pause (ceilings: "
              "the login page and a trivial endpoint)")
        _table(results["alone"], login, "÷ login ≥ 0,25")
    print(f"\nDeadline day: {users} reporters and {coordinators} coordinators at once, "
          f"{think:g} s between steps on average" if think else
          f"\nDeadline day: {users} reporters and {coordinators} coordinators at once, "
          "no pause between steps")
    _table(results["day"], login, "p95 < 200 ms, no errors")
    if results["refused"]:
        print(f"submits refused because the report lacks required answers (409, expected): "
              f"{results['refused']}")
    for what, times in results["errors"].items():
        print(f"error ×{times}: {what}")


# --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=200, help="concurrent reporters")
    parser.add_argument("--coordinators", type=int, default=5)
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds of deadline day measured (each step alone: at most 15)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--sqlite", action="store_true", help="the embedded SQLite default")
    parser.add_argument("--no-ceilings", action="store_true")
    parser.add_argument("--no-saturation", action="store_true",
                        help="skip each step's throughput alone at 50 connections")
    parser.add_argument("--think", type=float, default=10.0,
                        help="average seconds a person spends between two steps of deadline "
                             "day (0: none)")
    parser.add_argument("--prepared", type=Path, metavar="CREDS_JSON",
                        help="PostgreSQL: reuse the database an earlier run prepared, with the "
                             "credentials it saved (printed at its start)")
    parser.add_argument("--prepare", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--reopen", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.prepare, args.users, args.coordinators)
        return
    if args.reopen:
        reopen(args.reopen)
        return

    work = Path(tempfile.mkdtemp(prefix="scp-load-"))
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.prod",
           "SCP_SECRET_KEY": "load-benchmark-" + "x" * 40, "SCP_ALLOWED_HOSTS": "127.0.0.1",
           "SCP_LOCAL_HTTP": "1",
           "SCP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if args.sqlite:
        # the embedded default itself (WAL, IMMEDIATE writes, busy timeout), in a file of
        # its own
        env.pop("DATABASE_URL", None)
        env["SCP_SQLITE_PATH"] = str(work / "load.sqlite3")
    else:
        server = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/scp")
        base, own = server.rsplit("/", 1)
        # beside (never over) the caller's database, so benchmarks of two checkouts coexist
        name = f"{own.split('?')[0]}_load"
        admin = f"{base.replace('postgres://', 'postgresql://')}/postgres"
        if not args.prepared:
            subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name}"],
                           check=True)
            subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
        env["DATABASE_URL"] = f"{base}/{name}"
    creds_file = args.prepared or work / "creds.json"
    if not args.prepared:
        where = env.get("DATABASE_URL") or env["SCP_SQLITE_PATH"]
        print(f"Preparing {where} (demo, {args.users} reporters; credentials in "
              f"{creds_file}) ...", flush=True)
        subprocess.run([sys.executable, __file__, "--prepare", str(creds_file),
                        "--users", str(args.users), "--coordinators", str(args.coordinators)],
                       env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
                       check=True, cwd=ROOT)
    else:
        subprocess.run([sys.executable, __file__, "--reopen", str(creds_file)],
                       env={**env, "DJANGO_SETTINGS_MODULE": "config.settings.dev"},
                       check=True, cwd=ROOT)
    creds = json.loads(creds_file.read_text())
    if len(creds["reporters"]) < args.users:
        print(f"only {len(creds['reporters'])} open requests found", file=sys.stderr)
    # every run: a fresh checkout reusing a prepared database has not collected them yet,
    # and an unchanged collection costs little
    subprocess.run([sys.executable, "-m", "django", "collectstatic", "--noinput", "-v0"],
                   env=env, cwd=ROOT, check=True)
    log = Path(tempfile.gettempdir()) / f"scp-load-server-{os.getpid()}.log"
    with gunicorn(env, args.workers, log) as url:
        print(f"gunicorn {args.workers} workers at {url}; {args.duration:.0f} s per run; "
              f"server log (a JSON line per request) in {log}", flush=True)
        results = run_load(url, creds, users=args.users, coordinators=args.coordinators,
                           duration=args.duration, ceilings=not args.no_ceilings,
                           think=args.think, saturation=not args.no_saturation)
    report(results, users=args.users, coordinators=args.coordinators, think=args.think)
    if not args.prepared:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
