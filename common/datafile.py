"""The one reader of data files (YAML): the plan, the organisation units and the unit
table are read by `DataFile`, so every loader reports a fault the same way (file, key path,
line) and reads a value the same way (texts, numbers, dates and yes/no through
`common.parsing`).

    f = DataFile.read(path)            # DataFileError if unreadable or not YAML
    code = f.text(item, ("units", 3), "code", required=True)
    ...
    f.raise_faults()                   # DataFileError listing every fault, if any

A key path is a tuple of keys and indexes (("units", 3, "parent")) or its text
("units[3].parent"). A loader with its own kinds of value subclasses DataFile and adds a
getter that calls `fault`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Self

import yaml
from django.utils.translation import gettext as _

from common.parsing import ParseError, date_parse, number_parse, text_clean

KeyPath = str | tuple[str | int, ...]
_STEP = re.compile(r"[^.\[\]]+|\[\d+\]")
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
_MONTH_DAY = re.compile(r"^(\d{2})-(\d{2})$")


def keypath_steps(path: KeyPath) -> tuple[str | int, ...]:
    if isinstance(path, tuple):
        return path
    return tuple(int(s[1:-1]) if s.startswith("[") else s for s in _STEP.findall(path))


def keypath_text(path: KeyPath) -> str:
    if isinstance(path, str):
        return path
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else step)
    return out


def _join(path: KeyPath, key: str | int) -> KeyPath:
    if isinstance(path, tuple):
        return (*path, key)
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


@dataclass(frozen=True)
class Where:
    """Where a value came from: for messages, and to attribute a change to its file."""

    file: str
    path: str
    line: int | None


@dataclass(frozen=True)
class Fault:
    """One problem of a data file: where (file, key path, line) and what."""

    file: str
    path: str
    line: int | None
    message: str

    @classmethod
    def at(cls, where: Where, message: str) -> Fault:
        return cls(where.file, where.path, where.line, message)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class DataFileError(ValueError):
    """Data files that cannot be loaded; `faults` lists every problem, each with its file,
    key path and line. Nothing was loaded."""

    def __init__(self, faults: Sequence[Fault]) -> None:
        self.faults = list(faults)
        if len(self.faults) == 1:
            super().__init__(_("%(fault)s (nothing was loaded)") % {"fault": self.faults[0]})
            return
        files = sorted({f.file for f in self.faults})
        head = _("%(files)s: %(count)d errors, nothing was loaded:") % {
            "files": ", ".join(files), "count": len(self.faults)}
        super().__init__("\n".join([head, *(f"  - {f}" for f in self.faults)]))


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The safe loader (libyaml's when PyYAML has it) leaving an impossible date
    (2025-13-01) as text, so the date getter reports it with its key path and line instead
    of PyYAML failing without one."""

    def construct_yaml_timestamp(self, node: yaml.ScalarNode) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


