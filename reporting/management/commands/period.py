"""`scp-monitor period open 2025S1` opens a period (one request per obliged unit);
`scp-monitor period list`; `scp-monitor period show 2025S1` prints its completeness."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from plans.models import Plan
from plans.selectors import plan_current
from reporting.selectors import completeness_for_period, period_get, period_list
from reporting.services import period_open


class Command(BaseCommand):
    help = "Open, list and show reporting periods of the current plan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--plan", help="Plan slug (default: the current plan).")
        sub = parser.add_subparsers(dest="action", required=True)
        opening = sub.add_parser("open", help="Open a period: 2025S1 (first half) or 2025.")
        opening.add_argument("code")
        opening.add_argument("--no-mail", action="store_true",
                             help="Do not e-mail the units about their new requests.")
        sub.add_parser("list", help="Every period with its requests by state.")
        show = sub.add_parser("show", help="Each unit's timeliness in one period.")
        show.add_argument("code")

    def handle(self, *args, **options) -> None:
        plan = (Plan.objects.filter(slug=options["plan"]).first() if options["plan"]
                else plan_current())
        if plan is None:
            raise CommandError("No plan is loaded (or no plan has that slug).")
        action = options["action"]
        if action == "open":
            try:
                period, created = period_open(plan=plan, code=options["code"].upper(),
                                              actor=None, notify=not options["no_mail"])
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            self.stdout.write(f"{period.code}: data {period.start:%d/%m/%Y}–{period.end:%d/%m/%Y},"
                              f" due {period.due_date:%d/%m/%Y}; {len(created)} requests opened"
                              f" ({period.requests.count()} in all).")
        elif action == "list":
            for p in period_list(plan=plan):
                n = {k: getattr(p, f"n_{k}") for k in ("total", "draft", "submitted",
                                                      "returned", "accepted")}
                self.stdout.write(f"{p.code:<12} due {p.due_date:%d/%m/%Y}  {n['total']:>3} "
                                  f"requests: {n['draft']} draft, {n['submitted']} submitted, "
                                  f"{n['returned']} returned, {n['accepted']} accepted")
        else:
            from django.http import Http404

            try:
                period = period_get(code=options["code"], plan=plan)
            except Http404 as exc:
                raise CommandError(str(exc)) from None
            found = completeness_for_period(period=period)
            for row in found.rows:
                self.stdout.write(f"{row.unit.code:<20} {row.state:<10} {row.status:<8} "
                                  f"{row.days_late or '':>4}")
            rates = found.rates
            self.stdout.write(f"completeness {rates.completeness}%, on time {rates.timeliness}%")
