"""Telling a busy database from a broken one: a write that waited too long for a lock
(SQLite's "database is locked", PostgreSQL's lock, deadlock, serialization and statement
timeouts) is worth retrying, and is answered 503 "busy, try again", not 500."""

from __future__ import annotations

from django.db import OperationalError

# PostgreSQL error codes of a write that lost a race or waited too long
_BUSY_SQLSTATES = {"40001", "40P01", "55P03", "57014"}


def is_busy(exc: BaseException) -> bool:
    """Whether `exc` says the database was busy (retrying may succeed)."""
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in _BUSY_SQLSTATES:
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text \
        or "database is busy" in text
