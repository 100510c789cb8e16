"""`scp-monitor send-reminders [--today YYYY-MM-DD]`: e-mail the reminders due today.
Safe to run from cron every hour: a reminder already sent is never sent again."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError, CommandParser

from reporting.services import reminders_send


class Command(BaseCommand):
    help = "Send the deadline and overdue reminders due today (each at most once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Act as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options) -> None:
        today = None
        if options["today"]:
            try:
                today = dt.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today: give a date as YYYY-MM-DD.") from None
        summary = reminders_send(today=today)
        for line in summary.messages:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"{summary.sent} reminders sent, {summary.already_sent} already "
                          f"sent before.")
