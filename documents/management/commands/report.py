"""`scp-monitor report --period 2025 --output report.docx`: the consolidated report of a
period as .docx (or .pdf when the output ends in .pdf); with `--unit CODE`, that unit's
own report."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from documents.pdf import ConversionError, docx_to_pdf
from documents.writers import consolidated_report_docx, unit_report_docx
from reporting.selectors import period_get, report_get


class Command(BaseCommand):
    help = "Write the consolidated report of a period (or one unit's report) as .docx or .pdf."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", required=True, help="Period code: 2025S1, 2025, ...")
        parser.add_argument("--output", required=True,
                            help="File to write; .pdf converts through LibreOffice.")
        parser.add_argument("--unit", help="A unit's code: write that unit's own report.")
        parser.add_argument("--date", help="Date of signature (dd/mm/yyyy); blank if left out.")

    def handle(self, *args, **options) -> None:
        output = Path(options["output"])
        if output.suffix.lower() not in (".docx", ".pdf"):
            raise CommandError("The output file must end in .docx or .pdf.")
        signed_on = None
        if options["date"]:
            try:
                signed_on = dt.datetime.strptime(options["date"], "%d/%m/%Y").date()
            except ValueError:
                raise CommandError("Write the date as dd/mm/yyyy.") from None
        try:
            if options["unit"]:
                report = report_get(period_code=options["period"], unit_code=options["unit"])
                content = unit_report_docx(report=report, signed_on=signed_on)
            else:
                period = period_get(code=options["period"])
                content = consolidated_report_docx(period=period, signed_on=signed_on)
            if output.suffix.lower() == ".pdf":
                content = docx_to_pdf(content)
        except (Http404, ConversionError) as exc:
            raise CommandError(str(exc)) from None
        output.write_bytes(content)
        self.stdout.write(f"{output}: {len(content)} bytes")
