"""Reads about the running system."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from django.db import DatabaseError, connection


def app_version() -> str:
    try:
        return version("scp-monitor")
    except PackageNotFoundError:
        return "unknown"


def system_health() -> dict[str, str]:
    """The version and whether the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        database = "ok"
    except DatabaseError:
        database = "unavailable"
    return {"status": "ok" if database == "ok" else "unavailable", "version": app_version(),
            "database": database, "database_vendor": connection.vendor}
