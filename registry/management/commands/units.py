"""`scp-monitor units load FILE` loads the unit table (idempotent; the file is checked
whole first and nothing is stored from a faulty one); `scp-monitor units show` lists it;
`scp-monitor units convert VALUE FROM TO [--fuel CODE]` converts a quantity."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from common.datafile import DataFileError
from registry.conversion import quantity_convert
from registry.models import FuelFactor, MeasureUnit
from registry.services import units_load


class Command(BaseCommand):
    help = "Load, show or use the unit table (data/registry/units.yaml)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load a unit-table file (idempotent).")
        load.add_argument("file", nargs="?", type=Path, default=None, metavar="FILE",
                          help="Default: settings.SCP_UNITS_FILE.")
        sub.add_parser("show", help="List units and energy factors.")
        convert = sub.add_parser("convert", help="Convert a quantity.")
        convert.add_argument("value")
        convert.add_argument("from_unit")
        convert.add_argument("to_unit")
        convert.add_argument("--fuel", default=None)

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "load":
            path = options["file"] or settings.SCP_UNITS_FILE
            try:
                report = units_load(path=path, actor=None)
            except DataFileError as exc:
                raise CommandError(str(exc)) from exc
            for line in report.lines():
                self.stdout.write(line)
            self.stdout.write(report.summary())
        elif action == "show":
            for u in MeasureUnit.objects.select_related("kind"):
                self.stdout.write(f"{u.code:<8} {u.kind.code:<12} {u.factor.normalize()} "
                                  f"{u.kind.base_unit}  {u.name}")
            for f in FuelFactor.objects.select_related("item", "unit"):
                self.stdout.write(f"{f.item.code:<16} {f.toe.normalize()} toe/{f.unit.code}")
        else:
            try:
                result = quantity_convert(value=options["value"], from_unit=options["from_unit"],
                                          to_unit=options["to_unit"], fuel=options["fuel"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from exc
            self.stdout.write(f"{result.normalize():f} {options['to_unit']}")
