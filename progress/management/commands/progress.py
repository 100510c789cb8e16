"""`scp-monitor progress --period 2025 [--format json]`: every target's status."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.selectors import plan_current
from progress.selectors import default_period, period_check, progress_for_period, progress_rows


class Command(BaseCommand):
    help = "Print every target's status for a year, computed from accepted data."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--period", help="The year, e.g. 2025 (default: the last "
                                             "year whose annual report is due).")
        parser.add_argument("--format", choices=["json", "text"], default="text")

    def handle(self, *args, **options) -> None:
        plan = plan_current()
        if plan is None:
            raise CommandError("No plan is loaded.")
        try:
            year = period_check(period=options["period"] or default_period(), plan=plan)
        except ValidationError as exc:
            raise CommandError(f"--period: {' '.join(exc.message_dict['period'])}") from exc
        rows = progress_rows(statuses=progress_for_period(period=year, plan=plan))
        if options["format"] == "json":
            self.stdout.write(json.dumps({"period": year, "targets": rows},
                                         ensure_ascii=False, indent=2))
            return
        for r in rows:
            value = "—" if r["value"] is None else f"{r['value']:.1f}"
            ratio = "—" if r["progress_ratio"] is None else f"{r['progress_ratio']:.2f}"
            self.stdout.write(f"{r['ref']:<10} {r['status']:<16} value {value:>8} "
                              f"({r['value_year'] or '—'}) ratio {ratio:>6}  {r['code']}")
