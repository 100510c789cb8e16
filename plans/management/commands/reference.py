"""`scp-monitor reference load`: every reference data file an installation needs, in the
order they depend on each other (org units, then the plan, then the unit table)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.datafile import DataFileError
from plans.services import reference_data_load


class Command(BaseCommand):
    help = ("Load the reference data named in settings in order: organisation units, the "
            "plan, the unit table. Idempotent; a faulty file loads nothing.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Load (or update in place) all reference data.")

    def handle(self, *args, **options) -> None:
        try:
            lines = reference_data_load(actor=None)
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in lines:
            self.stdout.write(line)
