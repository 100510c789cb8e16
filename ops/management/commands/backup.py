"""`scp-monitor backup FILE`: every table and uploaded file in one portable archive.
`scp-monitor backup --compare FILE`: the archive's tables beside this database's."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from ops.backup import BackupError, backup_compare, backup_write


class Command(BaseCommand):
    help = ("Write a backup archive (zip) of all data and uploaded files to FILE; with "
            "--compare, compare the archive FILE with this database instead, table by table.")

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--compare", action="store_true",
                            help="print each table's rows in the archive and in the database "
                                 "and whether their checksums match; fail if any differs")

    def handle(self, *args, **options) -> None:
        if options["compare"]:
            self.compare(options["file"])
            return
        manifest = backup_write(path=options["file"])
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"Backup written to {options['file']}: {rows} rows in "
                          f"{len(manifest['counts'])} tables, "
                          f"{len(manifest['members']) - 1} uploaded files.")

    def compare(self, path: Path) -> None:
        try:
            tables = backup_compare(path=path)
        except BackupError as exc:
            raise CommandError(str(exc)) from None
        header = [_("table"), _("rows in archive"), _("rows in database"),
                  pgettext("backup comparison", "checksum")]
        lines = [header] + [[t.table, str(t.archive_rows), str(t.database_rows),
                             _("same") if t.matches else _("DIFFERENT")] for t in tables]
        widths = [max(len(line[i]) for line in lines) for i in range(3)]
        for table, archived, stored, verdict in lines:
            self.stdout.write(f"{table:<{widths[0]}}  {archived:>{widths[1]}}  "
                              f"{stored:>{widths[2]}}  {verdict}")
        differing = [t.table for t in tables if not t.matches]
        self.stdout.write(_("%(tables)d tables, %(rows)d rows in the archive, %(same)d tables "
                            "the same.") % {"tables": len(tables),
                                            "rows": sum(t.archive_rows for t in tables),
                                            "same": len(tables) - len(differing)})
        if differing:
            raise CommandError(_("The database differs from the archive in %(n)d tables: "
                                 "%(names)s.") % {"n": len(differing),
                                                  "names": ", ".join(differing)})
