"""`scp-monitor import FILE.xlsx`: import a filled report template (all or nothing)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from common.xlsx import LIMITS
from exchange.services import TemplateRejected, report_template_import


class Command(BaseCommand):
    help = "Import a filled Excel report template into its report (all or nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The filled template (.xlsx).")
        parser.add_argument("--submit", action="store_true", help="Submit the report too.")
        parser.add_argument("--user", help="Import as this user (default: the system).")

    def handle(self, *args, **options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        actor = None
        if options["user"]:
            actor = User.objects.filter(username=options["user"], is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user '{options['user']}'.")
        with path.open("rb") as handle:
            content = handle.read(LIMITS.packed_bytes + 1)
        try:
            done = report_template_import(content=content, actor=actor,
                                          submit=options["submit"])
        except TemplateRejected as exc:
            raise CommandError("\n".join([f"{path}: refused, nothing stored:",
                                          *(f"  {p}" for p in exc.problems)])) from None
        report = done.report
        self.stdout.write(f"{path}: imported into {report.period.code}/{report.org_unit.code}"
                          f" (version {report.version}, {report.state}).")
