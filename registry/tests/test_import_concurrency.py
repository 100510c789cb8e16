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
from registry.models import Area
from registry.tests.conftest import xlsx

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


def _activity_rows(n: int) -> list[list]:
    return [["date", "organiser", "title"]] + [["15/05/2022", "sct", f"Hội nghị số {i}"]
                                                for i in range(n)]


def _packaging_rows(n: int) -> list[list]:
    return [["retailer", "since", "basis"]] + [[f"st-{i}", "01/03/2021", "declared"]
                                               for i in range(n)]


# what each import writes with, the place where the five imports meet once every file
# is checked (so they race to write), and the file
RACES = {
    "areas": (services, "entries_write", lambda: _rows(30)),
    "activities": (services, "activities_write", lambda: _activity_rows(30)),
    "packaging": (excel, "_practices_unchanged", lambda: _packaging_rows(30)),
}


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers, so imports cannot race there")
@pytest.mark.parametrize("what", sorted(RACES))
def test_concurrent_imports_of_the_same_new_rows(what, reference_data, monkeypatch):
    from django.test import Client

    from registry.models import AwarenessActivity, PackagingPractice

    actor = user_upsert(username="c", role=Role.COORDINATOR, actor=None, password="pw")[0]
    _token, raw = token_create(user=actor, name="t", actor=actor)
    if what == "packaging":  # the retailers the practices belong to
        excel.registry_import(slug="retailers", actor=actor, content=xlsx(
            [["code", "kind", "name", "place", "valid_from"]]
            + [[f"st-{i}", "supermarket", f"Siêu thị {i}", "tp-ha-long", "01/01/2015"]
               for i in range(30)]))
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
             "packaging": PackagingPractice}[what]
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
