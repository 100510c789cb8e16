"""`scp-monitor index compute FILE.csv [--format json]`: the ODEX series and the LMDI
decomposition of a CSV (year,product,output,consumption), with the dashboard's code."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from progress.csvinput import IndexCsvError, index_csv_read
from progress.methods import index_report


class Command(BaseCommand):
    help = "Compute the consumption index (ODEX) and LMDI decomposition of a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        compute = sub.add_parser("compute", help="Read year,product,output,consumption rows.")
        compute.add_argument("file")
        compute.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"{path}: cannot be read: {exc}") from exc
        try:
            report = index_report(index_csv_read(text))
        except IndexCsvError as exc:
            raise CommandError(f"{path}: {exc}") from exc
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write("ODEX (first year = 100)")
        for year, value in report["odex"].items():
            self.stdout.write(f"  {year}  {'—' if value is None else f'{value:.2f}'}")
        lmdi = report["lmdi"]
        if lmdi is None:
            self.stdout.write("LMDI: not computed (no series in both the first and last year)")
        else:
            self.stdout.write(f"LMDI {lmdi['from']}-{lmdi['to']}  additive  multiplicative")
            for effect in ("activity", "structure", "intensity", "total"):
                self.stdout.write(f"  {effect:<10} {lmdi['additive'][effect]:>14.4f} "
                                  f"{lmdi['multiplicative'][effect]:>10.4f}")
        for note in report["notes"]:
            self.stdout.write(f"note: {note}")
