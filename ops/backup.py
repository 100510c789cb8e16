"""Backups: one portable, versioned archive (zip) of every table and every uploaded file,
and its restore into an empty database of either engine (SQLite or PostgreSQL).

The archive holds `manifest.json` (format and version, the application version, the
migrations the data belongs to, row counts, and a SHA-256 for every other member),
`data.json` (every row of every model, in Django's serialisation, which both engines
read) and `media/...` (uploaded files). A restore checks the whole archive before it
changes anything, and changes the database in one transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import shutil
import tempfile
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from ops.selectors import app_version

FORMAT = "scp-monitor-backup"
FORMAT_VERSION = 1
# Sessions are not data: a restore signs everybody out instead of reviving old sign-ins.
NOT_BACKED_UP = {"sessions.session"}
# Rows that `migrate` itself creates: their presence does not make a database "not empty".
CREATED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission", "progress.summarybasis"}


class ExactJSONEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; a backup keeps the microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class BackupError(Exception):
    """An archive that cannot be restored, or a database that may not be overwritten; the
    message says why, in one sentence."""


@dataclass(frozen=True)
class Archive:
    manifest: dict[str, Any]
    data: bytes
    media: dict[str, bytes]


def _models() -> list[type[models.Model]]:
    found = [m for m in apps.get_models()
             if m._meta.managed and not m._meta.proxy
             and m._meta.label_lower not in NOT_BACKED_UP]
    return sorted(found, key=lambda m: m._meta.label_lower)


def _migrations() -> list[str]:
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied)


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _dump(out: IO[str]) -> dict[str, int]:
    """Serialise every backed-up table to `out` as of one moment (one transaction:
    PostgreSQL's snapshot); returns the row count of each table."""
    serializer = serializers.get_serializer("json")()
    counts: dict[str, int] = {}
    with transaction.atomic():
        objects: list[models.Model] = []
        for model in _models():
            rows = list(model._base_manager.order_by("pk"))
            counts[model._meta.label_lower] = len(rows)
            objects.extend(rows)
        serializer.serialize(objects, stream=out, ensure_ascii=False, cls=ExactJSONEncoder)
    return counts


def backup_write(*, path: Path) -> dict[str, Any]:
    """Write the archive to `path` (atomically: a half-written archive never has the final
    name); returns its manifest."""
    with tempfile.TemporaryDirectory() as tmp:
        data_file = Path(tmp) / "data.json"
        with transaction.atomic(), data_file.open("w", encoding="utf-8") as out:
            counts = _dump(out)
            migrations = _migrations()
        data = data_file.read_bytes()
        media = {}
        root = _media_root()
        if root.is_dir():
            for file in sorted(p for p in root.rglob("*") if p.is_file()):
                media["media/" + file.relative_to(root).as_posix()] = file.read_bytes()
        manifest = {
            "format": FORMAT, "format_version": FORMAT_VERSION,
            "application_version": app_version(),
            "created_at": timezone.now().isoformat(),
            "source_database": connection.vendor,
            "migrations": migrations, "counts": counts,
            "members": {name: {"sha256": _sha256(content), "size": len(content)}
                        for name, content in {"data.json": data, **media}.items()},
        }
        partial = path.with_name(path.name + ".partial")
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
            archive.writestr("data.json", data)
            for name, content in media.items():
                archive.writestr(name, content)
        partial.replace(path)
    return manifest


def backup_read(*, path: Path) -> Archive:
    """Read and check a whole archive; BackupError says what is wrong with it."""
    if not path.is_file():
        raise BackupError(_("No backup archive at %(path)s.") % {"path": path})
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
                raise BackupError(_("%(path)s is not an SCP Monitor backup.") % {"path": path})
            if manifest.get("format_version") != FORMAT_VERSION:
                raise BackupError(_(
                    "The archive's format version is %(found)s; this version of SCP Monitor "
                    "reads version %(expected)s.") % {
                    "found": manifest.get("format_version"), "expected": FORMAT_VERSION})
            contents = {name: archive.read(name) for name in manifest["members"]}
    except BackupError:
        raise
    except (zipfile.BadZipFile, zlib.error, KeyError, ValueError, TypeError, OSError,
            EOFError) as exc:
        raise BackupError(_("The archive %(path)s is damaged or incomplete (%(error)s); "
                            "nothing was changed.") % {"path": path, "error": exc}) from exc
    for name, expected in manifest["members"].items():
        content = contents[name]
        if len(content) != expected["size"] or _sha256(content) != expected["sha256"]:
            raise BackupError(_("The archive %(path)s is damaged: %(member)s does not match "
                                "its checksum; nothing was changed.") % {
                                    "path": path, "member": name})
    return Archive(manifest=manifest, data=contents.pop("data.json"), media=contents)


def database_is_empty() -> bool:
    """True when no table holds data beyond what `migrate` creates by itself."""
    return not any(m._base_manager.exists() for m in _models()
                   if m._meta.label_lower not in CREATED_BY_MIGRATE)


def backup_restore(*, path: Path, force: bool = False) -> dict[str, Any]:
    """Replace every table's rows and the uploaded files with the archive's. Refused if the
    archive is damaged, belongs to other migrations, or the database holds data (unless
    `force`). Returns the archive's manifest."""
    archive = backup_read(path=path)
    ours = set(_migrations())
    theirs = set(archive.manifest["migrations"])
    if ours != theirs:
        missing = sorted(theirs - ours)[:3]
        extra = sorted(ours - theirs)[:3]
        raise BackupError(_(
            "The archive was made at other migrations than this database's (only in the "
            "archive: %(missing)s; only here: %(extra)s). Restore with the version of SCP "
            "Monitor that made it, then upgrade.") % {
            "missing": ", ".join(missing) or "-", "extra": ", ".join(extra) or "-"})
    if not force and not database_is_empty():
        raise BackupError(_("The database is not empty: restoring would replace its data. "
                            "Use --force to replace it anyway."))
    with tempfile.TemporaryDirectory() as tmp:
        fixture = Path(tmp) / "data.json"
        fixture.write_bytes(archive.data)
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # TRUNCATE refuses while deferred foreign-key checks are pending.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            tables = connection.introspection.django_table_names(only_existing=True,
                                                                 include_views=False)
            connection.ops.execute_sql_flush(
                connection.ops.sql_flush(no_style(), tables, reset_sequences=True,
                                         allow_cascade=True))
            if connection.vendor == "postgresql":
                # Back to checking at commit, so rows may load in any order.
                with connection.cursor() as cursor:
                    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            call_command("loaddata", str(fixture), verbosity=0)
    ContentType.objects.clear_cache()
    _media_replace(archive.media)
    return archive.manifest


