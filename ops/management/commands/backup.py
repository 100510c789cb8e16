"""`scp-monitor backup FILE`: every table and uploaded file in one portable archive."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from ops.backup import backup_write


class Command(BaseCommand):
    help = "Write a backup archive (zip) of all data and uploaded files to FILE."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options) -> None:
        manifest = backup_write(path=options["file"])
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"Backup written to {options['file']}: {rows} rows in "
                          f"{len(manifest['counts'])} tables, "
                          f"{len(manifest['members']) - 1} uploaded files.")
