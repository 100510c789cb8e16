"""Extension point for report forms: another app may add a section to the forms of some
report requests (the registry adds enterprises' consumption figures), with its own
template and its own checks that block submission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ExtraSection:
    """A part of a report form contributed by another app.

    applies(request) -> bool: whether this request's form has the section.
    context(request) -> dict: what `template` needs (it also gets `request_obj` and
      `editable`).
    validate(request) -> list[str]: errors, in the user's language; any blocks submission.
    """

    key: str
    title: Any
    template: str
    applies: Callable[[Any], bool]
    context: Callable[[Any], dict[str, Any]]
    validate: Callable[[Any], list[str]] = field(default=lambda request: [])


_SECTIONS: dict[str, ExtraSection] = {}


def section_register(section: ExtraSection) -> None:
    """Register (or replace, by key) a section; call from an AppConfig.ready()."""
    _SECTIONS[section.key] = section


def sections_for(request: Any) -> list[ExtraSection]:
    return [s for s in _SECTIONS.values() if s.applies(request)]
