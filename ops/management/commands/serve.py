"""`scp-monitor serve`: the production server, gunicorn with config/gunicorn.conf.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

GUNICORN_CONF = Path(settings.BASE_DIR) / "config" / "gunicorn.conf.py"


class Command(BaseCommand):
    help = ("Serve the application with gunicorn (workers, bind address and timeouts from "
            "SCP_WORKERS, SCP_BIND, SCP_WORKER_TIMEOUT). Run collectstatic first.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", help="address:port (default SCP_BIND or 127.0.0.1:8000)")
        parser.add_argument("--workers", type=int, help="worker processes (default SCP_WORKERS)")
        parser.add_argument("--dry-run", action="store_true",
                            help="print the gunicorn command instead of running it")

    def gunicorn_argv(self, *, bind: str | None, workers: int | None) -> list[str]:
        argv = [sys.executable, "-m", "gunicorn", "--config", str(GUNICORN_CONF)]
        if bind:
            argv += ["--bind", bind]
        if workers:
            argv += ["--workers", str(workers)]
        return [*argv, "config.wsgi:application"]

    def handle(self, *args, **options) -> None:
        argv = self.gunicorn_argv(bind=options["bind"], workers=options["workers"])
        if options["dry_run"]:
            self.stdout.write(" ".join(argv))
            return
        os.chdir(settings.BASE_DIR)
        os.execv(sys.executable, argv)
