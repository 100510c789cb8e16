"""`scp-monitor worker [--once] [--max-jobs N] [--poll SECONDS]`: run queued background
jobs (Excel imports) in this process. On SIGTERM or SIGINT it finishes the job it is
running and stops; after `--max-jobs` jobs it stops too (systemd starts it again), so a
long-lived worker never grows."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from jobs.worker import queue_drain, worker_name


class Command(BaseCommand):
    help = "Run queued background jobs (imports) until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true",
                            help="Run the jobs queued now, then stop.")
        parser.add_argument("--max-jobs", type=int, default=1000,
                            help="Stop after this many jobs (default 1000).")
        parser.add_argument("--poll", type=float, default=1.0,
                            help="Seconds between looks at an empty queue (default 1).")

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()

        def on_signal(signum: int, frame: Any) -> None:
            stop.set()

        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, on_signal)
        name, left, ran = worker_name(), max(options["max_jobs"], 1), 0
        self.stdout.write(f"worker {name}: waiting for jobs")
        while not stop.is_set() and ran < left:
            close_old_connections()
            done = queue_drain(worker=name, limit=left - ran, stop=stop.is_set)
            ran += done
            if options["once"]:
                break
            if not done:
                stop.wait(options["poll"])
        self.stdout.write(f"worker {name}: stopped after {ran} job(s)")
