"""`scp-monitor places preview [--on DATE]` lists the registry entries still recorded in a
unit that no longer exists on DATE (default: today) and where each goes;
`scp-monitor places move [--on DATE] [--choose KEY=CODE ...]` moves them (audited, as the
system), leaving the entries of a split place without a choice where they are."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from orgunits.selectors import orgunit_by_code
from registry.selectors import place_moves_preview
from registry.services import registry_places_move


class Command(BaseCommand):
    help = "Preview or move registry entries recorded in units that no longer exist."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for name, text in (("preview", "List what would move where."),
                           ("move", "Move the entries (audited).")):
            cmd = sub.add_parser(name, help=text)
            cmd.add_argument("--on", default=None, metavar="YYYY-MM-DD",
                             help="The day the places are taken on (default: today).")
            if name == "move":
                cmd.add_argument("--choose", action="append", default=[], metavar="KEY=CODE",
                                 help="The unit for an entry of a split place "
                                      "(areas:12=p-bai-chay); repeatable.")

    def handle(self, *args, **options) -> None:
        day = _day(options["on"])
        if options["action"] == "preview":
            moves = place_moves_preview(day=day)
            for move in moves:
                where = move.target.code if move.target else (
                    "? " + " | ".join(c.code for c in move.candidates))
                self.stdout.write(f"{move.key:<22} {move.place.code:<16} → {where:<16} "
                                  f"{move.entry.name}")
            choose = sum(1 for m in moves if m.needs_choice)
            self.stdout.write(f"{len(moves)} to move, {choose} of them need a choice (?)")
            return
        choices = {}
        for item in options["choose"]:
            key, _sep, code = item.partition("=")
            unit = orgunit_by_code(code=code.strip())
            if not key or unit is None:
                raise CommandError(f"--choose {item}: write KEY=CODE with a known unit code")
            choices[key.strip()] = unit
        try:
            result = registry_places_move(day=day, actor=None, choices=choices)
        except ValidationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        self.stdout.write(f"{len(result.moved)} moved, {len(result.left)} left in a divided "
                          "place")


def _day(value: str | None) -> dt.date:
    if not value:
        return timezone.localdate()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--on {value}: not a date (YYYY-MM-DD)") from None
