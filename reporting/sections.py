"""Extension point for report forms: another app may add a section to the forms of some
report requests (the registry adds enterprises' consumption figures), with its own
template and its own checks that block submission.

A section's inputs sit inside the report's one form: "Save draft" and "Submit" save them
with the plan's answers in one transaction (`reporting.services.report_save(sections=)`),
or save nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _nothing_joined(rows: Any) -> Any:
    return rows


def _nothing_read(request: Any, data: Any) -> Any:
    return None


def _nothing_saved(request: Any, payload: Any, actor: Any) -> bool:
    return False


@dataclass(frozen=True)
class ExtraSection:
    """A part of a report form contributed by another app.

    applies(request) -> bool: whether this request's form has the section.
    context(request) -> dict: what `template` needs (it also gets `request_obj` and
      `editable`); a section in the form also takes `data=` (a refused POST to show
      again) and `errors=` (its messages, keyed as `save` raised them).
    validate(request) -> list[str]: errors, in the user's language; any blocks submission.
    read(request, data) -> payload | None: the section's inputs parsed from the posted
      form (None: the author changed nothing in it); ValidationError keyed by the
      section's own field names when they cannot be read.
    save(request, payload, actor) -> bool: store `payload` inside the report's save
      transaction (whether anything changed); ValidationError keyed as in `read`.
    joined(rows) -> rows: the report page's query of the request with the rows `context`
      reads joined to it (select_related), so the page asks them in its one query.
    """

    key: str
    title: Any
    template: str
    applies: Callable[[Any], bool]
    context: Callable[..., dict[str, Any]]
    validate: Callable[[Any], list[str]] = field(default=lambda request: [])
    read: Callable[[Any, Any], Any] = _nothing_read
    save: Callable[[Any, Any, Any], bool] = _nothing_saved
    joined: Callable[[Any], Any] = _nothing_joined

    @property
    def in_form(self) -> bool:
        """Whether its inputs are part of the report's one form (it reads and saves with
        the report). A section that does not may show links or, once the report can no
        longer change, a form of its own; its `context` takes only the request."""
        return self.read is not _nothing_read


_SECTIONS: dict[str, ExtraSection] = {}


def section_register(section: ExtraSection) -> None:
    """Register (or replace, by key) a section; call from an AppConfig.ready()."""
    _SECTIONS[section.key] = section


def sections_joined(rows: Any) -> Any:
    """`rows` (report requests) with what every section's `context` reads joined."""
    for section in _SECTIONS.values():
        rows = section.joined(rows)
    return rows


def sections_for(request: Any) -> list[ExtraSection]:
    return [s for s in _SECTIONS.values() if s.applies(request)]


def section_errors(errors: dict[str, list[str]], key: str) -> dict[str, list[str]]:
    """The messages of section `key` out of a report's errors, keyed as the section
    raised them (`sections.<key>.lines.0.quantity` → `lines.0.quantity`)."""
    prefix = f"sections.{key}."
    return {k[len(prefix):]: v for k, v in errors.items() if k.startswith(prefix)}
