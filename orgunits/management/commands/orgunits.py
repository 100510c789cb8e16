"""`scp-monitor orgunits load FILE [FILE...]` and `scp-monitor orgunits show [--on DATE]
[--format json|text]`: load organisation-unit files, and list the units."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.datafile import DataFileError
from orgunits.selectors import orgunit_tree
from orgunits.services import orgunits_load_files


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"'{value}' is not a date (YYYY-MM-DD)") from exc


class Command(BaseCommand):
    help = "Load organisation-unit files (docs/orgunit-file.md) or show the units."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load files in order, in one transaction.")
        load.add_argument("files", nargs="+", type=Path, metavar="FILE")
        show = sub.add_parser("show", help="List the units with validity and successors.")
        show.add_argument("--on", type=_date, default=None, metavar="DATE",
                          help="Only the units active on this day (YYYY-MM-DD).")
        show.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, **options) -> None:
        if options["action"] == "load":
            self._load(options["files"])
        else:
            self._show(options["on"], options["format"])

    def _load(self, files: list[Path]) -> None:
        try:
            reports = orgunits_load_files(paths=files, actor=None)
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        for report in reports:
            for line in report.lines():
                self.stdout.write(line)

    def _show(self, day: dt.date | None, fmt: str) -> None:
        units = orgunit_tree(day=day)
        if fmt == "json":
            self.stdout.write(json.dumps(units, ensure_ascii=False, indent=2))
            return
        for u in units:
            validity = f"{u['valid_from'] or '…'} – {u['valid_to'] or '…'}"
            mark = " ?" if u["uncertain"] else ""
            line = f"{u['code']:<16} {u['kind']:<18} {validity:<25} {u['name']}{mark}"
            by_date: dict[str, list[str]] = {}
            for s in u["successors"]:
                by_date.setdefault(s["date"], []).append(s["code"])
            for date, codes in by_date.items():
                line += f"  → {date}: " + ", ".join(codes)
            self.stdout.write(line)
        self.stdout.write(f"{len(units)} unit(s)")
