"""`scp-monitor demo [--serve]`: load everything the demo needs into the configured
database (migrations, org units, the plan, demo users, each app's demo data),
idempotently, print the demo users, and optionally serve."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection
from django.utils.module_loading import import_string

from accounts.demo import DEMO_PASSWORD
from accounts.demo import demo_load as users_load
from accounts.selectors import users_of_unit_kinds
from orgunits.models import OrgUnitKind
from plans.services import reference_data_load


class Command(BaseCommand):
    help = "Load the plan and demo data (idempotent); with --serve, start the server."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--serve", action="store_true", help="Start the server afterwards.")
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        call_command("migrate", interactive=False, verbosity=0)
        for line in reference_data_load(actor=None):
            self.stdout.write(f"  {line}")
        users = users_load(actor=None)
        for dotted in settings.SCP_DEMO_LOADERS:
            step = time.monotonic()
            import_string(dotted)(actor=None)
            self.stdout.write(f"  {dotted}: {time.monotonic() - step:.1f} s")
        self.stdout.write(self.style.SUCCESS(
            f"Demo data ready in {time.monotonic() - started:.1f} s "
            f"({connection.vendor}: {connection.settings_dict['NAME']})."
        ))
        self._print_users(users)
        if options["serve"]:
            call_command("runserver", options["addrport"], use_reloader=False)

    def _print_users(self, users) -> None:
        self.stdout.write("")
        self.stdout.write(f"Demo users (password for all: {DEMO_PASSWORD}):")
        for user in users[:3]:
            self.stdout.write(f"  {user.username:<24} {user.get_role_display():<14} "
                              f"{user.org_unit or ''}")
        reporters = users[3:]
        if reporters:
            self.stdout.write(f"  {len(reporters)} reporters, one per reporting unit, e.g.:")
            for user in reporters[:6]:
                self.stdout.write(f"  {user.username:<24} {user.get_role_display():<14} "
                                  f"{user.org_unit}")
        enterprise_users = list(users_of_unit_kinds(kinds=[OrgUnitKind.ENTERPRISE]))
        if enterprise_users:
            self.stdout.write("  enterprise reporters:")
            for user in enterprise_users:
                self.stdout.write(f"  {user.username:<24} {user.get_role_display():<14} "
                                  f"{user.org_unit}")
        self.stdout.write("  (all users: /admin/accounts/user/)")
