"""Imports and other users: a file is checked without holding a write transaction, then
written in one short transaction; concurrent imports of the same new codes answer 200,
409 or 422, never 500; a busy database answers 503, never 500."""

from __future__ import annotations

import threading

import pytest
from django.db import OperationalError, connection

from accounts.models import Role
from accounts.services import token_create, user_upsert
from registry import excel, services
from registry.models import Area, AwarenessActivity, PackagingPractice
from registry.tests.conftest import tax_code, xlsx

HEADER = ["code", "kind", "name", "place", "valid_from"]


def _rows(n: int, prefix: str = "kcn") -> list[list]:
    return [HEADER] + [[f"{prefix}-{i}", "industrial_park", f"KCN số {i}", "tp-ha-long",
                        "01/01/2015"] for i in range(n)]


@pytest.mark.django_db(transaction=True)
def test_the_file_is_checked_outside_any_transaction_then_written_in_one(
        reference_data, monkeypatch):
    actor = user_upsert(username="c", role=Role.COORDINATOR, actor=None, password="pw")[0]
    checked, written = [], []
    check, write = services.entry_check, services.entries_write

    def spy_check(**kwargs):
        checked.append(connection.in_atomic_block)
        return check(**kwargs)

    def spy_write(**kwargs):
        written.append(connection.in_atomic_block)
        return write(**kwargs)

    monkeypatch.setattr(services, "entry_check", spy_check)
    monkeypatch.setattr(services, "entries_write", spy_write)
    result = excel.registry_import(slug="areas", content=xlsx(_rows(40)), actor=actor)
    assert result.created == 40 and Area.objects.count() == 40
    assert checked == [False] * 40  # other users write freely while the file is checked
    assert written == [True]  # all of it at once in one transaction: all or nothing


