"""`scp-monitor plan load FILE` and `scp-monitor plan show [--format json|text]`."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.serializers.json import DjangoJSONEncoder

from common.datafile import DataFileError
from plans.models import Plan
from plans.selectors import plan_current, plan_export
from plans.services import plan_load


class Command(BaseCommand):
    help = "Load a plan file, or show the loaded plan."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="Load or update a plan from a YAML file.")
        load.add_argument("file")
        show = sub.add_parser("show", help="Print the loaded plan.")
        show.add_argument("--format", choices=["json", "text"], default="text")
        show.add_argument("--plan", help="Plan code (default: the current plan).")

    def handle(self, *args, **options) -> None:
        if options["action"] == "load":
            self._load(options["file"])
        else:
            self._show(options["plan"], options["format"])

    def _load(self, file: str) -> None:
        try:
            report = plan_load(path=file, actor=None)
        except DataFileError as exc:
            raise CommandError(str(exc)) from exc
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(report.summary())

    def _show(self, code: str | None, fmt: str) -> None:
        plan = Plan.objects.filter(code=code).first() if code else plan_current()
        if plan is None:
            raise CommandError("No plan is loaded." if not code else f"No plan {code}.")
        data = plan_export(plan=plan)
        if fmt == "json":
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2,
                                         cls=DjangoJSONEncoder))
            return
        self.stdout.write(f"{plan.code} — {plan.title}")
        for target in data["targets"]:
            self.stdout.write(f"  {target['ref']:<10} {target['title_en'] or target['text']}")
        for task in data["tasks"]:
            lead = ", ".join(task["lead"])
            self.stdout.write(f"  {task['ref']:<10} [{lead}] {task['title_en']}")
