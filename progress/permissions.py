"""Who may follow which link of a progress page: everyone signed in reads the progress
pages, but a number's sources open other apps' pages, each with its own rule (a
reporter reads its own unit's reports only; an enterprise's reporter no registry)."""

from __future__ import annotations

from typing import Any

from registry.permissions import can_read_registries
from reporting.permissions import can_view_accepted, can_view_completeness


def can_open_source(user: Any, opens: str) -> bool:
    """Whether `user` may open a source whose link opens `opens` (`Source.opens`)."""
    kind, _sep, unit = opens.partition(":")
    if kind == "report":  # sources are accepted reports
        return can_view_accepted(user, unit)
    if kind == "registry":
        return can_read_registries(user)
    if kind == "completeness":
        return can_view_completeness(user)
    return True