class DataFile:
    """One YAML data file, its line numbers, and the faults found reading it."""

    def __init__(self, file: str, data: Any, root: yaml.Node | None,
                 faults: list[Fault] | None = None) -> None:
        self.file, self.data, self.root = file, data, root
        self.faults: list[Fault] = [] if faults is None else faults

    @classmethod
    def read(cls, path: Path | str, *, faults: list[Fault] | None = None) -> Self:
        """Parse `path`. An unreadable file or invalid YAML raises DataFileError (with the
        line of the syntax error). `faults`: a list shared by several files read together."""
        name = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFileError([Fault(name, "", None, _("cannot read the file: %s") % exc)]
                                ) from None
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or str(exc)
            context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark",
                                                                           None)
            if context:
                at = f" (line {context_mark.line + 1})" if context_mark is not None else ""
                problem = f"{context}{at}: {problem}"
            raise DataFileError([Fault(name, "", mark.line + 1 if mark is not None else None,
                                       _("invalid YAML: %s") % problem)]) from None
        finally:
            loader.dispose()
        return cls(name, data, node, faults)

    # -- where ---------------------------------------------------------------------------
    def line(self, path: KeyPath) -> int | None:
        """The line of the deepest node of `path` that exists (1-based)."""
        node = best = self.root
        for step in keypath_steps(path):
            found: yaml.Node | None = None
            if isinstance(node, yaml.MappingNode) and isinstance(step, str):
                found = next((v for k, v in node.value
                              if isinstance(k, yaml.ScalarNode) and k.value == step), None)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                    and 0 <= step < len(node.value):
                found = node.value[step]
            if found is None:
                break
            node = best = found
        return best.start_mark.line + 1 if best is not None else None

    def where(self, path: KeyPath) -> Where:
        return Where(self.file, keypath_text(path), self.line(path))

    def fault(self, path: KeyPath, message: str) -> None:
        self.faults.append(Fault.at(self.where(path), message))

    def raise_faults(self) -> None:
        if self.faults:
            raise DataFileError(self.faults)

    # -- shapes --------------------------------------------------------------------------
    def mapping(self, value: Any, path: KeyPath) -> dict:
        if not isinstance(value, dict):
            self.fault(path, _("must be a mapping of keys to values"))
            return {}
        return value

    def items(self, item: Any, path: KeyPath, key: str, *, required: bool = False
              ) -> list[Any]:
        value = item.get(key) if isinstance(item, dict) else None
        if value is None:
            if required:
                self.fault(_join(path, key), _("is required"))
            return []
        if not isinstance(value, list):
            self.fault(_join(path, key), _("must be a list"))
            return []
        return value

    def keys(self, item: dict, path: KeyPath, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for key in item:
            if key not in allowed:
                self.fault(_join(path, key) if isinstance(key, str) else path,
                           _("unknown key '%(key)s' (allowed: %(allowed)s)")
                           % {"key": key, "allowed": ", ".join(sorted(allowed))})

    def unique(self, seen: set[str], value: str, path: KeyPath, what: str) -> None:
        if not value:
            return
        if value in seen:
            self.fault(path, _("%(what)s '%(value)s' appears twice")
                       % {"what": what, "value": value})
        seen.add(value)

    # -- values --------------------------------------------------------------------------
    def _parse(self, parse: Any, value: Any, path: KeyPath, **options: Any) -> Any:
        try:
            return parse(value, **options)
        except ParseError as exc:
            self.fault(path, exc.message)
            return None

    def text(self, item: dict, path: KeyPath, key: str, *, required: bool = False,
             max_length: int | None = None, multiline: bool = True) -> str:
        """A text; a number where text is expected is refused (YAML reads 06652 as 6652)."""
        value = item.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fault(_join(path, key), _("is required"))
            return ""
        if not isinstance(value, str):
            self.fault(_join(path, key),
                       _("must be text (put it in quotes: YAML reads 06652 as a number)"))
            return ""
        return self._parse(text_clean, value, _join(path, key), max_length=max_length,
                           multiline=multiline) or ""

    def slug(self, item: dict, path: KeyPath, key: str, *, required: bool = False) -> str:
        value = self.text(item, path, key, required=required, multiline=False)
        if value and not _SLUG.match(value):
            self.fault(_join(path, key), _("'%s' may hold only letters, digits, - and _")
                       % value)
        return value

    def integer(self, item: dict, path: KeyPath, key: str, *, required: bool = False
                ) -> int | None:
        value = item.get(key)
        if value is None:
            if required:
                self.fault(_join(path, key), _("is required"))
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.fault(_join(path, key), _("'%s' is not a whole number") % (value,))
            return None
        return value

    def number(self, item: dict, path: KeyPath, key: str, *, required: bool = False,
               **options: Any) -> Decimal | None:
        """A number: a YAML number as written, or quoted text as a program writes it
        ("0.0001543", kept exact)."""
        value = item.get(key)
        if value is None:
            if required:
                self.fault(_join(path, key), _("is required"))
            return None
        return self._parse(number_parse, value, _join(path, key), machine=True, **options)

    def date(self, item: dict, path: KeyPath, key: str, *, required: bool = False
             ) -> dt.date | None:
        """A date: YAML's 2025-07-01 or text 01/07/2025."""
        value = item.get(key)
        if value is None:
            if required:
                self.fault(_join(path, key), _("is required"))
            return None
        return self._parse(date_parse, value, _join(path, key))

    def flag(self, item: dict, path: KeyPath, key: str) -> bool:
        value = item.get(key, False)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.fault(_join(path, key), _("must be true or false"))
            return False
        return value

    def choice(self, item: dict, path: KeyPath, key: str, choices: Any, *,
               required: bool = True) -> str:
        value = self.text(item, path, key, required=required, multiline=False)
        allowed = [c.value for c in choices]
        if value and value not in allowed:
            self.fault(_join(path, key), _("'%(value)s' is not one of: %(allowed)s")
                       % {"value": value, "allowed": ", ".join(allowed)})
            return ""
        return value

    def month_day(self, item: dict, path: KeyPath, key: str) -> tuple[int | None, int | None]:
        value = item.get(key)
        if value is None:
            return None, None
        match = _MONTH_DAY.match(str(value))
        if not match:
            self.fault(_join(path, key), _("'%s' must be MM-DD, e.g. 06-15") % (value,))
            return None, None
        month, day = int(match.group(1)), int(match.group(2))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            self.fault(_join(path, key), _("'%s' is not a day of the year") % (value,))
            return None, None
        return month, day
