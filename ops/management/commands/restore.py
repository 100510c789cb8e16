"""`scp-monitor restore FILE [--force]`: put a backup archive's data back."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = ("Restore a backup archive into this database (run `scp-monitor migrate` first). "
            "An archive is checked whole before anything changes; a database holding data "
            "is refused unless --force.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--force", action="store_true",
                            help="replace the data of a database that is not empty")

    def handle(self, *args, **options) -> None:
        try:
            manifest = backup_restore(path=options["file"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"Restored {rows} rows in {len(manifest['counts'])} tables from "
                          f"{options['file']} (made {manifest['created_at']}).")