# per import: its service, what checks a row (or a record), what writes, and the file
PHASES = {
    "activities": (excel.activities_import, "activity_check", "activities_write",
                   lambda: _activity_rows(40)),
    "packaging": (excel.packaging_import, "packaging_check", "packagings_write",
                  lambda: _packaging_rows(40)),
    "figures": (excel.figures_import, "consumption_record_check", "consumption_records_write",
                lambda: _figure_rows(40)),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("what", sorted(PHASES))
def test_every_import_checks_outside_a_transaction_then_writes_in_one(
        what, reference_data, monkeypatch):
    actor = user_upsert(username="c", role=Role.COORDINATOR, actor=None, password="pw")[0]
    _prepare(what, actor, 40)
    run, check_name, write_name, rows = PHASES[what]
    checked, written = [], []
    check, write = getattr(services, check_name), getattr(services, write_name)

    def spy_check(**kwargs):
        checked.append(connection.in_atomic_block)
        return check(**kwargs)

    def spy_write(**kwargs):
        written.append(connection.in_atomic_block)
        return write(**kwargs)

    monkeypatch.setattr(services, check_name, spy_check)
    monkeypatch.setattr(services, write_name, spy_write)
    progress: list[tuple[int, int]] = []
    result = run(content=xlsx(rows()), actor=actor,
                 on_progress=lambda done, total: progress.append((done, total)))
    assert result.created == 40
    assert checked == [False] * 40  # other users write freely while the file is checked
    assert written == [True]  # all of it at once in one transaction: all or nothing
    total = result.rows + 1  # the rows checked, then the write
    assert progress[-1] == (total, total) and progress == sorted(progress)


def _activity_rows(n: int) -> list[list]:
    return [["date", "organiser", "title"]] + [["15/05/2022", "sct", f"Hội nghị số {i}"]
                                                for i in range(n)]


def _packaging_rows(n: int) -> list[list]:
    return [["retailer", "since", "basis"]] + [[f"st-{i}", "01/03/2021", "declared"]
                                               for i in range(n)]


def _tax_codes(n: int) -> list[str]:
    codes = [tax_code(0)]
    while len(codes) < n:  # the next valid code after the last
        codes.append(tax_code(int(codes[-1][2:9]) + 1))
    return codes


def _figure_rows(n: int) -> list[list]:
    return [["tax_code", "year", "period", "item", "quantity", "unit"]] + [
        row for i, code in enumerate(_tax_codes(n))
        for row in ([code, 2022, "year", "coal", 1000 + i, "t"],
                    [code, 2022, "year", "diesel", 10 + i, "l"])]


def _prepare(what: str, actor, n: int) -> None:
    """The retailers or enterprises the rows of `what` belong to."""
    if what == "packaging":
        excel.registry_import(slug="retailers", actor=actor, content=xlsx(
            [["code", "kind", "name", "place", "valid_from"]]
            + [[f"st-{i}", "supermarket", f"Siêu thị {i}", "tp-ha-long", "01/01/2015"]
               for i in range(n)]))
    if what == "figures":
        excel.registry_import(slug="enterprises", actor=actor, content=xlsx(
            [["tax_code", "name", "sector", "place", "valid_from"]]
            + [[code, f"Công ty Than {i}", "coal", "tp-ha-long", "01/01/2015"]
               for i, code in enumerate(_tax_codes(n))]))


# what each import writes with, the place where the five imports meet once every file
# is checked (so they race to write), and the file
RACES = {
    "areas": (services, "entries_write", lambda: _rows(30)),
    "activities": (services, "activities_write", lambda: _activity_rows(30)),
    "packaging": (excel, "_practices_unchanged", lambda: _packaging_rows(30)),
    "figures": (excel, "_records_unchanged", lambda: _figure_rows(30)),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers, so imports cannot race there")
@pytest.mark.parametrize("what", sorted(RACES))
def test_concurrent_imports_of_the_same_new_rows(what, reference_data, monkeypatch):
    from django.test import Client

    from registry.models import ConsumptionRecord

    actor = user_upsert(username="c", role=Role.COORDINATOR, actor=None, password="pw")[0]
    _token, raw = token_create(user=actor, name="t", actor=actor)
    _prepare(what, actor, 30)
    module, name, rows = RACES[what]
    content = xlsx(rows())
    barrier = threading.Barrier(5, timeout=30)
    write = getattr(module, name)
    waited = threading.local()

    def write_together(**kwargs):
        # every import has checked its file (nothing of it exists yet) before any writes
        if not getattr(waited, "done", False):
            waited.done = True
            barrier.wait()
        return write(**kwargs)

    monkeypatch.setattr(module, name, write_together)
    statuses: list[int] = []

    def run() -> None:
        from django.core.files.uploadedfile import SimpleUploadedFile

        try:
            response = Client(raise_request_exception=False).post(
                f"/api/v1/registry/import/{what}",
                {"file": SimpleUploadedFile("a.xlsx", content)},
                HTTP_AUTHORIZATION=f"Bearer {raw}")
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200, 409, 409, 409, 409]
    model = {"areas": Area, "activities": AwarenessActivity,
             "packaging": PackagingPractice, "figures": ConsumptionRecord}[what]
    assert model.objects.count() == 30


@pytest.mark.django_db
def test_a_busy_database_answers_503_on_pages_and_the_api(client, coordinator, monkeypatch):
    from registry import selectors

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(selectors, "registry_counts", locked)
    client.force_login(coordinator)
    page = client.get("/registry/")
    assert page.status_code == 503 and page["Retry-After"] == "5"
    _token, raw = token_create(user=coordinator, name="t", actor=coordinator)
    api = client.get("/api/v1/registry/counts", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.status_code == 503 and api["Retry-After"] == "5" and api.json()["detail"]


@pytest.mark.django_db
def test_a_race_to_the_same_code_answers_409(client, coordinator, monkeypatch):
    from django.db import IntegrityError

    def raced(**kwargs):
        raise IntegrityError("UNIQUE constraint failed: registry_area.code")

    monkeypatch.setattr(services, "entry_save", raced)
    _token, raw = token_create(user=coordinator, name="t", actor=coordinator)
    response = client.post("/api/v1/registry/areas", {
        "kind": "industrial_park", "name": "KCN A", "place": "tp-ha-long",
        "valid_from": "2020-01-01"}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 409 and response.json()["detail"]


IMPORTS = {"areas": lambda **kw: excel.registry_import(slug="areas", **kw),
           "activities": excel.activities_import, "packaging": excel.packaging_import,
           "figures": excel.figures_import}
ROWS = {"areas": _rows, "activities": _activity_rows, "packaging": _packaging_rows,
        "figures": _figure_rows}


@pytest.mark.django_db
@pytest.mark.parametrize("what", sorted(IMPORTS))
def test_import_queries_do_not_grow_with_the_rows(what, coordinator):
    from django.test.utils import CaptureQueriesContext

    _prepare(what, coordinator, 40)
    counts = []
    for n in (1, 4, 40):  # the first fills the process's caches (content types)
        rows = ROWS[what](n)
        with CaptureQueriesContext(connection) as queries:
            result = IMPORTS[what](content=xlsx(rows), actor=coordinator)
        assert result.rows == len(rows) - 1
        counts.append(len(queries))
        if what == "figures":  # the second file holds the first's records again
            continue
        for model in (Area, AwarenessActivity, PackagingPractice):  # a clean slate
            model.objects.all().delete()
    assert counts[1] == counts[2]


@pytest.mark.django_db
def test_a_unique_value_another_stored_entry_holds_is_listed(coordinator):
    header = ["code", "certificate_number", "certificate_date", "name", "place"]
    excel.registry_import(slug="st-enterprises", actor=coordinator, content=xlsx(
        [header, ["khcn-a", "GCN-01", "01/01/2021", "KHCN A", "tp-ha-long"]]))
    with pytest.raises(excel.ImportRejected) as exc:
        excel.registry_import(slug="st-enterprises", actor=coordinator, content=xlsx(
            [header, ["khcn-b", "GCN-01", "01/01/2021", "KHCN B", "tp-ha-long"]]))
    assert [(p.row, p.message) for p in exc.value.problems] == [
        (2, "Another entry already has this value.")]
