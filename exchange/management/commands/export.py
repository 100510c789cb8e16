"""`scp-monitor export --output data.xlsx [--period 2025]`: every period, report, task
answer and value (of one period, or of everything) as .xlsx, or CSV files zipped when
the output ends in .zip."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from exchange.export import export_csv_zip, export_xlsx
from plans.selectors import plan_current
from reporting.selectors import period_get


class Command(BaseCommand):
    help = "Export the reporting data to .xlsx (a sheet per kind) or to CSV files (.zip)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", required=True, help="data.xlsx, or data.zip for CSV")
        parser.add_argument("--period", help="One period's data (default: everything).")

    def handle(self, *args, **options) -> None:
        plan = plan_current()
        if plan is None:
            raise CommandError("No plan is loaded.")
        output = Path(options["output"])
        if output.suffix.lower() not in (".xlsx", ".zip"):
            raise CommandError("The output file must end in .xlsx or .zip (CSV files).")
        period = None
        if options["period"]:
            try:
                period = period_get(code=options["period"], plan=plan)
            except Http404 as exc:
                raise CommandError(str(exc)) from None
        write = export_xlsx if output.suffix.lower() == ".xlsx" else export_csv_zip
        size = 0
        with output.open("wb") as out:
            for chunk in write(user=None, plan=plan, period=period):
                out.write(chunk)
                size += len(chunk)
        self.stdout.write(f"{output}: {size} bytes")
