"""A server killed with SIGKILL in the middle of a request leaves the database as it was
before that request: a registry Excel import, a report submitted from its page (answers
saved and submitted at once) and a report submitted through the API.

Each test runs the real server (gunicorn, one worker) in a subprocess against a database of
its own, of the engine the suite runs on. The worker is made to stop right after the
request's first write of interest has reached the database, inside its transaction
(ops/tests/pausing_gunicorn.py), and is killed there with SIGKILL. A backup of the
database taken before the request is then compared with one taken after the kill, every
table row for row; the same request sent again to a fresh server does change the
database, so the comparison would have seen a half-stored request."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection

from ops.tests.helpers import SCP, database_drop, fresh_database, run, tables

pytestmark = pytest.mark.django_db  # only to learn the engine the suite runs on

GUNICORN_CONF = Path(__file__).with_name("pausing_gunicorn.py")
PASSWORD = "Hạ Long 2030!"
AREAS = 600  # more than one INSERT's worth on either engine


def prepare() -> None:
    """Run inside the subprocess database (`scp-monitor shell`): the reference data, a
    coordinator and two reporters with API tokens, period 2022S1 with the reports of sct
    and tp-ha-long filled in (ready to submit). Prints the tokens as JSON."""
    from accounts.models import Role
    from accounts.services import token_create, user_upsert
    from orgunits.models import OrgUnit
    from plans.selectors import plan_current
    from plans.services import reference_data_load
    from reporting.services import period_open, report_save
    from reporting.tests.conftest import complete_payload, report_of

    reference_data_load(actor=None)
    plan = plan_current()
    assert plan is not None
    period = period_open(plan=plan, code="2022S1", actor=None, notify=False)[0]
    users = {}
    for username, role, unit in [("dieuphoi", Role.COORDINATOR, "sct"),
                                 ("bc-sct", Role.REPORTER, "sct"),
                                 ("bc-tp-ha-long", Role.REPORTER, "tp-ha-long")]:
        users[username] = user_upsert(username=username, role=role, actor=None,
                                      org_unit=OrgUnit.objects.get(code=unit),
                                      email=f"{username}@example.invalid", password=PASSWORD)[0]
    for unit in ["sct", "tp-ha-long"]:
        report = report_of(period, unit)
        values, answers = complete_payload(report)
        report_save(report=report, actor=users[f"bc-{unit}"], version=report.version,
                    values=values, answers=answers)
    print(json.dumps({name: token_create(user=user, name="sigkill", actor=None)[1]
                      for name, user in users.items()}))


@pytest.fixture(scope="module")
def system(tmp_path_factory, django_db_blocker) -> Iterator[dict[str, Any]]:
    """A migrated database of the suite's engine, prepared; its environment and tokens.
    The test settings (fast password hashing, no collected static files) serve it: the
    database and its transactions are configured as in production."""
    with django_db_blocker.unblock():
        vendor = connection.vendor
    tmp = tmp_path_factory.mktemp("sigkill")
    env = fresh_database(tmp, vendor, "sigkill", DJANGO_SETTINGS_MODULE="config.settings.test")
    try:
        prepared = run([SCP, "shell", "-c", "from ops.tests.test_sigkill import prepare; "
                        "prepare()"], env, timeout=900)
        assert prepared.returncode == 0, prepared.stderr
        tokens = json.loads(prepared.stdout.strip().splitlines()[-1])
        yield {"env": env, "tmp": tmp, "tokens": tokens}
    finally:
        database_drop(env)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with one worker on a free port of the loopback, in its own process group."""

    def __init__(self, env: dict[str, str], log: Path, **extra: str) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log.open("a")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF),
             "--bind", f"127.0.0.1:{self.port}", "config.wsgi:application"],
            env={**env, **extra}, cwd=settings.BASE_DIR, stdout=self.log,
            stderr=subprocess.STDOUT, start_new_session=True)
        for _ in range(600):
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn stopped: {log.read_text()[-3000:]}")
            try:
                urllib.request.urlopen(f"{self.url}/healthz", timeout=5)
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise AssertionError("gunicorn did not answer")

    def kill(self) -> None:
        """SIGKILL to gunicorn and its worker: nothing gets to clean up."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=60)
        self.log.close()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # a killed child of gunicorn stays a zombie until its parent reaps it
    return Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z")


def killed_mid_request(system: dict[str, Any], name: str, pause_after: str,
                       ready: Any, send: Any) -> Path:
    """Start a server that pauses after the first statement matching `pause_after`; let
    `ready(url)` do what comes before (sign in, the token's first use), back the database
    up, let `send(url)` start the request in a thread, SIGKILL the worker at the pause, then
    the server. Returns the backup taken just before the request."""
    signal_file = system["tmp"] / f"{name}.paused"
    server = Server(system["env"], system["tmp"] / f"{name}.log",
                    SCP_TEST_PAUSE_AFTER=pause_after, SCP_TEST_PAUSE_SIGNAL=str(signal_file))
    outcome: dict[str, Any] = {}

    def request() -> None:
        try:
            outcome["response"] = send(server.url)
        except requests.RequestException as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=request)
    try:
        ready(server.url)
        assert not signal_file.exists()
        before = backup(system, f"{name}-before")
        thread.start()
        for _ in range(1200):
            if signal_file.exists() and signal_file.read_text():
                break
            assert thread.is_alive(), f"the request ended without pausing: {outcome}"
            time.sleep(0.1)
        else:
            raise AssertionError("the worker never reached the pause")
        worker = int(signal_file.read_text())
        os.kill(worker, signal.SIGKILL)
        for _ in range(100):
            if _gone(worker):
                break
            time.sleep(0.1)
        assert _gone(worker)
    finally:
        server.kill()
        if thread.ident is not None:
            thread.join(timeout=60)
    # the client saw its connection dropped, never an answer
    assert "response" not in outcome and isinstance(outcome.get("error"),
                                                    requests.ConnectionError), outcome
    return before


def backup(system: dict[str, Any], name: str) -> Path:
    path = system["tmp"] / f"{name}.zip"
    written = run([SCP, "backup", str(path)], system["env"], timeout=600)
    assert written.returncode == 0, written.stderr
    return path


def assert_unchanged(system: dict[str, Any], before: Path, name: str) -> dict[str, list]:
    """Every table of the database as in the `before` archive, row for row."""
    after = tables(backup(system, f"{name}-after"))
    original = tables(before)
    assert sorted(after) == sorted(original)
    assert {label for label in original if original[label] != after[label]} == set()
    return after


def _bearer(system: dict[str, Any], username: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {system['tokens'][username]}"}


def _areas_xlsx() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "areas"
    sheet.append(["code", "kind", "name", "place", "valid_from"])
    for n in range(AREAS):
        sheet.append([f"ccn-thu-{n:04d}", "industrial_cluster", f"CCN Thử nghiệm {n}",
                      "tp-ha-long", "01/01/2015"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _first_use(headers: dict[str, str]) -> Any:
    """The token's first use writes its "last used": done before the snapshot."""
    def ready(url: str) -> None:
        assert requests.get(f"{url}/api/v1/plan", headers=headers, timeout=60).ok
    return ready


def test_a_registry_import_killed_after_its_first_insert_stores_nothing(system):
    headers = _bearer(system, "dieuphoi")
    content = _areas_xlsx()

    def send(url: str) -> requests.Response:
        return requests.post(f"{url}/api/v1/registry/import/areas", headers=headers,
                             files={"file": ("areas.xlsx", content)}, timeout=600)

    # PostgreSQL takes the rows through COPY (common.bulk), which no execute wrapper sees:
    # there the pause is at the next statement, the audit records' ids, the areas sent
    before = killed_mid_request(
        system, "import", r'^INSERT INTO "registry_area"|pg_get_serial_sequence.*auditevent',
        _first_use(headers), send)
    after = assert_unchanged(system, before, "import")
    assert not any(row["code"].startswith("ccn-thu-") for row in after.get("registry.area", []))

    again = Server(system["env"], system["tmp"] / "import-again.log")
    try:
        done = send(again.url)
    finally:
        again.kill()
    assert done.status_code == 200, done.text
    assert done.json()["created"] == AREAS
    compared = run([SCP, "backup", "--compare", str(before)], system["env"], timeout=600)
    assert compared.returncode == 1
    assert "registry.area" in compared.stderr and "common.auditevent" in compared.stderr


class Form(HTMLParser):
    """The fields of the page's form that holds `marker` (by name), as a browser sends
    them: text, hidden and textarea values, the selected option, checked boxes."""

    def __init__(self, marker: str) -> None:
        super().__init__()
        self.marker = marker
        self.forms: list[dict[str, Any]] = []
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action"), "fields": []})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in {"submit", "button", "file"}:
            if a.get("type") not in {"checkbox", "radio"} or "checked" in a:
                fields.append((name, a.get("value") or ""))
        elif tag == "textarea" and name:
            self.textarea = name
            fields.append((name, ""))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in a:
            fields.append((self.select, a.get("value") or ""))

    def handle_data(self, data: str) -> None:
        if self.textarea and self.forms:
            fields = self.forms[-1]["fields"]
            fields[-1] = (self.textarea, fields[-1][1] + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None

    def fields(self) -> list[tuple[str, str]]:
        found = [f for f in self.forms if any(n == self.marker for n, _v in f["fields"])]
        assert len(found) == 1, [f["action"] for f in self.forms]
        return found[0]["fields"]


def _sign_in(session: requests.Session, url: str, username: str) -> None:
    login = session.get(f"{url}/login/", timeout=60)
    form = Form("username")
    form.feed(login.text)
    fields = dict(form.fields())
    fields.update(username=username, password=PASSWORD)
    signed = session.post(f"{url}/login/", data=fields, timeout=60, allow_redirects=False)
    assert signed.status_code == 302, signed.text[:500]


def test_a_report_submitted_from_its_page_and_killed_mid_submission_stores_nothing(system):
    report_url = "/reporting/r/2022S1/sct/"
    session = requests.Session()
    fields: list[tuple[str, str]] = []

    def ready(url: str) -> None:
        _sign_in(session, url, "bc-sct")
        page = session.get(f"{url}{report_url}", timeout=120)
        assert page.status_code == 200
        form = Form("version")
        form.feed(page.text)
        fields.extend(form.fields())
        # one answer changed, then "Nộp báo cáo": saved and submitted in the one request
        results = next(i for i, (name, _v) in enumerate(fields)
                       if name.startswith("t:") and name.endswith(":results"))
        fields[results] = (fields[results][0], "Đã triển khai xong, nộp báo cáo.")
        fields.append(("action", "submit"))

    def send(url: str) -> requests.Response:
        return session.post(f"{url}{report_url}", data=fields, timeout=600,
                            allow_redirects=False)

    # the pause: the report's state written by the submission, after the answers were
    before = killed_mid_request(system, "page", r'^UPDATE "reporting_reportrequest" SET .*"state"',
                                ready, send)
    after = assert_unchanged(system, before, "page")
    answers = [row["results"] for row in after["reporting.taskanswer"]]
    assert "Đã triển khai xong, nộp báo cáo." not in answers

    again = Server(system["env"], system["tmp"] / "page-again.log")
    try:
        done = send(again.url)
    finally:
        again.kill()
    assert done.status_code == 302, done.text[:2000]
    stored = tables(backup(system, "page-done"))
    report = next(r for r in stored["reporting.reportrequest"]
                  if r["pk"] == _report_pk(before, "sct"))
    assert report["state"] == "submitted"
    assert "Đã triển khai xong, nộp báo cáo." in [r["results"]
                                                  for r in stored["reporting.taskanswer"]]


def _report_pk(archive: Path, unit: str) -> int:
    rows = tables(archive)
    unit_pk = next(u["pk"] for u in rows["orgunits.orgunit"] if u["code"] == unit)
    return next(r["pk"] for r in rows["reporting.reportrequest"] if r["org_unit"] == unit_pk)


def test_a_report_submitted_through_the_api_and_killed_mid_submission_stores_nothing(system):
    headers = _bearer(system, "bc-tp-ha-long")
    submit = "/api/v1/reporting/reports/2022S1/tp-ha-long/submit"

    def send(url: str) -> requests.Response:
        return requests.post(f"{url}{submit}", headers=headers, json={}, timeout=600)

    before = killed_mid_request(system, "api", r'^UPDATE "reporting_reportrequest" SET .*"state"',
                                _first_use(headers), send)
    after = assert_unchanged(system, before, "api")
    pk = _report_pk(before, "tp-ha-long")
    assert next(r for r in after["reporting.reportrequest"] if r["pk"] == pk)["state"] == "draft"

    again = Server(system["env"], system["tmp"] / "api-again.log")
    try:
        done = send(again.url)
    finally:
        again.kill()
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "submitted"
