"""Test-wide fixtures. The test database is seeded once per session with the Quang Ninh
organisation units (2020 and the 2025 reorganisation) and Plan 141, through the real
loaders; each test runs in a transaction rolled back afterwards."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from accounts.models import Role, User
from accounts.services import user_upsert
from orgunits.models import OrgUnit
from plans.models import Plan
from plans.selectors import plan_current
from plans.services import reference_data_load


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        reference_data_load(actor=None)
    yield
    with django_db_blocker.unblock():
        _end_stray_sessions()


def _end_stray_sessions() -> None:
    """Live-server request threads can leave a PostgreSQL session open on the test
    database, which then cannot be dropped at the end of the run: end them first."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")


@pytest.fixture(autouse=True)
def _cache_cleared() -> None:
    """Every test starts with the process's cache empty: keys made of database ids and
    generations (a sector's page) would otherwise meet another test's rolled-back rows."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def reference_data(transactional_db) -> Plan:
    """For transactional and browser tests, whose database is emptied after each test:
    load the reference data again (idempotent) and return the plan."""
    reference_data_load(actor=None)
    plan = plan_current()
    assert plan is not None
    return plan


@pytest.fixture
def plan(db) -> Plan:
    """Plan 141/KH-UBND, as loaded from data/plans/."""
    found = plan_current()
    assert found is not None, "the reference data was not loaded"
    return found


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    """make_user(role, unit_code=None, username=None) -> a saved user with password 'pw'."""
    counter = {"n": 0}

    def make(role: str, unit_code: str | None = None, username: str | None = None) -> User:
        counter["n"] += 1
        unit = OrgUnit.objects.get(code=unit_code) if unit_code else None
        name = username or f"{role}-{unit_code or 'x'}-{counter['n']}"
        return user_upsert(username=name, role=role, actor=None, org_unit=unit,
                           email=f"{name}@example.invalid", password="pw")[0]

    return make


@pytest.fixture
def coordinator(make_user) -> User:
    return make_user(Role.COORDINATOR, "sct")


@pytest.fixture
def viewer(make_user) -> User:
    return make_user(Role.VIEWER, "ubnd-quang-ninh")


CHROMIUM = "/usr/bin/chromium"


NATIONAL_COMMUNES = 3000


@pytest.fixture
def nation(db) -> None:
    """3,000 more communes (Xã Thử Nghiệm 0 … 2999, codes xa-thu-N), as many as a national
    deployment holds: pages that offer places must stay small."""
    import datetime as dt

    from common.text import fold, sort_key

    OrgUnit.objects.bulk_create([
        OrgUnit(code=f"xa-thu-{n}", name=f"Xã Thử Nghiệm {n}", kind="commune",
                valid_from=dt.date(2025, 7, 1), name_sort=sort_key(f"Xã Thử Nghiệm {n}"),
                search_text=fold(f"Xã Thử Nghiệm {n} xa-thu-{n}"))
        for n in range(NATIONAL_COMMUNES)])


@pytest.fixture
def browser():
    """Debian's headless Chromium through Playwright, for tests marked `browser`."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # the ORM beside Playwright's loop
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