def _media_replace(media: dict[str, bytes]) -> None:
    root = _media_root()
    if root.is_dir():
        shutil.rmtree(root)
    for name, content in media.items():
        target = (root / name.removeprefix("media/")).resolve()
        if not target.is_relative_to(root.resolve()):
            continue  # a crafted member name may not write outside the media folder
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


@dataclass(frozen=True)
class TableComparison:
    """One table of an archive beside the same table in the database: row counts, and
    whether a checksum of every row's every field is the same on both sides."""

    table: str
    archive_rows: int
    database_rows: int
    archive_sha256: str
    database_sha256: str

    @property
    def matches(self) -> bool:
        return (self.archive_rows == self.database_rows
                and self.archive_sha256 == self.database_sha256)


def _table_digests(data: bytes | str) -> dict[str, tuple[int, str]]:
    """(rows, SHA-256) per table of a serialisation: rows in primary-key order, fields
    with sorted keys, many-to-many lists sorted (their order means nothing), so the same
    data gives the same digest whichever engine wrote it."""
    by_table: dict[str, list[Any]] = {}
    for obj in json.loads(data):
        by_table.setdefault(obj["model"], []).append(obj)
    digests = {}
    for label, rows in by_table.items():
        many = {f.name for f in apps.get_model(label)._meta.many_to_many}
        digest = hashlib.sha256()
        for obj in sorted(rows, key=lambda o: json.dumps(o["pk"])):
            fields = {k: sorted(v, key=json.dumps) if k in many else v
                      for k, v in obj["fields"].items()}
            digest.update(json.dumps([obj["pk"], fields], sort_keys=True,
                                     ensure_ascii=False).encode())
            digest.update(b"\n")
        digests[label] = (len(rows), digest.hexdigest())
    return digests


def backup_compare(*, path: Path) -> list[TableComparison]:
    """Every table of the archive at `path` (checked whole first) beside the same table
    in this database, by name: after a restore each must match, row for row."""
    archive = backup_read(path=path)
    out = io.StringIO()
    _dump(out)
    empty = (0, hashlib.sha256().hexdigest())
    ours, theirs = _table_digests(out.getvalue()), _table_digests(archive.data)
    tables = sorted(set(archive.manifest["counts"]) | {m._meta.label_lower for m in _models()})
    return [TableComparison(table=label,
                            archive_rows=theirs.get(label, empty)[0],
                            database_rows=ours.get(label, empty)[0],
                            archive_sha256=theirs.get(label, empty)[1],
                            database_sha256=ours.get(label, empty)[1])
            for label in tables]
