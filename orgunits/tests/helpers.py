"""Shared helpers for the orgunits tests: load the real data files through the service
(idempotent, so it works whether or not the session seed already loaded them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from common.models import AuditEvent
from orgunits.models import OrgUnit, Succession
from orgunits.services import LoadReport, orgunits_load_files


def load_reference() -> list[LoadReport]:
    return orgunits_load_files(paths=settings.SCP_ORGUNIT_FILES, actor=None)


def file_totals(path: Path | str) -> tuple[int, int]:
    """(units, succession rows) a file defines, counted from the file itself: one row per
    (predecessor, successor) pair of different units."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    rows = 0
    for entry in data.get("successions") or []:
        preds = entry["from"] if isinstance(entry["from"], list) else [entry["from"]]
        succs = [s["unit"] if isinstance(s, dict) else s for s in entry["to"]]
        rows += sum(1 for p in preds for s in succs if p != s)
    return len(data.get("units") or []), rows


UNITS_2020, _ = file_totals(settings.SCP_ORGUNIT_FILES[0])
UNITS_2025, SUCCESSIONS_2025 = file_totals(settings.SCP_ORGUNIT_FILES[1])


def snapshot() -> dict[str, Any]:
    """Everything the loader can touch, as comparable plain data."""
    units = {
        u["code"]: u
        for u in OrgUnit.objects.values(
            "code", "name", "name_en", "short_name", "kind", "parent__code", "valid_from",
            "valid_to", "official_code", "email", "uncertain", "source", "note", "note_en",
        )
    }
    successions = {
        (s["predecessor__code"], s["successor__code"]): s
        for s in Succession.objects.values(
            "predecessor__code", "successor__code", "date", "kind", "share", "uncertain",
            "source", "note", "note_en", "tasks",
        )
    }
    return {"units": units, "successions": successions, "audit": AuditEvent.objects.count()}


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based number of the `nth` line of `text` containing `needle`."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            nth -= 1
            if nth == 0:
                return number
    raise AssertionError(f"{needle!r} not in text")
